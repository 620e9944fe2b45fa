//! Prompts, versioned and recorded in every run's manifest. Instruction-tuned models (those
//! with a chat template) get [`PromptTemplate::instruct_v2`]; base models get
//! [`PromptTemplate::completion_v1`].

use crate::languages;
use evalrun_core::{
    Backend, ChatMessage, GenerationRequest, Language, Prompt, SamplingParams, Task, TaskKind,
};
use serde::{Deserialize, Serialize};

/// EvalPlus's end sequences for every model (its `provider/utility.py`): the top-level code a
/// model writes after its solution.
pub const EVALPLUS_STOPS: [&str; 3] = ["\nif __name__", "\ndef main(", "\nprint("];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case")]
pub enum PromptStyle {
    /// A chat turn asking for a script; the answer is opened with `response_prefix`.
    Instruct { instruction: String, response_prefix: String },
    /// The task prompt itself, continued by the model.
    Completion,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptTemplate {
    /// Name and version; change it whenever the text changes.
    pub name: String,
    #[serde(flatten)]
    pub style: PromptStyle,
    pub stop: Vec<String>,
}

impl PromptTemplate {
    /// EvalPlus's instruct prompt, so scores are comparable with published ones: the model is
    /// asked for a self-contained script and its answer is opened with a Python fence. It stops
    /// at the closing fence and at EvalPlus's own end sequences ([`EVALPLUS_STOPS`]): small
    /// models go on after their function with example calls and a `__main__` block, which
    /// EvalPlus never generates and never executes.
    pub fn instruct_v2() -> Self {
        let mut stop = vec!["\n```".to_string()];
        stop.extend(EVALPLUS_STOPS.map(String::from));
        PromptTemplate { name: "evalplus-instruct-v2".into(), stop, ..Self::instruct_v1() }
    }

    /// [`instruct_v2`](Self::instruct_v2) for backends that cannot prefill the assistant's turn
    /// (chat endpoints of servers): the same request, no response prefix, and EvalPlus's end
    /// sequences but not the closing fence, because the answer opens its own fence and `\n````
    /// would stop before the code. Extraction then takes the fenced block from the whole answer.
    pub fn instruct_v2_no_prefill() -> Self {
        PromptTemplate {
            name: "evalplus-instruct-v2-no-prefill".into(),
            stop: EVALPLUS_STOPS.map(String::from).to_vec(),
            ..Self::instruct_v1_no_prefill()
        }
    }

    /// The first instruct prompt: [`instruct_v2`](Self::instruct_v2)'s text, stopping only at
    /// the closing fence. Kept so that runs recorded with it can be repeated.
    pub fn instruct_v1() -> Self {
        PromptTemplate {
            name: "evalplus-instruct-v1".into(),
            style: PromptStyle::Instruct {
                instruction: "Please provide a self-contained Python script that solves the following problem in a markdown code block:".into(),
                response_prefix: "Below is a Python script with a self-contained function that solves the problem and passes corresponding tests:\n```python\n".into(),
            },
            stop: vec!["\n```".into()],
        }
    }

    /// [`instruct_v1`](Self::instruct_v1) without the response prefix and with no stop sequence.
    pub fn instruct_v1_no_prefill() -> Self {
        let PromptStyle::Instruct { instruction, .. } = Self::instruct_v1().style else {
            unreachable!("instruct_v1 is an instruct template")
        };
        PromptTemplate {
            name: "evalplus-instruct-v1-no-prefill".into(),
            style: PromptStyle::Instruct { instruction, response_prefix: String::new() },
            stop: Vec::new(),
        }
    }

    /// Codex/HumanEval base-model prompting: continue the function body, stop at the next
    /// top-level statement.
    pub fn completion_v1() -> Self {
        PromptTemplate {
            name: "humaneval-completion-v1".into(),
            style: PromptStyle::Completion,
            stop: ["\nclass", "\ndef", "\n#", "\nif", "\nprint"].map(String::from).to_vec(),
        }
    }

    /// The template for a model: instruct when it has a chat template, completion otherwise.
    pub fn for_model(has_chat_template: bool) -> Self {
        if has_chat_template {
            Self::instruct_v2()
        } else {
            Self::completion_v1()
        }
    }

    /// The template for a loaded backend: [`for_model`](Self::for_model), and the no-prefill
    /// instruct variant where the backend cannot open the assistant's turn.
    pub fn for_backend(backend: &dyn Backend) -> Self {
        match (backend.is_chat(), backend.supports_assistant_prefix()) {
            (true, false) => Self::instruct_v2_no_prefill(),
            (chat, _) => Self::for_model(chat),
        }
    }

    /// The built-in templates, for `--prompt-template NAME`.
    pub fn builtins() -> Vec<PromptTemplate> {
        vec![
            Self::instruct_v2(),
            Self::instruct_v2_no_prefill(),
            Self::instruct_v1(),
            Self::instruct_v1_no_prefill(),
            Self::completion_v1(),
        ]
    }

    /// The built-in template called `name`.
    pub fn builtin(name: &str) -> Option<PromptTemplate> {
        Self::builtins().into_iter().find(|t| t.name == name)
    }

    /// Why this template cannot prompt `backend`, if it cannot: an instruct template needs a chat
    /// template, and a response prefix needs a backend that can open the assistant's turn.
    pub fn unfit_for(&self, backend: &dyn Backend) -> Option<String> {
        match &self.style {
            PromptStyle::Instruct { .. } if !backend.is_chat() => {
                Some(format!("`{}` is an instruct template and the model has no chat template", self.name))
            }
            PromptStyle::Instruct { response_prefix, .. }
                if !response_prefix.is_empty() && !backend.supports_assistant_prefix() =>
            {
                Some(format!(
                    "`{}` opens the assistant's answer, which this backend cannot do (use `{}`)",
                    self.name,
                    Self::instruct_v2_no_prefill().name
                ))
            }
            _ => None,
        }
    }

    /// The request for a task. The template's text is written for Python; for another
    /// language, "Python" and the `python` fence become that language's name and fence, and a
    /// base model stops where that language's function ends.
    pub fn request(&self, task: &Task, sampling: SamplingParams) -> GenerationRequest {
        if task.kind == TaskKind::TestWriting {
            return crate::testwriting::prompt::request(self, task, sampling);
        }
        let fence = languages::fence_tag(task.language);
        let prompt = match &self.style {
            PromptStyle::Instruct { instruction, response_prefix } => Prompt::Chat {
                messages: vec![ChatMessage::new(
                    "user",
                    format!(
                        "{}\n```{fence}\n{}\n```\n",
                        localize(instruction, task.language),
                        task.prompt.trim_end()
                    ),
                )],
                assistant_prefix: localize(response_prefix, task.language),
            },
            PromptStyle::Completion => Prompt::Completion(task.prompt.clone()),
        };
        let stop = match (&self.style, languages::toolchain(task.language)) {
            (PromptStyle::Completion, Some(toolchain)) => toolchain.completion_stops(),
            _ => self.stop.clone(),
        };
        GenerationRequest { prompt, stop, sampling }
    }
}

/// A template text for `language`: Python's name and fence replaced by the language's. An SQL
/// task wants one query against a database that already holds its tables, not a
/// "self-contained script with a function": asked that way, models restate the schema (which
/// then fails, the tables exist) and write stored functions SQLite does not have.
fn localize(text: &str, language: Language) -> String {
    if language == Language::Python {
        return text.to_string();
    }
    let text = if language == Language::Sql {
        text.replace("a self-contained Python script that solves", "one SQLite query that answers")
            .replace(
                "a Python script with a self-contained function that solves the problem and passes corresponding tests",
                "one SQLite query that answers the problem, for the tables as they are",
            )
    } else {
        text.to_string()
    };
    text.replace("```python", &format!("```{}", languages::fence_tag(language)))
        .replace("Python", languages::display_name(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task {
            id: "t/0".into(),
            suite: "t".into(),
            language: Language::Python,
            kind: TaskKind::Code,
            prompt: "def f(x):\n    \"\"\"Double x.\"\"\"\n".into(),
            entry_point: "f".into(),
            test: "def check(c): assert c(1) == 2".into(),
            reference: "    return 2 * x\n".into(),
            ..Task::default()
        }
    }

    #[test]
    fn sql_tasks_ask_for_one_query() {
        let sql = Task { language: Language::Sql, ..task() };
        let req = PromptTemplate::instruct_v1().request(&sql, SamplingParams::default());
        let Prompt::Chat { messages, assistant_prefix } = req.prompt else { panic!("not a chat prompt") };
        assert!(
            messages[0].content.starts_with("Please provide one SQLite query that answers"),
            "{}",
            messages[0].content
        );
        assert!(!messages[0].content.contains("self-contained"));
        assert_eq!(
            assistant_prefix,
            "Below is one SQLite query that answers the problem, for the tables as they are:\n```sql\n"
        );
    }

    #[test]
    fn instruct_request_embeds_the_task_prompt_in_a_fence() {
        let req = PromptTemplate::instruct_v1().request(&task(), SamplingParams::default());
        let Prompt::Chat { messages, assistant_prefix } = req.prompt else { panic!("not a chat prompt") };
        assert_eq!(messages.len(), 1);
        assert!(messages[0].content.contains("```python\ndef f(x):\n    \"\"\"Double x.\"\"\"\n```"));
        assert!(assistant_prefix.ends_with("```python\n"));
        assert_eq!(req.stop, vec!["\n```".to_string()]);
    }

    #[test]
    fn instruct_request_speaks_the_tasks_language() {
        let mut t = task();
        t.language = Language::Cpp;
        t.prompt = "long f(long x) {\n".into();
        let req = PromptTemplate::instruct_v1().request(&t, SamplingParams::default());
        let Prompt::Chat { messages, assistant_prefix } = req.prompt else { panic!("not a chat prompt") };
        assert!(
            messages[0].content.starts_with("Please provide a self-contained C++ script"),
            "{}",
            messages[0].content
        );
        assert!(messages[0].content.contains("```cpp\nlong f(long x) {\n```"));
        assert!(assistant_prefix.ends_with("C++ script with a self-contained function that solves the problem and passes corresponding tests:\n```cpp\n"));
        assert_eq!(req.stop, vec!["\n```".to_string()]);
        let req = PromptTemplate::completion_v1().request(&t, SamplingParams::default());
        assert_eq!(req.stop, vec!["\n}".to_string()]);
    }

    #[test]
    fn builtin_templates_are_found_by_their_recorded_names() {
        for t in PromptTemplate::builtins() {
            assert_eq!(PromptTemplate::builtin(&t.name), Some(t.clone()));
        }
        assert_eq!(PromptTemplate::builtin("evalplus-instruct-v0"), None);
    }

    #[test]
    fn completion_request_is_the_bare_prompt() {
        let t = PromptTemplate::for_model(false);
        let req = t.request(&task(), SamplingParams::default());
        assert_eq!(req.prompt, Prompt::Completion(task().prompt));
        assert!(req.stop.contains(&"\ndef".to_string()));
    }

    #[test]
    fn no_prefill_variant_asks_the_same_and_extracts_from_the_whole_answer() {
        let (with, without) = (PromptTemplate::instruct_v1(), PromptTemplate::instruct_v1_no_prefill());
        let (a, b) = (
            with.request(&task(), SamplingParams::default()),
            without.request(&task(), SamplingParams::default()),
        );
        let (Prompt::Chat { messages: ma, .. }, Prompt::Chat { messages: mb, assistant_prefix }) =
            (a.prompt, b.prompt)
        else {
            panic!("not chat prompts")
        };
        assert_eq!(ma, mb);
        assert!(assistant_prefix.is_empty() && b.stop.is_empty());
        let answer = "Sure:\n```python\ndef f(x):\n    return 2 * x\n```\nIt doubles x.";
        assert_eq!(
            crate::extract::completion_from(&without, answer, &task()),
            "\ndef f(x):\n    return 2 * x\n"
        );
    }

    #[test]
    fn v2_asks_what_v1_asks_and_also_stops_where_evalplus_stops() {
        let (v1, v2) = (PromptTemplate::instruct_v1(), PromptTemplate::instruct_v2());
        assert_eq!(v2.style, v1.style);
        let req = v2.request(&task(), SamplingParams::default());
        assert_eq!(req.stop, ["\n```", "\nif __name__", "\ndef main(", "\nprint("]);
        assert_eq!(req.prompt, v1.request(&task(), SamplingParams::default()).prompt);
        let no_prefill = PromptTemplate::instruct_v2_no_prefill();
        assert_eq!(no_prefill.style, PromptTemplate::instruct_v1_no_prefill().style);
        assert_eq!(no_prefill.stop, EVALPLUS_STOPS);
        // Instruct models get v2 by default; v1 stays built in for runs recorded with it.
        assert_eq!(PromptTemplate::for_model(true), v2);
        assert_eq!(PromptTemplate::builtin("evalplus-instruct-v1"), Some(v1));
    }

    #[test]
    fn template_serializes_with_its_style() {
        let json = serde_json::to_value(PromptTemplate::instruct_v1()).unwrap();
        assert_eq!(json["style"], "instruct");
        assert_eq!(json["name"], "evalplus-instruct-v1");
        let back: PromptTemplate = serde_json::from_value(json).unwrap();
        assert_eq!(back, PromptTemplate::instruct_v1());
    }
}
