//! The test-writing prompt and the extraction of the test file from an answer.
//!
//! Instruction-tuned models are shown the code in a chat turn and asked for a pytest file in a
//! code block; their answer is opened with a fence and `import pytest`. Base models continue
//! a file that shows the code and then starts the test file.

use crate::extract::{code_block, sanitize_python};
use crate::prompt::{PromptStyle, PromptTemplate};
use evalrun_core::{ChatMessage, GenerationRequest, Prompt, SamplingParams, Task};

/// Name and version of the prompt text below; change it whenever the text changes.
pub const PROMPT_NAME: &str = "evalrun-testwriting-v1";

const RESPONSE_PREFIX: &str = "```python\nimport pytest\n";

/// What the model writes tests for: a whole module, or one item of it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The module name the tests import.
    pub module: &'a str,
    /// The code shown: the module, or the item's source.
    pub code: &'a str,
    /// The function or class to test, when only one item is asked for.
    pub item: Option<&'a str>,
}

fn instruction(target: &Target) -> String {
    let what = match target.item {
        Some(item) => format!(
            "Write pytest tests for `{item}` from the Python module `{m}` (file `{m}.py`), shown below. \
             Import it with `from {m} import {item}`.",
            m = target.module
        ),
        None => format!(
            "Write a pytest test suite for the Python module `{m}` (file `{m}.py`) below. Import what \
             you test from `{m}`. Test every public function and class.",
            m = target.module
        ),
    };
    format!(
        "{what} Check normal cases, edge cases and errors (with `pytest.raises`); every assertion must \
         hold for the code as it is. Reply with the complete test file in one ```python code block.\n\n\
         ```python\n{}\n```\n",
        target.code.trim_end()
    )
}

/// The header a base model's continuation starts after.
fn completion_header(module: &str) -> String {
    format!("import pytest\nfrom {module} import *\n\n\n")
}

/// The generation request for `target` under `template`'s style (its instruction text is for
/// code tasks and is not used).
pub fn target_request(
    template: &PromptTemplate,
    target: &Target,
    sampling: SamplingParams,
) -> GenerationRequest {
    match &template.style {
        PromptStyle::Instruct { .. } => GenerationRequest {
            prompt: Prompt::Chat {
                messages: vec![ChatMessage::new("user", instruction(target))],
                assistant_prefix: RESPONSE_PREFIX.to_string(),
            },
            stop: vec!["\n```".into()],
            sampling,
        },
        PromptStyle::Completion => GenerationRequest {
            prompt: Prompt::Completion(format!(
                "# {m}.py\n{}\n\n\n# test_{m}.py: pytest tests of the module above.\n{}",
                target.code.trim_end(),
                completion_header(target.module),
                m = target.module
            )),
            stop: vec!["\n```".into(), "\nif __name__".into()],
            sampling,
        },
    }
}

/// The request for a test-writing task: the whole module.
pub fn request(template: &PromptTemplate, task: &Task, sampling: SamplingParams) -> GenerationRequest {
    target_request(template, &Target { module: &task.entry_point, code: &task.prompt, item: None }, sampling)
}

/// The test file in what the model generated under `template` for `module`: the code block of
/// an instruct answer (its opening restored), or the base model's continuation after the file's
/// header; top-level statements that would run on import (`pytest.main()`, `__main__` blocks)
/// are dropped.
pub fn completion_from(template: &PromptTemplate, generated: &str, module: &str) -> String {
    let code = match &template.style {
        // No entry point to look for: the largest Python block is the test file.
        PromptStyle::Instruct { .. } => code_block(&format!("{RESPONSE_PREFIX}{generated}"), ""),
        PromptStyle::Completion => format!("{}{generated}", completion_header(module)),
    };
    let sanitized = sanitize_python(&code);
    if sanitized.trim().is_empty() {
        code
    } else {
        sanitized
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruct_prompt_shows_the_module_and_names_the_import() {
        let target = Target { module: "clamp", code: "def clamp(x):\n    return x\n", item: None };
        let req = target_request(&PromptTemplate::instruct_v1(), &target, SamplingParams::default());
        let Prompt::Chat { messages, assistant_prefix } = req.prompt else { panic!("not a chat prompt") };
        assert!(messages[0].content.contains("module `clamp`"));
        assert!(messages[0].content.contains("```python\ndef clamp(x):\n    return x\n```"));
        assert_eq!(assistant_prefix, RESPONSE_PREFIX);
        let item = Target { item: Some("clamp"), ..target };
        let req = target_request(&PromptTemplate::instruct_v1(), &item, SamplingParams::default());
        let Prompt::Chat { messages, .. } = req.prompt else { panic!("not a chat prompt") };
        assert!(messages[0].content.contains("from clamp import clamp"));
    }

    #[test]
    fn instruct_answer_becomes_the_test_file() {
        let answer = "from clamp import clamp\n\ndef test_low():\n    assert clamp(1) == 1\n\npytest.main()\n```\nThat's it.";
        let file = completion_from(&PromptTemplate::instruct_v1(), answer, "clamp");
        assert_eq!(
            file,
            "import pytest\nfrom clamp import clamp\n\ndef test_low():\n    assert clamp(1) == 1\n"
        );
    }

    #[test]
    fn base_model_continuation_gets_the_header_back() {
        let t = PromptTemplate::completion_v1();
        let req = target_request(
            &t,
            &Target { module: "m", code: "X = 1\n", item: None },
            SamplingParams::default(),
        );
        let Prompt::Completion(text) = req.prompt else { panic!("not a completion prompt") };
        assert!(text.ends_with("import pytest\nfrom m import *\n\n\n"));
        let file = completion_from(&t, "def test_x():\n    assert X == 1\n", "m");
        assert_eq!(file, "import pytest\nfrom m import *\n\n\ndef test_x():\n    assert X == 1\n");
    }
}
