//! Where two runs differ in what decides their arithmetic: the backends' compute features
//! (llama.cpp's system info, candle's SIMD paths), the backend versions and the CPUs' SIMD
//! flags, as their manifests record them. `compare` and `gate` print these as notes, since the
//! same model file can give different greedy completions through kernel rounding alone.

use crate::run::Run;
use evalrun_harness::manifest::{ModelManifest, RunManifest};

/// Why differing kernels matter, appended to the compute-features and CPU-flags notes.
const WHY: &str = "greedy outputs can differ through SIMD rounding alone";

/// The notes for every run of `baseline` against every run of `candidate` that has a manifest,
/// each said once. `sides` names the two sides in the text (`["baseline", "candidate"]`).
pub fn notes(baseline: &[Run], candidate: &[Run], sides: [&str; 2]) -> Vec<String> {
    let manifests = |runs: &[Run]| runs.iter().filter_map(|r| r.manifest.clone()).collect::<Vec<_>>();
    let (b, c) = (manifests(baseline), manifests(candidate));
    let mut notes: Vec<String> = Vec::new();
    for x in &b {
        for y in &c {
            for note in differences(x, y, sides) {
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    notes
}

/// One line per difference between the two manifests in backend versions, compute features
/// (only the items that differ) and CPU flags. What only one side recorded (a manifest written
/// before these were recorded) is not a difference.
pub fn differences(baseline: &RunManifest, candidate: &RunManifest, sides: [&str; 2]) -> Vec<String> {
    let [b_side, c_side] = sides;
    let mut out = Vec::new();
    for (b, c) in pair_models(&baseline.models, &candidate.models) {
        // Two backends differ in everything; the pairing already names both.
        if b.backend != c.backend {
            continue;
        }
        let name = if b.id == c.id {
            format!("{} ({})", b.id, b.backend)
        } else {
            format!("{} vs {} ({})", b.id, c.id, b.backend)
        };
        if let (Some(x), Some(y)) = (&b.backend_version, &c.backend_version) {
            if x != y {
                out.push(format!(
                    "{name}: the runs used different backend versions: {b_side} \"{x}\" vs {c_side} \"{y}\""
                ));
            }
        }
        if let (Some(x), Some(y)) = (&b.compute_features, &c.compute_features) {
            let changed = feature_changes(x, y);
            if !changed.is_empty() {
                out.push(format!(
                    "{name}: the runs used different compute features: {b_side} \"{}\" vs {c_side} \"{}\"; {WHY}",
                    changed.iter().map(|(key, v, _)| item(key, v)).collect::<Vec<_>>().join(" | "),
                    changed.iter().map(|(key, _, v)| item(key, v)).collect::<Vec<_>>().join(" | "),
                ));
            }
        }
    }
    let (x, y) = (&baseline.machine.cpu_flags, &candidate.machine.cpu_flags);
    if !x.is_empty() && !y.is_empty() && x != y {
        let only = |a: &[String], b: &[String], side: &str| -> Option<String> {
            let v: Vec<&str> = a.iter().filter(|f| !b.contains(f)).map(String::as_str).collect();
            (!v.is_empty()).then(|| format!("only the {side}'s has {}", v.join(" ")))
        };
        let clauses: Vec<String> = [only(x, y, b_side), only(y, x, c_side)].into_iter().flatten().collect();
        out.push(format!("the machines' CPUs have different SIMD flags: {}; {WHY}", clauses.join(", ")));
    }
    out
}

/// The models of the two manifests that describe the same thing: the two models when each run
/// has one (a new quantization against the old one), else those with the same id and backend.
fn pair_models<'a>(
    baseline: &'a [ModelManifest],
    candidate: &'a [ModelManifest],
) -> Vec<(&'a ModelManifest, &'a ModelManifest)> {
    if let ([b], [c]) = (baseline, candidate) {
        return vec![(b, c)];
    }
    baseline
        .iter()
        .filter_map(|b| candidate.iter().find(|c| c.id == b.id && c.backend == b.backend).map(|c| (b, c)))
        .collect()
}

/// `KEY = VALUE`, or `KEY absent` when the side did not list it (llama.cpp lists only the
/// features it found).
fn item(key: &str, value: &Option<String>) -> String {
    match value {
        Some(v) if v.is_empty() => key.to_string(),
        Some(v) => format!("{key} = {v}"),
        None => format!("{key} absent"),
    }
}

/// The items of two feature lists whose values differ, in order of first appearance:
/// `(key, baseline's value, candidate's value)`, `None` where a side does not list the key.
fn feature_changes(baseline: &str, candidate: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let (x, y) = (parse_features(baseline), parse_features(candidate));
    let value =
        |list: &[(String, String)], key: &str| list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let mut keys: Vec<&str> = x.iter().map(|(k, _)| k.as_str()).collect();
    keys.extend(y.iter().map(|(k, _)| k.as_str()).filter(|k| !x.iter().any(|(xk, _)| xk == k)));
    keys.into_iter().map(|k| (k.to_string(), value(&x, k), value(&y, k))).filter(|(_, a, b)| a != b).collect()
}

/// Parses `DEVICE : KEY = VALUE | KEY = VALUE | DEVICE : KEY = VALUE |` (llama.cpp's system
/// info; the other backends write the same list without devices) into `(key, value)` items, the
/// key prefixed with its device (`CPU AVX512`). An item without ` = ` has an empty value.
fn parse_features(text: &str) -> Vec<(String, String)> {
    let mut device = String::new();
    let mut items = Vec::new();
    for chunk in text.split('|').map(str::trim).filter(|c| !c.is_empty()) {
        // `CPU : SSE3 = 1` opens the CPU's features; a device that listed none leaves
        // `CUDA : CPU : SSE3 = 1`, whose last device is the one the feature belongs to.
        let feature = match chunk.rsplit_once(" : ") {
            Some((devices, feature)) => {
                device = devices.rsplit(" : ").next().unwrap_or(devices).trim().to_string();
                feature.trim()
            }
            None => chunk,
        };
        let (name, value) = feature.split_once(" = ").map_or((feature, ""), |(n, v)| (n.trim(), v.trim()));
        let key = if device.is_empty() { name.to_string() } else { format!("{device} {name}") };
        items.push((key, value.to_string()));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_harness::manifest::Machine;

    fn manifest(features: &str, version: &str, flags: &[&str]) -> RunManifest {
        let json = serde_json::json!({
            "evalrun_version": "0.1.0",
            "created_at": "2026-01-01T00:00:00Z",
            "command": ["evalrun", "run"],
            "suite": "humaneval",
            "corpus_version": "1",
            "tasks": ["HumanEval/0"],
            "samples_per_task": 1,
            "sampling": evalrun_core::SamplingParams::default(),
            "models": [{
                "id": "qwen", "file": "q.gguf", "size": 1, "sha256": "ab", "backend": "llamacpp",
                "backend_version": version, "compute_features": features,
            }],
            "limits": evalrun_harness::sandbox::Limits::default(),
            "machine": Machine {
                os: "linux".into(),
                arch: "x86_64".into(),
                cpus: 2,
                cpu_model: "AMD EPYC".into(),
                memory_bytes: 1 << 30,
                cpu_flags: flags.iter().map(|f| f.to_string()).collect(),
            },
        });
        serde_json::from_value(json).unwrap()
    }

    const AVX512: &str = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | REPACK = 1 |";
    const AVX2: &str = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | REPACK = 1 | LLAMAFILE = 1 |";

    #[test]
    fn names_only_the_differing_items() {
        let b = manifest(AVX512, "llama-cpp-2 0.1.160", &["avx", "avx2", "avx512f", "fma"]);
        let c = manifest(AVX2, "llama-cpp-2 0.1.160", &["avx", "avx2", "fma"]);
        let notes = differences(&b, &c, ["baseline", "candidate"]);
        assert_eq!(notes.len(), 2, "{notes:#?}");
        assert_eq!(
            notes[0],
            "qwen (llamacpp): the runs used different compute features: baseline \"CPU AVX512 = 1 | CPU \
             AVX512_VNNI = 1 | CPU LLAMAFILE absent\" vs candidate \"CPU AVX512 absent | CPU AVX512_VNNI \
             absent | CPU LLAMAFILE = 1\"; greedy outputs can differ through SIMD rounding alone"
        );
        for same in ["SSE3", "AVX2", "REPACK", "version"] {
            assert!(!notes[0].contains(same), "{same} is the same on both sides: {}", notes[0]);
        }
        assert!(notes[1].contains("SIMD flags: only the baseline's has avx512f; greedy"), "{}", notes[1]);
        assert!(!notes[1].contains("avx2") && !notes[1].contains("fma"), "{}", notes[1]);
    }

    #[test]
    fn versions_differ_and_identical_manifests_do_not() {
        let b = manifest(AVX2, "llama-cpp-2 0.1.160", &["avx2"]);
        assert!(differences(&b, &b, ["A", "B"]).is_empty());
        let c = manifest(AVX2, "llama-cpp-2 0.1.161", &["avx2"]);
        assert_eq!(
            differences(&b, &c, ["A", "B"]),
            ["qwen (llamacpp): the runs used different backend versions: A \"llama-cpp-2 0.1.160\" vs B \
              \"llama-cpp-2 0.1.161\""]
        );
        // What one side did not record (an older manifest) is no difference.
        let mut old = b.clone();
        old.models[0].compute_features = None;
        old.machine.cpu_flags.clear();
        assert!(
            differences(&old, &manifest(AVX512, "llama-cpp-2 0.1.160", &["avx512f"]), ["A", "B"]).is_empty()
        );
        // Nor is another backend's list: the backends themselves differ.
        let mut candle = manifest("AVX = 1 | F16C = 1", "candle 0.11.1", &["avx2"]);
        candle.models[0].backend = "candle".into();
        assert!(differences(&b, &candle, ["A", "B"]).is_empty());
    }

    #[test]
    fn compare_and_gate_print_the_note() {
        use crate::test_support::{record, write_run};
        use evalrun_core::Status;
        let tmp = tempfile::tempdir().unwrap();
        let load = |name: &str, features: &str| {
            let dir = write_run(tmp.path(), name, &[record("qwen", "HumanEval/0", Status::Passed)]);
            manifest(features, "llama-cpp-2 0.1.160", &[]).write(&dir.join("manifest.json")).unwrap();
            Run::load(&dir).unwrap()
        };
        let (b, c) = (load("b", AVX512), load("c", AVX2));
        let text = crate::compare::compare(&b, &c, None).unwrap().to_string();
        assert!(
            text.contains(
                "\nnote: qwen (llamacpp): the runs used different compute features: A \"CPU AVX512"
            ),
            "{text}"
        );
        let gate = crate::gate::evaluate(std::slice::from_ref(&b), &[c], None, Default::default())
            .unwrap()
            .to_string();
        assert!(
            gate.contains("  note: qwen (llamacpp): the runs used different compute features: baseline"),
            "{gate}"
        );
        assert!(!crate::compare::compare(&b, &b, None).unwrap().to_string().contains("note:"));
    }

    #[test]
    fn parses_llamacpp_system_info() {
        let items = parse_features("CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : AVX2 = 1 | candle-only |");
        let keys: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["CUDA ARCHS", "CUDA USE_GRAPHS", "CPU AVX2", "CPU candle-only"]);
        assert_eq!(items[0].1, "890");
        // A device that listed nothing gives way to the next one.
        assert_eq!(parse_features("BLAS : CPU : F16C = 1 |"), [("CPU F16C".to_string(), "1".to_string())]);
        // Candle's list has no devices.
        assert_eq!(parse_features("AVX = 1 | NEON = 0")[1], ("NEON".to_string(), "0".to_string()));
    }
}
