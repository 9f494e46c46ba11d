//! The status page as feeds: Atom (RFC 4287) and RSS 2.0, one entry per update, newest first, so
//! a feed reader shows each thing customers were told. Only public text goes in.

use chrono::{DateTime, Utc};

use super::page::PublicIncidentView;

/// Entries in a feed: enough for any reader to catch up after a long outage.
pub const ENTRIES: usize = 50;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Every update of every incident, newest first: (incident, update index).
fn entries(incidents: &[PublicIncidentView]) -> Vec<(&PublicIncidentView, usize)> {
    let mut all: Vec<(&PublicIncidentView, usize)> =
        incidents.iter().flat_map(|i| (0..i.updates.len()).map(move |n| (i, n))).collect();
    all.sort_by(|a, b| b.0.updates[b.1].display_at.cmp(&a.0.updates[a.1].display_at));
    all.truncate(ENTRIES);
    all
}

/// `page_url` is the public page (`https://host/status`), the base of every link and id.
pub fn atom(name: &str, page_url: &str, incidents: &[PublicIncidentView], updated: DateTime<Utc>) -> String {
    let base = page_url.trim_end_matches('/');
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    out.push_str(&format!("  <id>{}</id>\n", xml(base)));
    out.push_str(&format!("  <title>{} status</title>\n", xml(name)));
    out.push_str(&format!("  <updated>{}</updated>\n", updated.to_rfc3339()));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml(base)));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/feed.atom\"/>\n",
        xml(base)
    ));
    out.push_str(&format!("  <author><name>{}</name></author>\n", xml(name)));
    for (i, n) in entries(incidents) {
        let u = &i.updates[n];
        let link = format!("{base}/incidents/{}", i.public_id);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}#update-{}</id>\n", xml(&link), xml(&u.public_id)));
        out.push_str(&format!("    <title>{}: {}</title>\n", xml(&i.name), u.status.label()));
        out.push_str(&format!("    <updated>{}</updated>\n", u.display_at.to_rfc3339()));
        out.push_str(&format!("    <published>{}</published>\n", u.created_at.to_rfc3339()));
        out.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml(&link)));
        out.push_str(&format!("    <content type=\"html\">{}</content>\n", xml(&u.body_html)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

pub fn rss(name: &str, page_url: &str, incidents: &[PublicIncidentView], updated: DateTime<Utc>) -> String {
    let base = page_url.trim_end_matches('/');
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    out.push_str(&format!("  <title>{} status</title>\n", xml(name)));
    out.push_str(&format!("  <link>{}</link>\n", xml(base)));
    out.push_str(&format!(
        "  <description>{}</description>\n",
        xml(&format!("Incidents and maintenance reported by {name}"))
    ));
    out.push_str(&format!("  <lastBuildDate>{}</lastBuildDate>\n", updated.to_rfc2822()));
    out.push_str(&format!(
        "  <atom:link href=\"{}/feed.rss\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml(base)
    ));
    for (i, n) in entries(incidents) {
        let u = &i.updates[n];
        let link = format!("{base}/incidents/{}", i.public_id);
        out.push_str("  <item>\n");
        out.push_str(&format!("    <title>{}: {}</title>\n", xml(&i.name), u.status.label()));
        out.push_str(&format!("    <link>{}</link>\n", xml(&link)));
        out.push_str(&format!(
            "    <guid isPermaLink=\"false\">{}#update-{}</guid>\n",
            xml(&link),
            xml(&u.public_id)
        ));
        out.push_str(&format!("    <pubDate>{}</pubDate>\n", u.display_at.to_rfc2822()));
        out.push_str(&format!("    <description>{}</description>\n", xml(&u.body_html)));
        out.push_str("  </item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_characters_xml_cannot_carry_are_dropped() {
        assert_eq!(xml("a < b & \"c\" \u{1}"), "a &lt; b &amp; &quot;c&quot; ");
    }
}
