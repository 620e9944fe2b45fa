//! Escaping text for HTML and XML (the page and the JUnit report).

/// `text` safe inside an HTML/XML element or a quoted attribute: the five special characters
/// become entities, and characters XML 1.0 forbids (control characters other than tab, line
/// feed and carriage return, which model output and failure details can hold) are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_drops_forbidden_characters() {
        assert_eq!(escape("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
        assert_eq!(escape("x\u{0}y\u{1b}[31mz\u{7f}"), "xy[31mz");
        assert_eq!(escape("tab\tline\ncr\r"), "tab\tline\ncr\r");
        assert_eq!(escape("naïve — ✓"), "naïve — ✓");
    }
}
