//! Code extraction from a model's answer: Python's (fences, sanitising, the completion) and each
//! other language's toolchain. The first line is the entry point, the rest the answer.
#![no_main]

use evalrun_core::Language;
use evalrun_harness::extract::{code_block, completion_for, extract_completion, sanitize_python};
use evalrun_harness::languages::toolchain;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (entry_point, answer) = text.split_once('\n').unwrap_or(("f", text));
    let _ = extract_completion(answer, entry_point);
    let code = code_block(answer, entry_point);
    let sanitized = sanitize_python(&code);
    assert!(sanitized.is_empty() || sanitized.ends_with('\n'));
    let _ = completion_for(&sanitized, entry_point);
    for language in [Language::Javascript, Language::Cpp, Language::Rust, Language::Java, Language::Sql] {
        let Some(toolchain) = toolchain(language) else { continue };
        let _ = toolchain.extract(answer, entry_point);
        let _ = toolchain.close_continuation(answer);
    }
});
