//! A new postmortem, filled with what the responders recorded while they worked: the owner and due
//! day, the template's sections, the impact window, and a timeline from the incident's pins,
//! status and severity changes, roles, pages and status page updates, each entry linked to its
//! source.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    incident::Pin,
    postmortem::{self as pm, SectionKey, Sections},
    status::public::duration_words,
};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{on_timeline, severity_name, tell};
use crate::{
    Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        postmortems::{self as db, IncidentFacts, PolicyRow},
    },
};

/// The impact section's opening: the declared window and how long it lasted.
fn impact_window(f: &IncidentFacts) -> String {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    match (f.impact_started_at, f.impact_ended_at) {
        (Some(s), Some(e)) => {
            format!("Impact window: {} to {} ({}).\n\n", at(s), at(e), duration_words((e - s).num_seconds()))
        }
        (Some(s), None) => format!("Impact window: from {} (its end was not declared).\n\n", at(s)),
        _ => "Impact window: not declared on the incident.\n\n".to_owned(),
    }
}

/// The line a timeline event becomes.
fn entry_text(kind: &str, body: &str, pin: Option<&str>) -> String {
    let what = match (pin, kind) {
        (Some(p), _) if p == Pin::Papertrail.as_str() => "Papertrail",
        (Some(_), _) => "Follow-up",
        (_, "status_change") => "Status",
        (_, "severity_change") => "Severity",
        (_, "role_change") => "Role",
        (_, "page_sent" | "page_acknowledged" | "page_escalated") => "Paging",
        (_, "status_page_update") => "Status page",
        _ => "Note",
    };
    format!("{what}: {}", body.trim())
}

/// Creates the postmortem unless the incident has one; answers its id when created.
pub(super) async fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: Uuid,
    facts: &IncidentFacts,
    policy: &PolicyRow,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let owner = facts.commander.or(actor.user_id.map(|u| u.0));
    let zone: Tz = match owner {
        Some(o) => db::time_zone_of(conn, o).await?.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC),
        None => chrono_tz::UTC,
    };
    let resolved = facts.resolved_at.unwrap_or(now);
    let due = pm::due::due_at(resolved, zone, policy.business_days.max(1) as u32);
    let template = match db::template_for(conn, &severity_name(facts.severity)).await? {
        Some(t) => serde_json::from_value(t).unwrap_or_else(|_| pm::default_sections()),
        None => pm::default_sections(),
    };
    let mut sections = Sections::new();
    let impact = impact_window(facts);
    let impact_key = if template.iter().any(|s| s.key == SectionKey::CustomerImpact) {
        SectionKey::CustomerImpact
    } else {
        SectionKey::BusinessImpact
    };
    sections.insert(impact_key, impact);
    let created = db::insert(
        conn,
        &db::NewPostmortem {
            incident,
            owner,
            due_at: due,
            template: &json!(template),
            sections: &json!(sections),
            at: now,
        },
    )
    .await?;
    let Some(id) = created else {
        return Ok(None);
    };
    for e in db::timeline_sources(conn, incident).await? {
        // Follow-up pins become candidate actions, not timeline lines.
        if e.pin.as_deref() == Some(Pin::FollowUp.as_str()) {
            continue;
        }
        db::insert_timeline(conn, id, e.at, &entry_text(&e.kind, &e.body, e.pin.as_deref()), Some(e.id))
            .await?;
    }
    audit::record(
        conn,
        actor,
        Entry::new("postmortem.create", "postmortem", id)
            .after(json!({ "incident": facts.number, "owner_id": owner, "due_at": due })),
    )
    .await?;
    on_timeline(
        conn,
        incident,
        actor,
        &format!("Postmortem opened, due {}", due.with_timezone(&zone).format("%a %-d %b")),
        now,
    )
    .await?;
    if let Some(o) = owner {
        let note = format!(
            "You own the postmortem of INC-{}: {} (due {}); it is on the incident's page.",
            facts.number,
            facts.title,
            due.with_timezone(&zone).format("%a %-d %b"),
        );
        tell(conn, o, incident, &note, now).await?;
    }
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_impact_window_reads_with_its_duration_or_says_it_is_missing() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let mut f = IncidentFacts {
            number: 7,
            title: "x".into(),
            severity: 2,
            created_at: t("2026-12-01T10:00:00Z"),
            resolved_at: None,
            impact_started_at: Some(t("2026-12-01T10:05:00Z")),
            impact_ended_at: Some(t("2026-12-01T11:10:00Z")),
            commander: None,
        };
        assert_eq!(
            impact_window(&f),
            "Impact window: 2026-12-01 10:05 UTC to 2026-12-01 11:10 UTC (1h 5m).\n\n"
        );
        f.impact_ended_at = None;
        assert!(impact_window(&f).contains("its end was not declared"));
        f.impact_started_at = None;
        assert!(impact_window(&f).contains("not declared on the incident"));
        assert_eq!(entry_text("note", " Saw 500s ", Some("papertrail")), "Papertrail: Saw 500s");
        assert_eq!(entry_text("severity_change", "SEV3 -> SEV2", None), "Severity: SEV3 -> SEV2");
    }
}
