//! The model's own chat template (`tokenizer.chat_template`, a Jinja template written for Hugging
//! Face `transformers`) rendered with `minijinja` the way `transformers` renders it: blocks trimmed,
//! loop controls, `raise_exception`, Python-style `tojson`, `strftime_now`, Python string methods.
//!
//! Every local backend renders chats through this one renderer, so the same conversation is the
//! same text, token for token, whichever runtime generates. (llama.cpp's own
//! `llama_chat_apply_template` recognises templates by pattern and re-implements them; for Qwen2.5
//! it leaves out the default system prompt the real template adds.)

use evalrun_core::{BackendError, ChatMessage, GenerationRequest, Prompt};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, Value};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum ChatTemplateError {
    #[error("the chat template does not compile: {0:#}")]
    Compile(Error),
    #[error("the chat template fails to render: {0:#}")]
    Render(Error),
}

/// A compiled chat template.
pub struct ChatTemplate {
    env: Environment<'static>,
    source: String,
    bos_token: String,
    eos_token: String,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate").field("source", &self.source).finish_non_exhaustive()
    }
}

const NAME: &str = "chat_template";

impl ChatTemplate {
    /// Compile `source`; `bos_token`/`eos_token` are the texts templates may print.
    pub fn new(source: &str, bos_token: &str, eos_token: &str) -> Result<Self, ChatTemplateError> {
        let mut env = Environment::new();
        // transformers' settings: a block tag's own line leaves no whitespace behind.
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(ChatTemplateError::Compile)?;
        env.set_syntax(syntax);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_filter("tojson", tojson);
        env.add_template_owned(NAME, source.to_string()).map_err(ChatTemplateError::Compile)?;
        Ok(ChatTemplate {
            env,
            source: source.to_string(),
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
        })
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Render a conversation; `add_generation_prompt` opens the assistant's turn.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String, ChatTemplateError> {
        let template = self.env.get_template(NAME).map_err(ChatTemplateError::Compile)?;
        template
            .render(minijinja::context! {
                messages => Value::from(minijinja::value::Serde(messages)),
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token.as_str(),
                eos_token => self.eos_token.as_str(),
            })
            .map_err(ChatTemplateError::Render)
    }
}

/// The text a model is fed for `request`: a completion prompt as is; a chat rendered with the
/// model's template, the generation prompt opened and the assistant prefix appended.
pub fn render_request(
    template: Option<&ChatTemplate>,
    request: &GenerationRequest,
) -> Result<String, BackendError> {
    match (&request.prompt, template) {
        (Prompt::Completion(text), _) => Ok(text.clone()),
        (Prompt::Chat { messages, assistant_prefix }, Some(template)) => template
            .render(messages, true)
            .map(|rendered| rendered + assistant_prefix)
            .map_err(|e| BackendError::Generate(e.to_string())),
        (Prompt::Chat { .. }, None) => Err(BackendError::Generate(
            "a chat prompt was sent to a model without a chat template (a base model)".into(),
        )),
    }
}

/// Templates call `raise_exception("...")` to reject a conversation they cannot format.
fn raise_exception(message: String) -> Result<Value, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, message))
}

/// Python's `json.dumps` as transformers calls it: `", "` and `": "` separators (or `indent`),
/// non-ASCII kept as is, no HTML escaping (minijinja's own `tojson` escapes `<`, `>`, `&`, `'`).
fn tojson(value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    kwargs.assert_all_used()?;
    let mut out = Vec::new();
    let result = match indent {
        Some(n) => {
            let spaces = vec![b' '; n];
            let mut ser = serde_json::Serializer::with_formatter(
                &mut out,
                serde_json::ser::PrettyFormatter::with_indent(&spaces),
            );
            serde::Serialize::serialize(&value, &mut ser)
        }
        None => {
            let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonSeparators);
            serde::Serialize::serialize(&value, &mut ser)
        }
    };
    result.map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("tojson: {e}")))?;
    let text = String::from_utf8(out)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("tojson: {e}")))?;
    Ok(Value::from_safe_string(text))
}

/// `json.dumps`' default separators.
struct PythonSeparators;

impl serde_json::ser::Formatter for PythonSeparators {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// `strftime_now(format)`: the current UTC time (Llama 3 templates print today's date). Supports
/// `%Y %m %d %H %M %S %y %b %B %e %%`.
fn strftime_now(format: String) -> Result<Value, Error> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Ok(Value::from(strftime(&format, secs)))
}

fn strftime(format: &str, unix_secs: u64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, day) = civil_from_days((unix_secs / 86_400) as i64);
    let secs_of_day = unix_secs % 86_400;
    let month_name = MONTHS[(month - 1) as usize];
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&year.to_string()),
            Some('y') => out.push_str(&format!("{:02}", year.rem_euclid(100))),
            Some('m') => out.push_str(&format!("{month:02}")),
            Some('d') => out.push_str(&format!("{day:02}")),
            Some('e') => out.push_str(&format!("{day:>2}")),
            Some('H') => out.push_str(&format!("{:02}", secs_of_day / 3600)),
            Some('M') => out.push_str(&format!("{:02}", secs_of_day / 60 % 60)),
            Some('S') => out.push_str(&format!("{:02}", secs_of_day % 60)),
            Some('b') => out.push_str(&month_name[..3]),
            Some('B') => out.push_str(month_name),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(pairs: &[(&str, &str)]) -> Vec<ChatMessage> {
        pairs.iter().map(|(role, content)| ChatMessage::new(role, *content)).collect()
    }

    #[test]
    fn blocks_are_trimmed_as_in_transformers() {
        let source = "{% for m in messages %}\n  {{ m.role }}: {{ m.content }}\n{% endfor %}\n{% if add_generation_prompt %}\nassistant:\n{% endif %}";
        let t = ChatTemplate::new(source, "<s>", "</s>").unwrap();
        let out = t.render(&msgs(&[("user", "hi")]), true).unwrap();
        assert_eq!(out, "  user: hi\nassistant:\n");
    }

    #[test]
    fn loop_controls_tojson_and_python_methods_work() {
        let source = "{{ bos_token }}{% for m in messages %}{% if loop.index0 > 0 %}{% break %}{% endif %}{{ m.content.strip() | tojson }}{{ {'a': [1, 2]} | tojson }}{% endfor %}";
        let t = ChatTemplate::new(source, "<s>", "</s>").unwrap();
        let out = t.render(&msgs(&[("user", "  <é>  "), ("user", "x")]), false).unwrap();
        assert_eq!(out, "<s>\"<é>\"{\"a\": [1, 2]}");
    }

    #[test]
    fn raise_exception_fails_the_render_with_its_message() {
        let source = "{% if messages[0].role != 'user' %}{{ raise_exception('first message must be from the user') }}{% endif %}ok";
        let t = ChatTemplate::new(source, "", "").unwrap();
        assert_eq!(t.render(&msgs(&[("user", "x")]), true).unwrap(), "ok");
        let err = t.render(&msgs(&[("system", "x")]), true).unwrap_err().to_string();
        assert!(err.contains("first message must be from the user"), "{err}");
    }

    #[test]
    fn a_broken_template_is_a_compile_error() {
        assert!(matches!(ChatTemplate::new("{% for %}", "", ""), Err(ChatTemplateError::Compile(_))));
    }

    #[test]
    fn strftime_formats_dates() {
        // 2024-02-29 13:05:09 UTC
        assert_eq!(
            strftime("%d %b %Y %H:%M:%S %B %y %%", 1_709_211_909),
            "29 Feb 2024 13:05:09 February 24 %"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
