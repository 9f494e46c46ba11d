//! Response analytics through the HTTP API against a real database: a day of incidents, pages
//! and acknowledgements driven through the API with a clock the test moves, and every figure
//! checked against numbers worked out by hand and recomputed in SQL from the raw rows
//! (incidents, notifications), not from the facts the server keeps.

use backend::engine::ManualClock;
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::{Role, UserView};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    common::{TestApp, spawn_app_at},
    receiver::Receiver,
};

/// Monday 23 November 2026, 10:00 UTC: 10:00 in London, 21:00 in Sydney.
pub(crate) fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) clock: ManualClock,
    pub(crate) admin: String,
    pub(crate) viewer: String,
    pub(crate) ada: UserView,
    pub(crate) bo: UserView,
    receiver: Receiver,
}

pub(crate) async fn world() -> World {
    let clock = ManualClock::new(monday());
    let app = spawn_app_at(clock.clone()).await;
    let admin = app.token_for(&app.user("root@example.com", Role::Admin).await).await;
    let viewer = app.token_for(&app.user("vic@example.com", Role::Viewer).await).await;
    let (receiver, url) = Receiver::start().await;
    let ok = |(s, b): (StatusCode, Value)| assert!(s.is_success(), "{b}");
    ok(app.api(Method::POST, &admin, "/api/v1/teams", Some(json!({ "name": "Core", "slug": "core" }))).await);
    ok(app
        .api(
            Method::POST,
            &admin,
            "/api/v1/services",
            Some(json!({ "name": "Core API", "slug": "core-api", "team": "core" })),
        )
        .await);
    let mut people = Vec::new();
    for (name, zone) in [("ada", "Europe/London"), ("bo", "Australia/Sydney")] {
        let user = app.user(&format!("{name}@example.com"), Role::Responder).await;
        let token = app.token_for(&user).await;
        // An admin sets Ada's zone; Bo sets his own.
        if name == "ada" {
            let res = app.patch_user(&admin, user.id, json!({ "time_zone": zone })).await;
            assert!(res.status().is_success());
        } else {
            let (s, e) =
                app.api(Method::PATCH, &token, "/api/v1/me", Some(json!({ "time_zone": "Mars/Base" }))).await;
            assert_eq!(
                (s, e["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone"))
            );
            let (s, me) =
                app.api(Method::PATCH, &token, "/api/v1/me", Some(json!({ "time_zone": zone }))).await;
            assert_eq!((s, me["time_zone"].as_str()), (StatusCode::OK, Some(zone)));
        }
        // Two pagers each and no rules, so a page reaches both at once: one interruption, not two.
        for label in ["pager", "backup"] {
            let hook = if label == "pager" { name.to_owned() } else { format!("{name}-backup") };
            let (s, method) = app
                .api(
                    Method::POST,
                    &token,
                    "/api/v1/me/contact-methods",
                    Some(
                        json!({ "kind": "webhook", "label": label, "address": format!("{url}/hook/{hook}") }),
                    ),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{method}");
            receiver.secrets.lock().unwrap().push((hook, method["secret"].as_str().unwrap().to_owned()));
        }
        ok(app
            .api(
                Method::PUT,
                &admin,
                &format!("/api/v1/teams/core/members/{}", user.id),
                Some(json!({ "role": "member" })),
            )
            .await);
        people.push(user);
    }
    let bo = people.pop().unwrap();
    let ada = people.pop().unwrap();
    let level = |u: &UserView| json!({ "targets": [{ "kind": "user", "id": u.id }], "delay_secs": 300 });
    let (s, p) = app
        .api(
            Method::POST,
            &admin,
            "/api/v1/escalation-policies",
            Some(json!({ "name": "Core", "levels": [level(&ada), level(&bo)], "repeat": 0 })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    ok(app
        .api(
            Method::PATCH,
            &admin,
            "/api/v1/services/core-api",
            Some(json!({ "escalation_policy_id": p["id"] })),
        )
        .await);
    World { app, clock, admin, viewer, ada, bo, receiver }
}

impl World {
    pub(crate) async fn token(&self, u: &UserView) -> String {
        self.app.token_for(u).await
    }

    async fn declare(&self, title: &str, severity: &str) -> i64 {
        let (s, i) = self
            .app
            .api(
                Method::POST,
                &self.admin,
                "/api/v1/incidents",
                Some(json!({ "title": title, "severity": severity, "services": ["core-api"] })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{i}");
        i["number"].as_str().unwrap().trim_start_matches("INC-").parse().unwrap()
    }

    async fn move_to(&self, token: &str, n: i64, to: &str) {
        let (s, b) = self
            .app
            .api(
                Method::POST,
                token,
                &format!("/api/v1/incidents/{n}/transitions"),
                Some(json!({ "to": to })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }

    async fn at(&self, h: u32, m: u32, s: u32) {
        self.clock.set(Utc.with_ymd_and_hms(2026, 11, 23, h, m, s).unwrap());
        self.app.tick().await;
    }

    async fn get(&self, path: &str) -> Value {
        let (s, b) = self.app.api(Method::GET, &self.viewer, path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        b
    }
}

/// The day: A acknowledged by Ada in 2 min and resolved; B escalated to Bo (23:05 in Sydney),
/// acknowledged in 7 min, de-escalated SEV1 -> SEV3, mitigated and resolved; C and D open at
/// 16:00 with Bo paged by hand at 03:00 his time.
pub(crate) async fn a_day(w: &World) -> (i64, i64, i64, i64) {
    let (ada, bo) = (w.token(&w.ada).await, w.token(&w.bo).await);
    let a = w.declare("Checkout errors", "SEV2").await;
    w.at(10, 0, 0).await;
    w.at(10, 2, 0).await;
    w.move_to(&ada, a, "acknowledged").await;
    w.at(10, 32, 0).await;
    w.move_to(&ada, a, "resolved").await;

    w.at(12, 0, 0).await;
    let b = w.declare("Payments down", "SEV1").await;
    w.at(12, 0, 0).await;
    w.at(12, 5, 0).await;
    w.at(12, 7, 0).await;
    w.move_to(&bo, b, "acknowledged").await;
    let (s, body) = w
        .app
        .api(
            Method::PATCH,
            &bo,
            &format!("/api/v1/incidents/{b}"),
            Some(json!({ "severity": "SEV3", "reason": "one region only" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    w.at(12, 20, 0).await;
    w.move_to(&bo, b, "mitigated").await;
    w.at(13, 0, 0).await;
    w.move_to(&bo, b, "resolved").await;

    w.at(16, 0, 0).await;
    let c = w.declare("Slow search", "SEV3").await;
    let d = w.declare("Stale cache", "SEV4").await;
    let (s, body) = w
        .app
        .api(
            Method::POST,
            &w.admin,
            &format!("/api/v1/incidents/{c}/page"),
            Some(json!({ "kind": "user", "id": w.bo.id })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    w.at(16, 0, 0).await;
    (a, b, c, d)
}

const DAY: &str = "from=2026-11-23&to=2026-11-24&tz=UTC";

/// `percentile_cont` over whole seconds from declaration, straight from `incidents`.
async fn recomputed(w: &World, column: &str, extra: &str) -> (i64, Option<f64>, Option<f64>, Option<f64>) {
    let sql = format!(
        "SELECT count(*), avg(s)::float8, percentile_cont(0.5) WITHIN GROUP (ORDER BY s),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY s)
         FROM (SELECT floor(extract(epoch FROM {column} - created_at)) AS s FROM incidents
               WHERE created_at >= '2026-11-23T00:00:00Z' AND created_at < '2026-11-24T00:00:00Z'
                 AND {column} IS NOT NULL {extra}) x"
    );
    sqlx::query_as(&sql).fetch_one(&w.app.pool).await.unwrap()
}

fn summary(v: &Value) -> (i64, Option<f64>, Option<f64>, Option<f64>) {
    (v["count"].as_i64().unwrap(), v["mean"].as_f64(), v["p50"].as_f64(), v["p90"].as_f64())
}

#[tokio::test]
async fn response_figures_match_the_incidents_rows() {
    let w = world().await;
    a_day(&w).await;
    let r = w.get(&format!("/api/v1/analytics/response?{DAY}&group_by=severity")).await;
    let total = &r["total"];
    assert_eq!(total["incidents"], 4);
    // By hand: A 120 s and B 420 s to acknowledge; A 1,920 s and B 3,600 s to resolve.
    assert_eq!(summary(&total["mtta_seconds"]), (2, Some(270.0), Some(270.0), Some(390.0)));
    assert_eq!(summary(&total["mttr_seconds"]), (2, Some(2760.0), Some(2760.0), Some(3432.0)));
    assert_eq!(summary(&total["mttm_seconds"]), (1, Some(1200.0), Some(1200.0), Some(1200.0)));
    // And from the rows, independently.
    assert_eq!(
        summary(&total["mtta_seconds"]),
        recomputed(&w, "acknowledged_at", "AND status <> 'no_responder'").await
    );
    assert_eq!(
        summary(&total["mttr_seconds"]),
        recomputed(&w, "resolved_at", "AND status = 'resolved'").await
    );
    assert_eq!(summary(&total["mttm_seconds"]), recomputed(&w, "mitigated_at", "").await);
    // B reached level 2.
    assert_eq!(total["escalation_rate"], 0.25);
    let escalated: i64 = sqlx::query_scalar("SELECT count(DISTINCT incident_id) FROM pages WHERE level >= 1")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(escalated, 1);
    assert_eq!(total["no_responder"], 0);
    // By current severity: B counts as SEV3 with C.
    let rows: Vec<(String, i64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["key"].as_str().unwrap().to_owned(), row["incidents"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("SEV2".to_owned(), 1), ("SEV3".to_owned(), 2), ("SEV4".to_owned(), 1)]);
    // The week before was empty.
    assert_eq!(r["previous"]["incidents"], 0);
    let weeks = w.get(&format!("/api/v1/analytics/response?{DAY}")).await;
    assert_eq!(weeks["rows"][0]["key"], "2026-W48");

    // Filters: the service, a severity, a team with no incidents.
    let sev3 = w.get(&format!("/api/v1/analytics/response?{DAY}&severity=SEV3")).await;
    assert_eq!(sev3["total"]["incidents"], 2);
    let nothing = w.get(&format!("/api/v1/analytics/response?{DAY}&team=nobody")).await;
    assert_eq!(nothing["total"]["incidents"], 0);
    assert_eq!(nothing["total"]["mtta_seconds"]["p50"], Value::Null);

    // CSV, by header and by parameter; one row per group and the total.
    let res = reqwest::Client::new()
        .get(w.app.url(&format!("/api/v1/analytics/response?{DAY}&group_by=severity")))
        .bearer_auth(&w.viewer)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("key,incidents,mtta_mean_s,mtta_p50_s"), "{text}");
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[4], "total,4,270,270,390,2,1200,2760,2760,3432,2,0,0.250,0,1,2,1,0");
}

#[tokio::test]
async fn a_window_in_any_zone_cuts_the_daily_rollups_exactly_and_follows_changes() {
    let w = world().await;
    let (_, _, c, d) = a_day(&w).await;
    // The rollups hold UTC days; Tokyo's 23 November ends at 15:00 UTC, inside one: A and B
    // are in it, C and D (16:00 UTC) in Tokyo's 24th.
    let tokyo =
        |day: &str, next: &str| format!("/api/v1/analytics/response?from={day}&to={next}&tz=Asia/Tokyo");
    let first = w.get(&tokyo("2026-11-23", "2026-11-24")).await;
    assert_eq!(first["total"]["incidents"], 2);
    assert_eq!(first["total"]["mttr_seconds"]["count"], 2);
    let second = w.get(&tokyo("2026-11-24", "2026-11-25")).await;
    assert_eq!(second["total"]["incidents"], 2);
    assert_eq!(second["total"]["mttr_seconds"]["count"], 0);
    // Its previous window is Tokyo's 23rd: the same two as above.
    assert_eq!(second["previous"]["incidents"], 2);

    let interrupted =
        w.get("/api/v1/analytics/interruptions?from=2026-11-24&to=2026-11-25&tz=Asia/Tokyo").await;
    let bo = interrupted["responders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == json!(w.bo.id))
        .cloned()
        .unwrap();
    // Bo's page for C (16:00 UTC) is in Tokyo's 24th; his pages at noon UTC are not.
    assert_eq!(bo["interruptions"]["total"], 1, "{interrupted}");

    // Resolving C an hour after it was declared rebuilds its day: the next report has it.
    w.at(17, 0, 0).await;
    let ada = w.token(&w.ada).await;
    w.move_to(&ada, c, "resolved").await;
    let second = w.get(&tokyo("2026-11-24", "2026-11-25")).await;
    assert_eq!(summary(&second["total"]["mttr_seconds"]), (1, Some(3600.0), Some(3600.0), Some(3600.0)));

    // Taking a role engages too: Ada commands D from 17:00 UTC, open until the window's end
    // (Tokyo's midnight, 15:00 UTC the next day): 22 hours.
    let (s, body) = w
        .app
        .api(
            Method::POST,
            &w.admin,
            &format!("/api/v1/incidents/{d}/roles"),
            Some(json!({ "role": "commander", "user_id": w.ada.id })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let interrupted =
        w.get("/api/v1/analytics/interruptions?from=2026-11-24&to=2026-11-25&tz=Asia/Tokyo").await;
    let ada = interrupted["responders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == json!(w.ada.id))
        .cloned();
    assert_eq!(ada.map(|a| a["engaged_hours"].clone()), Some(json!(22.0)), "{interrupted}");
}

#[tokio::test]
async fn interruptions_coalesce_and_are_classed_in_each_persons_hours() {
    let w = world().await;
    a_day(&w).await;
    // Each page went to both of a person's pagers at once.
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.email::text, count(*) FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.kind = 'page' AND n.status = 'sent' GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(rows, [("ada@example.com".to_owned(), 6), ("bo@example.com".to_owned(), 4)]);
    assert!(!w.receiver.to("bo").is_empty());

    let r = w.get(&format!("/api/v1/analytics/interruptions?{DAY}")).await;
    // Ada: 10:00, 12:00 and 16:00 on a London Monday, all working hours (her 16:00 pages for C
    // and D left together). Bo: 12:05 UTC is 23:05 in Sydney and 16:00 UTC is 03:00: asleep.
    assert_eq!(r["total"], json!({ "total": 5, "business": 3, "off_hours": 2, "sleep": 2 }));
    let people = r["responders"].as_array().unwrap();
    let of = |email: &str| people.iter().find(|p| p["name"] == email).unwrap().clone();
    let (ada, bo) = (of("Ada"), of("Bo"));
    assert_eq!(ada["interruptions"], json!({ "total": 3, "business": 3, "off_hours": 0, "sleep": 0 }));
    assert_eq!(bo["interruptions"], json!({ "total": 2, "business": 0, "off_hours": 2, "sleep": 2 }));
    assert_eq!(bo["time_zone"], "Australia/Sydney");
    // Engaged from their acknowledgement to the resolution: Ada 10:02-10:32; Bo 12:07-13:00
    // (a role Bo was given when acknowledging starts at the same time).
    assert_eq!((ada["acknowledged"].as_i64(), ada["engaged_hours"].as_f64()), (Some(1), Some(0.5)));
    assert_eq!(bo["acknowledged"], 1);
    assert!((bo["engaged_hours"].as_f64().unwrap() - 53.0 / 60.0).abs() < 1e-9, "{bo}");
    // The heatmap is in the report's zone: Monday 16:00 UTC holds Ada's and Bo's.
    let hours = r["hour_of_week"].as_array().unwrap();
    assert_eq!(hours.len(), 168);
    assert_eq!(hours[16]["interruptions"], 2);
    assert_eq!(hours[10]["interruptions"], 1);
    // In Sydney's zone the same pages fall on Tuesday 03:00.
    let syd =
        w.get("/api/v1/analytics/interruptions?from=2026-11-23&to=2026-11-25&tz=Australia/Sydney").await;
    assert_eq!(syd["hour_of_week"][24 + 3]["interruptions"], 2);

    // Admins change the team's hours: every hour of every day is working time now.
    let hours = json!({ "time_zone": "Europe/London", "working_hours": {
        "days": [0, 1, 2, 3, 4, 5, 6], "start_minute": 0, "end_minute": 1439,
        "sleep_start_minute": 1320, "sleep_end_minute": 480 } });
    let (s, _) = w.app.api(Method::PUT, &w.viewer, "/api/v1/teams/core/hours", Some(hours.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let bad = json!({ "time_zone": "Europe/London", "working_hours": {
        "days": [0], "start_minute": 600, "end_minute": 500, "sleep_start_minute": 1320, "sleep_end_minute": 480 } });
    let (s, e) = w.app.api(Method::PUT, &w.admin, "/api/v1/teams/core/hours", Some(bad)).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("end_minute")));
    let (s, _) = w.app.api(Method::PUT, &w.admin, "/api/v1/teams/core/hours", Some(hours)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let r = w.get(&format!("/api/v1/analytics/interruptions?{DAY}")).await;
    // 23:59 itself is the one minute left out.
    assert_eq!(r["total"], json!({ "total": 5, "business": 5, "off_hours": 0, "sleep": 0 }));
    assert_eq!(
        r["hours"][0]["description"],
        "Mon, Tue, Wed, Thu, Fri, Sat, Sun 00:00-23:59, sleep 22:00-08:00"
    );
    let teams = w.get("/api/v1/teams").await;
    assert_eq!(teams[0]["time_zone"], "Europe/London");
    let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'team.set_hours'")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(audit, 1, "the refused change wrote nothing");

    // Narrowed to SEV4: only D's page, which reached Ada inside the bundle with C's.
    let sev4 = w.get(&format!("/api/v1/analytics/interruptions?{DAY}&severity=SEV4")).await;
    assert_eq!(sev4["total"]["total"], 1, "{}", sev4["total"]);
}

#[tokio::test]
async fn priority_inflation_counts_declared_against_final() {
    let w = world().await;
    a_day(&w).await;
    let p = w.get(&format!("/api/v1/analytics/priority?{DAY}")).await;
    assert_eq!(p["incidents"], 4);
    // B: declared SEV1, settled at SEV3, worst SEV1.
    assert_eq!(p["declared_x_final"][0], json!([0, 0, 1, 0, 0]));
    assert_eq!(p["declared_x_final"][1], json!([0, 1, 0, 0, 0]));
    assert_eq!(p["declared_x_highest"][0], json!([1, 0, 0, 0, 0]));
    assert_eq!((p["de_escalated"].as_i64(), p["de_escalated_share"].as_f64()), (Some(1), Some(0.25)));
    assert_eq!(p["by_team"][0], json!({ "key": "core", "incidents": 4, "de_escalated": 1, "share": 0.25 }));
    let declared_sev1: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM timeline_events WHERE kind = 'severity_change' AND data->>'from' = 'SEV1'",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(declared_sev1, 1);
    let csv = reqwest::Client::new()
        .get(w.app.url(&format!("/api/v1/analytics/priority?{DAY}&format=csv")))
        .bearer_auth(&w.viewer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("declared,final_SEV1,"), "{csv}");
    assert!(csv.contains("\r\nSEV1,0,0,1,0,0\r\n"), "{csv}");
}

#[tokio::test]
async fn noise_names_the_rule_and_what_nobody_acted_on() {
    let w = world().await;
    let (s, key) = w
        .app
        .api(
            Method::POST,
            &w.admin,
            "/api/v1/services/core-api/integration-keys",
            Some(json!({ "kind": "alertmanager", "label": "prometheus" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    let url = key["url"].as_str().unwrap().to_owned();
    let send = |status: &'static str| {
        let url = url.clone();
        async move {
            let body = json!({
                "version": "4", "status": status, "receiver": "tocsin", "groupKey": "{}:{}",
                "alerts": [{ "status": status, "fingerprint": "f1",
                             "labels": { "alertname": "DiskFull", "instance": "db-07", "severity": "critical" },
                             "annotations": {}, "startsAt": "2026-11-23T09:59:00Z", "endsAt": "0001-01-01T00:00:00Z" }]
            });
            let res = reqwest::Client::new().post(&url).json(&body).send().await.unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
    };
    send("firing").await;
    w.at(10, 0, 5).await;
    w.at(10, 0, 10).await;
    send("resolved").await;
    w.at(10, 1, 0).await;
    let n = w.get(&format!("/api/v1/analytics/noise?{DAY}")).await;
    assert_eq!(
        (n["incidents"].as_i64(), n["alerts"].as_i64(), n["resolved_by_source"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    let rule = &n["rules"][0];
    assert_eq!((rule["rule"].as_str(), rule["service"].as_str()), (Some("DiskFull"), Some("core-api")));
    // Ada was paged for it and nobody acknowledged before the source resolved it.
    assert_eq!(
        (rule["pages"].as_i64(), rule["acknowledged_share"].as_f64(), rule["nobody_acted_share"].as_f64()),
        (Some(1), Some(0.0), Some(1.0))
    );
    let recorded: (String, i64) = sqlx::query_as(
        "SELECT status, (SELECT count(*) FROM timeline_events t WHERE t.incident_id = i.id AND t.author_id IS NOT NULL)
         FROM incidents i",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(recorded, ("resolved".to_owned(), 0));
}

#[tokio::test]
async fn before_and_after_a_change_says_whether_it_helped() {
    let w = world().await;
    let ada = w.token(&w.ada).await;
    // Two weeks before 23 November: acknowledged in 9-11 minutes; two weeks after: in 2-4.
    for day in 0..28i64 {
        let at = Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap() + Duration::days(day);
        w.clock.set(at);
        let n = w.declare(&format!("Day {day}"), "SEV3").await;
        let minutes = if day < 14 { 9 + day % 3 } else { 2 + day % 3 };
        w.clock.set(at + Duration::minutes(minutes));
        w.move_to(&ada, n, "acknowledged").await;
        w.move_to(&ada, n, "resolved").await;
    }
    let c = w.get("/api/v1/analytics/compare?metric=mtta&at=2026-11-23&days=14&tz=UTC").await;
    let median = |from: &str, to: &str| {
        let sql = format!(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - created_at))::float8,
                    count(*) FROM incidents WHERE created_at >= '{from}' AND created_at < '{to}'"
        );
        let pool = w.app.pool.clone();
        async move { sqlx::query_as::<_, (f64, i64)>(&sql).fetch_one(&pool).await.unwrap() }
    };
    let before = median("2026-11-09", "2026-11-23").await;
    let after = median("2026-11-23", "2026-12-07").await;
    assert_eq!((c["before"]["median"].as_f64().unwrap(), c["before"]["count"].as_i64().unwrap()), before);
    assert_eq!((c["after"]["median"].as_f64().unwrap(), c["after"]["count"].as_i64().unwrap()), after);
    assert_eq!(before, (600.0, 14));
    assert_eq!(after, (180.0, 14));
    assert_eq!(c["difference"], -420.0);
    let ci = c["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= -420.0 && ci[1].as_f64().unwrap() < 0.0, "{c}");
    assert!(c["p_value"].as_f64().unwrap() < 0.001, "{c}");
    assert!(c["summary"].as_str().unwrap().starts_with("faster by 7 min (95% CI "), "{c}");
    assert!(c["summary"].as_str().unwrap().ends_with("unlikely to be chance"), "{c}");
    // A week either side of the first week holds too few.
    let few = w.get("/api/v1/analytics/compare?metric=mttr&at=2026-11-12&days=3&tz=UTC").await;
    assert_eq!(few["enough_data"], false);
    assert!(few["summary"].as_str().unwrap().starts_with("Not enough data: 3 before"), "{few}");
    // Refusals name the field and need a session.
    let (s, e) =
        w.app.api(Method::GET, &w.viewer, "/api/v1/analytics/compare?metric=speed&at=2026-11-23", None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("metric")));
    let (s, e) = w
        .app
        .api(Method::GET, &w.viewer, "/api/v1/analytics/response?from=2026-11-23&to=2026-11-01", None)
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    let (s, e) = w.app.api(Method::GET, &w.viewer, "/api/v1/analytics/response?format=xml", None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("format")));
    let anonymous = reqwest::get(w.app.url("/api/v1/analytics/response")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn postmortem_figures_follow_the_review_queue() {
    let w = world().await;
    let ada = w.token(&w.ada).await;
    // SEV1 and SEV2 get a postmortem when resolved (the default policy), due in 5 business days.
    let a = w.declare("Checkout errors", "SEV1").await;
    w.at(10, 5, 0).await;
    w.move_to(&ada, a, "resolved").await;
    let (s, pm) = w.app.api(Method::GET, &ada, &format!("/api/v1/incidents/{a}/postmortem"), None).await;
    assert_eq!(s, StatusCode::OK, "{pm}");
    for (title, due) in [("Add a retry budget", "2026-11-20"), ("Alert on queue depth", "2026-12-20")] {
        let (s, b) = w
            .app
            .api(
                Method::POST,
                &ada,
                &format!("/api/v1/postmortems/{}/actions", pm["id"].as_str().unwrap()),
                Some(json!({ "title": title, "due_on": due })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let r = w.get(&format!("/api/v1/analytics/postmortems?{DAY}")).await;
    let counted: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM postmortems), (SELECT count(*) FROM postmortems WHERE published_at IS NOT NULL),
                (SELECT count(*) FROM postmortem_actions WHERE status IN ('open', 'in_progress') AND due_on < '2026-11-23')",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(counted, (1, 0, 1));
    assert_eq!(
        (r["postmortems"].as_i64(), r["published"].as_i64(), r["overdue"].as_i64()),
        (Some(1), Some(0), Some(0))
    );
    assert_eq!((r["actions_open"].as_i64(), r["actions_overdue"].as_i64()), (Some(2), Some(1)));
    assert_eq!(r["median_days_to_publish"], Value::Null);
    // A week on, the postmortem is past due and still unpublished.
    w.clock.set(Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap());
    let r = w.get(&format!("/api/v1/analytics/postmortems?{DAY}")).await;
    assert_eq!((r["overdue"].as_i64(), r["on_time_share"].as_f64()), (Some(1), Some(0.0)));
    assert_eq!(r["median_open_action_age_days"].as_f64().unwrap().round(), 9.0);
}

#[tokio::test]
async fn the_demo_gives_every_figure_something_real() {
    let clock = ManualClock::new(monday());
    let app = spawn_app_at(clock).await;
    backend::services::demo::load_demo(&app.pool, None, None, app.now()).await.unwrap();
    let viewer = app.token_for(&app.user("vic@example.com", Role::Viewer).await).await;
    let get = |path: String| {
        let (app, viewer) = (&app, viewer.clone());
        async move {
            let (s, b) = app.api(Method::GET, &viewer, &path, None).await;
            assert_eq!(s, StatusCode::OK, "{path}: {b}");
            b
        }
    };
    let window = "from=2026-08-25&to=2026-11-24&tz=Europe/London";
    let r = get(format!("/api/v1/analytics/response?{window}")).await;
    assert!(r["total"]["incidents"].as_i64().unwrap() >= 100, "{}", r["total"]);
    assert!(r["rows"].as_array().unwrap().len() >= 12, "a row for every week");
    assert!(r["total"]["escalation_rate"].as_f64().unwrap() > 0.0);
    let i = get(format!("/api/v1/analytics/interruptions?{window}")).await;
    let zones: std::collections::BTreeSet<&str> = i["responders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["interruptions"]["total"].as_i64().unwrap() > 0)
        .map(|p| p["time_zone"].as_str().unwrap())
        .collect();
    assert_eq!(zones.len(), 3, "people paged in all three zones: {zones:?}");
    assert!(i["total"]["sleep"].as_i64().unwrap() > 0, "some pages woke people");
    assert!(i["responders"][0]["engaged_hours"].as_f64().unwrap() > 0.0);
    assert!(i["responders"][0]["on_call_hours"].as_f64().unwrap() > 0.0);
    let p = get(format!("/api/v1/analytics/priority?{window}")).await;
    assert!(p["de_escalated"].as_i64().unwrap() > 0);
    let n = get(format!("/api/v1/analytics/noise?{window}")).await;
    assert!(n["resolved_by_source"].as_i64().unwrap() > 0);
    assert!(!n["rules"].as_array().unwrap().is_empty());
    let l = get(format!("/api/v1/analytics/postmortems?{window}")).await;
    assert!(l["postmortems"].as_i64().unwrap() > 0);
    // The automation day: acknowledgements got faster, and not by chance.
    let at = (monday() - Duration::days(backend::services::demo::AUTOMATION_DAYS_AGO)).date_naive();
    let c = get(format!("/api/v1/analytics/compare?metric=mtta&at={at}&days=30&tz=Europe/London")).await;
    assert!(c["summary"].as_str().unwrap().starts_with("faster by"), "{c}");
    assert!(c["p_value"].as_f64().unwrap() < 0.05, "{c}");
}
