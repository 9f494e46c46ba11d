//! Email pages over SMTP (STARTTLS or TLS through rustls): a plain-text and an HTML part, each
//! with the incident's link and its one-click acknowledge link.

use lettre::{AsyncTransport, message::MultiPart};

use super::{Mailer, Message};

/// Sends `message` to `to` through `mailer`; the error says what went wrong, in words.
pub async fn send(
    mailer: &Mailer,
    from: &lettre::message::Mailbox,
    to: &str,
    message: &Message,
) -> Result<(), String> {
    let subject = match message.incidents.as_slice() {
        [] if message.kind == "shift.handoff" => "You are on call now".to_owned(),
        [] => "Tocsin test page".to_owned(),
        [one] => format!("[{}] {} {}", one.severity, one.number, one.title),
        many => format!("{} incidents need you", many.len()),
    };
    let mut text = message.text.clone();
    let mut html = format!("<p>{}</p>", escape(&message.text));
    for i in &message.incidents {
        text.push_str(&format!(
            "\n\n{} {} ({}, {})\nOpen: {}\nAcknowledge: {}",
            i.number, i.title, i.severity, i.status, i.url, i.acknowledge_url
        ));
        html.push_str(&format!(
            "<p><a href=\"{}\">{} {}</a> ({}, {})<br><a href=\"{}\">Acknowledge {}</a></p>",
            escape(&i.url),
            escape(&i.number),
            escape(&i.title),
            escape(&i.severity),
            escape(&i.status),
            escape(&i.acknowledge_url),
            escape(&i.number)
        ));
    }
    let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("bad address: {e}"))?;
    let email = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())?;
    mailer.send(email).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A status page message to a subscriber: its own subject, plain and HTML parts, and the
/// one-click unsubscribe of RFC 8058 (mail clients show an Unsubscribe button that POSTs to it).
pub async fn send_status(
    mailer: &Mailer,
    from: &lettre::message::Mailbox,
    to: &str,
    subject: &str,
    text: &str,
    html: &str,
    unsubscribe: &str,
) -> Result<(), String> {
    use lettre::message::header::{HeaderName, HeaderValue};
    let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("bad address: {e}"))?;
    let email = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .multipart(MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()))
        .map_err(|e| e.to_string())?;
    mailer.send(email).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}
