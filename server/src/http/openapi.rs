//! The OpenAPI 3.1 document of `/api/v1`: generated from each handler's `#[utoipa::path]` as the
//! router registers it (utoipa-axum's `routes!`), so a route cannot be served undocumented.
//! Served as JSON at `/api/openapi.json` and, for people, rendered as one plain HTML page at
//! `/api/docs` by Tocsin itself: no script, nothing fetched from elsewhere.

use std::sync::LazyLock;

use axum::{
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;
use serde_json::Value;
use utoipa::{
    IntoResponses, Modify, OpenApi, ToSchema,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tocsin API",
        description = "Incidents, alerts, schedules, escalation policies and paging. Authenticate with \
            `Authorization: Bearer <token>` (make a token at /settings/tokens). Every error is \
            `{\"error\": {\"code\", \"message\", \"field\"?}}`; a 2xx means the change is committed; a 503 \
            means nothing was stored: send it again.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody, ErrorDetail))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        openapi.security =
            Some(vec![utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

/// What every refusal looks like.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: unauthenticated, forbidden, not_found, invalid, conflict, unfair,
    /// unfair_needs_confirmation, rate_limited.
    pub code: String,
    /// What was wrong, for a person.
    pub message: String,
    /// The input field at fault (`invalid` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The fairness rules a schedule or override breaks (`unfair*` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Value>>,
}

/// The refusals any operation may answer; each says what to do about it.
#[derive(IntoResponses)]
#[allow(dead_code, reason = "a description of responses, never built")]
pub enum Refusals {
    /// No token or session, or one that expired or was revoked.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller's role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// What the path names does not exist.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The change conflicts with the current state (the message says how), or fairness rules
    /// need confirming.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The input is invalid: `field` names it and `message` says why. Nothing was written.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many attempts: wait `Retry-After` seconds.
    #[response(status = 429)]
    RateLimited(ErrorBody),
}

/// The whole document: `/api/v1` as its router is built.
pub fn document(v1: OpenApiRouter<AppState>) -> utoipa::openapi::OpenApi {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1).into_openapi()
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    document(crate::http::api::routes()).to_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document does not serialise");
        "{}".to_owned()
    })
});

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}

static DOCS_PAGE: LazyLock<String> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(&DOCUMENT).unwrap_or(Value::Null);
    render_docs(&doc)
});

/// `GET /api/docs`: the document as one page a person reads.
pub async fn docs() -> Response {
    let mut res = Html(DOCS_PAGE.as_str()).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
    );
    res
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A schema in one line, the way a reader scans it: `IncidentView`, `[string]`, `string | null`.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{name}\">{name}</a>");
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            return items.iter().map(type_of).collect::<Vec<_>>().join(" | ");
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "any".to_owned(),
    };
    if ty.starts_with("array") {
        let item = schema.get("items").map(type_of).unwrap_or_else(|| "any".into());
        return ty.replacen("array", &format!("[{item}]"), 1);
    }
    let mut out = esc(&ty);
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        out.push_str(&format!(" ({})", esc(f)));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(|v| esc(&v.to_string())).collect();
        out.push_str(&format!(": {}", names.join(", ")));
    }
    out
}

fn properties_table(schema: &Value) -> String {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return format!("<p><code>{}</code></p>", type_of(schema));
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = String::from("<table><tr><th>field</th><th>type</th><th>about</th></tr>");
    for (name, prop) in props {
        let req = if required.contains(&name.as_str()) { " <em>required</em>" } else { "" };
        let about = prop.get("description").and_then(Value::as_str).unwrap_or("");
        out.push_str(&format!(
            "<tr><td><code>{}</code>{req}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(name),
            type_of(prop),
            esc(about)
        ));
    }
    out.push_str("</table>");
    out
}

fn render_docs(doc: &Value) -> String {
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API");
    let about = doc.pointer("/info/description").and_then(Value::as_str).unwrap_or("");
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p>The machine-readable document: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}).</p>",
        esc(title),
        esc(about),
        esc(doc.get("openapi").and_then(Value::as_str).unwrap_or("3.1"))
    );
    body.push_str("<h2>Operations</h2>");
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
            let description = op.get("description").and_then(Value::as_str).unwrap_or("");
            body.push_str(&format!(
                "<section><h3><span class=\"m\">{}</span> <code>{}</code></h3><p>{}</p>",
                esc(&method.to_uppercase()),
                esc(path),
                esc(summary)
            ));
            if !description.is_empty() {
                body.push_str(&format!("<p>{}</p>", esc(description)));
            }
            let params: Vec<&Value> =
                op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
            if !params.is_empty() {
                body.push_str("<table><tr><th>parameter</th><th>in</th><th>type</th><th>about</th></tr>");
                for p in params {
                    body.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                        esc(p.get("name").and_then(Value::as_str).unwrap_or("")),
                        if p.get("required").and_then(Value::as_bool) == Some(true) {
                            " <em>required</em>"
                        } else {
                            ""
                        },
                        esc(p.get("in").and_then(Value::as_str).unwrap_or("")),
                        p.get("schema").map(type_of).unwrap_or_default(),
                        esc(p.get("description").and_then(Value::as_str).unwrap_or(""))
                    ));
                }
                body.push_str("</table>");
            }
            if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
                body.push_str(&format!("<p>Body: <code>{}</code></p>", type_of(schema)));
            }
            body.push_str("<ul>");
            for (status, res) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                let schema = res
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"))
                    .map(|s| format!(" <code>{}</code>", type_of(s)))
                    .unwrap_or_default();
                body.push_str(&format!(
                    "<li><strong>{}</strong>{schema} {}</li>",
                    esc(status),
                    esc(res.get("description").and_then(Value::as_str).unwrap_or(""))
                ));
            }
            body.push_str("</ul></section>");
        }
    }
    body.push_str("<h2>Schemas</h2>");
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten()
    {
        body.push_str(&format!("<section id=\"schema-{0}\"><h3>{0}</h3>", esc(name)));
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            body.push_str(&format!("<p>{}</p>", esc(d)));
        }
        body.push_str(&properties_table(schema));
        body.push_str("</section>");
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{} reference</title><link rel=\"icon\" href=\"data:,\">\
         <style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}}\
         section{{border-top:1px solid #d0d7de;padding:.5rem 0}}table{{border-collapse:collapse;width:100%}}\
         td,th{{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}}\
         .m{{font:700 13px monospace;background:#0a3069;color:#fff;padding:.1rem .4rem;border-radius:3px}}\
         code{{font-size:13px}}a{{color:#0550ae}}</style></head><body><main>{body}</main></body></html>",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_escapes_what_the_document_says() {
        let doc = serde_json::json!({
            "info": {"title": "T", "description": "<script>x</script>"},
            "paths": {"/a/{id}": {"get": {"summary": "<b>", "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"S": {"type": "object", "properties": {"x": {"type": ["string", "null"]}}}}}
        });
        let html = render_docs(&doc);
        assert!(!html.contains("<script>x") && !html.contains("<b>"), "{html}");
        assert!(html.contains("<code>/a/{id}</code>") && html.contains("string | null"), "{html}");
    }
}
