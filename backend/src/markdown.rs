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
}
