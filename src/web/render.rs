//! Turning templates and catalog text into HTML: the `Markup` type (HTML the portal built itself
//! from escaped text, the only thing templates print unescaped), match highlighting, description
//! sanitising, and small formatting helpers shared by the pages.

use std::fmt;

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::search::analyzer::{fold_char, is_cjk};
pub use crate::text::{authors, plain};

/// Renders a template into an HTML response; a template failure becomes a logged 500 page
/// rendered without templates.
pub fn html(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            without_controls(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %crate::chain::Chain(&e), "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                "<!doctype html><title>Error</title><p>Something went wrong on our side.</p>",
            )
                .into_response()
        }
    }
}

/// The text with the control characters that HTML and XML forbid (C0 but tab, line feed and
/// carriage return; dump titles hold NUL bytes and others) replaced by U+FFFD. Escaping does not
/// touch them, and a NUL in a page is a parse error (an XML feed with one does not parse at all).
pub fn without_controls(text: String) -> String {
    let bad = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if !text
        .bytes()
        .any(|b| b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return text;
    }
    text.chars()
        .map(|c| if bad(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// HTML that is safe to print as it is: built only by this module from escaped text or
/// sanitised by ammonia. Templates print it without escaping; everything else they escape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// Escaped text.
    pub fn text(text: &str) -> Markup {
        let mut out = String::with_capacity(text.len() + 8);
        escape_into(text, &mut out);
        Markup(out)
    }

    /// The HTML source.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Markup {}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// Escapes `text` and wraps the words that match the query's folded `terms` in `<mark>`.
/// Words are compared folded (lower case, no diacritics), whole words only, except in scripts
/// written without spaces where any occurrence counts.
pub fn highlight(text: &str, terms: &[String]) -> Markup {
    let terms: Vec<&str> = terms
        .iter()
        .map(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    if terms.is_empty() || text.is_empty() {
        return Markup::text(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut folded = String::with_capacity(text.len());
    // For each byte of `folded`, the index of the character of `text` it came from.
    let mut owner: Vec<usize> = Vec::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        let before = folded.len();
        fold_char(*c, &mut folded);
        owner.extend(std::iter::repeat_n(i, folded.len() - before));
    }
    let mut marked = vec![false; chars.len()];
    for term in terms {
        let cjk = term.chars().any(is_cjk);
        for (start, _) in folded.match_indices(term) {
            let end = start + term.len();
            if !cjk {
                let before_ok = folded[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                let after_ok = folded[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
                if !(before_ok && after_ok) {
                    continue;
                }
            }
            for &o in &owner[start..end] {
                marked[o] = true;
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut open = false;
    let mut buf = [0u8; 4];
    for (c, m) in chars.iter().zip(&marked) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        escape_into(c.encode_utf8(&mut buf), &mut out);
    }
    if open {
        out.push_str("</mark>");
    }
    Markup(out)
}

/// A description or table of contents for display: HTML sanitised by ammonia (no scripts, styles,
/// images or event handlers; links open without a referrer), plain text escaped with its line
/// breaks kept.
pub fn description(text: &str) -> Markup {
    let text = text.trim();
    if text.is_empty() {
        return Markup::default();
    }
    let looks_like_html = text.contains('<') && text.contains('>');
    if looks_like_html {
        let clean = ammonia::Builder::default()
            .rm_tags(&["img"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("noopener noreferrer nofollow"))
            .clean(text)
            .to_string();
        return Markup(clean);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, paragraph) in text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("<p>");
        for (j, line) in paragraph.trim().lines().enumerate() {
            if j > 0 {
                out.push_str("<br>");
            }
            escape_into(line, &mut out);
        }
        out.push_str("</p>");
    }
    Markup(out)
}

/// A size in bytes for people (`5.0 MB`).
pub fn human_size(bytes: i64) -> String {
    if bytes <= 0 {
        return String::new();
    }
    let b = bytes as f64;
    match bytes {
        n if n < 1_000 => format!("{n} B"),
        n if n < 1_000_000 => format!("{:.0} kB", b / 1e3),
        n if n < 1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

/// A count with thin separators (`1 234 567`).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn controls_that_html_and_xml_forbid_are_replaced() {
        assert_eq!(
            without_controls("a\0b\x1ac\td\ne\rf".into()),
            "a\u{FFFD}b\u{FFFD}c\td\ne\rf"
        );
        let clean = "no controls here: é 中".to_string();
        assert_eq!(without_controls(clean.clone()), clean);
    }

    use super::*;

    #[test]
    fn highlight_escapes_then_marks_folded_words() {
        let terms = vec!["godel".to_string(), "b".to_string()];
        assert_eq!(
            highlight("Kurt Gödel <b>&", &terms).as_str(),
            "Kurt <mark>Gödel</mark> &lt;<mark>b</mark>&gt;&amp;"
        );
        assert_eq!(
            highlight("Algorithms", &["algorithm".into()]).as_str(),
            "Algorithms"
        );
        assert_eq!(
            highlight("三国演义", &["国演".into()]).as_str(),
            "三<mark>国演</mark>义"
        );
        assert_eq!(highlight("x", &[]).as_str(), "x");
    }

    #[test]
    fn descriptions_are_sanitised() {
        let d = description("<p onclick=\"x()\">Hi <script>alert(1)</script><img src=http://x/y.png><a href=\"javascript:x\">l</a></p>");
        assert!(!d.as_str().contains("script"));
        assert!(!d.as_str().contains("onclick"));
        assert!(!d.as_str().contains("img"));
        assert!(!d.as_str().contains("javascript"));
        assert_eq!(description("a <&\nb").as_str(), "<p>a &lt;&amp;<br>b</p>");
    }

    #[test]
    fn authors_split_sensibly() {
        assert_eq!(authors("Melville, Herman"), ["Melville, Herman"]);
        assert_eq!(
            authors("A. Einstein; B. Podolsky; N. Rosen"),
            ["A. Einstein", "B. Podolsky", "N. Rosen"]
        );
        assert_eq!(
            authors("Thomas Cormen, Charles Leiserson"),
            ["Thomas Cormen", "Charles Leiserson"]
        );
        assert_eq!(
            authors("Ånström, B.;Lee, C.; ; X"),
            ["Ånström, B.", "Lee, C.", "X"]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(human_size(5_242_880), "5.2 MB");
        assert_eq!(count(1234567), "1\u{202f}234\u{202f}567");
    }
}
