//! The endpoints monitoring tools send to: PagerDuty Events v2 (`/v2/enqueue`), the
//! Alertmanager/Grafana webhook and Tocsin's generic JSON (`/integrations/{kind}/{key}`).
//!
//! Every refusal (bad key, wrong content type, malformed or invalid event, too large, too fast)
//! happens before anything is written. A 2xx is sent only after the event is committed; a 503
//! means it was not stored and the sender should retry. Alertmanager retries on 5xx only and
//! drops a group on any 4xx, so a batch is never refused for one bad alert (the good ones are
//! stored, the bad ones reported in the 200), nor for its size within 10 MB, nor with a 429: a
//! key over its rate gets 503 with `Retry-After` everywhere but PagerDuty's own endpoint, whose
//! clients retry 429 as PagerDuty documents.
//!
//! Load is shed, never queued without bound: an instance holding as many requests or body bytes
//! as it takes, a full commit queue, or a key over its hourly byte budget all answer 503 with
//! `Retry-After`; the key of a batch is checked before its body is read.

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use backend::{
    db::{alert_events::EventBatch, integration_keys::KeyGrant},
    ingest::{Admitted, Intake},
};
use domain::alert::{
    IntegrationKind, NormalizedEvent,
    event::{self, MAX_BATCH_BYTES, MAX_BODY_BYTES},
};
use serde_json::{Value, json};

use crate::AppState;

/// Why an event was refused, before anything was stored.
enum Refusal {
    UnsupportedType,
    TooLarge,
    Malformed(String),
    /// Over the size limit, given in KB.
    TooLargeFor(usize),
    Invalid(Vec<String>),
    UnknownKey,
    TooFast(u64),
    NotStored,
    /// This instance holds as many requests or bytes as it takes; retry shortly.
    Busy,
}

impl Refusal {
    /// What was wrong with the content itself, worth showing the service's owners; `None` for
    /// refusals about the key or the load.
    fn reasons(&self) -> Option<Vec<String>> {
        match self {
            Refusal::UnsupportedType => Some(vec!["Content-Type was not application/json".into()]),
            Refusal::TooLarge => Some(vec![format!("the body was over {} KB", MAX_BODY_BYTES / 1024)]),
            Refusal::TooLargeFor(kb) => Some(vec![format!("the body was over {kb} KB")]),
            Refusal::Malformed(why) => Some(vec![format!("malformed JSON: {why}")]),
            Refusal::Invalid(errors) => Some(errors.clone()),
            Refusal::UnknownKey | Refusal::TooFast(_) | Refusal::NotStored | Refusal::Busy => None,
        }
    }
}

/// Notes refused events of a known key for its service page. Best effort: the sender has its
/// answer either way. A refusal of a whole request costs one of the key's events, so a source
/// spraying bad events costs no more writes than good ones would.
async fn note_rejected(state: &AppState, grant: &KeyGrant, reasons: &[String], whole_request: bool) {
    if reasons.is_empty() || (whole_request && state.intake.limiter.take(grant.id, 1).is_err()) {
        return;
    }
    let at = state.ctx.now();
    if let Err(e) =
        backend::services::alerts::record_rejected(&state.ctx.pool, grant.service_id, grant.id, at, reasons)
            .await
    {
        tracing::warn!(error = %e, "could not note rejected events");
    }
}

/// Answers in the shape each protocol's clients expect: PagerDuty's for `/v2/enqueue`, Tocsin's
/// API error shape for the others.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    PagerDuty,
    Tocsin,
}

fn refuse(dialect: Dialect, r: Refusal) -> Response {
    let (status, errors, retry_after): (StatusCode, Vec<String>, Option<u64>) = match r {
        Refusal::UnsupportedType => {
            (StatusCode::BAD_REQUEST, vec!["Content-Type must be application/json".into()], None)
        }
        Refusal::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            vec![format!("Request body must not exceed {} KB", MAX_BODY_BYTES / 1024)],
            None,
        ),
        Refusal::TooLargeFor(kb) => {
            (StatusCode::PAYLOAD_TOO_LARGE, vec![format!("Request body must not exceed {kb} KB")], None)
        }
        Refusal::Malformed(why) => (StatusCode::BAD_REQUEST, vec![format!("Malformed JSON: {why}")], None),
        Refusal::Invalid(errors) => (StatusCode::BAD_REQUEST, errors, None),
        // The same answer for a key that never existed, was revoked, or is of another kind.
        Refusal::UnknownKey => (StatusCode::NOT_FOUND, vec!["Invalid routing key".into()], None),
        Refusal::TooFast(secs) if dialect == Dialect::PagerDuty => {
            (StatusCode::TOO_MANY_REQUESTS, vec![], Some(secs))
        }
        // Alertmanager and scripts retry 5xx; a 429 would lose the events.
        Refusal::TooFast(secs) => (StatusCode::SERVICE_UNAVAILABLE, vec![], Some(secs)),
        Refusal::NotStored | Refusal::Busy => (StatusCode::SERVICE_UNAVAILABLE, vec![], Some(1)),
    };
    let body = match (dialect, status) {
        (Dialect::PagerDuty, StatusCode::TOO_MANY_REQUESTS) => json!({
            "status": "throttle event",
            "message": "Requests for this integration key are arriving too quickly. Please retry later."
        }),
        (Dialect::PagerDuty, StatusCode::SERVICE_UNAVAILABLE) => json!({
            "status": "error",
            "message": "The event could not be stored. Please retry."
        }),
        (Dialect::PagerDuty, StatusCode::PAYLOAD_TOO_LARGE) => json!({
            "status": "invalid event", "message": "Request too large", "errors": errors
        }),
        (Dialect::PagerDuty, _) => json!({
            "status": "invalid event", "message": "Event object is invalid", "errors": errors
        }),
        (Dialect::Tocsin, s) => {
            let (code, message) = match s {
                StatusCode::TOO_MANY_REQUESTS => {
                    ("rate_limited", "too many events for this integration key; retry later")
                }
                StatusCode::SERVICE_UNAVAILABLE => {
                    ("not_stored", "the events were not stored; send them again after Retry-After")
                }
                StatusCode::NOT_FOUND => ("not_found", "integration key not found"),
                StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "request body too large"),
                _ => ("invalid", "the event is invalid"),
            };
            json!({ "error": { "code": code, "message": message, "errors": errors } })
        }
    };
    let mut response = (status, Json(body)).into_response();
    if let Some(secs) = retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Lets the request in if this instance has room for it, before its body is read: the declared
/// length counts, or the most the endpoint reads when none is declared.
fn admit(intake: &Intake, headers: &HeaderMap, limit: usize) -> Result<Admitted, Refusal> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(limit as u64)
        .min(limit as u64);
    intake.admission.try_admit(declared).ok_or(Refusal::Busy)
}

/// A JSON body of at most `limit` bytes, and its size. `too_large` is the refusal beyond it.
async fn read_json(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    too_large: Refusal,
) -> Result<(Value, usize), Refusal> {
    if !is_json(headers) {
        return Err(Refusal::UnsupportedType);
    }
    let bytes: Bytes = axum::body::to_bytes(body, limit).await.map_err(|_| too_large)?;
    let value = serde_json::from_slice(&bytes).map_err(|e| Refusal::Malformed(e.to_string()))?;
    Ok((value, bytes.len()))
}

/// Reads the body as JSON within PagerDuty's size limit.
async fn json_body(headers: &HeaderMap, body: Body) -> Result<(Value, usize), Refusal> {
    read_json(headers, body, MAX_BODY_BYTES, Refusal::TooLarge).await
}

/// Reads an Alertmanager or Grafana batch within the batch limit.
async fn batch_body(headers: &HeaderMap, body: Body) -> Result<(Value, usize), Refusal> {
    read_json(headers, body, MAX_BATCH_BYTES, Refusal::TooLargeFor(MAX_BATCH_BYTES / 1024)).await
}

async fn grant(
    intake: &Intake,
    state: &AppState,
    key: &str,
    kind: IntegrationKind,
) -> Result<KeyGrant, Refusal> {
    // Keys are 32 letters and digits; anything else cannot exist, so it costs no lookup.
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Refusal::UnknownKey);
    }
    let grant = intake.keys.lookup(&state.ctx.pool, key).await.map_err(|e| {
        tracing::error!(error = %e, "integration key lookup failed");
        Refusal::NotStored
    })?;
    match grant {
        Some(g) if g.kind == kind => Ok(g),
        _ => Err(Refusal::UnknownKey),
    }
}

/// Stores the events of a request of `bytes`, within the key's event rate and byte budget.
async fn store(
    intake: &Intake,
    grant: &KeyGrant,
    events: &[NormalizedEvent],
    bytes: usize,
) -> Result<(), Refusal> {
    intake.budget.take(grant.id, bytes).map_err(Refusal::TooFast)?;
    intake.limiter.take(grant.id, events.len().max(1)).map_err(Refusal::TooFast)?;
    let mut batch = EventBatch::default();
    for e in events {
        batch.service_ids.push(grant.service_id);
        batch.key_ids.push(grant.id);
        batch.actions.push(e.action.as_str().to_owned());
        batch.dedup_keys.push(e.dedup_key.clone());
        batch.events.push(json!(e).to_string());
    }
    intake.ingestor.submit(batch).await.map_err(|_| Refusal::NotStored)
}

/// A dedup key for a trigger that came without one, as PagerDuty makes them: 32 hex digits.
fn generated_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `POST /v2/enqueue`: the PagerDuty Events API v2.
pub async fn enqueue(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let intake = &state.intake;
    let result = async {
        let _admitted = admit(intake, &headers, MAX_BODY_BYTES)?;
        let (value, bytes) = json_body(&headers, body).await?;
        let (routing_key, event) = match event::parse_events_v2(&value, generated_key) {
            Ok(parsed) => parsed,
            Err(errors) => {
                // The key is inside the event: when it is a real one, its service's owners see why.
                if let Some(k) = value.get("routing_key").and_then(Value::as_str)
                    && let Ok(g) = grant(intake, &state, k.trim(), IntegrationKind::EventsV2).await
                {
                    note_rejected(&state, &g, &errors, true).await;
                }
                return Err(Refusal::Invalid(errors));
            }
        };
        let grant = grant(intake, &state, routing_key.trim(), IntegrationKind::EventsV2).await?;
        store(intake, &grant, std::slice::from_ref(&event), bytes).await?;
        Ok::<_, Refusal>(event.dedup_key)
    }
    .await;
    match result {
        Ok(dedup_key) => (
            StatusCode::ACCEPTED,
            Json(json!({ "status": "success", "message": "Event processed", "dedup_key": dedup_key })),
        )
            .into_response(),
        Err(r) => refuse(Dialect::PagerDuty, r),
    }
}

/// `POST /integrations/alertmanager/{key}`: an Alertmanager (v4) or Grafana (v1) webhook batch.
/// The key first (a bad one costs no reading or parsing), then the body, then storage of every
/// valid alert; the invalid ones are named in the answer and on the service page.
pub async fn alertmanager(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let grant = match grant(&state.intake, &state, &key, IntegrationKind::Alertmanager).await {
        Ok(g) => g,
        Err(r) => return refuse(Dialect::Tocsin, r),
    };
    let result = async {
        let _admitted = admit(&state.intake, &headers, MAX_BATCH_BYTES)?;
        let (value, bytes) = batch_body(&headers, body).await?;
        let batch = event::parse_alertmanager(&value).map_err(Refusal::Invalid)?;
        store(&state.intake, &grant, &batch.events, bytes).await?;
        Ok::<_, Refusal>(batch)
    }
    .await;
    match result {
        Ok(batch) => {
            if !batch.rejected.is_empty() {
                tracing::warn!(key_prefix = &key[..4], rejected = ?batch.rejected, "alerts refused from a batch");
            }
            note_rejected(&state, &grant, &batch.rejected, false).await;
            let body =
                json!({ "status": "success", "alerts": batch.events.len(), "rejected": batch.rejected });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(r) => {
            if let Some(reasons) = r.reasons() {
                note_rejected(&state, &grant, &reasons, true).await;
            }
            refuse(Dialect::Tocsin, r)
        }
    }
}

/// `POST /integrations/generic/{key}`: Tocsin's own JSON event.
pub async fn generic(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let grant = match grant(&state.intake, &state, &key, IntegrationKind::Generic).await {
        Ok(g) => g,
        Err(r) => return refuse(Dialect::Tocsin, r),
    };
    let result = async {
        let _admitted = admit(&state.intake, &headers, MAX_BODY_BYTES)?;
        let (value, bytes) = json_body(&headers, body).await?;
        let event = event::parse_generic(&value, generated_key).map_err(Refusal::Invalid)?;
        store(&state.intake, &grant, std::slice::from_ref(&event), bytes).await?;
        Ok::<_, Refusal>(event.dedup_key)
    }
    .await;
    match result {
        Ok(dedup_key) => (StatusCode::ACCEPTED, Json(json!({ "status": "success", "dedup_key": dedup_key })))
            .into_response(),
        Err(r) => {
            if let Some(reasons) = r.reasons() {
                note_rejected(&state, &grant, &reasons, true).await;
            }
            refuse(Dialect::Tocsin, r)
        }
    }
}
