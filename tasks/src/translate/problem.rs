//! The language-neutral description of a problem that `analyze.py` produces from a HumanEval-style
//! Python task: signature types, docstring, and the tests as (arguments, expected value) pairs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A static type that every target language can express.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    Int,
    Float,
    Str,
    Bool,
    List(Box<Type>),
    Tuple(Vec<Type>),
    Dict(Box<Type>, Box<Type>),
    Optional(Box<Type>),
}

impl Type {
    /// Whether the type, or a type inside it, satisfies `pred`.
    pub fn any(&self, pred: &dyn Fn(&Type) -> bool) -> bool {
        pred(self)
            || match self {
                Type::List(t) | Type::Optional(t) => t.any(pred),
                Type::Tuple(ts) => ts.iter().any(|t| t.any(pred)),
                Type::Dict(k, v) => k.any(pred) || v.any(pred),
                _ => false,
            }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Type,
}

/// A `>>> f(...)` line of the docstring (0-based `line`) with its output on the next line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub line: usize,
    pub args: Vec<Value>,
    pub expected: Value,
}

/// One test: `f(args) == expected`, or `|f(args) - expected| < tolerance` for floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub args: Vec<Value>,
    pub expected: Value,
    pub tolerance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub name: String,
    pub params: Vec<Param>,
    pub returns: Type,
    /// The docstring, dedented.
    pub doc: String,
    pub examples: Vec<Example>,
    pub tests: Vec<Case>,
    /// Test statements left out because they test nothing (`print`, a self-comparison).
    pub dropped: Vec<String>,
}

impl Problem {
    /// Whether a parameter or the result has a type that satisfies `pred`.
    pub fn uses(&self, pred: &dyn Fn(&Type) -> bool) -> bool {
        self.returns.any(pred) || self.params.iter().any(|p| p.ty.any(pred))
    }
}

/// What `analyze.py` says about one task.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Analysis {
    pub id: String,
    #[serde(default)]
    pub problem: Option<Problem>,
    #[serde(default)]
    pub excluded: Option<String>,
}
