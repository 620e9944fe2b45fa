//! JavaScript (Node): untyped, so only values are translated. Tuples become arrays, dicts
//! objects, `None` `undefined`; results compare with `assert.deepEqual` (loose, as MultiPL-E).

use super::{comment, float, int, items, pairs, string, Problem, Target, Type};
use evalrun_core::Language;
use serde_json::Value;

pub struct JavaScript;

impl Target for JavaScript {
    fn language(&self) -> Language {
        Language::Javascript
    }

    fn keywords(&self) -> &'static [&'static str] {
        &[
            "arguments",
            "await",
            "break",
            "case",
            "catch",
            "class",
            "const",
            "continue",
            "debugger",
            "default",
            "delete",
            "do",
            "else",
            "enum",
            "eval",
            "export",
            "extends",
            "false",
            "finally",
            "for",
            "function",
            "if",
            "implements",
            "import",
            "in",
            "instanceof",
            "interface",
            "let",
            "new",
            "null",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "static",
            "super",
            "switch",
            "this",
            "throw",
            "true",
            "try",
            "typeof",
            "var",
            "void",
            "while",
            "with",
            "yield",
        ]
    }

    fn literal(&self, ty: &Type, value: &Value) -> Result<String, String> {
        Ok(match ty {
            Type::Int => {
                let n = int(value)?;
                // A JavaScript number holds integers exactly only up to 2^53.
                if n.unsigned_abs() > 1 << 53 {
                    return Err(format!(
                        "the integer {n} is beyond 2^53, which JavaScript numbers cannot hold exactly"
                    ));
                }
                n.to_string()
            }
            Type::Float => float(value)?,
            Type::Str => serde_json::to_string(string(value)?).map_err(|e| e.to_string())?,
            Type::Bool => value.as_bool().ok_or_else(|| format!("{value} is not a bool"))?.to_string(),
            Type::List(t) => {
                let parts: Result<Vec<_>, _> = items(value)?.iter().map(|v| self.literal(t, v)).collect();
                format!("[{}]", parts?.join(", "))
            }
            Type::Tuple(ts) => {
                let parts: Result<Vec<_>, _> =
                    super::tuple(ts, value)?.into_iter().map(|(t, v)| self.literal(t, v)).collect();
                format!("[{}]", parts?.join(", "))
            }
            Type::Dict(k, v) => {
                if !matches!(**k, Type::Str | Type::Int) {
                    return Err("JavaScript object keys are strings or numbers".into());
                }
                let parts: Result<Vec<_>, String> = pairs(value)?
                    .into_iter()
                    .map(|(key, val)| Ok(format!("{}: {}", self.literal(k, key)?, self.literal(v, val)?)))
                    .collect();
                format!("{{{}}}", parts?.join(", "))
            }
            Type::Optional(t) => {
                if value.is_null() {
                    "undefined".into()
                } else {
                    self.literal(t, value)?
                }
            }
        })
    }

    fn prompt(&self, problem: &Problem, doc: &[String]) -> Result<String, String> {
        let params: Vec<String> = problem.params.iter().map(|p| self.param_name(&p.name)).collect();
        Ok(format!("{}function {}({}){{\n", comment("// ", doc), problem.name, params.join(", ")))
    }

    fn test(&self, problem: &Problem) -> Result<String, String> {
        // `assert` is bound inside the test function, so a solution may bind its own.
        let mut out = format!(
            "\nfunction test() {{\n  const assert = require('node:assert');\n  let candidate = {};\n",
            problem.name
        );
        for case in &problem.tests {
            let call = format!("candidate({})", self.arguments(problem, &case.args)?.join(", "));
            let expected = self.literal(&problem.returns, &case.expected)?;
            out.push_str(&match case.tolerance {
                Some(tol) => format!("  assert.ok(Math.abs({call} - ({expected})) < {tol:?});\n"),
                None => format!("  assert.deepEqual({call}, {expected});\n"),
            });
        }
        out.push_str("}\n\ntest();\n");
        Ok(out)
    }
}
