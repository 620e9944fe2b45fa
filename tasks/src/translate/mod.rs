//! Automatic translation of HumanEval-style Python problems into other languages, as MultiPL-E
//! does: the signature's types, the docstring (its `>>>` examples in the target's syntax) and
//! the tests (`assert candidate(args) == value`) are translated value by value. A problem whose
//! meaning would change in translation is excluded with the reason, never guessed.
//!
//! `analyze.py` (run with `python3`) reads the Python problem with Python's own `ast` and
//! describes it as a [`Problem`]; each [`Target`] writes that problem's prompt and tests in its
//! language.

mod analyze;
mod cpp;
mod java;
mod javascript;
mod problem;
mod rust;

pub use analyze::analyze;
pub use problem::{Case, Example, Param, Problem, Type};

use evalrun_core::Language;
use serde_json::Value;

/// A language the translator writes.
pub trait Target {
    fn language(&self) -> Language;
    /// `value` written as a literal of type `ty`.
    fn literal(&self, ty: &Type, value: &Value) -> Result<String, String>;
    /// The call of the function with literal arguments, as the docstring examples show it.
    fn call(&self, problem: &Problem, args: &[Value]) -> Result<String, String> {
        Ok(format!("{}({})", problem.name, self.arguments(problem, args)?.join(", ")))
    }
    /// The prompt: what the file needs first (imports), the docstring as a comment, and the
    /// signature, which opens the body for the model to complete.
    fn prompt(&self, problem: &Problem, doc: &[String]) -> Result<String, String>;
    /// The hidden tests, appended after the completed function; the program they make exits
    /// with a non-zero status when a test fails.
    fn test(&self, problem: &Problem) -> Result<String, String>;

    /// Words of the language that cannot name a parameter.
    fn keywords(&self) -> &'static [&'static str];

    /// A parameter's name, with `_` appended when it is one of the language's keywords.
    fn param_name(&self, name: &str) -> String {
        if self.keywords().contains(&name) {
            format!("{name}_")
        } else {
            name.to_string()
        }
    }

    fn arguments(&self, problem: &Problem, args: &[Value]) -> Result<Vec<String>, String> {
        problem.params.iter().zip(args).map(|(p, v)| self.literal(&p.ty, v)).collect()
    }
}

/// The targets, one per language other than Python and SQL.
pub fn target(language: Language) -> Option<Box<dyn Target>> {
    match language {
        Language::Javascript => Some(Box::new(javascript::JavaScript)),
        Language::Cpp => Some(Box::new(cpp::Cpp)),
        Language::Rust => Some(Box::new(rust::Rust)),
        Language::Java => Some(Box::new(java::Java)),
        Language::Python | Language::Sql => None,
    }
}

/// A translated problem: the prompt and the tests in the target language.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    pub prompt: String,
    pub test: String,
}

/// Translate `problem` into `target`'s language, or say why it cannot be done faithfully.
pub fn translate(target: &dyn Target, problem: &Problem) -> Result<Translation, String> {
    let doc = doc_lines(target, problem);
    Ok(Translation { prompt: target.prompt(problem, &doc)?, test: target.test(problem)? })
}

/// The docstring's lines, with each `>>>` example whose values translate rewritten in the
/// target's syntax (the call, then its result on the next line); other lines stay as written.
pub fn doc_lines(target: &dyn Target, problem: &Problem) -> Vec<String> {
    let mut lines: Vec<String> = problem.doc.lines().map(|l| l.trim_end().to_string()).collect();
    for example in &problem.examples {
        let (Ok(call), Ok(result)) =
            (target.call(problem, &example.args), target.literal(&problem.returns, &example.expected))
        else {
            continue;
        };
        if example.line + 1 < lines.len() {
            let indent: String = lines[example.line].chars().take_while(|c| c.is_whitespace()).collect();
            lines[example.line] = format!("{indent}>>> {call}");
            lines[example.line + 1] = format!("{indent}{result}");
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Comment lines: `prefix` before each line (without its trailing space on empty lines).
pub(crate) fn comment(prefix: &str, lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| if l.is_empty() { format!("{}\n", prefix.trim_end()) } else { format!("{prefix}{l}\n") })
        .collect()
}

pub(crate) fn int(value: &Value) -> Result<i64, String> {
    value.as_i64().ok_or_else(|| format!("{value} is not an integer"))
}

/// A float literal that every target reads back as the same double (`2.0`, `0.1`, `1e-6`).
pub(crate) fn float(value: &Value) -> Result<String, String> {
    let x = value.as_f64().ok_or_else(|| format!("{value} is not a number"))?;
    if !x.is_finite() {
        return Err(format!("{x} has no literal"));
    }
    Ok(format!("{x:?}"))
}

pub(crate) fn string(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| format!("{value} is not a string"))
}

pub(crate) fn items(value: &Value) -> Result<&Vec<Value>, String> {
    value.as_array().ok_or_else(|| format!("{value} is not a sequence"))
}

/// A dict value: its `[key, value]` pairs.
pub(crate) fn pairs(value: &Value) -> Result<Vec<(&Value, &Value)>, String> {
    items(value)?
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([k, v]) => Ok((k, v)),
            _ => Err(format!("{pair} is not a key-value pair")),
        })
        .collect()
}

/// A tuple value with exactly as many elements as its type.
pub(crate) fn tuple<'a>(types: &'a [Type], value: &'a Value) -> Result<Vec<(&'a Type, &'a Value)>, String> {
    let values = items(value)?;
    if values.len() != types.len() {
        return Err(format!("{value} does not have {} elements", types.len()));
    }
    Ok(types.iter().zip(values).collect())
}

/// C-family escaping for a string literal's content: quotes, backslashes and the usual
/// control characters escaped, other control characters as 3-digit octal (C++ and Java read
/// those; non-ASCII text stays as UTF-8).
pub(crate) fn c_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
