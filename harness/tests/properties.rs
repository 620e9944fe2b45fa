//! Properties of the pass@k estimator and of the journal's append and replay, checked with
//! proptest on generated cases (docs/RELIABILITY.md, "Fuzzing and properties").

use evalrun_harness::journal::{self, Journal};
use evalrun_harness::score::pass_at_k;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;

/// `C(n, k)` exactly (n <= 60 fits in u128 on the way).
fn choose(n: u32, k: u32) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u128, |acc, i| acc * u128::from(n - i) / u128::from(i + 1))
}

/// pass@k by its definition: `1 - C(n-c, k) / C(n, k)`.
fn pass_at_k_direct(n: u32, c: u32, k: u32) -> f64 {
    1.0 - choose(n - c, k) as f64 / choose(n, k) as f64
}

/// `(n, c, k)` with `c <= n`, `k <= n`, `n >= 1`.
fn counts(max_n: u32) -> impl Strategy<Value = (u32, u32, u32)> {
    (1..=max_n).prop_flat_map(|n| (Just(n), 0..=n, 0..=n))
}

proptest! {
    #[test]
    fn pass_at_k_equals_the_combinatorial_formula((n, c, k) in counts(60)) {
        let got = pass_at_k(n, c, k).expect("defined");
        let want = pass_at_k_direct(n, c, k);
        prop_assert!((got - want).abs() <= 1e-9, "pass@{k} of {c}/{n}: {got} vs {want}");
    }

    #[test]
    fn pass_at_k_is_a_probability_monotone_in_c_and_k((n, c, k) in counts(2000)) {
        let p = pass_at_k(n, c, k).expect("defined");
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
        if c < n {
            prop_assert!(pass_at_k(n, c + 1, k).expect("defined") >= p - 1e-12);
        }
        if k < n {
            prop_assert!(pass_at_k(n, c, k + 1).expect("defined") >= p - 1e-12);
        }
        // pass@1 is the fraction correct; pass@n is 1 with any correct sample.
        prop_assert!((pass_at_k(n, c, 1).expect("defined") - f64::from(c) / f64::from(n)).abs() <= 1e-12);
        prop_assert_eq!(pass_at_k(n, c, n).expect("defined"), if c > 0 { 1.0 } else { 0.0 });
    }

    #[test]
    fn pass_at_k_is_undefined_exactly_outside_its_domain(n in 0u32..50, c in 0u32..60, k in 0u32..60) {
        prop_assert_eq!(pass_at_k(n, c, k).is_none(), n == 0 || k > n || c > n);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rec {
    id: u32,
    text: String,
    score: Option<f64>,
}

fn record() -> impl Strategy<Value = Rec> {
    // Any text: quotes, backslashes, newlines, non-ASCII, control characters.
    (any::<u32>(), any::<String>(), proptest::option::of(-1e6f64..1e6)).prop_map(|(id, text, score)| Rec {
        id,
        text,
        score,
    })
}

/// Records in batches, appended one `append_all` (one sync) per batch.
fn batches() -> impl Strategy<Value = Vec<Vec<Rec>>> {
    proptest::collection::vec(proptest::collection::vec(record(), 0..4), 0..5)
}

proptest! {
    // Each case writes and syncs a file: fewer cases keep this fast.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn what_is_appended_is_replayed_in_order(batches in batches()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.jsonl");
        let (mut j, old) = Journal::<Rec>::open(&path, false).expect("open");
        prop_assert!(old.is_empty());
        for batch in &batches {
            if batch.len() == 1 {
                j.append(&batch[0]).expect("append");
            } else {
                j.append_all(batch).expect("append_all");
            }
        }
        drop(j);
        let all: Vec<Rec> = batches.concat();
        let (_, replayed) = Journal::<Rec>::open(&path, true).expect("reopen");
        prop_assert_eq!(&replayed, &all);
        prop_assert_eq!(&journal::read_all::<Rec>(&path).expect("read_all"), &all);
        // Without --resume a journal that holds records is refused.
        prop_assert_eq!(Journal::<Rec>::open(&path, false).is_err(), !all.is_empty());
    }

    #[test]
    fn a_torn_last_line_is_cut_and_the_journal_goes_on(
        before in proptest::collection::vec(record(), 0..6),
        torn in record(),
        cut in any::<prop::sample::Index>(),
        after in record(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("j.jsonl");
        let (mut j, _) = Journal::<Rec>::open(&path, false).expect("open");
        j.append_all(&before).expect("append_all");
        drop(j);
        let good_len = std::fs::metadata(&path).expect("metadata").len();
        // Power loss in the middle of writing `torn`: any proper prefix of its line, which holds
        // no newline (JSON escapes them).
        let line = serde_json::to_vec(&torn).expect("serialise");
        let prefix = &line[..1 + cut.index(line.len() - 1)];
        prop_assert!(!prefix.contains(&b'\n'));
        std::fs::OpenOptions::new().append(true).open(&path).expect("open").write_all(prefix).expect("write");

        let (mut j, replayed) = Journal::<Rec>::open(&path, true).expect("a torn line is not an error");
        prop_assert_eq!(&replayed, &before);
        prop_assert_eq!(std::fs::metadata(&path).expect("metadata").len(), good_len);
        j.append(&after).expect("append");
        drop(j);
        let mut want = before.clone();
        want.push(after);
        prop_assert_eq!(journal::read_all::<Rec>(&path).expect("read_all"), want);
    }

    #[test]
    fn replay_keeps_a_prefix_and_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        // Arbitrary bytes (the `samples_file` fuzz target does this at scale).
        if let Ok((records, good_len)) = journal::parse_records::<Rec>(std::path::Path::new("j"), &bytes[..]) {
            prop_assert!(good_len as usize <= bytes.len());
            let (again, _) = journal::parse_records::<Rec>(std::path::Path::new("j"), &bytes[..good_len as usize])
                .expect("the kept prefix replays");
            prop_assert_eq!(again, records);
        }
    }
}
