//! Peak resident memory of this process, from the kernel's high-water mark.

/// Reset the kernel's peak-RSS counter (VmHWM) of this process, so the next reading covers only
/// what follows. Linux only; elsewhere it does nothing.
pub fn reset_peak_rss() {
    #[cfg(target_os = "linux")]
    {
        // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
}

/// Peak resident set size of this process in bytes since start or the last reset; 0 if unknown.
pub fn peak_rss_bytes() -> u64 {
    status_kib("VmHWM:") * 1024
}

/// Resident set size of this process now, in bytes; 0 if unknown.
pub fn current_rss_bytes() -> u64 {
    status_kib("VmRSS:") * 1024
}

/// A `kB` field of `/proc/self/status`; 0 if unknown.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Other tests of this binary load models and free them in threads beside this one, which
    /// moves the process's resident memory under the check: it runs alone, in a fresh process
    /// of this test binary ([`peak_rss_probe`]).
    #[test]
    fn peak_rss_grows_with_touched_memory_and_resets() {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args(["--exact", "memory::tests::peak_rss_probe", "--nocapture", "--test-threads", "1"])
            .env("EVALRUN_PEAK_RSS_PROBE", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
    }

    #[test]
    fn peak_rss_probe() {
        if std::env::var_os("EVALRUN_PEAK_RSS_PROBE").is_none() {
            return; // only in the process peak_rss_grows_with_touched_memory_and_resets starts
        }
        reset_peak_rss();
        let before = peak_rss_bytes();
        assert!(before > 0);
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = peak_rss_bytes();
        assert!(after >= before + (60 << 20), "before {before}, after {after}");
        assert!(current_rss_bytes() >= 60 << 20);
        drop(block);
        reset_peak_rss();
        assert!(peak_rss_bytes() < after);
    }
}
