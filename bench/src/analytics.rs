//! `tocsin-bench analytics`: a year of a busy organisation (a million incidents, ten timeline
//! events each, a page and a notification for each, escalations, alerts from 25 rules) and how long `/analytics` and
//! the analytics API take over that year. Also how long the engine takes to bring the analytics'
//! per-incident facts up to date from the timeline, as it must after an upgrade.
//!
//! The goal (issue 16): a year at a million incidents in 250 ms or less. Figures, not pass/fail.

use std::time::Instant;

use anyhow::{Context, Result};
use sqlx::PgPool;

const GOAL_MS: f64 = 250.0;

pub async fn run(pool: &PgPool, count: i64, runs: usize, only: Option<&str>) -> Result<()> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(pool).await?;
    if existing == 0 {
        generate(pool, count).await?;
    } else {
        println!("using the {existing} incidents already in the database");
    }
    let started = Instant::now();
    let mut refreshed = 0;
    loop {
        let n = backend::services::analytics::catch_up(pool).await?;
        refreshed += n;
        let behind: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM timeline_events WHERE id > (SELECT timeline_id FROM analytics_state)
                                                            AND at < now() - interval '1 minute')",
        )
        .fetch_one(pool)
        .await?;
        if !behind {
            break;
        }
    }
    println!(
        "facts of {refreshed} incidents and their days' rollups brought up to date from the timeline in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::query("ANALYZE").execute(pool).await?;

    let base = crate::serve(pool.clone(), false).await?;
    let base = base.as_str();
    let client = crate::bench_session(pool, base).await?;
    let year = "days=365&tz=Europe/London";
    let at = (chrono::Utc::now() - chrono::Duration::days(120)).date_naive();
    let cases = [
        ("/analytics page, last year (HTML, every report and chart)", format!("/analytics?{year}")),
        ("API response by week, last year", format!("/api/v1/analytics/response?{year}&group_by=week")),
        ("API interruptions, last year", format!("/api/v1/analytics/interruptions?{year}")),
        ("API priority, last year", format!("/api/v1/analytics/priority?{year}")),
        ("API noise, last year", format!("/api/v1/analytics/noise?{year}")),
        (
            "API before/after MTTA, 90 days each side",
            format!("/api/v1/analytics/compare?metric=mtta&at={at}&days=90"),
        ),
        (
            "API response by week, one team, last year",
            format!("/api/v1/analytics/response?{year}&team=team-3"),
        ),
    ];
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents").fetch_one(pool).await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM timeline_events").fetch_one(pool).await?;
    println!(
        "\n{total} incidents, {events} timeline events; {runs} requests each; milliseconds; goal {GOAL_MS} ms\n"
    );
    println!("{:<62} {:>8} {:>8} {:>6}", "request", "median", "p95", "goal");
    for (label, path) in cases.into_iter().filter(|(label, _)| only.is_none_or(|o| label.contains(o))) {
        let (median, p95) = crate::time_get(&client, &format!("{base}{path}"), runs).await?;
        let verdict = if median <= GOAL_MS { "met" } else { "MISSED" };
        println!("{label:<62} {median:>8.1} {p95:>8.1} {verdict:>6}");
    }
    Ok(())
}

/// A year of incidents in batches: 10 teams, 40 services, 48 responders in three zones, each
/// incident with ten timeline events (declared, paged, acknowledged, notes, mitigated, resolved;
/// one in eight lowered in severity), a page and its notification, one in six escalated.
async fn generate(pool: &PgPool, count: i64) -> Result<()> {
    println!("generating {count} incidents over a year…");
    let started = Instant::now();
    let setup = [
        "INSERT INTO teams (id, name, slug) SELECT gen_random_uuid(), 'Team ' || t, 'team-' || t
         FROM generate_series(1, 10) t",
        "INSERT INTO services (id, name, slug, team_id, description)
         SELECT gen_random_uuid(), 'Service ' || s, 'svc-' || s, (SELECT id FROM teams WHERE slug = 'team-' || (s % 10 + 1)), ''
         FROM generate_series(1, 40) s",
        "INSERT INTO users (id, email, name, role, time_zone, password_hash)
         SELECT gen_random_uuid(), 'responder' || u || '@example.com', 'Responder ' || u, 'responder',
                (ARRAY['Europe/London', 'America/New_York', 'Australia/Sydney'])[1 + u % 3], 'x'
         FROM generate_series(1, 48) u",
        "INSERT INTO team_members (team_id, user_id, role)
         SELECT t.id, u.id, 'member' FROM users u
         JOIN teams t ON t.slug = 'team-' || (split_part(split_part(u.email, '@', 1), 'responder', 2)::int % 10 + 1)
         WHERE u.email LIKE 'responder%'",
        "INSERT INTO contact_methods (id, user_id, kind, label, address)
         SELECT gen_random_uuid(), id, 'email', 'Work email', email FROM users WHERE email LIKE 'responder%'",
    ];
    for sql in setup {
        sqlx::query(sql).execute(pool).await.with_context(|| sql.to_owned())?;
    }
    let batch = 50_000;
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        // Oldest first, so numbers grow with time as they do in real use.
        sqlx::query(
            "WITH new AS (
                 INSERT INTO incidents (id, title, description, severity, status, customer_impact, created_at,
                                        acknowledged_at, mitigated_at, resolved_at, origin)
                 SELECT gen_random_uuid(), 'Generated incident ' || g, '', 1 + (g * 7919) % 5, 'resolved', false,
                        t.at, t.at + make_interval(secs => 30 + (g * 7907) % 1800),
                        t.at + make_interval(secs => 1900 + (g * 6011) % 3600),
                        t.at + make_interval(secs => 5600 + (g * 5987) % 14400),
                        CASE WHEN g % 3 = 0 THEN 'alert' ELSE 'declared' END
                 -- The year ends six hours ago, so every incident is resolved and in the past.
                 FROM generate_series($1 + 1, $1 + $3) g,
                      LATERAL (SELECT now() - interval '6 hours' - interval '365 days' * (1 - g::float8 / $2) AS at) t
                 ORDER BY g
                 RETURNING id, number, created_at, acknowledged_at, mitigated_at, resolved_at, severity, origin
             ), svc AS (
                 INSERT INTO incident_services (incident_id, service_id)
                 SELECT new.id, s.id FROM new JOIN services s ON s.slug = 'svc-' || (new.number % 40 + 1)
             ), alerted AS (
                 -- Incidents opened by an alert have one (one in five of them two, from two hosts),
                 -- from 25 Alertmanager rules.
                 INSERT INTO alerts (service_id, dedup_key, status, severity, summary, incident_id, event_count,
                                     first_seen_at, last_seen_at, last_fired_at, resolved_at, flapping, payload)
                 SELECT s.id, 'rule-' || (new.number % 25) || '/host-' || (new.number + h), 'resolved', 'critical',
                        'Rule ' || (new.number % 25) || ' firing', new.id, 1, new.created_at, new.created_at,
                        new.created_at, new.resolved_at, new.number % 50 = 0,
                        jsonb_build_object('details', jsonb_build_object('labels',
                            jsonb_build_object('alertname', 'Rule' || (new.number % 25))))
                 FROM new JOIN services s ON s.slug = 'svc-' || (new.number % 40 + 1)
                 CROSS JOIN generate_series(0, 1) h
                 WHERE new.origin = 'alert' AND (h = 0 OR new.number % 5 = 0)
             ), paged AS (
                 SELECT new.*, u.id AS user_id, c.id AS method
                 FROM new
                 JOIN users u ON u.email = 'responder' || (new.number % 48 + 1) || '@example.com'
                 JOIN contact_methods c ON c.user_id = u.id
             ), page AS (
                 INSERT INTO pages (incident_id, step, level, user_id, paged_at)
                 SELECT id, 0, 0, user_id, created_at FROM paged
                 UNION ALL
                 SELECT id, 1, 1, user_id, created_at + interval '5 minutes' FROM paged WHERE number % 6 = 0
                 RETURNING id, incident_id, user_id, paged_at
             ), notified AS (
                 INSERT INTO notifications (user_id, contact_method_id, kind, page_id, incident_id, due_at, status, sent_at, attempts)
                 SELECT page.user_id, c.id, 'page', page.id, page.incident_id, page.paged_at, 'sent',
                        page.paged_at + interval '2 seconds', 1
                 FROM page JOIN contact_methods c ON c.user_id = page.user_id
             )
             INSERT INTO timeline_events (incident_id, at, author_id, author_label, kind, body, data)
             SELECT p.id, e.at, CASE WHEN e.human THEN p.user_id END, 'bench', e.kind, e.body, e.data
             FROM paged p
             CROSS JOIN LATERAL (VALUES
                 (p.created_at, false, 'status_change', 'Declared', jsonb_build_object('to', 'triggered')),
                 (p.created_at, false, 'page_escalated', 'Escalation level 1', jsonb_build_object('level', 1)),
                 (p.acknowledged_at, true, 'status_change', 'triggered -> acknowledged',
                  jsonb_build_object('from', 'triggered', 'to', 'acknowledged')),
                 (p.acknowledged_at, true, CASE WHEN p.number % 8 = 0 THEN 'severity_change' ELSE 'note' END,
                  'Severity or note', CASE WHEN p.number % 8 = 0 THEN jsonb_build_object('from', 'SEV' || greatest(p.severity - 1, 1), 'to', 'SEV' || p.severity) END),
                 (p.acknowledged_at + interval '1 minute', true, 'note', 'Looking', NULL),
                 (p.acknowledged_at + interval '2 minutes', true, 'note', 'Found it', NULL),
                 (p.acknowledged_at + interval '3 minutes', true, 'note', 'Rolling back', NULL),
                 (p.mitigated_at, true, 'status_change', 'acknowledged -> mitigated',
                  jsonb_build_object('from', 'acknowledged', 'to', 'mitigated')),
                 (p.mitigated_at + interval '1 minute', true, 'note', 'Watching', NULL),
                 (p.resolved_at, true, 'status_change', 'mitigated -> resolved',
                  jsonb_build_object('from', 'mitigated', 'to', 'resolved'))
             ) AS e(at, human, kind, body, data)",
        )
        .bind(done)
        .bind(count)
        .bind(n)
        .execute(pool)
        .await
        .context("generating a batch of incidents")?;
        done += n;
        println!("  {done} / {count}");
    }
    println!("generated in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
