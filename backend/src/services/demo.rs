//! Demo data for a newcomer's first look: an admin and responders in three time zones, teams and
//! services. Loads only into an empty database, so it can never mix with real data.

use domain::{Email, NewUser, Password, PersonName, Role, TimeZoneName, schedule::ScheduleId};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::{alert_events, timeline};
use crate::db::{incidents, schedules, services};
use crate::{
    Error, Result,
    actor::Actor,
    auth::{password, secrets::random_token},
    db::{
        audit::{self, Entry},
        teams, users,
    },
};

#[derive(Debug, Clone)]
pub struct DemoCredentials {
    pub admin_email: String,
    /// Every demo user has this password.
    pub password: String,
    pub users: Vec<(String, Role)>,
}

const PEOPLE: &[(&str, &str, Role, &str)] = &[
    ("Alex Morgan", "alex@example.com", Role::Admin, "Europe/London"),
    ("Priya Shah", "priya@example.com", Role::Responder, "Europe/London"),
    ("Sam Carter", "sam@example.com", Role::Responder, "America/New_York"),
    ("Jordan Lee", "jordan@example.com", Role::Responder, "America/New_York"),
    ("Mia Chen", "mia@example.com", Role::Responder, "Australia/Sydney"),
    ("Noah Wilson", "noah@example.com", Role::Viewer, "Australia/Sydney"),
];

/// A member of a demo team: email, and whether they lead it.
type DemoMember = (&'static str, bool);

/// (team name, slug, members)
const TEAMS: &[(&str, &str, &[DemoMember])] = &[
    (
        "Platform",
        "platform",
        &[("priya@example.com", true), ("sam@example.com", false), ("mia@example.com", false)],
    ),
    (
        "Payments",
        "payments",
        &[("jordan@example.com", true), ("mia@example.com", false), ("sam@example.com", false)],
    ),
];

/// (service name, slug, owning team slug, description)
const SERVICES: &[(&str, &str, &str, &str)] = &[
    ("Core API", "core-api", "platform", "The public REST API every client talks to."),
    ("Web Dashboard", "web-dashboard", "platform", "The customer-facing web application."),
    ("Billing", "billing", "payments", "Invoices, subscriptions and card payments."),
];

pub async fn load_demo(
    pool: &PgPool,
    admin_email: Option<&Email>,
    given_password: Option<&Password>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<DemoCredentials> {
    let plain = given_password.map(|p| p.expose().to_owned()).unwrap_or_else(|| random_token(16));
    let hash = password::hash(plain.clone()).await?;
    let mut tx = pool.begin().await?;
    super::bootstrap::lock_users(&mut tx).await?;
    if users::count(&mut tx).await? > 0 {
        return Err(Error::Conflict(
            "the database already has users; demo data loads only into an empty database".into(),
        ));
    }
    let mut created = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (i, (name, email, role, tz)) in PEOPLE.iter().enumerate() {
        let email = match (i, admin_email) {
            (0, Some(given)) => given.clone(),
            _ => Email::parse(email)?,
        };
        let user = NewUser {
            email: email.clone(),
            name: PersonName::parse(name)?,
            role: *role,
            time_zone: TimeZoneName::parse(tz)?,
        };
        let row = users::insert(&mut tx, &user, &hash).await?;
        ids.insert(PEOPLE[i].1, row.id);
        created.push((email.to_string(), *role));
    }
    let mut team_ids = std::collections::HashMap::new();
    for (name, slug, members) in TEAMS {
        let id = teams::insert_team(&mut tx, name, slug).await?;
        team_ids.insert(*slug, id);
        // Each team's retro weeks are counted where most of it works.
        let zone = if *slug == "payments" { "America/New_York" } else { "Europe/London" };
        let hours = serde_json::to_value(domain::analytics::WorkingHours::default())
            .map_err(|e| Error::Internal(e.into()))?;
        teams::set_hours(&mut tx, id, zone, &hours).await?;
        let members: Vec<(Uuid, &str)> = members
            .iter()
            .filter_map(|(email, lead)| ids.get(email).map(|u| (u.0, if *lead { "lead" } else { "member" })))
            .collect();
        teams::add_members(&mut tx, id, &members).await?;
    }
    for (name, slug, team, description) in SERVICES {
        services::insert_service(&mut tx, name, slug, team_ids[team], description).await?;
    }
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new("demo.load", "database", "demo")
            .after(json!({ "users": created.len(), "teams": TEAMS.len(), "services": SERVICES.len() })),
    )
    .await?;
    tx.commit().await?;
    demo_history(pool, &ids, now).await?;
    let open = demo_incidents(pool, &ids, now).await?;
    demo_alerts(pool, now).await?;
    let schedules = demo_schedules(pool, &ids, &team_ids, now).await?;
    demo_policies(pool, &team_ids, &schedules).await?;
    demo_status_page(pool, &ids, &open, now).await?;
    demo_postmortems(pool, &ids, now).await?;
    Ok(DemoCredentials { admin_email: created[0].0.clone(), password: plain, users: created })
}

/// A kind of incident that recurs in the demo history: (title, service, root-cause tags, the
/// fixer's note).
const PAST: &[(&str, &str, &[&str], &str)] = &[
    (
        "Card payments declined by the acquirer",
        "billing",
        &["dependency"],
        "Acquirer confirmed an outage on their side; retries with backoff cleared the queue.",
    ),
    (
        "Core API 5xx after deploy",
        "core-api",
        &["deploy", "config-change"],
        "Rolled back the deploy; a missing env var on the new pods.",
    ),
    (
        "Web dashboard login loop",
        "web-dashboard",
        &["deploy"],
        "Cookie domain changed in the release; reverted.",
    ),
    (
        "Core API p99 latency above 2 s",
        "core-api",
        &["capacity"],
        "Connection pool exhausted at peak; raised the limit and added an alert.",
    ),
    (
        "Invoice emails not sent",
        "billing",
        &["dependency"],
        "SMTP provider rate-limited us; moved to the batch endpoint.",
    ),
    (
        "TLS certificate expired on api.example.com",
        "core-api",
        &["certificate", "process"],
        "Renewed by hand; the renewal job had been failing silently.",
    ),
    ("Database disk 95% full", "core-api", &["capacity"], "Vacuumed a bloated table and grew the volume."),
    (
        "Dashboard charts blank in Safari",
        "web-dashboard",
        &["browser"],
        "A date parser relied on a Chrome-only format.",
    ),
    (
        "Subscription renewals double-charged",
        "billing",
        &["bug", "data"],
        "An idempotency key was dropped on retry; refunds issued.",
    ),
    (
        "DNS resolution failures in eu-west",
        "core-api",
        &["dependency", "network"],
        "Resolver fleet restarted; added a second provider.",
    ),
];

/// Xorshift: varied but reproducible demo history, without a dependency for it.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// How many days ago Platform and Payments automated their first response (a runbook bot that
/// acknowledges and gathers diagnostics): acknowledgements are faster after it, which the
/// analytics' before/after shows.
pub const AUTOMATION_DAYS_AGO: i64 = 35;

/// The Alertmanager rule each kind of past incident (`PAST`, in order) fires from when an alert
/// opens it.
const PAST_RULES: &[&str] = &[
    "AcquirerDeclines",
    "HighErrorRate",
    "LoginFailureRate",
    "HighLatency",
    "EmailQueueBacklog",
    "CertificateExpiry",
    "FrontendErrors",
    "DuplicateCharges",
    "DnsLookupFailures",
];

/// Ninety days of resolved incidents across teams and hours (some at night in each responder's
/// zone, some on weekends), with the pages and notifications that woke people, escalations,
/// severities declared too high and lowered, alerts (some resolved by their source with nobody
/// acting), roles, notes, root-cause tags and recurrences related to each other: something for
/// the dashboard's closed list, postmortems and every chart of the analytics.
async fn demo_history(
    pool: &PgPool,
    users: &std::collections::HashMap<&str, domain::UserId>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use chrono::Duration;
    use domain::incident::{IncidentRole, Severity, TimelineKind};
    use domain::notification::ContactKind;

    use crate::db::{alerts, contact_methods, escalations, notifications};
    use incidents::{self, PastIncidentRow};

    let responders = ["priya@example.com", "sam@example.com", "jordan@example.com", "mia@example.com"];
    let actor_of =
        |email: &str| Actor { user_id: users.get(email).copied(), label: email.to_owned(), request_id: None };
    let name_of = |email: &str| PEOPLE.iter().find(|p| p.1 == email).map_or(email, |p| p.0).to_owned();
    let mut dice = Dice(0x7f4a_7c15_9e37_79b9);
    let mut tx = pool.begin().await?;
    // Their work email: where the history's pages went.
    let mut methods = std::collections::HashMap::new();
    for email in responders {
        let Some(user) = users.get(email) else { continue };
        let id = Uuid::now_v7();
        let row = contact_methods::ContactRow {
            id,
            user_id: user.0,
            kind: ContactKind::Email,
            label: "Work email".to_owned(),
            address: email.to_owned(),
            secret: None,
        };
        contact_methods::insert_contact_method(&mut tx, &row).await?;
        methods.insert(email, id);
    }
    let service_ids: std::collections::HashMap<String, Uuid> =
        services::services_with_owners(&mut tx).await?.into_iter().map(|s| (s.slug, s.id)).collect();
    let automated = now - Duration::days(AUTOMATION_DAYS_AGO);
    // Last week's Tuesday 16:10 in London (Platform's zone): 03:10 on Wednesday in Sydney.
    let last_week_night = domain::analytics::start_of_day(
        domain::analytics::Week::of(now, chrono_tz::Europe::London).previous().monday() + Duration::days(1),
        chrono_tz::Europe::London,
    ) + Duration::minutes(16 * 60 + 10);
    let mut last_of_kind: std::collections::HashMap<usize, Uuid> = Default::default();
    let count = 150;
    for k in 0..count {
        // The last one is last week's night page: Mia woken in Sydney for Core API, so the
        // retro of Platform's last week has someone to give a morning to.
        let night_page = k == count - 1;
        let rolled = dice.roll(PAST.len() as u64) as usize;
        let kind = if night_page { 1 } else { rolled };
        let (title, service, tags, fix) = PAST[kind];
        let severity = match dice.roll(20) {
            0 => Severity::Sev1,
            1..=3 => Severity::Sev2,
            4..=11 => Severity::Sev3,
            12..=17 => Severity::Sev4,
            _ => Severity::Sev5,
        };
        // A quarter are declared one level worse than they turn out; a few one level milder.
        let declared = match dice.roll(16) {
            0..=3 if severity != Severity::Sev1 => {
                Severity::from_level(severity.level() - 1).unwrap_or(severity)
            }
            4 if severity != Severity::Sev5 => Severity::from_level(severity.level() + 1).unwrap_or(severity),
            _ => severity,
        };
        let days_ago = 90 - (k * 89 / count) as i64;
        let rolled = now - Duration::days(days_ago) + Duration::minutes(dice.roll(24 * 60) as i64);
        let created = if night_page { last_week_night } else { rolled };
        let by_alert = dice.roll(3) == 0;
        let by_source = by_alert && dice.roll(6) == 0;
        let escalated = !by_source && dice.roll(6) == 0;
        let rolled = responders[dice.roll(4) as usize];
        let paged = if night_page { "mia@example.com" } else { rolled };
        let second = responders[(responders.iter().position(|r| *r == paged).unwrap_or(0) + 1) % 4];
        let commander = if escalated { second } else { paged };
        let declarer = responders[dice.roll(4) as usize];
        // The runbook bot made acknowledging quicker from the automation day on.
        let ack_minutes = if created >= automated { 1 + dice.roll(5) } else { 4 + dice.roll(20) } as i64;
        let acked = created + Duration::minutes(if escalated { 5 + ack_minutes } else { ack_minutes });
        let mitigated = acked + Duration::minutes(10 + dice.roll(110) as i64);
        let resolved = if by_source {
            created + Duration::minutes(8 + dice.roll(30) as i64)
        } else {
            mitigated + Duration::minutes(5 + dice.roll(240) as i64)
        };
        let customer_impact = !by_source && severity <= Severity::Sev3;
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        let row = PastIncidentRow {
            title,
            description: "",
            severity: severity.level(),
            status: "resolved",
            customer_impact,
            declared_by: if by_alert { None } else { users.get(declarer).map(|u| u.0) },
            created_at: created,
            acknowledged_at: (!by_source).then_some(acked),
            mitigated_at: (!by_source).then_some(mitigated),
            resolved_at: Some(resolved),
            impact_started_at: customer_impact.then(|| created - Duration::minutes(dice.roll(15) as i64)),
            impact_ended_at: customer_impact.then_some(mitigated),
            root_cause_tags: &tags,
            origin: if by_alert { "alert" } else { "declared" },
        };
        let (id, _) = incidents::insert_past(&mut tx, &row).await?;
        incidents::attach_services(&mut tx, id, &[service.to_owned()]).await?;
        if by_alert && let Some(service_id) = service_ids.get(service) {
            let rule = PAST_RULES.get(kind).copied().unwrap_or("Alert");
            let instance = format!("{service}-{}", 1 + dice.roll(4));
            let payload = json!({
                "action": "trigger", "dedup_key": format!("{rule}/{instance}"), "summary": title,
                "source": instance, "severity": "critical", "class": rule, "client": "Alertmanager",
                "details": { "labels": { "alertname": rule, "instance": instance, "severity": "critical" }, "annotations": {} }
            });
            let alert = alerts::NewAlert {
                service_id: *service_id,
                dedup_key: &format!("{rule}/{instance}"),
                severity: "critical",
                summary: title,
                source: &instance,
                incident_id: Some(id),
                first_seen_at: created,
                last_fired_at: created,
                flapping: by_source && dice.roll(2) == 0,
                payload: &payload,
            };
            alerts::insert_resolved_alert(&mut tx, &alert, resolved).await?;
        }
        // The pages: level 1 at once, level 2 five minutes on when nobody answered.
        let mut paged_people = vec![(paged, 0, created)];
        if escalated {
            paged_people.push((second, 1, created + Duration::minutes(5)));
        }
        for (who, level, at) in &paged_people {
            let (Some(user), Some(method)) = (users.get(who), methods.get(who)) else { continue };
            let page = escalations::NewPage {
                incident: id,
                step: *level,
                level: Some(*level),
                user: user.0,
                role: None,
                paged_by: None,
                at: *at,
            };
            let Some(page_id) = escalations::insert_page(&mut tx, &page).await? else { continue };
            let n = notifications::NewNotification {
                user_id: user.0,
                contact_method_id: *method,
                kind: "page",
                page_id: Some(page_id),
                incident_id: Some(id),
                due_at: *at,
                deferred: false,
                note: None,
            };
            notifications::insert_sent(&mut tx, &n, *at + Duration::seconds(3)).await?;
        }
        let system = Actor::system();
        let status = |from: &str, to: &str| json!({ "from": from, "to": to });
        let mut steps: Vec<(chrono::DateTime<chrono::Utc>, Actor, TimelineKind, String, serde_json::Value)> =
            vec![if by_alert {
                (
                    created,
                    system.clone(),
                    TimelineKind::StatusChange,
                    format!("Opened as {declared} by an alert"),
                    json!({ "to": "triggered", "severity": declared, "origin": "alert" }),
                )
            } else {
                (
                    created,
                    actor_of(declarer),
                    TimelineKind::StatusChange,
                    format!("Declared as {declared} ({})", declared.definition()),
                    json!({ "to": "triggered", "severity": declared }),
                )
            }];
        for (who, level, at) in &paged_people {
            steps.push((
                *at,
                system.clone(),
                TimelineKind::PageEscalated,
                format!("Escalation level {}: paged {}", level + 1, name_of(who)),
                json!({ "level": level + 1 }),
            ));
        }
        if by_source {
            steps.push((
                resolved,
                system.clone(),
                TimelineKind::StatusChange,
                "triggered -> resolved: its alerts resolved".to_owned(),
                status("triggered", "resolved"),
            ));
        } else {
            let boss = actor_of(commander);
            steps.push((
                acked,
                boss.clone(),
                TimelineKind::StatusChange,
                "triggered -> acknowledged".to_owned(),
                status("triggered", "acknowledged"),
            ));
            steps.push((
                acked,
                boss.clone(),
                TimelineKind::RoleChange,
                format!("{} is commander", name_of(commander)),
                json!({ "role": "commander" }),
            ));
            if declared != severity {
                let direction = if severity < declared { "Escalated" } else { "De-escalated" };
                steps.push((
                    acked + Duration::minutes(6),
                    boss.clone(),
                    TimelineKind::SeverityChange,
                    format!("{direction} {declared} -> {severity}"),
                    json!({ "from": declared, "to": severity }),
                ));
            }
            steps.push((
                mitigated - Duration::minutes(2),
                boss.clone(),
                TimelineKind::Note,
                fix.to_owned(),
                json!(null),
            ));
            steps.push((
                mitigated,
                boss.clone(),
                TimelineKind::StatusChange,
                "acknowledged -> mitigated".to_owned(),
                status("acknowledged", "mitigated"),
            ));
            steps.push((
                resolved,
                boss,
                TimelineKind::StatusChange,
                "mitigated -> resolved".to_owned(),
                status("mitigated", "resolved"),
            ));
            if let Some(user) = users.get(commander) {
                incidents::set_role(&mut tx, id, IncidentRole::Commander.as_str(), Some(user.0), acked)
                    .await?;
            }
        }
        steps.sort_by_key(|s| s.0);
        for (at, who, kind, body, data) in steps {
            let data = (!data.is_null()).then_some(data);
            timeline::append_timeline(&mut tx, id, &who, at, kind.as_str(), &body, data).await?;
        }
        if let Some(previous) = last_of_kind.insert(kind, id) {
            incidents::relate(&mut tx, previous, id, "same root cause").await?;
        }
    }
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new("demo.history", "database", "demo").after(json!({ "incidents": count })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Postmortems for the demo's latest serious past incidents, one in every state, with actions
/// open, done and overdue, and one confirmed recurrence: through the same operations people use.
async fn demo_postmortems(
    pool: &PgPool,
    users: &std::collections::HashMap<&str, domain::UserId>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use chrono::Duration;
    use domain::incident::IncidentNumber;
    use domain::postmortem::{
        ActionChange, ActionInput, PostmortemSave, ReviewInput, SectionKey, TransitionInput,
    };

    use crate::services::postmortems as pm;

    let as_user =
        |email: &str| Actor { user_id: users.get(email).copied(), label: email.to_owned(), request_id: None };
    let (priya, sam) = (as_user("priya@example.com"), as_user("sam@example.com"));
    let sam_id = users.get("sam@example.com").map(|u| u.0);
    let priya_id = users.get("priya@example.com").map(|u| u.0);
    let numbers: Vec<i64> = {
        let mut conn = pool.acquire().await?;
        incidents::recent_resolved_numbers(&mut conn, 6).await?
    };
    // Oldest first: the states run from published (oldest) to a fresh draft.
    let mut made = Vec::new();
    for (k, n) in numbers.iter().rev().enumerate() {
        let at = now - Duration::days(30 - 5 * k as i64);
        let p = match pm::create(pool, &priya, IncidentNumber(*n), at).await {
            Ok(p) => p,
            Err(Error::Conflict(_)) => pm::get_by_incident(pool, IncidentNumber(*n), at).await?,
            Err(e) => return Err(e),
        };
        made.push(p);
    }
    let write = |summary: &str, cause: &str| PostmortemSave {
        sections: [
            (SectionKey::Summary, summary.to_owned()),
            (SectionKey::RootCause, cause.to_owned()),
            (
                SectionKey::WentWell,
                "The alert fired within two minutes and the rollback was rehearsed.".to_owned(),
            ),
        ]
        .into_iter()
        .collect(),
        ..Default::default()
    };
    let review = |verdict: &str, comment: &str| ReviewInput {
        verdict: verdict.to_owned(),
        comment: comment.to_owned(),
    };
    let to = |s: &str, reviewers: Vec<Uuid>| TransitionInput { to: s.to_owned(), reviewers };
    let sam_only: Vec<Uuid> = sam_id.into_iter().collect();
    for (k, p) in made.iter().enumerate() {
        let at = now - Duration::days(29 - 5 * k as i64);
        let summary = format!("{} for customers of the service; resolved by the on-call.", p.incident_title);
        // The newest stays a fresh draft with a blaming sentence for the hints to catch.
        let cause = if k + 1 == made.len() {
            "Sam failed to check the config before deploying. Human error."
        } else {
            "A configuration default changed in a dependency upgrade; nothing in the pipeline compared it."
        };
        let saved = pm::save(
            pool,
            &priya,
            p.id,
            &PostmortemSave { version: p.version, ..write(&summary, cause) },
            at,
        )
        .await?;
        // Actions: one done, one open, and (on the oldest two) one already overdue.
        let action = |title: &str, due: chrono::NaiveDate| ActionInput {
            title: title.to_owned(),
            owner_id: if k % 2 == 0 { sam_id } else { priya_id },
            due_on: Some(due.to_string()),
            priority: Some(if k % 2 == 0 { "high" } else { "medium" }.to_owned()),
            tracker_url: Some(format!("https://tracker.example.com/OPS-{}", 100 + k)),
            from_event: None,
        };
        let done = pm::add_action(
            pool,
            &priya,
            p.id,
            &action("Add a config diff step to the pipeline", (at + Duration::days(10)).date_naive()),
            at,
        )
        .await?;
        pm::update_action(
            pool,
            &sam,
            done.id,
            &ActionChange { status: Some("done".into()), ..Default::default() },
            at,
        )
        .await?;
        let due = if k < 2 { now - Duration::days(3) } else { now + Duration::days(20) };
        pm::add_action(
            pool,
            &priya,
            p.id,
            &action("Alert on configuration drift between regions", due.date_naive()),
            at,
        )
        .await?;
        match k {
            // Published, approved, in review, changes requested, draft, draft.
            0 | 1 => {
                pm::transition(pool, &priya, p.id, &to("in_review", sam_only.clone()), "", at).await?;
                pm::review(pool, &sam, p.id, &review("approve", "Clear and blameless."), at).await?;
                if k == 0 {
                    pm::transition(pool, &priya, p.id, &to("published", vec![]), "", at).await?;
                }
            }
            2 => {
                pm::transition(pool, &priya, p.id, &to("in_review", sam_only.clone()), "", at).await?;
            }
            3 => {
                pm::transition(pool, &priya, p.id, &to("in_review", sam_only.clone()), "", at).await?;
                pm::review(
                    pool,
                    &sam,
                    p.id,
                    &review("request_changes", "Say how detection could have been faster."),
                    at,
                )
                .await?;
            }
            _ => {}
        }
        let _ = saved;
    }
    // The newest confirms an earlier candidate, if it has one.
    if let Some(last) = made.last() {
        let view = pm::get(pool, last.id, now).await?;
        if let Some(c) = view.recurrence_candidates.first() {
            pm::decide_recurrence(pool, &priya, last.id, IncidentNumber(c.incident), true, now).await?;
        }
    }
    Ok(())
}

struct DemoIncident {
    declared_by: &'static str,
    title: &'static str,
    severity: &'static str,
    services: &'static [&'static str],
    customer_impact: bool,
    /// The statuses it is moved through after being declared.
    walk: &'static [&'static str],
    /// What the commander notes once they have acknowledged it.
    note: Option<&'static str>,
}

const INCIDENTS: &[DemoIncident] = &[
    DemoIncident {
        declared_by: "jordan@example.com",
        title: "Card payments declined for EU customers",
        severity: "SEV2",
        services: &["billing"],
        customer_impact: true,
        walk: &["acknowledged", "mitigated", "resolved"],
        note: Some("Acquirer status page confirms **EU card processing degraded**. Retrying with backoff."),
    },
    DemoIncident {
        declared_by: "priya@example.com",
        title: "Core API p99 latency above 2 s",
        severity: "SEV3",
        services: &["core-api"],
        customer_impact: true,
        walk: &["acknowledged"],
        note: Some("Pool at 100% since 08:10. Suspect the new report export: `SELECT` without a limit."),
    },
    DemoIncident {
        declared_by: "sam@example.com",
        title: "Dashboard charts render blank in Safari",
        severity: "SEV4",
        services: &["web-dashboard"],
        customer_impact: false,
        walk: &[],
        note: None,
    },
];

/// A few incidents in different states, declared and moved on by the demo responders through the
/// same operations people use, so their timelines read as real ones do.
async fn demo_incidents(
    pool: &PgPool,
    users: &std::collections::HashMap<&str, domain::UserId>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(&'static str, domain::incident::IncidentNumber)>> {
    use domain::incident::NewIncidentInput;
    let mut declared = Vec::new();
    for (i, demo) in INCIDENTS.iter().enumerate() {
        // Declared a little while ago and worked on since, as a live incident is.
        let opened = now - chrono::Duration::minutes(25 + 10 * i as i64);
        let actor = Actor {
            user_id: users.get(demo.declared_by).copied(),
            label: demo.declared_by.to_owned(),
            request_id: None,
        };
        let input = NewIncidentInput {
            title: demo.title.to_owned(),
            severity: demo.severity.to_owned(),
            services: demo.services.iter().map(|s| (*s).to_owned()).collect(),
            description: String::new(),
            customer_impact: demo.customer_impact,
        };
        let incident = super::incidents::declare_incident(pool, &actor, &input.parse()?, opened).await?;
        declared.push((demo.title, incident.number));
        for (k, to) in demo.walk.iter().enumerate() {
            let at = opened + chrono::Duration::minutes(3 * (k as i64 + 1));
            super::incidents::transition_incident(pool, &actor, incident.number, to.parse()?, None, at)
                .await?;
            if *to == "acknowledged" {
                let commander = Some(users[demo.declared_by]);
                let role = domain::incident::IncidentRole::Commander;
                super::incidents::assign_role(pool, &actor, incident.number, role, commander, at).await?;
                if let Some(note) = demo.note {
                    super::timeline::add_note(pool, &actor, incident.number, note, at).await?;
                }
            }
        }
    }
    Ok(declared)
}

/// The public page: components for every demo service in two groups, ninety days of history with
/// a few outages told to customers and a completed maintenance, one upcoming maintenance, and the
/// open Core API incident told to customers right now. Posted through the same operations a
/// communicator uses, at the times they would have happened.
async fn demo_status_page(
    pool: &PgPool,
    users: &std::collections::HashMap<&str, domain::UserId>,
    open: &[(&'static str, domain::incident::IncidentNumber)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use std::collections::BTreeMap;

    use chrono::Duration;
    use domain::status::{
        ComponentStatus as C, Impact, PublicStatus as P,
        page::{ComponentChange, GroupInput, NewPublicIncident, ParsedUpdate},
    };

    use super::status_page as page;

    let actor = Actor {
        user_id: users.get("priya@example.com").copied(),
        label: "priya@example.com".into(),
        request_id: None,
    };
    let admin = Actor::system();
    let since = now - Duration::days(100);
    let mut groups = std::collections::HashMap::new();
    for (position, name) in ["Platform", "Payments"].into_iter().enumerate() {
        let g =
            GroupInput { name: Some(name.into()), position: Some(position as i32), collapsed: Some(false) };
        groups.insert(name, page::create_group(pool, &admin, &g, since).await?.id);
    }
    let mut components = std::collections::HashMap::new();
    for (position, (name, description, group, service)) in [
        ("API", "The public REST API.", "Platform", "core-api"),
        ("Dashboard", "The web application at app.example.com.", "Platform", "web-dashboard"),
        ("Billing", "Invoices and subscriptions.", "Payments", "billing"),
        ("Card payments", "Taking card payments at checkout.", "Payments", "billing"),
    ]
    .into_iter()
    .enumerate()
    {
        let change = ComponentChange {
            name: Some(name.into()),
            description: Some(description.into()),
            group_id: Some(Some(groups[group])),
            position: Some(position as i32),
            services: Some(vec![service.to_owned()]),
            ..Default::default()
        };
        components.insert(name, page::create_component(pool, &admin, &change, since).await?.id);
    }
    let update = |status: P, body: &str, states: &[(&str, C)]| ParsedUpdate {
        status,
        body: body.to_owned(),
        components: states.iter().map(|(n, s)| (components[n], *s)).collect::<BTreeMap<_, _>>(),
    };
    // (days ago, name, impact, [(minutes after the start, update)]), oldest first.
    type Told = (i64, &'static str, Impact, Vec<(i64, ParsedUpdate)>);
    let past: Vec<Told> = vec![
        (
            74,
            "Card payments failing for some customers",
            Impact::Major,
            vec![
                (
                    0,
                    update(
                        P::Investigating,
                        "Some card payments are being declined. We are investigating.",
                        &[("Card payments", C::PartialOutage)],
                    ),
                ),
                (
                    25,
                    update(
                        P::Identified,
                        "Our card processor is having an outage; payments are retried automatically.",
                        &[],
                    ),
                ),
                (
                    95,
                    update(
                        P::Resolved,
                        "Card payments are working normally again. Declined payments were retried.",
                        &[("Card payments", C::Operational)],
                    ),
                ),
            ],
        ),
        (
            51,
            "API unavailable",
            Impact::Critical,
            vec![
                (
                    0,
                    update(
                        P::Investigating,
                        "The API is returning errors for all requests.",
                        &[("API", C::MajorOutage), ("Dashboard", C::PartialOutage)],
                    ),
                ),
                (
                    18,
                    update(
                        P::Monitoring,
                        "A faulty release was rolled back. We are watching error rates.",
                        &[("API", C::DegradedPerformance), ("Dashboard", C::Operational)],
                    ),
                ),
                (40, update(P::Resolved, "The API is working normally.", &[("API", C::Operational)])),
            ],
        ),
        (
            12,
            "Slow dashboard in Safari",
            Impact::Minor,
            vec![
                (
                    0,
                    update(
                        P::Identified,
                        "Charts load slowly or not at all in Safari. A fix is being prepared.",
                        &[("Dashboard", C::DegradedPerformance)],
                    ),
                ),
                (
                    300,
                    update(
                        P::Resolved,
                        "The fix is live; charts load in every browser.",
                        &[("Dashboard", C::Operational)],
                    ),
                ),
            ],
        ),
    ];
    for (days, name, impact, updates) in past {
        let start = now - Duration::days(days);
        let mut updates = updates.into_iter();
        let Some((_, first)) = updates.next() else { continue };
        let posted = page::post_incident(
            pool,
            &actor,
            &NewPublicIncident { name: name.into(), impact, update: first, incident: None },
            "",
            start,
        )
        .await?;
        for (minutes, u) in updates {
            page::post_update(pool, &actor, &posted.public_id, &u, "", start + Duration::minutes(minutes))
                .await?;
        }
    }
    // A maintenance that ran twenty days ago (started and completed by the engine's own
    // operation, at its times) and one coming in five days.
    for (starts, name, body) in [
        (
            now - Duration::days(20),
            "Database upgrade",
            "The API will be read-only for up to an hour while we upgrade the database.",
        ),
        (
            now + Duration::days(5),
            "Card processor migration",
            "Card payments may be declined for a few minutes while we switch processors.",
        ),
    ] {
        let m = domain::status::page::NewMaintenance {
            name: name.into(),
            body: body.into(),
            scheduled_for: starts,
            scheduled_until: starts + Duration::hours(1),
            components: vec![components[if name.starts_with("Database") { "API" } else { "Card payments" }]],
            auto_start: true,
            auto_complete: true,
        };
        page::schedule_maintenance(pool, &actor, &m, "", (starts - Duration::days(3)).min(now)).await?;
        if starts < now {
            page::advance_maintenances(pool, "", starts).await?;
            page::advance_maintenances(pool, "", starts + Duration::hours(1)).await?;
        }
    }
    // Happening now: the open Core API incident, told to customers.
    if let Some((_, number)) = open.iter().find(|(title, _)| title.contains("Core API")) {
        let first = update(
            P::Identified,
            "API requests are slower than usual. We have found the cause and are deploying a fix.",
            &[("API", C::DegradedPerformance)],
        );
        page::post_incident(
            pool,
            &actor,
            &NewPublicIncident {
                name: "Slow API responses".into(),
                impact: Impact::Minor,
                update: first,
                incident: Some(*number),
            },
            "",
            now,
        )
        .await?;
    }
    Ok(())
}

/// An Alertmanager key on the web dashboard and a webhook batch through it: two alerts firing, one
/// fired and resolved. Stored as the endpoint stores them; the server's processor applies them.
async fn demo_alerts(pool: &PgPool, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    use domain::alert::{IntegrationKind, NewIntegrationKey, event::parse_alertmanager};
    let actor = Actor::cli();
    let key = NewIntegrationKey { kind: IntegrationKind::Alertmanager, label: "Prometheus (demo)".into() };
    let created =
        super::integration_keys::create_key(pool, &actor, "web-dashboard", &key, "http://127.0.0.1:3000")
            .await?;
    let at = |mins: i64| (now - chrono::Duration::minutes(mins)).to_rfc3339();
    let alert = |instance: &str, status: &str, starts: String, ends: &str| {
        serde_json::json!({
            "status": status,
            "labels": {"alertname": "HighErrorRate", "instance": instance, "job": "web", "severity": "critical"},
            "annotations": {"summary": format!("5xx above 2% on {instance}")},
            "startsAt": starts, "endsAt": ends,
            "generatorURL": "http://prometheus:9090/graph?g0.expr=rate(http_5xx[5m])",
            "fingerprint": format!("demo-{instance}")
        })
    };
    let zero = "0001-01-01T00:00:00Z";
    let batches = [
        vec![
            alert("web-1", "firing", at(12), zero),
            alert("web-2", "firing", at(9), zero),
            alert("web-3", "firing", at(30), zero),
        ],
        vec![alert("web-3", "resolved", at(30), &at(20))],
        // A hand-written rule sending a state Alertmanager never does: refused, and listed on
        // the service page's rejected events.
        vec![alert("web-4", "pending", at(5), zero)],
    ];
    let mut conn = pool.acquire().await?;
    let service =
        services::service_by_slug(&mut conn, "web-dashboard").await?.ok_or(Error::NotFound("service"))?;
    let mut batch = alert_events::EventBatch::default();
    let mut rejected = Vec::new();
    for alerts in batches {
        let body = serde_json::json!({"version": "4", "status": "firing", "alerts": alerts});
        let parsed = parse_alertmanager(&body).map_err(|e| anyhow::anyhow!("demo alerts: {e:?}"))?;
        rejected.extend(parsed.rejected);
        for e in parsed.events {
            batch.service_ids.push(service.id);
            batch.key_ids.push(created.view.id);
            batch.actions.push(e.action.as_str().to_owned());
            batch.dedup_keys.push(e.dedup_key.clone());
            batch.events.push(serde_json::json!(e).to_string());
        }
    }
    alert_events::insert_events(&mut conn, &batch).await?;
    drop(conn);
    super::alerts::record_rejected(pool, service.id, created.view.id, now, &rejected).await?;
    Ok(())
}

/// A schedule per team through the same path an admin's save takes. Platform's weekly rotation
/// of three breaks the "one week per month" rule on purpose (saved with the warning confirmed),
/// so the editor has something to show, and its secondary covers office hours only; Payments is
/// fair. One override on each.
async fn demo_schedules(
    pool: &PgPool,
    ids: &std::collections::HashMap<&str, domain::UserId>,
    team_ids: &std::collections::HashMap<&str, Uuid>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(&'static str, Uuid)>> {
    use chrono::{Datelike, Duration};
    use domain::schedule::{LayerInput, OverrideInput, RestrictionInput, ScheduleInput};

    let who = |emails: &[&str]| emails.iter().filter_map(|e| ids.get(e).map(|u| u.0)).collect::<Vec<Uuid>>();
    // Four Mondays ago, so the rotations have history for the load table.
    let today = now.date_naive();
    let monday =
        today - Duration::days(i64::from(today.weekday().num_days_from_monday())) - Duration::weeks(4);
    let start = monday.format("%Y-%m-%d").to_string();
    let weekly = |name: &str, tier: &str, people: Vec<Uuid>, time: &str| LayerInput {
        name: name.into(),
        tier: tier.into(),
        participants: people,
        handoff_time: time.into(),
        start_date: start.clone(),
        ..LayerInput::default()
    };
    let actor = Actor::system();
    let schedules = [
        (
            "Platform on-call",
            "platform",
            "Europe/London",
            vec![
                weekly(
                    "Primary",
                    "primary",
                    who(&["priya@example.com", "sam@example.com", "mia@example.com"]),
                    "09:00",
                ),
                LayerInput {
                    restrictions: ["Mon", "Tue", "Wed", "Thu", "Fri"]
                        .iter()
                        .map(|d| RestrictionInput {
                            weekday: (*d).into(),
                            start: "09:00".into(),
                            end: "17:00".into(),
                        })
                        .collect(),
                    ..weekly(
                        "Office-hours secondary",
                        "secondary",
                        who(&["alex@example.com", "jordan@example.com"]),
                        "09:00",
                    )
                },
            ],
            "alex@example.com",
        ),
        (
            "Payments on-call",
            "payments",
            "America/New_York",
            vec![
                weekly(
                    "Primary",
                    "primary",
                    who(&["jordan@example.com", "mia@example.com", "sam@example.com", "alex@example.com"]),
                    "10:00",
                ),
                weekly(
                    "Secondary",
                    "secondary",
                    who(&["sam@example.com", "alex@example.com", "jordan@example.com", "mia@example.com"]),
                    "10:00",
                ),
            ],
            "priya@example.com",
        ),
    ];
    let mut made = Vec::new();
    for (name, team, zone, layers, cover) in schedules {
        let input = ScheduleInput {
            name: name.into(),
            team_id: team_ids.get(team).copied().map(domain::team::TeamId),
            time_zone: zone.into(),
            layers,
            fairness: None,
        };
        let id = super::schedules::create(pool, &actor, &input, true, now).await?;
        // Tomorrow afternoon someone from outside the rotation covers four hours of the primary.
        let tz = super::stored_zone(zone)?;
        let afternoon = domain::schedule::resolve_local(
            tz,
            (today + Duration::days(1)).and_hms_opt(14, 0, 0).unwrap_or_default(),
        );
        let o = OverrideInput {
            user_id: who(&[cover]).first().copied().unwrap_or_default(),
            start: afternoon.to_rfc3339(),
            end: (afternoon + Duration::hours(4)).to_rfc3339(),
            layer_id: None,
        };
        super::schedules::add_override(pool, &actor, Role::Admin, id, &o, true, now).await?;
        made.push((team, id));
    }
    Ok(made)
}

/// A policy per team: its schedule's primary, then its secondary and the team's leads, twice
/// over; each team's services route to it.
async fn demo_policies(
    pool: &PgPool,
    team_ids: &std::collections::HashMap<&str, Uuid>,
    schedules: &[(&'static str, Uuid)],
) -> Result<()> {
    use domain::escalation::{Level, LevelTarget, PolicyInput, Target};

    let actor = Actor::system();
    let mut conn = pool.acquire().await?;
    for (team, schedule) in schedules {
        let layers = schedules::layers_of(&mut conn, &[*schedule]).await?;
        let mut second = vec![LevelTarget {
            target: Target::TeamLeads { id: domain::team::TeamId(team_ids[team]) },
            role: None,
        }];
        if let Some(secondary) = layers.iter().find(|l| l.tier == domain::schedule::Tier::Secondary) {
            second.insert(
                0,
                LevelTarget {
                    target: Target::Layer { schedule_id: ScheduleId(*schedule), layer_id: secondary.id },
                    role: None,
                },
            );
        }
        let input = PolicyInput {
            name: format!("{} default", if *team == "platform" { "Platform" } else { "Payments" }),
            levels: vec![
                Level {
                    targets: vec![LevelTarget {
                        target: Target::Schedule { id: ScheduleId(*schedule) },
                        role: None,
                    }],
                    delay_secs: 15 * 60,
                },
                Level { targets: second, delay_secs: 15 * 60 },
            ],
            repeat: 1,
        };
        let policy = super::policies::save_policy(pool, &actor, None, &input).await?;
        for (_, slug, _, _) in SERVICES.iter().filter(|s| s.2 == *team) {
            super::catalog::route_service(pool, &actor, slug, Some(policy.id)).await?;
        }
    }
    Ok(())
}
