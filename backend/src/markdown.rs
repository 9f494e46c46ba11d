//! Notes are Markdown written by responders and shown to everyone: rendered on the server, with
//! raw HTML shown as text and the output sanitised, so a note can never run script in a reader's
//! browser.

use pulldown_cmark::{Event, Options, Parser, html::push_html};

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // HTML in the source becomes visible text rather than markup.
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::new();
    push_html(&mut html, events);
    // Markdown links can still carry `javascript:` URLs; ammonia keeps only safe schemes and
    // attributes, and marks links noopener noreferrer.
    ammonia::clean(&html)
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders() {
        let html = render("**DB failover** done\n\n- step one\n- `pg_ctl promote`");
        assert!(html.contains("<strong>DB failover</strong>"), "{html}");
        assert!(html.contains("<li><code>pg_ctl promote</code></li>"), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("<script>alert(1)</script> and <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_links_lose_their_target() {
        let html = render("[click](javascript:alert(1)) [ok](https://example.com/x)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(r#"href="https://example.com/x""#), "{html}");
        assert!(html.contains("noopener"), "{html}");
    }

    /// Fragments that have carried script into rendered Markdown somewhere: raw tags, event
    /// handler attributes, script URLs in links, images and autolinks, entity tricks.
    fn hostile_piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("<script>alert(1)</script>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("[a](javascript:alert(1))".to_owned()),
            Just("[a](JaVaScRiPt:alert(1))".to_owned()),
            Just("[a](java\tscript:alert(1))".to_owned()),
            Just("![i](javascript:alert(1))".to_owned()),
            Just("<javascript:alert(1)>".to_owned()),
            Just("[a](data:text/html;base64,PHNjcmlwdD4=)".to_owned()),
            Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
            Just("[a]: javascript:alert(1)\n\n[a]".to_owned()),
            Just("&#106;avascript:alert(1)".to_owned()),
            Just("<svg onload=alert(1)>".to_owned()),
            Just("<iframe src=//evil>".to_owned()),
            Just("`<script>`".to_owned()),
            Just("| a | <b onclick=x> |\n|---|---|\n| 1 | 2 |".to_owned()),
            Just("- [ ] <style>*{}</style>".to_owned()),
            "[ -~]{0,20}",
            "\\PC{0,20}",
            Just("\n\n".to_owned()),
            Just("\0".to_owned()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        /// Whatever a responder writes, the rendered note runs no script: every real tag (raw
        /// HTML is escaped, so each `<` left opens one) is a harmless one, with no event handler
        /// and no script or data URL.
        #[test]
        fn no_note_renders_anything_that_runs(pieces in proptest::collection::vec(hostile_piece(), 0..8)) {
            let html = render(&pieces.concat()).to_ascii_lowercase();
            for tag in html.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or(rest)) {
                let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or("");
                proptest::prop_assert!(
                    ["p", "strong", "em", "del", "code", "pre", "ul", "ol", "li", "a", "img", "blockquote",
                     "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th",
                     "td", "input"].contains(&name),
                    "<{tag}> in {html}"
                );
                // An attribute named on...: a space, "on", letters, "=".
                let handler = tag.match_indices(" on").any(|(i, _)| {
                    let rest = &tag[i + 3..];
                    let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
                    letters > 0 && rest[letters..].starts_with('=')
                });
                proptest::prop_assert!(!handler, "an event handler in <{tag}>");
                for url in ["javascript:", "data:", "vbscript:"] {
                    proptest::prop_assert!(!tag.contains(&format!("=\"{url}")), "{url} in <{tag}>");
                }
            }
        }
    }
}
