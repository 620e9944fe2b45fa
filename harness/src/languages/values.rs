//! Values as the `wire` code of each language writes them, and how they compare.
//!
//! JSON, with: numbers as numbers (integers and floats compare by value, as `==` between a
//! `long` and a `double` does), `{"$float": "nan" | "inf" | "-inf"}` for the floats JSON has no
//! number for, lists, tuples and pairs as arrays, maps (and JavaScript's plain objects) as
//! `{"$map": [[key, value], ...]}` in any order, absent optionals (`std::nullopt`,
//! `Optional.empty()`, `None`, `undefined`) and `null` as `null`, and anything else as
//! `{"$unsupported": "<its type>"}`.

use serde_json::Value;

/// Which equality the original test used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Equality {
    /// `==` of the declared type (C++, Rust) or `equals` (Java): same structure, same values.
    Strict,
    /// Node's `assert.deepEqual` (legacy, loose): primitives compare with `==`.
    JsLoose,
}

/// The type named by an `$unsupported` value, anywhere in `value`.
pub(crate) fn unsupported(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => match map.get("$unsupported") {
            Some(kind) => Some(kind.as_str().unwrap_or("?").chars().take(200).collect()),
            None => map.values().find_map(unsupported),
        },
        Value::Array(items) => items.iter().find_map(unsupported),
        _ => None,
    }
}

fn special_float(value: &Value) -> Option<f64> {
    match value.as_object()?.get("$float")?.as_str()? {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn map_entries(value: &Value) -> Option<&Vec<Value>> {
    value.as_object().filter(|m| m.len() == 1)?.get("$map")?.as_array()
}

/// A number, exactly where both are integers.
fn same_number(a: &Value, b: &Value) -> Option<bool> {
    let float = |v: &Value| v.as_f64().or_else(|| special_float(v));
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x == y);
    }
    let (x, y) = (float(a)?, float(b)?);
    Some(x == y || (x.is_nan() && y.is_nan()))
}

/// Whether `got` equals `want`.
pub(crate) fn equal(how: Equality, got: &Value, want: &Value) -> bool {
    if let Some(same) = same_number(got, want) {
        return same;
    }
    if let (Some(g), Some(w)) = (map_entries(got), map_entries(want)) {
        return g.len() == w.len()
            && w.iter().all(|pair| {
                let (Some(key), Some(value)) = (pair.get(0), pair.get(1)) else { return false };
                g.iter().any(|other| {
                    other.get(0).is_some_and(|k| equal(how, k, key))
                        && other.get(1).is_some_and(|v| equal(how, v, value))
                })
            });
    }
    match (got, want) {
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(g, w)| equal(how, g, w))
        }
        (Value::Object(_), _) | (_, Value::Object(_)) | (Value::Array(_), _) | (_, Value::Array(_)) => false,
        _ if how == Equality::JsLoose => js_loose(got, want),
        _ => got == want,
    }
}

/// `abs(got - want) < tolerance`.
pub(crate) fn within(how: Equality, got: &Value, want: &Value, tolerance: f64) -> bool {
    let number = |v: &Value| match how {
        Equality::Strict => v.as_f64().or_else(|| special_float(v)),
        Equality::JsLoose => js_number(v),
    };
    match (number(got), number(want)) {
        (Some(g), Some(w)) => (g - w).abs() < tolerance,
        _ => false,
    }
}

/// JavaScript's `==` between primitives (`null` standing for `undefined` too).
fn js_loose(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(x), Value::String(y)) => x == y,
        _ => match (js_number(a), js_number(b)) {
            (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
            _ => false,
        },
    }
}

/// JavaScript's `ToNumber` of a primitive.
fn js_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Null => Some(0.0),
        Value::String(s) => {
            let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            Some(match t {
                "" => 0.0,
                "Infinity" | "+Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                _ if t
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+')) =>
                {
                    t.parse().unwrap_or(f64::NAN)
                }
                _ => radix(t).unwrap_or(f64::NAN),
            })
        }
        _ => special_float(v),
    }
}

fn radix(t: &str) -> Option<f64> {
    let (base, digits) = match t.get(..2)? {
        "0x" | "0X" => (16, &t[2..]),
        "0o" | "0O" => (8, &t[2..]),
        "0b" | "0B" => (2, &t[2..]),
        _ => return None,
    };
    u64::from_str_radix(digits, base).ok().map(|n| n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_values() {
        let s = Equality::Strict;
        assert!(equal(s, &json!(1), &json!(1.0)));
        assert!(!equal(s, &json!(1), &json!(2)));
        assert!(equal(s, &json!([1, "a", [true]]), &json!([1, "a", [true]])));
        assert!(!equal(s, &json!([1, 2]), &json!([2, 1])));
        assert!(!equal(s, &json!("1"), &json!(1)));
        assert!(!equal(s, &json!(null), &json!(0)));
        let m1 = json!({"$map": [["a", 1], ["b", [2]]]});
        let m2 = json!({"$map": [["b", [2]], ["a", 1]]});
        assert!(equal(s, &m1, &m2));
        assert!(!equal(s, &m1, &json!({"$map": [["a", 1]]})));
        assert!(!equal(s, &m1, &json!([["a", 1], ["b", [2]]])));
        assert!(equal(s, &json!({"$float": "nan"}), &json!({"$float": "nan"})));
        assert!(!equal(s, &json!({"$float": "inf"}), &json!(1e308)));
        assert!(within(s, &json!(0.3300000001), &json!(0.33), 1e-6));
        assert!(!within(s, &json!("0.33"), &json!(0.33), 1e-6));
        assert_eq!(unsupported(&json!([1, {"$unsupported": "Fake"}])), Some("Fake".into()));
    }

    #[test]
    fn javascript_loose_values() {
        let j = Equality::JsLoose;
        assert!(equal(j, &json!("1"), &json!(1)));
        assert!(equal(j, &json!(true), &json!(1)));
        assert!(equal(j, &json!([" 2 "]), &json!([2])));
        assert!(!equal(j, &json!(null), &json!(0)));
        assert!(!equal(j, &json!("a"), &json!(0)));
        assert!(!equal(j, &json!([1]), &json!(1)));
        assert!(within(j, &json!("0.33"), &json!(0.33), 1e-6));
        assert!(equal(j, &json!("0x10"), &json!(16)));
    }
}
