//! C++17 (g++): `long`, `double`, `std::string`, `std::vector`, `std::tuple`, `std::map`,
//! `std::optional`; tests are `assert`s in `main`.

use super::{c_escape, comment, float, int, items, pairs, string, Problem, Target, Type};
use evalrun_core::Language;
use serde_json::Value;

pub struct Cpp;

pub(crate) const HEADER: &str = "#include<assert.h>\n#include<bits/stdc++.h>\n";

impl Cpp {
    fn type_name(ty: &Type) -> String {
        match ty {
            Type::Int => "long".into(),
            Type::Float => "double".into(),
            Type::Str => "std::string".into(),
            Type::Bool => "bool".into(),
            Type::List(t) => format!("std::vector<{}>", Self::type_name(t)),
            Type::Tuple(ts) => {
                format!("std::tuple<{}>", ts.iter().map(Self::type_name).collect::<Vec<_>>().join(", "))
            }
            Type::Dict(k, v) => format!("std::map<{}, {}>", Self::type_name(k), Self::type_name(v)),
            Type::Optional(t) => format!("std::optional<{}>", Self::type_name(t)),
        }
    }
}

impl Target for Cpp {
    fn language(&self) -> Language {
        Language::Cpp
    }

    fn keywords(&self) -> &'static [&'static str] {
        &[
            "alignas",
            "alignof",
            "and",
            "and_eq",
            "asm",
            "auto",
            "bitand",
            "bitor",
            "bool",
            "break",
            "case",
            "catch",
            "char",
            "class",
            "compl",
            "const",
            "constexpr",
            "continue",
            "decltype",
            "default",
            "delete",
            "do",
            "double",
            "else",
            "enum",
            "explicit",
            "export",
            "extern",
            "false",
            "float",
            "for",
            "friend",
            "goto",
            "if",
            "inline",
            "int",
            "long",
            "mutable",
            "namespace",
            "new",
            "noexcept",
            "not",
            "not_eq",
            "nullptr",
            "operator",
            "or",
            "or_eq",
            "private",
            "protected",
            "public",
            "register",
            "return",
            "short",
            "signed",
            "sizeof",
            "static",
            "struct",
            "switch",
            "template",
            "this",
            "throw",
            "true",
            "try",
            "typedef",
            "typeid",
            "typename",
            "union",
            "unsigned",
            "using",
            "virtual",
            "void",
            "volatile",
            "while",
            "xor",
            "xor_eq",
            "main",
        ]
    }

    fn literal(&self, ty: &Type, value: &Value) -> Result<String, String> {
        Ok(match ty {
            Type::Int => match int(value)? {
                i64::MIN => "(-9223372036854775807L - 1)".into(),
                n => n.to_string(),
            },
            Type::Float => float(value)?,
            // `??` would start a trigraph in ISO C++17.
            Type::Str => format!("std::string(\"{}\")", c_escape(string(value)?).replace("??", "?\\?")),
            Type::Bool => value.as_bool().ok_or_else(|| format!("{value} is not a bool"))?.to_string(),
            Type::List(t) => {
                let parts: Result<Vec<_>, _> = items(value)?.iter().map(|v| self.literal(t, v)).collect();
                let parts = parts?;
                if parts.is_empty() {
                    format!("{}()", Self::type_name(ty))
                } else {
                    format!("{}({{{}}})", Self::type_name(ty), parts.join(", "))
                }
            }
            Type::Tuple(ts) => {
                let parts: Result<Vec<_>, _> =
                    super::tuple(ts, value)?.into_iter().map(|(t, v)| self.literal(t, v)).collect();
                format!("{}({})", Self::type_name(ty), parts?.join(", "))
            }
            Type::Dict(k, v) => {
                let parts: Result<Vec<_>, String> = pairs(value)?
                    .into_iter()
                    .map(|(key, val)| Ok(format!("{{{}, {}}}", self.literal(k, key)?, self.literal(v, val)?)))
                    .collect();
                let parts = parts?;
                if parts.is_empty() {
                    format!("{}()", Self::type_name(ty))
                } else {
                    format!("{}({{{}}})", Self::type_name(ty), parts.join(", "))
                }
            }
            Type::Optional(t) => {
                if value.is_null() {
                    "std::nullopt".into()
                } else {
                    format!("{}({})", Self::type_name(ty), self.literal(t, value)?)
                }
            }
        })
    }

    fn prompt(&self, problem: &Problem, doc: &[String]) -> Result<String, String> {
        let params: Vec<String> = problem
            .params
            .iter()
            .map(|p| format!("{} {}", Self::type_name(&p.ty), self.param_name(&p.name)))
            .collect();
        Ok(format!(
            "{HEADER}{}{} {}({}) {{\n",
            comment("// ", doc),
            Self::type_name(&problem.returns),
            problem.name,
            params.join(", ")
        ))
    }

    fn test(&self, problem: &Problem) -> Result<String, String> {
        // The function is called by name, not through `auto candidate = f`: a name such as
        // `strlen` is also an overloaded library function.
        let mut out = String::from("int main() {\n");
        for case in &problem.tests {
            let call = format!("{}({})", problem.name, self.arguments(problem, &case.args)?.join(", "));
            let expected = self.literal(&problem.returns, &case.expected)?;
            out.push_str(&match case.tolerance {
                Some(tol) => format!("    assert(std::abs({call} - ({expected})) < {tol:?});\n"),
                None => format!("    assert({call} == ({expected}));\n"),
            });
        }
        out.push_str("}\n");
        Ok(out)
    }
}
