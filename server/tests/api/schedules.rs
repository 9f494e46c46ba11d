//! Schedules through the API: saving with the fairness check, who is on call, final shifts,
//! overrides, the calendar feed, and refusals that write nothing.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{TestApp, spawn_app};
use domain::{Role, UserView};
use icalendar::Component;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Team {
    admin: String,
    people: Vec<UserView>,
}

async fn team(app: &TestApp) -> Team {
    let admin = app.user("lead@example.com", Role::Admin).await;
    let mut people = Vec::new();
    for name in ["ada", "bo", "cy", "di"] {
        people.push(app.user(&format!("{name}@example.com"), Role::Responder).await);
    }
    Team { admin: app.token_for(&admin).await, people }
}

/// A London schedule: a weekly primary of `primary` people (Monday 09:00) and a daily secondary.
fn london(t: &Team, primary: usize, start: &str) -> Value {
    let ids: Vec<String> = t.people.iter().map(|p| p.id.to_string()).collect();
    json!({
        "name": "Payments",
        "time_zone": "Europe/London",
        "layers": [
            {
                "name": "Weekly primary", "tier": "primary", "participants": ids[..primary],
                "unit": "weeks", "length": 1, "handoff_time": "09:00", "handoff_weekday": "Mon",
                "start_date": start
            },
            {
                "name": "Secondary", "tier": "secondary", "participants": [ids[2], ids[3]],
                "unit": "days", "length": 7, "handoff_time": "10:00", "start_date": start
            }
        ]
    })
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Makes a team of `members` and gives it the schedule: responders change overrides only on
/// their own team's schedules.
async fn give_to_team(app: &TestApp, t: &Team, schedule: &str, slug: &str, members: &[&UserView]) {
    let (status, team) =
        app.api(Method::POST, &t.admin, "/api/v1/teams", Some(json!({ "name": slug }))).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    for m in members {
        let path = format!("/api/v1/teams/{slug}/members/{}", m.id);
        let (status, _) = app.api(Method::PUT, &t.admin, &path, Some(json!({ "role": "member" }))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let mut body = london(t, 4, "2027-03-01");
    body["team_id"] = team["id"].clone();
    let (status, saved) =
        app.api(Method::PUT, &t.admin, &format!("/api/v1/schedules/{schedule}"), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_weekly_rotation_hands_off_at_0900_local_across_the_spring_change() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (status, view) =
        app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(london(&t, 4, "2027-03-01"))).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let id = view["id"].as_str().unwrap().to_owned();
    assert_eq!(view["layers"].as_array().unwrap().len(), 2);
    assert!(view["feed_url"].as_str().unwrap().contains(&format!("/schedules/{id}/oncall.ics?token=")));
    assert_eq!(app.audit_actions(&id).await, vec!["schedule.create"]);

    // Clocks go forward on Sunday 28 March 2027: 09:00 GMT is 09:00Z, 09:00 BST is 08:00Z.
    let (status, shifts) = app
        .api(
            Method::GET,
            &t.admin,
            &format!("/api/v1/schedules/{id}/shifts?from=2027-03-22T00:00:00Z&to=2027-04-06T00:00:00Z"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shifts}");
    let got: Vec<(String, String, String)> = shifts["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["user"]["name"].as_str().unwrap().to_owned(),
                s["start"].as_str().unwrap().to_owned(),
                s["end"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Cy".into(), "2027-03-22T00:00:00Z".into(), "2027-03-22T09:00:00Z".into()),
            ("Di".into(), "2027-03-22T09:00:00Z".into(), "2027-03-29T08:00:00Z".into()),
            ("Ada".into(), "2027-03-29T08:00:00Z".into(), "2027-04-05T08:00:00Z".into()),
            ("Bo".into(), "2027-04-05T08:00:00Z".into(), "2027-04-06T00:00:00Z".into()),
        ]
    );
    let hours = (utc("2027-03-29T08:00:00Z") - utc("2027-03-22T09:00:00Z")).num_hours();
    assert_eq!(hours, 167);
    assert_eq!(shifts["gaps"], json!([]));

    let (status, at) = app
        .api(
            Method::GET,
            &t.admin,
            &format!("/api/v1/schedules/{id}/oncall?at=2027-03-29T08:30:00%2B01:00"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{at}");
    // 08:30 BST is before the 09:00 handoff.
    assert_eq!(at["primary"]["user"]["name"], "Di");
    assert_eq!(at["primary"]["until"], "2027-03-29T08:00:00Z");
    assert_eq!(at["secondary"]["user"]["name"], "Di");
    assert_eq!(at["layers"][0]["name"], "Weekly primary");

    // The schedule is listed with now and next per stack and per layer.
    let (_, list) = app.api(Method::GET, &t.admin, "/api/v1/schedules", None).await;
    let rows = list[0]["rows"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["Primary", "Secondary", "Secondary", "Weekly primary"]);
}

#[tokio::test]
async fn overrides_replace_the_holder_and_responders_may_add_them_but_not_schedules() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (_, view) =
        app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(london(&t, 4, "2027-03-01"))).await;
    let id = view["id"].as_str().unwrap().to_owned();
    give_to_team(&app, &t, &id, "payments", &[&t.people[1]]).await;
    let bo = app.token_for(&t.people[1]).await;
    let viewer = app.user("watcher@example.com", Role::Viewer).await;
    let viewer = app.token_for(&viewer).await;

    let (status, _) =
        app.api(Method::POST, &bo, "/api/v1/schedules", Some(london(&t, 4, "2027-03-01"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Bo covers Di on Wednesday 24 March 2027, 14:00-18:00 London (GMT).
    let cover = json!({
        "user_id": t.people[1].id, "start": "2027-03-24T14:00:00+00:00", "end": "2027-03-24T18:00:00+00:00"
    });
    let (status, _) = app
        .api(Method::POST, &viewer, &format!("/api/v1/schedules/{id}/overrides"), Some(cover.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) =
        app.api(Method::POST, &bo, &format!("/api/v1/schedules/{id}/overrides"), Some(cover)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let oid = created["id"].as_str().unwrap().to_owned();

    let (_, at) = app
        .api(Method::GET, &viewer, &format!("/api/v1/schedules/{id}/oncall?at=2027-03-24T15:00:00Z"), None)
        .await;
    assert_eq!(at["primary"]["user"]["name"], "Bo");
    assert_eq!(at["primary"]["until"], "2027-03-24T18:00:00Z");
    // The layer on its own still has Di, whose week it is.
    assert_eq!(at["layers"][0]["user"]["name"], "Di");
    let (_, shifts) = app
        .api(
            Method::GET,
            &viewer,
            &format!("/api/v1/schedules/{id}/shifts?from=2027-03-24T00:00:00Z&to=2027-03-25T00:00:00Z"),
            None,
        )
        .await;
    let s = shifts["shifts"].as_array().unwrap();
    assert_eq!(s.len(), 3, "{shifts}");
    assert_eq!(s[1]["override_id"], oid.as_str());
    assert_eq!(
        (s[0]["user"]["name"].as_str(), s[1]["user"]["name"].as_str(), s[2]["user"]["name"].as_str()),
        (Some("Di"), Some("Bo"), Some("Di"))
    );

    let (status, _) =
        app.api(Method::DELETE, &bo, &format!("/api/v1/schedules/{id}/overrides/{oid}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, at) = app
        .api(Method::GET, &viewer, &format!("/api/v1/schedules/{id}/oncall?at=2027-03-24T15:00:00Z"), None)
        .await;
    assert_eq!(at["primary"]["user"]["name"], "Di");
    assert_eq!(
        app.audit_actions(&id).await,
        vec!["schedule.create", "schedule.update", "schedule.override.create", "schedule.override.delete"]
    );
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let good = london(&t, 4, "2027-03-01");
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = good.clone();
                b["time_zone"] = json!("Mars/Olympus");
                b
            },
            "time_zone",
        ),
        (
            {
                let mut b = good.clone();
                b["layers"][0]["handoff_time"] = json!("9am");
                b
            },
            "layers[0].handoff_time",
        ),
        (
            {
                let mut b = good.clone();
                b["layers"][1]["unit"] = json!("fortnights");
                b
            },
            "layers[1].unit",
        ),
        (
            {
                let mut b = good.clone();
                b["layers"][0]["handoff_weekday"] = json!(null);
                b
            },
            "layers[0].handoff_weekday",
        ),
        (
            {
                let mut b = good.clone();
                b["layers"][0]["participants"] = json!([uuid::Uuid::nil()]);
                b
            },
            "layers[0].participants",
        ),
        (
            {
                let mut b = good.clone();
                b["team_id"] = json!(uuid::Uuid::nil());
                b
            },
            "team_id",
        ),
        (
            {
                let mut b = good.clone();
                b["layers"][0]["id"] = json!(uuid::Uuid::nil());
                b
            },
            "layers[0].id",
        ),
        (json!({ "name": "x" }), "body"),
    ];
    for (body, field) in cases {
        let (status, err) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    let (status, err) = app
        .api(
            Method::GET,
            &t.admin,
            &format!("/api/v1/schedules/{}/shifts?from=yesterday", uuid::Uuid::nil()),
            None,
        )
        .await;
    assert_eq!((status, err["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("from")));
    assert_eq!(count(&app, "schedules").await, 0);
    assert_eq!(count(&app, "schedule_layers").await, 0);
    assert_eq!(count(&app, "audit_log WHERE action LIKE 'schedule%'").await, 0);
}

#[tokio::test]
async fn fairness_warnings_wait_for_confirmation_and_hard_rules_refuse() {
    let app = spawn_app().await;
    let t = team(&app).await;
    // One week in three: everyone passes 9 days in some 30-day window.
    let start = (app.now() - Duration::days(28)).format("%Y-%m-%d").to_string();
    let body = london(&t, 3, &start);
    let (status, err) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(body.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "unfair_needs_confirmation");
    let v = err["error"]["violations"].as_array().unwrap();
    assert!(v.iter().any(|v| v["rule"] == "max_days_in_30" && v["user"] == json!(t.people[0].id)), "{err}");
    assert_eq!(count(&app, "schedules").await, 0);

    let mut hard = body.clone();
    hard["fairness"] = json!({ "max_days_in_30": { "value": 9, "hard": true }, "max_consecutive_nights": null, "min_rest_hours": null });
    hard["confirm"] = json!(true);
    let (status, err) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(hard)).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unfair")));
    assert_eq!(count(&app, "schedules").await, 0);

    let mut confirmed = body;
    confirmed["confirm"] = json!(true);
    let (status, view) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(confirmed)).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
}

#[tokio::test]
async fn a_responder_covers_only_their_teams_schedules_for_two_weeks_and_nobody_puts_a_viewer_on_call() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (_, view) =
        app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(london(&t, 4, "2027-03-01"))).await;
    let id = view["id"].as_str().unwrap().to_owned();
    let (ada, bo) = (&t.people[0], &t.people[1]);
    let overrides = format!("/api/v1/schedules/{id}/overrides");
    // Confirmed: these are about who may, not the fairness rules a fortnight of one person breaks.
    let cover = |who: &UserView, start: &str, end: &str| json!({ "user_id": who.id, "start": start, "end": end, "confirm": true });
    let day = |who: &UserView| cover(who, "2027-03-24T14:00:00Z", "2027-03-24T18:00:00Z");
    let bo_token = app.token_for(bo).await;

    // A schedule without a team: only an admin changes its overrides.
    let (status, _) = app.api(Method::POST, &bo_token, &overrides, Some(day(bo))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Ada's team's schedule: Bo, not in it, may neither add nor remove its overrides.
    give_to_team(&app, &t, &id, "payments", &[ada]).await;
    let (status, _) = app.api(Method::POST, &bo_token, &overrides, Some(day(bo))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, admins) = app.api(Method::POST, &t.admin, &overrides, Some(day(ada))).await;
    assert_eq!(status, StatusCode::CREATED, "{admins}");
    let admins = admins["id"].as_str().unwrap().to_owned();
    let (status, _) = app.api(Method::DELETE, &bo_token, &format!("{overrides}/{admins}"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Ada, in the team, covers two weeks but not fifteen days; an admin may.
    let ada_token = app.token_for(ada).await;
    let fortnight = cover(ada, "2027-04-01T09:00:00Z", "2027-04-15T09:00:00Z");
    let longer = cover(ada, "2027-05-01T09:00:00Z", "2027-05-16T09:00:00Z");
    let (status, _) = app.api(Method::POST, &ada_token, &overrides, Some(fortnight)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, refusal) = app.api(Method::POST, &ada_token, &overrides, Some(longer.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refusal["error"]["field"], "end", "{refusal}");
    let (status, _) = app.api(Method::POST, &t.admin, &overrides, Some(longer)).await;
    assert_eq!(status, StatusCode::CREATED);

    // A viewer takes no pages, so no one, not even an admin, puts one on call.
    let viewer = app.user("watcher@example.com", Role::Viewer).await;
    let (status, refusal) = app
        .api(
            Method::POST,
            &t.admin,
            &overrides,
            Some(cover(&viewer, "2027-06-01T09:00:00Z", "2027-06-01T10:00:00Z")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refusal["error"]["field"], "user_id", "{refusal}");
    assert_eq!(count(&app, "schedule_overrides").await, 3);
}

#[tokio::test]
async fn saving_keeps_layer_ids_reorders_and_drops_removed_layers_with_their_overrides() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (_, view) =
        app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(london(&t, 4, "2027-03-01"))).await;
    let id = view["id"].as_str().unwrap().to_owned();
    let (primary_id, secondary_id) = (view["layers"][0]["id"].clone(), view["layers"][1]["id"].clone());
    let cover = json!({ "user_id": t.people[0].id, "start": "2027-05-01T00:00:00Z", "end": "2027-05-01T04:00:00Z", "layer_id": secondary_id });
    let (status, _) =
        app.api(Method::POST, &t.admin, &format!("/api/v1/schedules/{id}/overrides"), Some(cover)).await;
    assert_eq!(status, StatusCode::CREATED);

    let mut edit = london(&t, 4, "2027-03-01");
    edit["layers"][0]["id"] = primary_id.clone();
    edit["name"] = json!("Payments (EU)");
    edit["layers"] = json!([edit["layers"][0]]);
    let (status, saved) =
        app.api(Method::PUT, &t.admin, &format!("/api/v1/schedules/{id}"), Some(edit.clone())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["name"], "Payments (EU)");
    assert_eq!(saved["layers"][0]["id"], primary_id);
    assert_eq!(saved["layers"].as_array().unwrap().len(), 1);
    assert_eq!(count(&app, "schedule_overrides").await, 0);

    edit["layers"][0]["id"] = secondary_id;
    let (status, err) = app.api(Method::PUT, &t.admin, &format!("/api/v1/schedules/{id}"), Some(edit)).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("layers[0].id"))
    );
    assert_eq!(
        app.audit_actions(&id).await,
        vec!["schedule.create", "schedule.override.create", "schedule.update"]
    );

    let (status, _) = app.api(Method::DELETE, &t.admin, &format!("/api/v1/schedules/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(count(&app, "schedule_layers").await, 0);
}

#[tokio::test]
async fn everyone_on_call_now_lists_both_stacks() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let start = (app.now() - Duration::days(10)).format("%Y-%m-%d").to_string();
    let mut body = london(&t, 4, &start);
    body["confirm"] = json!(true);
    let (status, _) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, now) = app.api(Method::GET, &t.admin, "/api/v1/oncall", None).await;
    assert_eq!(status, StatusCode::OK);
    let tiers: Vec<&str> = now.as_array().unwrap().iter().map(|e| e["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, vec!["primary", "secondary"], "{now}");
    for e in now.as_array().unwrap() {
        assert!(
            utc(e["since"].as_str().unwrap()) <= app.now() && app.now() < utc(e["until"].as_str().unwrap())
        );
        assert_eq!(e["schedule_name"], "Payments");
    }
}

fn event_start(e: &icalendar::Event) -> DateTime<Utc> {
    match e.get_start().unwrap() {
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        }) => {
            let tz: chrono_tz::Tz = tzid.parse().unwrap();
            tz.from_local_datetime(&date_time).earliest().unwrap().with_timezone(&Utc)
        }
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t)) => t,
        other => panic!("unexpected start {other:?}"),
    }
}

#[tokio::test]
async fn the_calendar_feed_parses_matches_the_shifts_and_dies_when_rotated() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let start = (app.now() - Duration::days(3)).format("%Y-%m-%d").to_string();
    let mut body = london(&t, 4, &start);
    body["confirm"] = json!(true);
    let (_, view) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(body)).await;
    let id = view["id"].as_str().unwrap().to_owned();
    let ada = app.token_for(&t.people[0]).await;
    let (_, mine) = app.api(Method::GET, &ada, &format!("/api/v1/schedules/{id}"), None).await;
    let feed = mine["feed_url"].as_str().unwrap();
    let path = &feed[feed.find("/schedules/").unwrap()..];

    let res = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = res.text().await.unwrap();
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded");
    let unfolded = icalendar::parser::unfold(&text);
    let raw = icalendar::parser::read_calendar(&unfolded).unwrap();
    let tz = raw.components.iter().find(|c| c.name.as_str() == "VTIMEZONE").expect("a VTIMEZONE");
    let kinds: Vec<&str> = tz.components.iter().map(|c| c.name.as_str()).collect();
    assert!(kinds.contains(&"DAYLIGHT") && kinds.contains(&"STANDARD"), "{kinds:?}");

    let cal: icalendar::Calendar = text.parse().unwrap();
    let events: Vec<&icalendar::Event> = cal.components.iter().filter_map(|c| c.as_event()).collect();
    // Ada's shifts from 30 days back to 180 ahead, compared with the API's final shifts.
    let from = app.now() - Duration::days(30);
    let to = app.now() + Duration::days(180);
    let (_, shifts) = app
        .api(
            Method::GET,
            &ada,
            &format!(
                "/api/v1/schedules/{id}/shifts?from={}&to={}",
                from.to_rfc3339().replace('+', "%2B"),
                to.to_rfc3339().replace('+', "%2B")
            ),
            None,
        )
        .await;
    let want: Vec<DateTime<Utc>> = shifts["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["user"]["id"] == json!(t.people[0].id) && utc(s["start"].as_str().unwrap()) > from)
        .map(|s| utc(s["start"].as_str().unwrap()))
        .collect();
    let got: Vec<DateTime<Utc>> = events.iter().map(|e| event_start(e)).collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(events.iter().all(|e| e.get_summary() == Some("On call: Payments (primary)")));
    assert!(events[0].get_uid().is_some());

    // A layer feed has everyone's shifts of that layer.
    let layer = view["layers"][1]["id"].as_str().unwrap();
    let res = reqwest::get(app.url(&format!("{path}&layer={layer}"))).await.unwrap();
    let cal: icalendar::Calendar = res.text().await.unwrap().parse().unwrap();
    let names: std::collections::BTreeSet<String> = cal
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .map(|e| e.get_summary().unwrap().split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), vec!["Cy", "Di"]);

    let (status, _) = app.api(Method::POST, &ada, "/api/v1/me/calendar-feed/rotate", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reqwest::get(app.url(path)).await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, mine) = app.api(Method::GET, &ada, &format!("/api/v1/schedules/{id}"), None).await;
    let fresh = mine["feed_url"].as_str().unwrap();
    assert_ne!(fresh, feed);
    assert_eq!(
        reqwest::get(app.url(&fresh[fresh.find("/schedules/").unwrap()..])).await.unwrap().status(),
        StatusCode::OK
    );
    let forged = format!("/schedules/{id}/oncall.ics?token={}.{}", t.people[0].id, "0".repeat(40));
    assert_eq!(reqwest::get(app.url(&forged)).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(app.audit_actions(&t.people[0].id.to_string()).await.last().unwrap(), "calendar_feed.rotate");
}

#[tokio::test]
async fn the_person_on_call_after_me_is_the_suggested_handover() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let start = (app.now() - Duration::days(10)).format("%Y-%m-%d").to_string();
    let mut body = london(&t, 4, &start);
    body["confirm"] = json!(true);
    let (_, view) = app.api(Method::POST, &t.admin, "/api/v1/schedules", Some(body)).await;
    let id = view["id"].as_str().unwrap();
    let (_, at) = app.api(Method::GET, &t.admin, &format!("/api/v1/schedules/{id}/oncall"), None).await;
    let on_now = at["primary"]["user"]["name"].as_str().unwrap().to_owned();
    let i = t.people.iter().position(|p| p.name.as_str() == on_now).unwrap();
    let (next, schedule) =
        backend::services::schedules::successor(&app.pool, t.people[i].id, app.now()).await.unwrap().unwrap();
    assert_eq!(next.id, t.people[(i + 1) % 4].id);
    assert_eq!(schedule, "Payments");
    // Someone not on call (nor just off) has no suggestion from the primary; the secondary
    // names theirs.
    let off = t
        .people
        .iter()
        .find(|p| p.name.as_str() != on_now && !["Cy", "Di"].contains(&p.name.as_str()))
        .unwrap();
    let (_, before) = app
        .api(
            Method::GET,
            &t.admin,
            &format!(
                "/api/v1/schedules/{id}/shifts?from={}",
                (app.now() - Duration::hours(12)).to_rfc3339().replace('+', "%2B")
            ),
            None,
        )
        .await;
    let held_recently = before["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["user"]["id"] == json!(off.id) && utc(s["start"].as_str().unwrap()) <= app.now());
    if !held_recently {
        assert!(
            backend::services::schedules::successor(&app.pool, off.id, app.now()).await.unwrap().is_none()
        );
    }
}
