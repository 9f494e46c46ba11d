//! The weekly retro through the HTTP API: a team's week of pages (from the analytics tests' day
//! of incidents), marked by the team, with notes, actions, a mood check kept private and the
//! meeting recorded; every count checked against the rows.

use chrono::{TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::analytics::{World, a_day, world};

const W48: &str = "/api/v1/retros/core/2026-W48";

async fn week_after(w: &World) {
    // The retro meets the Monday after, in the team's zone (London).
    let (s, _) = w
        .app
        .api(
            Method::PUT,
            &w.admin,
            "/api/v1/teams/core/hours",
            Some(json!({ "time_zone": "Europe/London", "working_hours": {
                "days": [0, 1, 2, 3, 4], "start_minute": 480, "end_minute": 1080,
                "sleep_start_minute": 1320, "sleep_end_minute": 480 } })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    w.clock.set(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
}

async fn retro(w: &World, token: &str) -> Value {
    let (s, r) = w.app.api(Method::GET, token, W48, None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

#[tokio::test]
async fn the_week_lists_every_page_and_the_team_marks_them() {
    let w = world().await;
    a_day(&w).await;
    week_after(&w).await;
    let r = retro(&w, &w.viewer).await;
    let pages: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pages WHERE paged_at >= '2026-11-23T00:00:00Z' AND paged_at < '2026-11-30T00:00:00Z'",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    let listed = r["pages"].as_array().unwrap();
    assert_eq!(listed.len() as i64, pages);
    assert_eq!(r["figures"]["pages"], pages);
    // Bo's two pages reached him in his sleep (Sydney); everyone else's in working hours.
    let sleep: Vec<&str> =
        listed.iter().filter(|p| p["class"] == "sleep").map(|p| p["person"].as_str().unwrap()).collect();
    assert_eq!(sleep, ["Bo", "Bo"]);
    assert_eq!(r["figures"]["sleep_pages"], 2);
    assert_eq!(listed[0]["local"], "Mon 10:00");
    assert_eq!(listed[0]["to_acknowledge"], 120);
    assert_eq!(r["time_zone"], "Europe/London");
    // Four weeks before, then this one; MTTA of the week from its incidents.
    let trends = r["trends"].as_array().unwrap();
    assert_eq!(
        trends.iter().map(|t| t["week"].as_str().unwrap()).collect::<Vec<_>>(),
        ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    );
    assert_eq!(trends[4]["mtta_p50"], 270.0);
    assert_eq!(trends[0]["pages"], 0);
    // Bo was woken: flagged, with his next Sydney morning offered.
    let bo = r["load"].as_array().unwrap().iter().find(|l| l["name"] == "Bo").unwrap().clone();
    assert_eq!(bo["woken"], true);
    assert_eq!(bo["next_morning"][0], "2026-11-30T13:00:00Z");
    let agenda: Vec<&str> =
        r["agenda"].as_array().unwrap().iter().map(|a| a["text"].as_str().unwrap()).collect();
    assert!(agenda.iter().any(|a| a.starts_with("Bo was woken 2 times")), "{agenda:?}");
    assert!(agenda.iter().any(|a| a.ends_with("Payments down (SEV3, escalated)")), "{agenda:?}");

    // Marking: a responder documents the first page with its runbook.
    let first = listed[0]["id"].as_i64().unwrap();
    let ada = w.token(&w.ada).await;
    let path = format!("{W48}/pages/{first}");
    let (s, _) = w.app.api(Method::PATCH, &w.viewer, &path, Some(json!({ "documented": true }))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = w.app.api(Method::PATCH, &ada, &path, Some(json!({ "automated": "someday" }))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("automated")));
    let marks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM retro_page_marks").fetch_one(&w.app.pool).await.unwrap();
    assert_eq!(marks, 0, "a refused mark writes nothing");
    let (s, p) = w
        .app
        .api(
            Method::PATCH,
            &ada,
            &path,
            Some(json!({ "runbook_url": "https://wiki.example.com/runbooks/checkout", "automated": "needs_automation", "note": "retry storm" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!((p["documented"].as_bool(), p["automation"].as_str()), (Some(true), Some("needs_automation")));
    // The same page is not one of another week's.
    let (s, _) = w
        .app
        .api(
            Method::PATCH,
            &ada,
            &format!("/api/v1/retros/core/2026-W47/pages/{first}"),
            Some(json!({ "documented": true })),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = retro(&w, &w.viewer).await;
    let documented = 1.0 / pages as f64;
    assert!((r["figures"]["documented_share"].as_f64().unwrap() - documented).abs() < 1e-9);
    assert_eq!(r["pages"][0]["note"], "retry storm");
    assert_eq!(w.app.audit_actions(&first.to_string()).await, ["retro.mark_page"]);
}

#[tokio::test]
async fn notes_actions_a_private_mood_and_the_meeting() {
    let w = world().await;
    a_day(&w).await;
    week_after(&w).await;
    let (ada, bo) = (w.token(&w.ada).await, w.token(&w.bo).await);
    let (s, n) = w
        .app
        .api(
            Method::POST,
            &ada,
            &format!("{W48}/notes"),
            Some(json!({ "body": "Checkout retries need a budget" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (s, e) = w.app.api(Method::POST, &ada, &format!("{W48}/notes"), Some(json!({ "body": "  " }))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
    let (s, a) = w
        .app
        .api(
            Method::POST,
            &ada,
            &format!("{W48}/actions"),
            Some(
                json!({ "title": "Write the checkout runbook", "owner_id": w.bo.id, "due_on": "2026-12-04" }),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    // Moods: members only, shown as an aggregate with the caller's own answer.
    for (token, mood) in [(&ada, 4), (&bo, 2)] {
        let (s, b) =
            w.app.api(Method::PUT, token, &format!("{W48}/mood"), Some(json!({ "mood": mood }))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }
    let (s, _) = w.app.api(Method::PUT, &w.admin, &format!("{W48}/mood"), Some(json!({ "mood": 5 }))).await;
    assert_eq!(s, StatusCode::CONFLICT, "the admin is not in the team");
    let (s, e) = w.app.api(Method::PUT, &ada, &format!("{W48}/mood"), Some(json!({ "mood": 9 }))).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("mood")));
    let r = retro(&w, &bo).await;
    assert_eq!(r["mood"], json!({ "answers": 2, "average": 3.0, "counts": [0, 1, 0, 1, 0], "mine": 2 }));
    let audited: Vec<Value> = sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'retro.mood'")
        .fetch_all(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
    assert!(
        audited.iter().all(|a| a.get("mood").is_none()),
        "nobody's answer is in the audit log: {audited:?}"
    );
    assert_eq!(r["notes"][0]["body"], "Checkout retries need a budget");
    let action = &r["retro_actions"][0];
    assert_eq!(
        (action["title"].as_str(), action["owner"].as_str(), action["done"].as_bool()),
        (Some("Write the checkout runbook"), Some("Bo"), Some(false))
    );
    // Done next week; an open one from an earlier week would still show.
    let (s, _) = w
        .app
        .api(
            Method::PATCH,
            &bo,
            &format!("/api/v1/retros/core/actions/{}", a["id"].as_str().unwrap()),
            Some(json!({ "done": true })),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Held, with who came.
    let (s, h) = w
        .app
        .api(Method::POST, &ada, &format!("{W48}/held"), Some(json!({ "attendees": [w.ada.id, w.bo.id] })))
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert_eq!(h["attendees"], json!(["Ada", "Bo"]));
    let r = retro(&w, &w.viewer).await;
    assert_eq!(r["held"]["by"], "Ada");
    assert_eq!(r["retro_actions"][0]["done"], true);
    // A week that has not started yet takes no notes; an unknown team is a 404.
    let (s, e) = w
        .app
        .api(Method::POST, &ada, "/api/v1/retros/core/2027-W10/notes", Some(json!({ "body": "early" })))
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("iso_week")));
    let (s, _) = w.app.api(Method::GET, &w.viewer, "/api/v1/retros/nobody/2026-W48", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = w.app.api(Method::GET, &w.viewer, "/api/v1/retros/core/2026-48", None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("iso_week")));
}
