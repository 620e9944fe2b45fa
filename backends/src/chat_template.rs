//! The model's own chat template (`tokenizer.chat_template`, a Jinja template written for Hugging
//! Face `transformers`) rendered with `minijinja` the way `transformers` renders it: blocks trimmed,
//! loop controls, `raise_exception`, Python-style `tojson`, `strftime_now`, Python string methods.
//!
//! Every local backend renders chats through this one renderer, so the same conversation is the
//! same text, token for token, whichever runtime generates. (llama.cpp's own
//! `llama_chat_apply_template` recognises templates by pattern and re-implements them; for Qwen2.5
//! it leaves out the default system prompt the real template adds.)

//!
//! A GGUF's template is untrusted code. Each render gets a budget of [`FUEL`] (instructions and
//! the data they create, which bounds both time and memory), a recursion limit, and an output of
//! at most [`MAX_OUTPUT_BYTES`]; the Python string methods that can multiply their input
//! (`replace`, `join`, `format`) are checked against the budget before they allocate. A template
//! that exceeds a limit on a one-message conversation is refused when the model loads
//! ([`ChatTemplateError::Limit`]); one that exceeds it later fails that render with the same error.

use evalrun_core::{BackendError, ChatMessage, GenerationRequest, Prompt};
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// The work one render may do, in minijinja's fuel: about one unit per instruction and per 64
/// bytes of data created. Real templates (Qwen2.5, Gemma 3, Llama 3) render a one-turn chat with
/// a few thousand units and a chat of 100 KB with well under 100,000; this is 50 times that, and
/// bounds a render to well under a second and ~300 MiB.
pub const FUEL: u64 = 5_000_000;
/// The longest prompt a template may render: far beyond any model's context window.
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;
/// Nesting of macros, loops and conditions (minijinja's units; its default and maximum is 500).
const RECURSION_LIMIT: usize = 200;
/// The widest `tojson(indent=...)`: transformers' templates use 2 or 4.
const MAX_JSON_INDENT: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ChatTemplateError {
    #[error("the chat template does not compile: {0:#}")]
    Compile(Error),
    #[error("the chat template fails to render: {0:#}")]
    Render(Error),
    /// The template exceeded a resource limit: an endless or exponential loop, deep recursion,
    /// or output beyond [`MAX_OUTPUT_BYTES`].
    #[error("the chat template exceeds its limits ({0}); it is not a usable chat template")]
    Limit(String),
}

impl ChatTemplateError {
    /// A render error, sorted into resource limits and the template's own failures.
    fn from_render(error: Error, output_overflowed: bool) -> Self {
        if output_overflowed {
            return ChatTemplateError::Limit(format!("its output exceeds {MAX_OUTPUT_BYTES} bytes"));
        }
        let detail = error.detail().unwrap_or_default();
        if error.kind() == ErrorKind::OutOfFuel {
            ChatTemplateError::Limit(format!("a render used up its budget of {FUEL} steps"))
        } else if detail.contains("recursion limit") {
            ChatTemplateError::Limit(format!("it nests deeper than the recursion limit ({RECURSION_LIMIT})"))
        } else if detail.starts_with(BUDGET_MARK) {
            ChatTemplateError::Limit(detail.trim_start_matches(BUDGET_MARK).trim().to_string())
        } else {
            ChatTemplateError::Render(error)
        }
    }
}

/// Starts the detail of errors raised here for values too large to create.
const BUDGET_MARK: &str = "over budget:";

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
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(RECURSION_LIMIT);
        env.set_unknown_method_callback(python_method);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_filter("tojson", tojson);
        env.add_template_owned(NAME, source.to_string()).map_err(ChatTemplateError::Compile)?;
        let template = ChatTemplate {
            env,
            source: source.to_string(),
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
        };
        // A trial render of the simplest chat: a template that loops without end, explodes or
        // recurses on it is refused now, at load, rather than on every sample. Its own errors
        // (`raise_exception` for a conversation it does not accept) are left to real renders.
        match template.render(&[ChatMessage::new("user", "Hello.")], true) {
            Err(e @ ChatTemplateError::Limit(_)) => Err(e),
            _ => Ok(template),
        }
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
        let mut out = LimitedOutput { bytes: Vec::new(), overflowed: false };
        let result = template.render_captured_to(
            minijinja::context! {
                messages => Value::from(minijinja::value::Serde(messages)),
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token.as_str(),
                eos_token => self.eos_token.as_str(),
            },
            &mut out,
        );
        if let Err(e) = result {
            return Err(ChatTemplateError::from_render(e, out.overflowed));
        }
        // minijinja writes whole UTF-8 strings, so this holds; checked all the same.
        String::from_utf8(out.bytes).map_err(|e| {
            ChatTemplateError::Render(Error::new(ErrorKind::InvalidOperation, format!("output: {e}")))
        })
    }
}

/// The render's output, refused past [`MAX_OUTPUT_BYTES`].
struct LimitedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for LimitedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("the chat template's output is too long"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `value` as text, counted without building the text and given up past
/// [`MAX_OUTPUT_BYTES`] (a list of shared references prints as gigabytes).
fn display_len(value: &Value) -> u64 {
    if let Some(text) = value.as_str() {
        return text.len() as u64;
    }
    struct Counter(usize);
    impl std::fmt::Write for Counter {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 = self.0.saturating_add(s.len());
            if self.0 > MAX_OUTPUT_BYTES {
                return Err(std::fmt::Error);
            }
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match std::fmt::write(&mut counter, format_args!("{value}")) {
        Ok(()) => counter.0 as u64,
        Err(_) => u64::MAX,
    }
}

/// Python's string and container methods (minijinja-contrib's `pycompat`), with the methods that
/// can build a value many times the size of their inputs (`"".replace("", big)`,
/// `big.join(range(n))`, `"{:>999999999}".format(x)`) checked against the fuel first.
fn python_method(state: &mut State, value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    if let Some(bytes) = result_size_bound(value, method, args) {
        charge(&*state, bytes)?;
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

/// Charge the fuel for a value of `bytes` before it is created (64 bytes a unit, as minijinja
/// charges data); a value larger than the output limit is refused outright.
fn charge(state: &State, bytes: u64) -> Result<(), Error> {
    if bytes > MAX_OUTPUT_BYTES as u64 {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{BUDGET_MARK} a string method would build a value of {bytes} bytes"),
        ));
    }
    state.consume_fuel(bytes / 64)
}

/// The most bytes a string method's result can take, for the methods whose result can be much
/// larger than their inputs; `None` for the others.
fn result_size_bound(value: &Value, method: &str, args: &[Value]) -> Option<u64> {
    let text = value.as_str()?;
    let n = text.len() as u64;
    let str_len = |v: Option<&Value>| v.map_or(0, display_len);
    match method {
        "replace" => {
            let (old, new) = (str_len(args.first()), str_len(args.get(1)));
            // An empty needle matches before every character and at the end.
            let places = n.checked_div(old).unwrap_or(n.saturating_add(1));
            Some(n.saturating_add(places.saturating_mul(new)))
        }
        "join" => {
            let items = args.first().filter(|v| matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable));
            let count = items.and_then(|v| v.len()).unwrap_or(0) as u64;
            Some(n.saturating_mul(count))
        }
        // Each `{...}` field may pad to a width written in the format string itself.
        "format" => {
            let widest = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|digits| !digits.is_empty())
                .map(|digits| digits.parse::<u64>().unwrap_or(u64::MAX))
                .filter(|&w| w > 0)
                .max()
                .unwrap_or(0);
            let fields = text.matches('{').count() as u64;
            let args_len: u64 = args.iter().map(|a| str_len(Some(a))).sum();
            Some(n.saturating_add(args_len).saturating_add(fields.saturating_mul(widest)))
        }
        _ => None,
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
fn tojson(state: &State, value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    kwargs.assert_all_used()?;
    if indent.is_some_and(|n| n > MAX_JSON_INDENT) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{BUDGET_MARK} tojson with an indent of more than {MAX_JSON_INDENT} spaces"),
        ));
    }
    // Shared references make a small value that serialises to gigabytes; stop at the limit.
    let mut out = LimitedOutput { bytes: Vec::new(), overflowed: false };
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
    if out.overflowed {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{BUDGET_MARK} tojson would write more than {MAX_OUTPUT_BYTES} bytes"),
        ));
    }
    result.map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("tojson: {e}")))?;
    charge(state, out.bytes.len() as u64)?;
    let text = String::from_utf8(out.bytes)
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

    const CHATML: &str = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    /// A hostile template is refused at load with an error that names the chat template and
    /// the limit, quickly.
    fn refused_at_load(source: &str) -> String {
        let start = std::time::Instant::now();
        let err = ChatTemplate::new(source, "<s>", "</s>").expect_err("a hostile template must not load");
        assert!(matches!(err, ChatTemplateError::Limit(_)), "{source}: {err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{source}: took {:?}", start.elapsed());
        let msg = err.to_string();
        assert!(msg.contains("chat template exceeds its limits"), "{msg}");
        msg
    }

    #[test]
    fn an_endless_loop_runs_out_of_fuel_at_load() {
        let msg = refused_at_load(
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}",
        );
        assert!(msg.contains("budget"), "{msg}");
        refused_at_load(
            "{% for m in messages * 100000 %}{% for n in messages * 100000 %}x{% endfor %}{% endfor %}",
        );
    }

    #[test]
    fn exponential_strings_are_refused_at_load() {
        // Doubling a string 64 times: 2^67 bytes if nothing stopped it.
        refused_at_load("{% set ns = namespace(x='aaaaaaaa') %}{% for i in range(64) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}");
        refused_at_load("{{ 'x' * 100000000000 }}");
        // Python methods that multiply their input: replace with an empty needle, join, format.
        refused_at_load("{% set ns = namespace(x='a' * 1000) %}{% for i in range(10) %}{% set ns.x = ns.x.replace('', ns.x) %}{% endfor %}{{ ns.x | length }}");
        refused_at_load("{{ ('a' * 100000).join(range(100000)) | length }}");
        refused_at_load("{{ '{:>99999999999}'.format('x') | length }}");
        // An argument that prints as 2^60 leaves.
        refused_at_load("{% set ns = namespace(x=['aaaaaaaa']) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ '{}'.format(ns.x) | length }}");
        refused_at_load("{% set ns = namespace(x=['aaaaaaaa']) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ 'a'.replace('a', ns.x) | length }}");
        refused_at_load("{{ {'a': 1} | tojson(indent=1000000000000) }}");
        // A value of shared references: 2^60 leaves in a few hundred bytes.
        refused_at_load("{% set ns = namespace(x=['aaaaaaaa']) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x | tojson }}");
        refused_at_load("{% set ns = namespace(x=['aaaaaaaa']) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}");
    }

    #[test]
    fn deep_recursion_is_refused_at_load() {
        let msg = refused_at_load("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        assert!(msg.contains("recursion"), "{msg}");
        refused_at_load("{% macro f(n) %}{{ f(n + 1) ~ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    }

    #[test]
    fn output_beyond_the_limit_fails_the_render_and_names_the_template() {
        // Harmless on the trial conversation; explosive on a long message.
        let source =
            "{% for m in messages %}{% for i in range(100) %}{{ m.content }}{% endfor %}{% endfor %}";
        let t = ChatTemplate::new(source, "", "").expect("loads");
        let err = t.render(&msgs(&[("user", &"x".repeat(1 << 20))]), true).unwrap_err();
        assert!(matches!(err, ChatTemplateError::Limit(_)), "{err}");
        assert!(err.to_string().contains("output exceeds"), "{err}");
        let request = GenerationRequest {
            prompt: Prompt::Chat {
                messages: msgs(&[("user", &"x".repeat(1 << 20))]),
                assistant_prefix: String::new(),
            },
            stop: vec![],
            sampling: evalrun_core::SamplingParams::default(),
        };
        let err = render_request(Some(&t), &request).unwrap_err().to_string();
        assert!(err.contains("chat template exceeds its limits"), "{err}");
    }

    #[test]
    fn real_sized_chats_render_within_the_limits() {
        let t = ChatTemplate::new(CHATML, "", "").unwrap();
        let long = "def f(x):\n    return x\n".repeat(5000); // ~120 KB
        let chat: Vec<ChatMessage> = (0..20)
            .map(|i| ChatMessage::new(if i % 2 == 0 { "user" } else { "assistant" }, long.clone()))
            .collect();
        let out = t.render(&chat, true).unwrap();
        assert!(out.len() > 20 * long.len() && out.ends_with("<|im_start|>assistant\n"));
        // Methods and tojson within bounds still work.
        let t = ChatTemplate::new(
            "{{ 'a-b'.replace('-', '+') }} {{ ', '.join(['x', 'y']) }} {{ '{}!'.format('hi') }} {{ [1] | tojson(indent=2) }}",
            "",
            "",
        )
        .unwrap();
        assert_eq!(t.render(&[], false).unwrap(), "a+b x, y hi! [\n  1\n]");
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
