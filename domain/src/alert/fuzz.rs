//! Property tests for every wire parser (PagerDuty Events v2, Alertmanager, Grafana, generic):
//! arbitrary JSON and valid payloads mutated at random. Whatever arrives, a parser answers: it
//! never panics, an accepted event holds nothing PostgreSQL refuses (so its group commit cannot
//! fail for a neighbour), keys and summaries stay within their limits, and a batch accounts for
//! every alert it was sent (stored or named in `rejected`).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::event::{
    MAX_DEDUP_KEY, MAX_SUMMARY, NormalizedEvent, parse_alertmanager, parse_events_v2, parse_generic,
    unstorable,
};

/// Strings that hit the parsers' edges: empty, NUL, non-ASCII, timestamps, severities, numbers.
fn edgy_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ".{0,40}",
        1 => Just(String::new()),
        1 => Just("\0".to_owned()),
        1 => "[a-z]{0,5}\u{0}[a-z]{0,5}",
        1 => Just("2026-03-29T01:30:00+01:00".to_owned()),
        1 => Just("9999-99-99T99:99:99Z".to_owned()),
        1 => prop_oneof![Just("critical"), Just("error"), Just("warning"), Just("info"), Just("firing"), Just("resolved"), Just("trigger"), Just("resolve"), Just("acknowledge")].prop_map(str::to_owned),
        1 => "x{300}",
        1 => "\u{1F525}{1,3}\u{202E}",
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        edgy_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(edgy_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn pagerduty_sample() -> Value {
    json!({
        "routing_key": "0123456789abcdef0123456789abcdef",
        "event_action": "trigger",
        "dedup_key": "disk/db-1",
        "payload": {
            "summary": "Disk 95% full on db-1",
            "source": "db-1",
            "severity": "critical",
            "timestamp": "2026-11-23T10:00:00Z",
            "component": "postgres",
            "group": "storage",
            "class": "disk",
            "custom_details": {"free": "5%", "mount": "/var/lib/postgresql"}
        },
        "links": [{"href": "https://grafana.example.com/d/1", "text": "Dashboard"}],
        "images": [{"src": "https://grafana.example.com/i.png"}],
        "client": "Grafana",
        "client_url": "https://grafana.example.com"
    })
}

fn alertmanager_sample() -> Value {
    let alert = |name: &str, status: &str| {
        json!({
            "status": status,
            "labels": {"alertname": name, "instance": "db-1:9100", "severity": "critical"},
            "annotations": {"summary": format!("{name} on db-1"), "description": "more"},
            "startsAt": "2026-11-23T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": format!("{name}-fp")
        })
    };
    json!({
        "version": "4",
        "groupKey": "{}:{alertname=\"DiskFull\"}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "tocsin",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [alert("DiskFull", "firing"), alert("HighLoad", "resolved"), alert("Down", "firing")]
    })
}

fn grafana_sample() -> Value {
    let mut v = alertmanager_sample();
    v["version"] = json!("1");
    v["orgId"] = json!(1);
    v["title"] = json!("[FIRING:2] DiskFull");
    v["state"] = json!("alerting");
    v["message"] = json!("Disk is full");
    v
}

fn generic_sample() -> Value {
    json!({
        "summary": "Checkout latency over 2 s",
        "severity": "error",
        "dedup_key": "checkout-latency",
        "action": "trigger",
        "source": "synthetics",
        "details": {"p99_ms": 2400},
        "timestamp": "2026-11-23T10:00:00Z",
        "links": [{"href": "https://status.example.com"}]
    })
}

/// One random change to a JSON value: a value replaced, a key removed or added, a NUL written
/// into a string. `path` picks where, as a walk of child indexes.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
    Insert(Vec<usize>, String, Value),
    Poison(Vec<usize>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = || prop::collection::vec(0usize..16, 0..5);
    prop_oneof![
        (path(), any_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        path().prop_map(Mutation::Remove),
        (path(), edgy_string(), any_json()).prop_map(|(p, k, v)| Mutation::Insert(p, k, v)),
        path().prop_map(Mutation::Poison),
    ]
}

fn has_children(v: &Value) -> bool {
    match v {
        Value::Array(items) => !items.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// The child at `index` (modulo the number of children); `v` must have children.
fn child(v: &mut Value, index: usize) -> &mut Value {
    match v {
        Value::Array(items) => {
            let n = items.len();
            &mut items[index % n]
        }
        Value::Object(m) => {
            let n = m.len();
            m.values_mut().nth(index % n).expect("a child")
        }
        other => other,
    }
}

/// Walks `path` down as far as there are children.
fn descend<'a>(v: &'a mut Value, path: &[usize]) -> &'a mut Value {
    match path.split_first() {
        Some((&i, rest)) if has_children(v) => descend(child(v, i), rest),
        _ => v,
    }
}

fn apply(v: &mut Value, m: &Mutation) {
    let path = match m {
        Mutation::Replace(p, _) | Mutation::Remove(p) | Mutation::Insert(p, ..) | Mutation::Poison(p) => p,
    };
    let last = path.last().copied().unwrap_or(0);
    let at = descend(v, &path[..path.len().saturating_sub(1)]);
    match m {
        Mutation::Replace(_, new) => {
            let target = if has_children(at) { child(at, last) } else { at };
            *target = new.clone();
        }
        Mutation::Remove(_) => match at {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(last % map.len()).cloned().unwrap_or_default();
                map.remove(&key);
            }
            Value::Array(items) if !items.is_empty() => {
                let n = items.len();
                items.remove(last % n);
            }
            _ => {}
        },
        Mutation::Insert(_, key, new) => {
            if let Value::Object(map) = at {
                map.insert(key.clone(), new.clone());
            }
        }
        Mutation::Poison(_) => {
            let target = if has_children(at) { child(at, last) } else { at };
            if let Value::String(s) = target {
                let mid = s.char_indices().nth(s.chars().count() / 2).map_or(s.len(), |(i, _)| i);
                s.insert(mid, '\0');
            } else if let Value::Object(map) = target {
                map.insert("po\0son".into(), json!("x"));
            }
        }
    }
}

/// What every accepted event must be, whatever it was parsed from.
fn storable(e: &NormalizedEvent) {
    let stored = serde_json::to_value(e).expect("an event serialises");
    assert_eq!(unstorable(&stored, ""), None, "an accepted event holds a NUL: {e:?}");
    assert!(!e.dedup_key.is_empty(), "every event has a dedup key: {e:?}");
    assert!(e.dedup_key.chars().count() <= MAX_DEDUP_KEY, "{e:?}");
    assert!(e.summary.chars().count() <= MAX_SUMMARY, "{e:?}");
}

fn check_events_v2(body: &Value) {
    if let Ok((_, event)) = parse_events_v2(body, || "generated".into()) {
        storable(&event);
    }
}

fn check_batch(body: &Value) {
    match parse_alertmanager(body) {
        Ok(batch) => {
            batch.events.iter().for_each(storable);
            if let Some(alerts) = body.get("alerts").and_then(Value::as_array) {
                assert_eq!(
                    batch.events.len() + batch.rejected.len(),
                    alerts.len(),
                    "every alert of a batch is stored or named as rejected: {batch:?}"
                );
            }
        }
        Err(errors) => assert!(!errors.is_empty(), "a refusal says why"),
    }
}

fn check_generic(body: &Value) {
    match parse_generic(body, || "generated".into()) {
        Ok(event) => storable(&event),
        Err(errors) => assert!(!errors.is_empty(), "a refusal says why"),
    }
}

fn mutated(sample: Value, mutations: &[Mutation]) -> Value {
    let mut v = sample;
    for m in mutations {
        apply(&mut v, m);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_a_parser(body in any_json()) {
        check_events_v2(&body);
        check_batch(&body);
        check_generic(&body);
    }

    #[test]
    fn mutated_pagerduty_events_are_stored_clean_or_refused(ms in prop::collection::vec(mutation(), 1..4)) {
        check_events_v2(&mutated(pagerduty_sample(), &ms));
    }

    #[test]
    fn mutated_alertmanager_batches_account_for_every_alert(ms in prop::collection::vec(mutation(), 1..4)) {
        check_batch(&mutated(alertmanager_sample(), &ms));
    }

    #[test]
    fn mutated_grafana_batches_account_for_every_alert(ms in prop::collection::vec(mutation(), 1..4)) {
        check_batch(&mutated(grafana_sample(), &ms));
    }

    #[test]
    fn mutated_generic_events_are_stored_clean_or_refused(ms in prop::collection::vec(mutation(), 1..4)) {
        check_generic(&mutated(generic_sample(), &ms));
    }
}

#[test]
fn the_samples_themselves_are_accepted() {
    assert!(parse_events_v2(&pagerduty_sample(), || "k".into()).is_ok());
    let batch = parse_alertmanager(&alertmanager_sample()).expect("alertmanager sample");
    assert_eq!((batch.events.len(), batch.rejected.len()), (3, 0));
    let batch = parse_alertmanager(&grafana_sample()).expect("grafana sample");
    assert_eq!((batch.events.len(), batch.rejected.len()), (3, 0));
    assert!(parse_generic(&generic_sample(), || "k".into()).is_ok());
}
