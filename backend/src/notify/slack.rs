//! Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat all take `text` and
//! `blocks`): the message in mrkdwn, each incident with a link and an acknowledge button.

use serde_json::json;

use super::Message;

pub fn body(m: &Message) -> serde_json::Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Item;

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
        let slack = body(&m);
        assert_eq!(slack["blocks"].as_array().unwrap().len(), 5);
    }
}
