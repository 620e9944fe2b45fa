//! Reading C-family source (C++, Java, JavaScript, Rust) just enough to assemble programs:
//! strings and comments blanked out, braces matched, top-level definitions found and removed.

/// Which literal syntax to expect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Syntax {
    /// C++ and Java: `'c'` character literals.
    C,
    /// JavaScript: `'...'` strings and `` `...` `` templates too.
    JavaScript,
    /// Rust: `'c'` characters but `'a` lifetimes, `r#"..."#` raw strings.
    Rust,
}

/// `src` with the contents of strings, character literals and comments replaced by spaces
/// (newlines kept), so that braces and names found in it are code. Byte offsets are `src`'s.
pub(crate) fn blank(src: &str, syntax: Syntax) -> Vec<u8> {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    // An unterminated literal at the very end makes `to` fall before `from`: nothing to wipe.
    let wipe = |out: &mut Vec<u8>, from: usize, to: usize| {
        let to = to.min(b.len());
        for c in out.get_mut(from..to).unwrap_or_default() {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
                wipe(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
                wipe(&mut out, i, end);
                i = end;
            }
            b'r' if syntax == Syntax::Rust
                && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && !ident_byte(i.checked_sub(1).map(|p| b[p])) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let mut close = vec![b'"'];
                close.extend(std::iter::repeat_n(b'#', hashes));
                let start = i + 2 + hashes;
                let end = find(b, start, &close).map_or(b.len(), |p| p + close.len());
                wipe(&mut out, start, end.saturating_sub(close.len()));
                i = end;
            }
            q @ (b'"' | b'`') if q == b'"' || syntax == Syntax::JavaScript => {
                let end = string_end(b, i + 1, q);
                wipe(&mut out, i + 1, end.saturating_sub(1));
                i = end;
            }
            b'\'' => {
                let end = match syntax {
                    Syntax::Rust => rust_char_end(b, i),
                    _ => Some(string_end(b, i + 1, b'\'')),
                };
                match end {
                    Some(end) => {
                        wipe(&mut out, i + 1, end.saturating_sub(1));
                        i = end;
                    }
                    None => i += 1, // a lifetime
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn ident_byte(c: Option<u8>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    (from..=b.len().saturating_sub(needle.len())).find(|&p| b[p..].starts_with(needle))
}

/// Index just past the closing quote `q` of a literal whose contents start at `from`.
fn string_end(b: &[u8], from: usize, q: u8) -> usize {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == q => return i + 1,
            // An unterminated one-line literal ends with its line.
            b'\n' if q != b'`' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// The end of a Rust character literal at `start`, or `None` for a lifetime.
fn rust_char_end(b: &[u8], start: usize) -> Option<usize> {
    if b.get(start + 1) == Some(&b'\\') {
        return Some(string_end(b, start + 1, b'\''));
    }
    // One UTF-8 character, then the closing quote.
    let len = match b.get(start + 1)? {
        c if *c < 0x80 => 1,
        c if *c >= 0xf0 => 4,
        c if *c >= 0xe0 => 3,
        _ => 2,
    };
    (b.get(start + 1 + len) == Some(&b'\'')).then_some(start + 2 + len)
}

/// The index of the `}` matching the `{` at `open`.
pub(crate) fn matching_brace(blanked: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in blanked.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Brace depth before each byte.
fn depths(blanked: &[u8]) -> Vec<i32> {
    let mut depth = 0;
    blanked
        .iter()
        .map(|&c| {
            let here = depth;
            match c {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
            here
        })
        .collect()
}

/// Occurrences of the word `name` (not part of a longer identifier).
fn word_at(blanked: &[u8], name: &str) -> Vec<usize> {
    let n = name.as_bytes();
    // The empty word would be found at the end too, past the last byte.
    if n.is_empty() {
        return Vec::new();
    }
    (0..=blanked.len().saturating_sub(n.len()))
        .filter(|&p| {
            blanked[p..].starts_with(n)
                && !ident_byte(p.checked_sub(1).map(|q| blanked[q]))
                && !ident_byte(blanked.get(p + n.len()).copied())
        })
        .collect()
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The word ending just before `end` (after skipping whitespace backwards).
fn previous_word(b: &[u8], end: usize) -> (&[u8], Option<u8>) {
    let mut i = end;
    while i > 0 && b[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    let last = i.checked_sub(1).map(|p| b[p]);
    let stop = i;
    while i > 0 && ident_byte(Some(b[i - 1])) {
        i -= 1;
    }
    (&b[i..stop], last)
}

/// A function definition found in source: where its text starts (the start of its line) and
/// where its body's braces are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Definition {
    pub start: usize,
    pub open: usize,
    pub close: usize,
}

/// The top-level (brace depth 0) definition of function `name` in C++ or Java source:
/// `<type> name(<params>) <qualifiers> {`, told from a call by the type before the name and
/// the body after the parameters.
pub(crate) fn c_definition(src: &str, syntax: Syntax, name: &str) -> Option<Definition> {
    let b = blank(src, syntax);
    let depth = depths(&b);
    word_at(&b, name).into_iter().filter(|&p| depth[p] == 0).find_map(|p| {
        let paren = skip_space(&b, p + name.len());
        if b.get(paren) != Some(&b'(') {
            return None;
        }
        let (word, last) = previous_word(&b, p);
        let typed = matches!(last, Some(c) if ident_byte(Some(c)) || matches!(c, b'>' | b'*' | b'&' | b']'));
        const NOT_TYPES: [&[u8]; 9] =
            [b"return", b"new", b"else", b"case", b"throw", b"delete", b"sizeof", b"await", b"typeof"];
        if !typed || NOT_TYPES.contains(&word) {
            return None;
        }
        let mut level = 0;
        let close_paren = (paren..b.len()).find(|&i| {
            match b[i] {
                b'(' => level += 1,
                b')' => level -= 1,
                _ => {}
            }
            level == 0
        })?;
        let open = (close_paren + 1..b.len()).find(|&i| b[i] == b'{' || b[i] == b';')?;
        if b[open] != b'{' {
            return None;
        }
        Some(Definition { start: line_start(src, p), open, close: body_end(&b, open) })
    })
}

/// The closing brace of the body opened at `open`, or the end of the source when the body never
/// closes: an answer cut by the token limit in the middle of its demo `main` must lose all of it.
fn body_end(blanked: &[u8], open: usize) -> usize {
    matching_brace(blanked, open).unwrap_or(blanked.len().saturating_sub(1))
}

/// The definition of `fn name` in Rust source (at any depth when `top_level` is false).
pub(crate) fn rust_definition(src: &str, name: &str, top_level: bool) -> Option<Definition> {
    let b = blank(src, Syntax::Rust);
    let depth = depths(&b);
    word_at(&b, "fn").into_iter().filter(|&p| !top_level || depth[p] == 0).find_map(|p| {
        let at = skip_space(&b, p + 2);
        let after = at + name.len();
        if !b[at..].starts_with(name.as_bytes()) || ident_byte(b.get(after).copied()) {
            return None;
        }
        if !matches!(b.get(skip_space(&b, after)), Some(b'(' | b'<')) {
            return None;
        }
        let open = (after..b.len()).find(|&i| b[i] == b'{' || b[i] == b';')?;
        if b[open] != b'{' {
            return None;
        }
        Some(Definition { start: line_start(src, p), open, close: body_end(&b, open) })
    })
}

/// Whether JavaScript source defines `name`: `function name(` or `const/let/var name =`.
pub(crate) fn js_defines(src: &str, name: &str) -> bool {
    let b = blank(src, Syntax::JavaScript);
    word_at(&b, name).into_iter().any(|p| {
        let (word, _) = previous_word(&b, p);
        let next = b.get(skip_space(&b, p + name.len())).copied();
        (word == b"function" && next == Some(b'('))
            || (matches!(word, b"const" | b"let" | b"var") && next == Some(b'='))
    })
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |p| p + 1)
}

/// `src` without the definition `d` (and the line break after it).
pub(crate) fn remove(src: &str, d: Definition) -> String {
    let mut end = d.close + 1;
    if src[end..].starts_with('\n') {
        end += 1;
    }
    format!("{}{}", &src[..d.start], &src[end..])
}

/// What a prompt has before the function's documentation and signature: the includes, imports
/// and opening of a class that a whole definition of the function needs around it.
pub(crate) fn prompt_header(prompt: &str) -> String {
    let mut lines: Vec<&str> = prompt.lines().collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.pop(); // the signature
    while lines.last().is_some_and(|l| {
        let t = l.trim_start();
        t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
    }) {
        lines.pop();
    }
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The program for a completion of a C-family task: a completion that defines the function
/// itself replaces the prompt's signature (keeping the prompt's header, less the lines the
/// completion repeats); any other completion continues the prompt. The tests follow.
pub(crate) fn assemble(prompt: &str, completion: &str, test: &str, defines: bool) -> String {
    if !defines {
        return format!("{prompt}{completion}\n{test}");
    }
    let repeated =
        |line: &str| !line.trim().is_empty() && completion.lines().any(|c| c.trim() == line.trim());
    let header: String =
        prompt_header(prompt).lines().filter(|l| !repeated(l)).map(|l| format!("{l}\n")).collect();
    format!("{header}{completion}\n{test}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (fuzz target `extract_code`): a literal opened just before a newline or at the
    /// end of the text (`int add'` then a newline) panicked with "slice index starts at 8 but
    /// ends at 7".
    #[test]
    fn a_literal_opened_at_the_end_of_a_line_or_of_the_text_is_no_panic() {
        for src in ["int add'\n", "int add'", "x = \"\n", "x \"", "`", "'", "\"", "r\"", "r#\"", "/*", "//"] {
            for syntax in [Syntax::C, Syntax::JavaScript, Syntax::Rust] {
                assert_eq!(blank(src, syntax).len(), src.len(), "{src:?}");
            }
        }
        let answer = "```cpp\nint add'\n```\n";
        assert_eq!(c_definition(answer, Syntax::C, "add"), None);
    }

    /// Regression (fuzz target `extract_code`): an empty entry point was found past the last
    /// byte ("index out of bounds: the len is 41 but the index is 41").
    #[test]
    fn an_empty_name_is_never_found() {
        let src = "int add(int a, int b) { return a + b; }";
        assert!(word_at(src.as_bytes(), "").is_empty());
        assert_eq!(c_definition(src, Syntax::C, ""), None);
        assert_eq!(rust_definition("fn f() {}", "", false), None);
    }

    #[test]
    fn blanking_keeps_offsets_and_hides_literals() {
        let src = "int f() { return \"}{\"[0] + '}'; } // }\n/* { */ x";
        let b = blank(src, Syntax::C);
        assert_eq!(b.len(), src.len());
        let braces: String = b.iter().filter(|c| matches!(c, b'{' | b'}')).map(|&c| c as char).collect();
        assert_eq!(braces, "{}");
        let rust = "fn f<'a>(s: &'a str) -> char { let c = '}'; r#\"{\"# ; c }";
        let braces: String = blank(rust, Syntax::Rust)
            .iter()
            .filter(|c| matches!(c, b'{' | b'}'))
            .map(|&c| c as char)
            .collect();
        assert_eq!(braces, "{}");
    }

    #[test]
    fn c_definitions_are_told_from_calls() {
        let def = "#include <x>\nstd::vector<long> f(std::vector<long> v) {\n    return f(v);\n}\nint main() { f({}); }\n";
        let d = c_definition(def, Syntax::C, "f").unwrap();
        assert_eq!(
            &def[d.start..=d.close],
            "std::vector<long> f(std::vector<long> v) {\n    return f(v);\n}"
        );
        assert!(c_definition("    long r = f(x);\n    return f(r);\n}\n", Syntax::C, "f").is_none());
        assert!(c_definition("    if (f(x)) { return 1; }\n}\n", Syntax::C, "f").is_none());
        let java = "    public static long f(long x) throws Exception {\n        return x;\n    }\n";
        assert!(c_definition(java, Syntax::C, "f").is_some());
        let main = c_definition(def, Syntax::C, "main").unwrap();
        assert_eq!(
            remove(def, main),
            "#include <x>\nstd::vector<long> f(std::vector<long> v) {\n    return f(v);\n}\n"
        );
    }

    #[test]
    fn rust_and_js_definitions() {
        let src = "use x;\nfn f(a: i64) -> i64 { a }\nfn main() {\n    println!(\"{}\", f(1));\n}\n";
        let d = rust_definition(src, "main", true).unwrap();
        assert_eq!(remove(src, d), "use x;\nfn f(a: i64) -> i64 { a }\n");
        assert!(rust_definition("    f(1)\n}\n", "f", false).is_none());
        assert!(js_defines("const f = (x) => x;", "f"));
        assert!(js_defines("function f (x) { return f(x); }", "f"));
        assert!(!js_defines("  return f(x - 1);\n}\n", "f"));
    }

    #[test]
    fn header_is_what_precedes_doc_and_signature() {
        let prompt = "import java.util.*;\n\nclass Problem {\n    // Doc.\n    // More.\n    public static long f(long x) {\n";
        assert_eq!(prompt_header(prompt), "import java.util.*;\n\nclass Problem {\n");
        let program = assemble(prompt, "    public static long f(long x) { return x; }\n", "}\n", true);
        assert_eq!(
            program,
            "import java.util.*;\n\nclass Problem {\n    public static long f(long x) { return x; }\n\n}\n"
        );
        let program = assemble(prompt, "        return x;\n    }\n", "}\n", false);
        assert!(program.starts_with(prompt));
    }
}
