//! Java 17: `long`, `double`, `String`, `boolean` (boxed inside generics), `ArrayList`,
//! `HashMap`, `Optional`, and a `Pair` record declared in the prompt for 2-tuples (Java has no
//! tuples; longer ones are not translated). The function is a static method of `class Problem`;
//! tests in `main` throw `AssertionError` (no `-ea` needed).

use super::{c_escape, comment, float, int, items, pairs, string, Problem, Target, Type};
use evalrun_core::Language;
use serde_json::Value;

pub struct Java;

const IMPORTS: &str = "import java.util.*;\nimport java.util.function.*;\nimport java.util.stream.*;\n\n";
const PAIR: &str = "    record Pair<A, B>(A first, B second) {}\n\n";

impl Java {
    fn type_name(ty: &Type, boxed: bool) -> Result<String, String> {
        Ok(match ty {
            Type::Int => if boxed { "Long" } else { "long" }.into(),
            Type::Float => if boxed { "Double" } else { "double" }.into(),
            Type::Str => "String".into(),
            Type::Bool => if boxed { "Boolean" } else { "boolean" }.into(),
            Type::List(t) => format!("ArrayList<{}>", Self::type_name(t, true)?),
            Type::Tuple(ts) if ts.len() == 2 => {
                format!("Pair<{}, {}>", Self::type_name(&ts[0], true)?, Self::type_name(&ts[1], true)?)
            }
            Type::Tuple(ts) => {
                return Err(format!("Java has no tuple type; a {}-tuple has no Pair", ts.len()))
            }
            Type::Dict(k, v) => {
                format!("HashMap<{}, {}>", Self::type_name(k, true)?, Self::type_name(v, true)?)
            }
            Type::Optional(t) => format!("Optional<{}>", Self::type_name(t, true)?),
        })
    }

    fn is_primitive(ty: &Type) -> bool {
        matches!(ty, Type::Int | Type::Float | Type::Bool)
    }
}

impl Target for Java {
    fn language(&self) -> Language {
        Language::Java
    }

    fn keywords(&self) -> &'static [&'static str] {
        &[
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "var",
            "record",
            "yield",
            "true",
            "false",
            "null",
        ]
    }

    fn literal(&self, ty: &Type, value: &Value) -> Result<String, String> {
        Ok(match ty {
            Type::Int => match int(value)? {
                i64::MIN => "Long.MIN_VALUE".into(),
                n => format!("{n}l"),
            },
            Type::Float => float(value)?,
            Type::Str => format!("\"{}\"", c_escape(string(value)?)),
            Type::Bool => value.as_bool().ok_or_else(|| format!("{value} is not a bool"))?.to_string(),
            Type::List(t) => {
                let parts: Result<Vec<_>, _> = items(value)?.iter().map(|v| self.literal(t, v)).collect();
                let parts = parts?;
                let name = Self::type_name(ty, true)?;
                if parts.is_empty() {
                    format!("new {name}()")
                } else {
                    format!("new {name}(Arrays.asList({}))", parts.join(", "))
                }
            }
            Type::Tuple(ts) => {
                let parts: Result<Vec<_>, _> =
                    super::tuple(ts, value)?.into_iter().map(|(t, v)| self.literal(t, v)).collect();
                format!("new {}({})", Self::type_name(ty, true)?, parts?.join(", "))
            }
            Type::Dict(k, v) => {
                let parts: Result<Vec<_>, String> = pairs(value)?
                    .into_iter()
                    .map(|(key, val)| {
                        Ok(format!("Map.entry({}, {})", self.literal(k, key)?, self.literal(v, val)?))
                    })
                    .collect();
                let parts = parts?;
                let name = Self::type_name(ty, true)?;
                if parts.is_empty() {
                    format!("new {name}()")
                } else {
                    format!("new {name}(Map.ofEntries({}))", parts.join(", "))
                }
            }
            Type::Optional(t) => {
                if value.is_null() {
                    "Optional.empty()".into()
                } else {
                    format!("Optional.of({})", self.literal(t, value)?)
                }
            }
        })
    }

    fn prompt(&self, problem: &Problem, doc: &[String]) -> Result<String, String> {
        let params: Result<Vec<String>, String> = problem
            .params
            .iter()
            .map(|p| Ok(format!("{} {}", Self::type_name(&p.ty, false)?, self.param_name(&p.name))))
            .collect();
        let pair = if problem.uses(&|t| matches!(t, Type::Tuple(_))) { PAIR } else { "" };
        // javac reads `\u` as a Unicode escape even in comments.
        let doc: Vec<String> = doc.iter().map(|l| l.replace("\\u", "\\\\u")).collect();
        Ok(format!(
            "{IMPORTS}class Problem {{\n{pair}{}    public static {} {}({}) {{\n",
            comment("    // ", &doc),
            Self::type_name(&problem.returns, false)?,
            problem.name,
            params?.join(", ")
        ))
    }

    fn test(&self, problem: &Problem) -> Result<String, String> {
        let mut out = String::from("\n    public static void main(String[] args) {\n");
        for (i, case) in problem.tests.iter().enumerate() {
            let call = format!("{}({})", problem.name, self.arguments(problem, &case.args)?.join(", "));
            let expected = self.literal(&problem.returns, &case.expected)?;
            let holds = match case.tolerance {
                Some(tol) => format!("Math.abs({call} - ({expected})) < {tol:?}"),
                None if Self::is_primitive(&problem.returns) => format!("{call} == {expected}"),
                None => format!("{call}.equals({expected})"),
            };
            out.push_str(&format!(
                "        if (!({holds})) throw new AssertionError(\"test {} failed\");\n",
                i + 1
            ));
        }
        out.push_str("    }\n}\n");
        Ok(out)
    }
}
