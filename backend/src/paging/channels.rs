//! Handing a message to a channel: a webhook signed per the Standard Webhooks spec, or a
//! Slack-compatible incoming webhook (text and blocks, which Slack, Mattermost and Rocket.Chat all
//! take). Each send has its own timeout, so a slow channel never holds the others.

use std::time::Duration;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::json;

use crate::db::paging::ContactRow;

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One incident in a message, with its page and its one-click acknowledge link.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub number: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub url: String,
    pub acknowledge_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// `incident.page` or `test`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub to: String,
    pub text: String,
    pub incidents: Vec<Item>,
}

impl Message {
    pub fn page(to: &str, incidents: Vec<Item>) -> Message {
        let text = match incidents.as_slice() {
            [one] => format!(
                "{}: {} ({}) is {}. Acknowledge: {}",
                one.number, one.title, one.severity, one.status, one.acknowledge_url
            ),
            many => format!(
                "{} incidents need you: {}",
                many.len(),
                many.iter().map(|i| format!("{} {}", i.number, i.title)).collect::<Vec<_>>().join("; ")
            ),
        };
        Message { kind: "incident.page", to: to.to_owned(), text, incidents }
    }

    pub fn handoff(to: &str, text: String) -> Message {
        Message { kind: "shift.handoff", to: to.to_owned(), text, incidents: vec![] }
    }

    pub fn test(to: &str) -> Message {
        Message {
            kind: "test",
            to: to.to_owned(),
            text: format!("Test page for {to} from Tocsin: this contact method works."),
            incidents: vec![],
        }
    }
}

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the secret after its `whsec_` prefix.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the webhook secret is not base64".to_owned())?;
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// A fresh signing secret: 24 random bytes, base64, with the spec's prefix.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn slack_body(m: &Message) -> serde_json::Value {
    let mut blocks = vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": m.text } })];
    for i in &m.incidents {
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": format!("*<{}|{}>* {} — {} ({})", i.url, i.number, i.title, i.severity, i.status) },
        }));
        blocks.push(json!({
            "type": "actions",
            "elements": [{ "type": "button", "text": { "type": "plain_text", "text": format!("Acknowledge {}", i.number) }, "url": i.acknowledge_url }],
        }));
    }
    json!({ "text": m.text, "blocks": blocks })
}

type Mailer = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

#[derive(Clone)]
pub struct Channels {
    http: reqwest::Client,
    mail: Option<(Mailer, lettre::message::Mailbox)>,
}

impl Default for Channels {
    fn default() -> Self {
        Channels { http: reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default(), mail: None }
    }
}

impl Channels {
    /// With email when an SMTP URL is given (see `TOCSIN_SMTP_URL`).
    pub fn new(smtp_url: Option<&str>, from: &str) -> anyhow::Result<Channels> {
        let mail = match smtp_url {
            None => None,
            Some(url) => {
                let mailer = Mailer::from_url(url)
                    .map_err(|e| anyhow::anyhow!("TOCSIN_SMTP_URL: {e}"))?
                    .timeout(Some(TIMEOUT))
                    .build();
                let from: lettre::message::Mailbox =
                    from.parse().map_err(|e| anyhow::anyhow!("TOCSIN_SMTP_FROM: {e}"))?;
                Some((mailer, from))
            }
        };
        Ok(Channels { mail, ..Channels::default() })
    }

    async fn email(&self, to: &str, message: &Message) -> Result<(), String> {
        use lettre::{AsyncTransport, message::MultiPart};
        let Some((mailer, from)) = &self.mail else {
            return Err("email is not configured on this server (TOCSIN_SMTP_URL)".into());
        };
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
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Channels {
    /// Sends `message` through the contact method; the error says what went wrong, in words.
    pub async fn send(
        &self,
        to: &ContactRow,
        message_id: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let request = match to.kind.as_str() {
            "webhook" => {
                let body = serde_json::to_string(message).map_err(|e| e.to_string())?;
                let ts = now.timestamp();
                let signature = sign(to.secret.as_deref().unwrap_or_default(), message_id, ts, &body)?;
                self.http
                    .post(&to.address)
                    .header("content-type", "application/json")
                    .header("webhook-id", message_id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", signature)
                    .body(body)
            }
            "slack" => self.http.post(&to.address).json(&slack_body(message)),
            "email" => return self.email(&to.address, message).await,
            other => return Err(format!("unknown contact method kind {other}")),
        };
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                format!("no answer within {} s", TIMEOUT.as_secs())
            } else {
                format!("could not connect: {e}")
            }
        })?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the endpoint answered HTTP {}", response.status().as_u16()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_standard_webhooks_example() {
        // The worked example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_bundle_lists_every_incident() {
        let item = |n: u32| Item {
            number: format!("INC-{n}"),
            title: format!("Problem {n}"),
            severity: "SEV2".into(),
            status: "triggered".into(),
            url: format!("https://t.example/incidents/{n}"),
            acknowledge_url: format!("https://t.example/ack/{n}"),
        };
        let m = Message::page("Ada", vec![item(1), item(2)]);
        assert_eq!(m.text, "2 incidents need you: INC-1 Problem 1; INC-2 Problem 2");
        let slack = slack_body(&m);
        assert_eq!(slack["blocks"].as_array().unwrap().len(), 5);
    }
}
