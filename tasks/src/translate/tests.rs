use super::*;
use serde_json::json;

fn problem() -> Problem {
    serde_json::from_value(json!({
        "name": "pick",
        "params": [
            {"name": "xs", "type": {"list": "int"}},
            {"name": "new", "type": "str"},
            {"name": "m", "type": {"dict": ["str", {"optional": "float"}]}}
        ],
        "returns": {"tuple": [{"list": "str"}, "bool"]},
        "doc": "Pick things.\n>>> pick([1], 'a', {})\n([], True)\n",
        "examples": [{"line": 1, "args": [[1], "a", []], "expected": [[], true]}],
        "tests": [
            {"args": [[1, -2], "q\"\n", [["k", 0.5], ["z", null]]], "expected": [["a"], false], "tolerance": null},
            {"args": [[], "", []], "expected": [[], true], "tolerance": null}
        ],
        "dropped": []
    }))
    .unwrap()
}

#[test]
fn javascript_prompt_and_tests() {
    let t = translate(&javascript::JavaScript, &problem()).unwrap();
    assert_eq!(
        t.prompt,
        "// Pick things.\n// >>> pick([1], \"a\", {})\n// [[], true]\nfunction pick(xs, new_, m){\n"
    );
    assert!(t.test.contains(
        "  assert.deepEqual(candidate([1, -2], \"q\\\"\\n\", {\"k\": 0.5, \"z\": undefined}), [[\"a\"], false]);\n"
    ));
    assert!(t.test.ends_with("test();\n"));
}

#[test]
fn cpp_prompt_and_tests() {
    let t = translate(&cpp::Cpp, &problem()).unwrap();
    assert!(
        t.prompt.starts_with("#include<assert.h>\n#include<bits/stdc++.h>\n// Pick things.\n"),
        "{}",
        t.prompt
    );
    assert!(t.prompt.ends_with(
        "std::tuple<std::vector<std::string>, bool> pick(std::vector<long> xs, std::string new_, std::map<std::string, std::optional<double>> m) {\n"
    ));
    assert!(
        t.test.contains("assert(pick(std::vector<long>({1, -2}), std::string(\"q\\\"\\n\"), std::map<std::string, std::optional<double>>({{std::string(\"k\"), std::optional<double>(0.5)}, {std::string(\"z\"), std::nullopt}})) == (std::tuple<std::vector<std::string>, bool>(std::vector<std::string>({std::string(\"a\")}), false)));"),
        "{}",
        t.test
    );
    assert!(t.test.contains(
        "pick(std::vector<long>(), std::string(\"\"), std::map<std::string, std::optional<double>>())"
    ));
}

#[test]
fn rust_prompt_and_tests() {
    let t = translate(&rust::Rust, &problem()).unwrap();
    assert!(t.prompt.starts_with("use std::collections::HashMap;\n\n/// Pick things.\n"));
    assert!(t.prompt.ends_with(
        "fn pick(xs: Vec<i64>, new: String, m: HashMap<String, Option<f64>>) -> (Vec<String>, bool) {\n"
    ));
    assert!(t.test.contains("assert_eq!(candidate(vec![1, -2], String::from(\"q\\\"\\n\"), HashMap::from([(String::from(\"k\"), Some(0.5)), (String::from(\"z\"), None)])), (vec![String::from(\"a\")], false));"), "{}", t.test);
    assert!(
        t.test.contains(
            "candidate(Vec::<i64>::new(), String::from(\"\"), HashMap::<String, Option<f64>>::new())"
        ),
        "{}",
        t.test
    );
}

#[test]
fn java_prompt_and_tests() {
    let t = translate(&java::Java, &problem()).unwrap();
    assert!(t.prompt.contains("class Problem {\n    record Pair<A, B>(A first, B second) {}\n"));
    assert!(t.prompt.ends_with(
        "    public static Pair<ArrayList<String>, Boolean> pick(ArrayList<Long> xs, String new_, HashMap<String, Optional<Double>> m) {\n"
    ));
    assert!(t.test.contains("if (!(pick(new ArrayList<Long>(Arrays.asList(1l, -2l)), \"q\\\"\\n\", new HashMap<String, Optional<Double>>(Map.ofEntries(Map.entry(\"k\", Optional.of(0.5)), Map.entry(\"z\", Optional.empty())))).equals(new Pair<ArrayList<String>, Boolean>(new ArrayList<String>(Arrays.asList(\"a\")), false)))) throw new AssertionError(\"test 1 failed\");"), "{}", t.test);
}

#[test]
fn untranslatable_types_are_refused_with_a_reason() {
    let mut p = problem();
    p.returns = Type::Tuple(vec![Type::Int, Type::Int, Type::Int]);
    let err = translate(&java::Java, &p).unwrap_err();
    assert!(err.contains("3-tuple"), "{err}");
    let err = javascript::JavaScript.literal(&Type::Int, &json!(9007199254740993i64)).unwrap_err();
    assert!(err.contains("2^53"), "{err}");
    p.params[2].ty = Type::Dict(Box::new(Type::Float), Box::new(Type::Int));
    let err = translate(&rust::Rust, &p).unwrap_err();
    assert!(err.contains("float keys"), "{err}");
}

#[test]
fn float_literals_round_trip_and_strings_escape() {
    assert_eq!(float(&json!(2.0)).unwrap(), "2.0");
    assert_eq!(float(&json!(1e-6)).unwrap(), "1e-6");
    assert_eq!(float(&json!(0.1)).unwrap().parse::<f64>().unwrap(), 0.1);
    assert_eq!(c_escape("a\u{1}\\\"\n"), "a\\001\\\\\\\"\\n");
    let lit = cpp::Cpp.literal(&Type::Str, &json!("??=")).unwrap();
    assert_eq!(lit, "std::string(\"?\\?=\")");
}
