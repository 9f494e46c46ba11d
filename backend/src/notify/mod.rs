//! Channels and messages: turning a page, a test or a shift handoff into a message and handing
//! it to the contact method's channel (a signed webhook, a Slack-compatible webhook, email).
//! Each send has its own timeout, so a slow channel never holds the others.
//!
//! This module knows nothing of the database: the engine's delivery job decides what to send,
//! to whom and when, and records what happened.

pub mod email;
pub mod outbound;
pub mod slack;
pub mod webhook;

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use domain::notification::ContactKind;
use serde::Serialize;

use outbound::OutboundAllow;

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

    pub fn postmortem(to: &str, text: String) -> Message {
        Message { kind: "postmortem", to: to.to_owned(), text, incidents: vec![] }
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

/// Where a message goes: a person's contact method.
#[derive(Debug, Clone, Copy)]
pub struct Destination<'a> {
    pub kind: ContactKind,
    pub address: &'a str,
    /// Webhooks: the signing secret.
    pub secret: Option<&'a str>,
}

pub type Mailer = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

/// Where a status page message goes.
#[derive(Debug, Clone, Copy)]
pub enum StatusDestination<'a> {
    Email(&'a str),
    Webhook { url: &'a str, secret: &'a str },
}

/// A status page message: the email's parts, and the JSON a webhook gets.
#[derive(Debug, Clone, Copy)]
pub struct StatusMessage<'a> {
    pub id: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub unsubscribe: &'a str,
    pub payload: &'a serde_json::Value,
}

#[derive(Clone)]
pub struct Channels {
    http: reqwest::Client,
    allow: Arc<OutboundAllow>,
    mail: Option<(Mailer, lettre::message::Mailbox)>,
}

impl Channels {
    /// With email when an SMTP URL is given (see `TOCSIN_SMTP_URL`); webhooks and Slack reach
    /// public addresses and whatever `allow` adds.
    pub fn new(smtp_url: Option<&str>, from: &str, allow: OutboundAllow) -> anyhow::Result<Channels> {
        let allow = Arc::new(allow);
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .dns_resolver(Arc::new(outbound::GuardedResolver { allow: allow.clone() }))
            // A redirect would lead the request somewhere nobody checked; a proxy from the
            // environment would be the only address the resolver sees.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
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
        Ok(Channels { http, allow, mail })
    }

    /// Sends `message` to `to`; the error says what went wrong, in words.
    pub async fn send(
        &self,
        to: Destination<'_>,
        message_id: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        if matches!(to.kind, ContactKind::Webhook | ContactKind::Slack) {
            let url = reqwest::Url::parse(to.address).map_err(|_| "the address is not a URL".to_owned())?;
            self.allow.check_url(&url)?;
        }
        let request = match to.kind {
            ContactKind::Webhook => {
                let body = serde_json::to_string(message).map_err(|e| e.to_string())?;
                self.signed(to.address, to.secret.unwrap_or_default(), message_id, body, now)?
            }
            ContactKind::Slack => self.http.post(to.address).json(&slack::body(message)),
            ContactKind::Email => {
                let Some((mailer, from)) = &self.mail else {
                    return Err("email is not configured on this server (TOCSIN_SMTP_URL)".into());
                };
                return email::send(mailer, from, to.address, message).await;
            }
        };
        self.deliver(to.address, request).await
    }

    /// A POST signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    fn signed(
        &self,
        url: &str,
        secret: &str,
        message_id: &str,
        body: String,
        now: DateTime<Utc>,
    ) -> Result<reqwest::RequestBuilder, String> {
        let ts = now.timestamp();
        let signature = webhook::sign(secret, message_id, ts, &body)?;
        Ok(self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .body(body))
    }

    /// A status page message to a subscriber: an email with one-click unsubscribe, or the update as
    /// JSON to a signed webhook.
    pub async fn send_status(
        &self,
        to: StatusDestination<'_>,
        message: StatusMessage<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        match to {
            StatusDestination::Email(address) => {
                let Some((mailer, from)) = &self.mail else {
                    return Err("email is not configured on this server (TOCSIN_SMTP_URL)".into());
                };
                email::send_status(
                    mailer,
                    from,
                    address,
                    message.subject,
                    message.text,
                    message.html,
                    message.unsubscribe,
                )
                .await
            }
            StatusDestination::Webhook { url, secret } => {
                let parsed = reqwest::Url::parse(url).map_err(|_| "the address is not a URL".to_owned())?;
                self.allow.check_url(&parsed)?;
                let body = serde_json::to_string(&message.payload).map_err(|e| e.to_string())?;
                let request = self.signed(url, secret, message.id, body, now)?;
                self.deliver(url, request).await
            }
        }
    }

    async fn deliver(&self, url: &str, request: reqwest::RequestBuilder) -> Result<(), String> {
        // Webhook and Slack URLs are secrets (whoever has one can post there): errors, which the
        // delivery log shows, name the host only.
        let host = host_of(url);
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                format!("{host} gave no answer within {} s", TIMEOUT.as_secs())
            } else {
                format!("could not connect to {host}: {}", root_cause(&e.without_url()))
            }
        })?;
        if response.status().is_success() {
            Ok(())
        } else if response.status().is_redirection() {
            Err(format!("{host} answered HTTP {} (redirects are not followed)", response.status().as_u16()))
        } else {
            Err(format!("{host} answered HTTP {}", response.status().as_u16()))
        }
    }
}

/// `host:port` of a URL, for messages that must not show the rest of it.
pub fn host_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => "the endpoint".to_owned(),
        },
        Err(_) => "the endpoint".to_owned(),
    }
}

/// The innermost cause of an error ("Connection refused"), which says what went wrong.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
