//! Postmortems through the HTTP API against a real database: created on resolution by the
//! severity policy and prefilled from the incident, saved against a version (409 with the current
//! text on a stale one), reviewed and approved, corrective actions and their escalation, recurrence,
//! notices through people's contact methods; refused input writing nothing.

use backend::engine::ManualClock;
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, spawn_app_at};

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

struct World {
    app: TestApp,
    clock: ManualClock,
    ada: String,
    ada_id: String,
    bo: String,
    bo_id: String,
    viewer: String,
}

async fn world() -> World {
    let clock = ManualClock::new(monday());
    let app = spawn_app_at(clock.clone()).await;
    let admin = app.token_for(&app.user("root@example.com", Role::Admin).await).await;
    let ada_user = app.user("ada@example.com", Role::Responder).await;
    let bo_user = app.user("bo@example.com", Role::Responder).await;
    let viewer = app.token_for(&app.user("vic@example.com", Role::Viewer).await).await;
    let (ada, bo) = (app.token_for(&ada_user).await, app.token_for(&bo_user).await);
    let ok = |(s, b): (StatusCode, Value)| assert!(s.is_success(), "{b}");
    ok(app
        .api(Method::POST, &admin, "/api/v1/teams", Some(json!({ "name": "Payments", "slug": "payments" })))
        .await);
    ok(app
        .api(
            Method::POST,
            &admin,
            "/api/v1/services",
            Some(json!({ "name": "Checkout", "slug": "checkout", "team": "payments" })),
        )
        .await);
    World { app, clock, ada, ada_id: ada_user.id.to_string(), bo, bo_id: bo_user.id.to_string(), viewer }
}

impl World {
    async fn declare(&self, title: &str, severity: &str) -> String {
        let (s, b) = self
            .app
            .api(
                Method::POST,
                &self.ada,
                "/api/v1/incidents",
                Some(json!({ "title": title, "severity": severity, "services": ["checkout"] })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["number"].as_str().unwrap().to_owned()
    }

    async fn pin(&self, number: &str, body: &str, pin: &str) -> i64 {
        let (s, note) = self
            .app
            .api(
                Method::POST,
                &self.ada,
                &format!("/api/v1/incidents/{number}/timeline"),
                Some(json!({ "body": body })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{note}");
        let id = note["id"].as_i64().unwrap();
        let (s, _) = self
            .app
            .api(
                Method::PUT,
                &self.ada,
                &format!("/api/v1/incidents/{number}/timeline/{id}/pin"),
                Some(json!({ "pin": pin })),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        id
    }

    async fn resolve(&self, number: &str) {
        for to in ["acknowledged", "resolved"] {
            let (s, b) = self
                .app
                .api(
                    Method::POST,
                    &self.ada,
                    &format!("/api/v1/incidents/{number}/transitions"),
                    Some(json!({ "to": to })),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
    }

    async fn postmortem(&self, number: &str) -> (StatusCode, Value) {
        self.app.api(Method::GET, &self.viewer, &format!("/api/v1/incidents/{number}/postmortem"), None).await
    }
}

#[tokio::test]
async fn resolving_a_covered_severity_opens_a_prefilled_postmortem_and_others_do_not() {
    let w = world().await;
    let sev4 = w.declare("Slow admin page", "SEV4").await;
    w.resolve(&sev4).await;
    assert_eq!(w.postmortem(&sev4).await.0, StatusCode::NOT_FOUND, "SEV4 is outside the default policy");

    let n = w.declare("Checkout failing: connection pool exhausted", "SEV2").await;
    let papertrail = w.pin(&n, "Pool at 100/100 connections on every node", "papertrail").await;
    let follow_up = w.pin(&n, "Add an alert on pool saturation", "follow_up").await;
    w.clock.set(monday() + Duration::hours(2));
    w.resolve(&n).await;
    let (s, p) = w.postmortem(&n).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["status"].as_str(), p["version"].as_i64(), p["severity"].as_str()),
        (Some("draft"), Some(1), Some("SEV2"))
    );
    // Owner: whoever resolved it (no commander); due five business days later, in their zone (UTC).
    assert_eq!(p["owner"]["id"], json!(w.ada_id));
    assert_eq!(p["due_at"], "2026-12-01T00:00:00Z", "Mon 23 Nov + 5 business days = Mon 30 Nov, end of day");
    for field in [
        "id",
        "incident",
        "status",
        "owner",
        "due_at",
        "version",
        "sections",
        "timeline",
        "actions",
        "reviews",
        "hints",
        "recurrence_candidates",
    ] {
        assert!(p.get(field).is_some(), "{field} in {p}");
    }
    assert!(
        p["sections"]["customer_impact"].as_str().unwrap().starts_with("Impact window: not declared"),
        "{p}"
    );
    let lines: Vec<(&str, Option<i64>)> = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["text"].as_str().unwrap(), e["source"].as_i64()))
        .collect();
    assert!(
        lines.iter().any(|(t, s)| t.starts_with("Papertrail: Pool at 100/100") && *s == Some(papertrail)),
        "{lines:?}"
    );
    assert!(lines.iter().any(|(t, _)| t.starts_with("Status: triggered -> acknowledged")), "{lines:?}");
    assert!(
        !lines.iter().any(|(t, _)| t.contains("pool saturation")),
        "follow-ups become actions, not lines"
    );
    // The follow-up is offered as an action; a papertrail pin made later as a timeline line.
    let suggested: Vec<(i64, &str)> = p["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["event"].as_i64().unwrap(), s["pin"].as_str().unwrap()))
        .collect();
    assert_eq!(suggested, vec![(follow_up, "follow_up")]);
    let (_, timeline) =
        w.app.api(Method::GET, &w.viewer, &format!("/api/v1/incidents/{n}/timeline"), None).await;
    assert!(
        timeline.as_array().unwrap().iter().any(
            |e| e["kind"] == "postmortem" && e["body"].as_str().unwrap().starts_with("Postmortem opened")
        ),
        "{timeline}"
    );
    let id = p["id"].as_str().unwrap();
    assert_eq!(w.app.audit_actions(id).await, vec!["postmortem.create"]);
    // By hand a second time: 409.
    let (s, _) = w.app.api(Method::POST, &w.ada, &format!("/api/v1/incidents/{n}/postmortem"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // By hand for the SEV4: allowed.
    let (s, b) = w.app.api(Method::POST, &w.ada, &format!("/api/v1/incidents/{sev4}/postmortem"), None).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

#[tokio::test]
async fn a_stale_save_is_refused_with_the_current_text_and_hints_point_at_blame() {
    let w = world().await;
    let n = w.declare("Checkout errors", "SEV1").await;
    w.resolve(&n).await;
    let (_, p) = w.postmortem(&n).await;
    let path = format!("/api/v1/postmortems/{}", p["id"].as_str().unwrap());

    let (s, saved) = w
        .app
        .api(
            Method::PATCH,
            &w.ada,
            &path,
            Some(json!({ "version": 1, "sections": { "summary": "Ada failed to check the pool size. Human error." } })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 2);
    let hints: Vec<&str> =
        saved["hints"]["summary"].as_array().unwrap().iter().map(|h| h["found"].as_str().unwrap()).collect();
    assert_eq!(hints, ["failed to", "Human error"], "a responder's name as the subject of blame");

    // Bo saves on version 1 meanwhile: refused, with Ada's text to compare.
    let (s, stale) = w
        .app
        .api(Method::PATCH, &w.bo, &path, Some(json!({ "version": 1, "sections": { "summary": "Mine." } })))
        .await;
    assert_eq!((s, stale["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("stale")), "{stale}");
    assert_eq!(stale["error"]["current"]["sections"]["summary"], saved["sections"]["summary"]);
    assert_eq!(stale["error"]["current"]["version"], 2);

    // Refused input writes nothing.
    for (body, field) in [
        (json!({ "version": 2, "sections": { "trigger": "x" } }), "sections"),
        (json!({ "version": 2, "owner_id": uuid::Uuid::nil().to_string() }), "owner_id"),
        (json!({ "version": 2, "review_meeting_at": "next week" }), "review_meeting_at"),
    ] {
        let (s, e) = w.app.api(Method::PATCH, &w.ada, &path, Some(body)).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{e}");
    }
    let (s, _) = w.app.api(Method::PATCH, &w.viewer, &path, Some(json!({ "version": 2 }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, now) = w.app.api(Method::GET, &w.viewer, &path, None).await;
    assert_eq!(now["version"], 2);
}

#[tokio::test]
async fn review_needs_a_reviewer_changes_go_back_and_approval_locks_the_text() {
    let w = world().await;
    let n = w.declare("Checkout errors", "SEV2").await;
    w.resolve(&n).await;
    let (_, p) = w.postmortem(&n).await;
    let path = format!("/api/v1/postmortems/{}", p["id"].as_str().unwrap());
    let post = |to: &str, body: Value| {
        let (app, token, url) = (
            &w.app,
            if to == "ada" { w.ada.clone() } else { w.bo.clone() },
            format!("{path}/{}", body["_"].as_str().unwrap()),
        );
        let mut body = body;
        body.as_object_mut().unwrap().remove("_");
        async move { app.api(Method::POST, &token, &url, Some(body)).await }
    };

    let (s, e) = post("ada", json!({ "_": "transitions", "to": "in_review" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "no reviewer: {e}");
    let (s, e) = post("ada", json!({ "_": "transitions", "to": "approved" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, r) = post("ada", json!({ "_": "transitions", "to": "in_review", "reviewers": [w.bo_id] })).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("in_review")), "{r}");
    // Only a reviewer reviews; asking for changes needs a comment.
    let (s, _) = post("ada", json!({ "_": "reviews", "verdict": "approve" })).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = post("bo", json!({ "_": "reviews", "verdict": "request_changes" })).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")));
    let (s, r) = post(
        "bo",
        json!({ "_": "reviews", "verdict": "request_changes", "comment": "Add the detection gap." }),
    )
    .await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("changes_requested")), "{r}");
    let (s, r) =
        post("ada", json!({ "_": "comments", "body": "Added, see detection.", "section": "summary" })).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = post("ada", json!({ "_": "transitions", "to": "in_review" })).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("in_review")), "{r}");
    let (s, r) = post("bo", json!({ "_": "reviews", "verdict": "approve", "comment": "Good." })).await;
    assert_eq!(
        (s, r["status"].as_str(), r["approved_revision"].as_i64()),
        (StatusCode::OK, Some("approved"), Some(1)),
        "{r}"
    );

    // An edit of approved text starts revision 2, in draft; the approved text stays readable.
    let version = r["version"].as_i64().unwrap();
    let (s, r) = w
        .app
        .api(
            Method::PATCH,
            &w.ada,
            &path,
            Some(json!({ "version": version, "sections": { "summary": "Revised." } })),
        )
        .await;
    assert_eq!(
        (s, r["status"].as_str(), r["revision"].as_i64()),
        (StatusCode::OK, Some("draft"), Some(2)),
        "{r}"
    );
    assert_ne!(r["approved_sections"]["summary"], json!("Revised."));
    let (s, _) = post("ada", json!({ "_": "transitions", "to": "published" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "a draft is not published");
    post("ada", json!({ "_": "transitions", "to": "in_review" })).await;
    let (_, r) = post("bo", json!({ "_": "reviews", "verdict": "approve" })).await;
    assert_eq!((r["status"].as_str(), r["approved_revision"].as_i64()), (Some("approved"), Some(2)));
    let (s, r) = post("ada", json!({ "_": "transitions", "to": "published" })).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("published")), "{r}");
    assert!(r["published_at"].is_string());

    let id = p["id"].as_str().unwrap();
    let actions = w.app.audit_actions(id).await;
    assert_eq!(actions.iter().filter(|a| *a == "postmortem.review").count(), 3, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "postmortem.transition").count(), 4, "{actions:?}");
    // The queue finds it on the right tabs.
    let (_, mine) = w.app.api(Method::GET, &w.bo, "/api/v1/postmortems?reviewer=me", None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, published) =
        w.app.api(Method::GET, &w.viewer, "/api/v1/postmortems?status=published", None).await;
    assert_eq!(published[0]["incident"], json!(n.trim_start_matches("INC-").parse::<i64>().unwrap()));
    let (s, e) = w.app.api(Method::GET, &w.viewer, "/api/v1/postmortems?status=lost", None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
}

#[tokio::test]
async fn actions_come_from_follow_ups_are_overdue_after_their_window_and_are_escalated_once() {
    let w = world().await;
    let n = w.declare("Checkout errors", "SEV2").await;
    let follow_up = w.pin(&n, "Add an alert on pool saturation", "follow_up").await;
    w.resolve(&n).await;
    let (_, p) = w.postmortem(&n).await;
    let path = format!("/api/v1/postmortems/{}/actions", p["id"].as_str().unwrap());
    let (s, a) = w
        .app
        .api(
            Method::POST,
            &w.ada,
            &path,
            Some(json!({ "title": "Alert on pool saturation", "owner_id": w.bo_id, "priority": "high",
                         "tracker_url": "https://tracker.example.com/OPS-7", "from_event": follow_up })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(
        (a["due_on"].as_str(), a["status"].as_str()),
        (Some("2026-12-21"), Some("open")),
        "high: four weeks"
    );
    let (_, p2) = w.postmortem(&n).await;
    assert_eq!(p2["suggestions"], json!([]), "the follow-up is an action now");
    for (body, field) in [
        (json!({ "title": "" }), "title"),
        (json!({ "title": "x", "priority": "urgent" }), "priority"),
        (json!({ "title": "x", "tracker_url": "ftp://x" }), "tracker_url"),
        (json!({ "title": "x", "owner_id": uuid::Uuid::nil().to_string() }), "owner_id"),
    ] {
        let (s, e) = w.app.api(Method::POST, &w.ada, &path, Some(body)).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{e}");
    }
    let action = format!("/api/v1/postmortem-actions/{}", a["id"].as_str().unwrap());
    let (s, e) = w.app.api(Method::PATCH, &w.bo, &action, Some(json!({ "status": "wont_do" }))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));

    // Past its day it is overdue everywhere, and escalated once.
    w.clock.set(Utc.with_ymd_and_hms(2026, 12, 22, 9, 0, 0).unwrap());
    let (_, overdue) =
        w.app.api(Method::GET, &w.viewer, "/api/v1/postmortem-actions?overdue=true", None).await;
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    assert_eq!(overdue[0]["overdue"], true);
    let (_, bos) = w.app.api(Method::GET, &w.bo, "/api/v1/postmortem-actions?owner=me", None).await;
    assert_eq!(bos[0]["id"], a["id"]);
    w.app.tick().await;
    w.app.tick().await;
    let id = a["id"].as_str().unwrap();
    assert_eq!(w.app.audit_actions(id).await, vec!["postmortem_action.create", "postmortem_action.escalate"]);
    // The postmortem itself (due 1 Dec) is overdue too: its owner is told once.
    let overdue_notices = w
        .app
        .audit_actions(p["id"].as_str().unwrap())
        .await
        .into_iter()
        .filter(|a| a == "postmortem.overdue")
        .count();
    assert_eq!(overdue_notices, 1);
    let (s, done) = w.app.api(Method::PATCH, &w.bo, &action, Some(json!({ "status": "done" }))).await;
    assert_eq!((s, done["overdue"].as_bool()), (StatusCode::OK, Some(false)), "{done}");
}

#[tokio::test]
async fn an_earlier_incident_with_the_same_root_cause_is_offered_and_confirmed_on_both() {
    let w = world().await;
    let tag = |n: String| {
        let app = &w.app;
        let token = w.ada.clone();
        async move {
            let (s, b) = app
                .api(
                    Method::PATCH,
                    &token,
                    &format!("/api/v1/incidents/{n}"),
                    Some(json!({ "root_cause_tags": ["pool-exhaustion"] })),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
    };
    let earlier = w.declare("Database connections exhausted", "SEV2").await;
    tag(earlier.clone()).await;
    w.resolve(&earlier).await;
    let (_, ep) = w.postmortem(&earlier).await;
    let (s, _) = w
        .app
        .api(
            Method::POST,
            &w.ada,
            &format!("/api/v1/postmortems/{}/actions", ep["id"].as_str().unwrap()),
            Some(json!({ "title": "Add a rate limiter" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    w.clock.set(monday() + Duration::days(3));
    let n = w.declare("Checkout failing", "SEV2").await;
    tag(n.clone()).await;
    w.resolve(&n).await;
    let (_, p) = w.postmortem(&n).await;
    let c = &p["recurrence_candidates"][0];
    assert_eq!(c["incident"], json!(earlier.trim_start_matches("INC-").parse::<i64>().unwrap()), "{p}");
    assert_eq!(c["shared_root_causes"], json!(["pool-exhaustion"]));
    assert_eq!(c["actions"], json!([{ "title": "Add a rate limiter", "status": "open" }]));
    assert_eq!(c["confirmed"], Value::Null);
    let (s, r) = w
        .app
        .api(
            Method::POST,
            &w.ada,
            &format!("/api/v1/postmortems/{}/recurrences", p["id"].as_str().unwrap()),
            Some(json!({ "incident": earlier, "confirmed": true })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["recurrence_candidates"][0]["confirmed"], true);
    for number in [&n, &earlier] {
        let (_, t) =
            w.app.api(Method::GET, &w.viewer, &format!("/api/v1/incidents/{number}/timeline"), None).await;
        assert!(
            t.as_array()
                .unwrap()
                .iter()
                .any(|e| e["body"].as_str().unwrap().starts_with("Recurrence confirmed")),
            "{number}: {t}"
        );
    }
}

#[tokio::test]
async fn the_policy_and_templates_decide_which_incidents_get_one_and_its_sections() {
    let w = world().await;
    let admin = w.app.token_for(&w.app.user("boss@example.com", Role::Admin).await).await;
    let policy = json!({ "severities": ["SEV1"], "business_days": 3, "required_approvals": 2, "high_days": 14, "other_days": 30 });
    let (s, _) = w.app.api(Method::PUT, &w.ada, "/api/v1/postmortem-policy", Some(policy.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = w
        .app
        .api(Method::PUT, &admin, "/api/v1/postmortem-policy", Some(json!({ "severities": ["SEV7"], "business_days": 3, "required_approvals": 1, "high_days": 14, "other_days": 30 })))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("severity")),
        "{e}"
    );
    let (s, p) = w.app.api(Method::PUT, &admin, "/api/v1/postmortem-policy", Some(policy)).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (_, read) = w.app.api(Method::GET, &w.viewer, "/api/v1/postmortem-policy", None).await;
    assert_eq!(read, p);

    let sections = json!([
        { "key": "summary", "title": "What happened", "prompt": "In two sentences." },
        { "key": "root_cause", "title": "Why", "prompt": "" },
    ]);
    let (s, t) = w
        .app
        .api(
            Method::POST,
            &admin,
            "/api/v1/postmortem-templates",
            Some(json!({ "name": "Major", "severities": ["SEV1"], "sections": sections })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, e) = w
        .app
        .api(
            Method::POST,
            &admin,
            "/api/v1/postmortem-templates",
            Some(json!({ "name": "Also major", "severities": ["SEV1"], "sections": sections })),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one template per severity: {e}");

    let sev2 = w.declare("Slow search", "SEV2").await;
    w.resolve(&sev2).await;
    assert_eq!(w.postmortem(&sev2).await.0, StatusCode::NOT_FOUND, "SEV2 left the policy");
    let sev1 = w.declare("Checkout down", "SEV1").await;
    w.resolve(&sev1).await;
    let (_, pm) = w.postmortem(&sev1).await;
    let titles: Vec<&str> =
        pm["template"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["What happened", "Why"]);
    assert_eq!(pm["due_at"], "2026-11-27T00:00:00Z", "three business days from Monday");
    assert_eq!(pm["required_approvals"], 2);
    let id = t["id"].as_str().unwrap();
    assert_eq!(w.app.audit_actions(id).await, vec!["postmortem_template.save"]);
}

#[tokio::test]
async fn reviewers_hear_by_email_and_publication_tells_customers_the_summary() {
    let (mail, smtp) = crate::paging::smtp_sink().await;
    let clock = ManualClock::new(monday());
    let app = crate::common::spawn_app_with(clock.clone(), |c| c.smtp_url = Some(smtp)).await;
    let admin = app.token_for(&app.user("root@example.com", Role::Admin).await).await;
    let ada_user = app.user("ada@example.com", Role::Responder).await;
    let bo_user = app.user("bo@example.com", Role::Responder).await;
    let (ada, bo) = (app.token_for(&ada_user).await, app.token_for(&bo_user).await);
    let (s, b) = app
        .api(
            Method::POST,
            &bo,
            "/api/v1/me/contact-methods",
            Some(json!({ "kind": "email", "label": "work", "address": "bo@example.com" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .api(Method::POST, &admin, "/api/v1/status-page/components", Some(json!({ "name": "Checkout" })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let component = b["id"].as_str().unwrap().to_owned();
    let (_, inc) = app
        .api(
            Method::POST,
            &ada,
            "/api/v1/incidents",
            Some(json!({ "title": "Checkout down", "severity": "SEV1" })),
        )
        .await;
    let n = inc["number"].as_str().unwrap().to_owned();
    let (s, public) = app
        .api(
            Method::POST,
            &ada,
            "/api/v1/status-page/incidents",
            Some(json!({ "name": "Checkout unavailable", "body": "Investigating.", "components": { component.clone(): "major_outage" }, "incident": n })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{public}");
    for to in ["acknowledged", "resolved"] {
        let (s, _) = app
            .api(Method::POST, &ada, &format!("/api/v1/incidents/{n}/transitions"), Some(json!({ "to": to })))
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let (_, p) = app.api(Method::GET, &ada, &format!("/api/v1/incidents/{n}/postmortem"), None).await;
    let path = format!("/api/v1/postmortems/{}", p["id"].as_str().unwrap());
    let (s, p) = app
        .api(
            Method::PATCH,
            &ada,
            &path,
            Some(json!({ "version": p["version"], "customer_summary": "A database failover stalled checkout for 40 minutes. We now test failover weekly." })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    mail.lock().unwrap().clear();
    let (s, _) = app
        .api(
            Method::POST,
            &ada,
            &format!("{path}/transitions"),
            Some(json!({ "to": "in_review", "reviewers": [bo_user.id] })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    app.tick().await;
    let sent = std::mem::take(&mut *mail.lock().unwrap());
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].contains("To: bo@example.com") && sent[0].contains("Your review is requested"),
        "{}",
        sent[0]
    );

    let (_, r) =
        app.api(Method::POST, &bo, &format!("{path}/reviews"), Some(json!({ "verdict": "approve" }))).await;
    assert_eq!(r["status"], "approved", "{r}");
    let (s, r) =
        app.api(Method::POST, &ada, &format!("{path}/transitions"), Some(json!({ "to": "published" }))).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("published")), "{r}");
    let (_, incidents) = app.api(Method::GET, &ada, "/api/v1/status-page/incidents", None).await;
    let shown = incidents.as_array().unwrap().iter().find(|i| i["public_id"] == public["public_id"]).unwrap();
    assert_eq!(shown["status"], "postmortem", "{shown}");
    let last = shown["updates"].as_array().unwrap().last().unwrap();
    assert_eq!(
        last["body"],
        "A database failover stalled checkout for 40 minutes. We now test failover weekly."
    );
}
