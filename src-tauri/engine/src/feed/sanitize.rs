//! Show notes HTML -> the sanitized HTML the UI renders. The only HTML from a feed that ever
//! reaches the webview passes through here.

use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "a",
            "ul",
            "ol",
            "li",
            "b",
            "i",
            "em",
            "strong",
            "code",
            "pre",
            "blockquote",
            "img",
        ])
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title", "width", "height"])
        // Only web links: javascript:, data:, file: and friends are dropped with the attribute.
        .url_schemes(HashSet::from(["http", "https"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        // Keep the text of removed elements such as <span> or <div>, but not of these.
        .clean_content_tags(HashSet::from([
            "script", "style", "iframe", "object", "embed", "form", "svg", "math", "template",
            "noscript", "textarea", "select",
        ]))
        .strip_comments(true);
    builder
});

/// Sanitizes show notes. Plain text (no tags at all) keeps its line breaks.
pub fn show_notes_html(notes: &str) -> String {
    let notes = notes.trim();
    if notes.is_empty() {
        return String::new();
    }
    if !looks_like_html(notes) {
        return escape_text(notes).replace('\n', "<br>");
    }
    SANITIZER.clean(notes).to_string()
}

/// The words of an HTML fragment (an Atom title of type html or xhtml): tags dropped, entities
/// decoded, runs of whitespace made one space.
pub fn html_to_text(html: &str) -> String {
    static TEXT_ONLY: LazyLock<Builder<'static>> = LazyLock::new(|| {
        let mut builder = Builder::empty();
        builder.clean_content_tags(HashSet::from(["script", "style"]));
        builder
    });
    let cleaned = TEXT_ONLY.clean(html).to_string();
    // What html5ever escapes when it writes text back.
    let text = cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for use as HTML element content.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || text.contains("&lt;")
        || text.contains("&amp;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_foreign_schemes_are_removed() {
        let dirty = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">j</a>
            <a href="https://example.com/a">ok</a><img src="x" onerror="alert(1)"><iframe src="https://e.com"></iframe>
            <form action="https://e.com"><input></form><span style="background:url(https://e.com/x)">s</span>
            <svg><script>alert(1)</script></svg><a href="file:///etc/passwd">f</a></p>"#;
        let clean = show_notes_html(dirty);
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript",
            "iframe",
            "form",
            "style",
            "svg",
            "file:",
            "alert",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains(r#"href="https://example.com/a""#), "{clean}");
        assert!(clean.contains("<p>Hi "), "{clean}");
    }

    #[test]
    fn plain_text_keeps_line_breaks_and_is_escaped() {
        assert_eq!(show_notes_html("a < b\nc"), "a &lt; b<br>c");
    }

    #[test]
    fn encoded_html_is_treated_as_html() {
        // Some feeds escape their HTML instead of using CDATA; the rss crate hands us the
        // unescaped text, so the result is ordinary markup again.
        assert_eq!(show_notes_html("<b>x</b> &amp; y"), "<b>x</b> &amp; y");
    }
}
