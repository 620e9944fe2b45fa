//! Rust: `i64`, `f64`, `String`, `Vec`, tuples, `HashMap`, `Option`; parameters are owned
//! values (as MultiPL-E), tests are `assert_eq!`s in `main`.

use super::{comment, float, int, items, pairs, string, Problem, Target, Type};
use evalrun_core::Language;
use serde_json::Value;

pub struct Rust;

impl Rust {
    fn type_name(ty: &Type) -> Result<String, String> {
        Ok(match ty {
            Type::Int => "i64".into(),
            Type::Float => "f64".into(),
            Type::Str => "String".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("Vec<{}>", Self::type_name(t)?),
            Type::Tuple(ts) => {
                let names: Result<Vec<_>, _> = ts.iter().map(Self::type_name).collect();
                let names = names?;
                if names.len() == 1 {
                    format!("({},)", names[0])
                } else {
                    format!("({})", names.join(", "))
                }
            }
            Type::Dict(k, v) => {
                if k.any(&|t| matches!(t, Type::Float)) {
                    return Err("a Rust HashMap cannot have float keys".into());
                }
                format!("HashMap<{}, {}>", Self::type_name(k)?, Self::type_name(v)?)
            }
            Type::Optional(t) => format!("Option<{}>", Self::type_name(t)?),
        })
    }
}

impl Target for Rust {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn keywords(&self) -> &'static [&'static str] {
        &[
            "as",
            "async",
            "await",
            "break",
            "const",
            "continue",
            "crate",
            "dyn",
            "else",
            "enum",
            "extern",
            "false",
            "fn",
            "for",
            "if",
            "impl",
            "in",
            "let",
            "loop",
            "match",
            "mod",
            "move",
            "mut",
            "pub",
            "ref",
            "return",
            "self",
            "static",
            "struct",
            "super",
            "trait",
            "true",
            "type",
            "unsafe",
            "use",
            "where",
            "while",
            "abstract",
            "become",
            "box",
            "do",
            "final",
            "macro",
            "override",
            "priv",
            "typeof",
            "unsized",
            "virtual",
            "yield",
            "try",
            "candidate",
            "main",
        ]
    }

    fn literal(&self, ty: &Type, value: &Value) -> Result<String, String> {
        Ok(match ty {
            Type::Int => match int(value)? {
                i64::MIN => "i64::MIN".into(),
                n => n.to_string(),
            },
            Type::Float => float(value)?,
            Type::Str => format!("String::from({})", rust_str(string(value)?)),
            Type::Bool => value.as_bool().ok_or_else(|| format!("{value} is not a bool"))?.to_string(),
            Type::List(t) => {
                let parts: Result<Vec<_>, _> = items(value)?.iter().map(|v| self.literal(t, v)).collect();
                let parts = parts?;
                // An empty `vec![]` leaves the element type to inference, which `assert_eq!`
                // cannot always settle.
                if parts.is_empty() {
                    format!("Vec::<{}>::new()", Self::type_name(t)?)
                } else {
                    format!("vec![{}]", parts.join(", "))
                }
            }
            Type::Tuple(ts) => {
                let parts: Result<Vec<_>, _> =
                    super::tuple(ts, value)?.into_iter().map(|(t, v)| self.literal(t, v)).collect();
                let parts = parts?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Type::Dict(k, v) => {
                let parts: Result<Vec<_>, String> = pairs(value)?
                    .into_iter()
                    .map(|(key, val)| Ok(format!("({}, {})", self.literal(k, key)?, self.literal(v, val)?)))
                    .collect();
                let parts = parts?;
                if parts.is_empty() {
                    format!("{}::new()", Self::type_name(ty)?.replacen("HashMap<", "HashMap::<", 1))
                } else {
                    format!("HashMap::from([{}])", parts.join(", "))
                }
            }
            Type::Optional(t) => {
                if value.is_null() {
                    "None".into()
                } else {
                    format!("Some({})", self.literal(t, value)?)
                }
            }
        })
    }

    fn prompt(&self, problem: &Problem, doc: &[String]) -> Result<String, String> {
        let params: Result<Vec<String>, String> = problem
            .params
            .iter()
            .map(|p| Ok(format!("{}: {}", self.param_name(&p.name), Self::type_name(&p.ty)?)))
            .collect();
        let header = if problem.uses(&|t| matches!(t, Type::Dict(..))) {
            "use std::collections::HashMap;\n\n"
        } else {
            ""
        };
        Ok(format!(
            "{header}{}fn {}({}) -> {} {{\n",
            comment("/// ", doc),
            problem.name,
            params?.join(", "),
            Self::type_name(&problem.returns)?
        ))
    }

    fn test(&self, problem: &Problem) -> Result<String, String> {
        let mut out = format!("\nfn main() {{\n    let candidate = {};\n", problem.name);
        for case in &problem.tests {
            let call = format!("candidate({})", self.arguments(problem, &case.args)?.join(", "));
            let expected = self.literal(&problem.returns, &case.expected)?;
            out.push_str(&match case.tolerance {
                Some(tol) => format!("    assert!(({call} - ({expected})).abs() < {tol:?});\n"),
                None => format!("    assert_eq!({call}, {expected});\n"),
            });
        }
        out.push_str("}\n");
        Ok(out)
    }
}

/// A Rust string literal.
fn rust_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
