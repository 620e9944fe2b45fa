//! Prompts sent to chat models, versioned and recorded in every run's manifest.

use evalrun_core::{ChatMessage, GenerationRequest, SamplingParams, Task};
use serde::{Deserialize, Serialize};

/// A prompt template for instruction-tuned models. The wording follows EvalPlus's instruct
/// prompt, so scores are comparable with published ones: the model is asked for a
/// self-contained script and its answer is opened with a Python fence it then continues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptTemplate {
    /// Name and version; change it whenever the text changes.
    pub name: String,
    pub instruction: String,
    pub response_prefix: String,
    pub stop: Vec<String>,
}

impl PromptTemplate {
    pub fn instruct_v1() -> Self {
        PromptTemplate {
            name: "evalplus-instruct-v1".into(),
            instruction: "Please provide a self-contained Python script that solves the following problem in a markdown code block:".into(),
            response_prefix: "Below is a Python script with a self-contained function that solves the problem and passes corresponding tests:\n```python\n".into(),
            stop: vec!["\n```".into()],
        }
    }

    pub fn request(&self, task: &Task, sampling: SamplingParams) -> GenerationRequest {
        let body = format!("{}\n```python\n{}\n```\n", self.instruction, task.prompt.trim_end());
        GenerationRequest {
            messages: vec![ChatMessage::new("user", body)],
            assistant_prefix: self.response_prefix.clone(),
            stop: self.stop.clone(),
            sampling,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evalrun_core::{Language, TaskKind};

    #[test]
    fn request_embeds_the_task_prompt_in_a_fence() {
        let task = Task {
            id: "t/0".into(),
            suite: "t".into(),
            language: Language::Python,
            kind: TaskKind::Code,
            prompt: "def f(x):\n    \"\"\"Double x.\"\"\"\n".into(),
            entry_point: "f".into(),
            test: "def check(c): assert c(1) == 2".into(),
            reference: "    return 2 * x\n".into(),
            difficulty: None,
        };
        let req = PromptTemplate::instruct_v1().request(&task, SamplingParams::default());
        assert_eq!(req.messages.len(), 1);
        assert!(req.messages[0].content.contains("```python\ndef f(x):\n    \"\"\"Double x.\"\"\"\n```"));
        assert!(req.assistant_prefix.ends_with("```python\n"));
        assert_eq!(req.stop, vec!["\n```".to_string()]);
    }
}
