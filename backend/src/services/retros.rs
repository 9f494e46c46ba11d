//! The weekly retro (`domain::retro`): a team's ISO week in the team's zone, read from its pages,
//! the analytics of the week and the four before, its postmortems and actions; and what the
//! team writes during the meeting (marks on pages, notes, actions, mood, "held"), each audited.
//! A person's mood answer is never written to the audit log: it is shown only as an aggregate.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{
    FieldError, UserId,
    analytics::{Filter, GroupBy, Week, Window, WorkingHours},
    incident::Severity,
    postmortem::{ActionStatus, PostmortemStatus},
    retro::{
        self as r, Automation, MoodSummary, PageMark, PageMarkInput, RetroAction, RetroActionInput,
        RetroFigures, RetroHeld, RetroLoad, RetroMember, RetroNote, RetroPage, RetroSchedule, RetroTrend,
        RetroView,
    },
};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::{
    Error, Result,
    actor::Actor,
    db::{
        audit::{self, Entry},
        retros as db,
    },
    services::{analytics, postmortems},
};

/// How many weeks before this one the trends show.
const TREND_WEEKS: i64 = 4;

struct Team {
    id: Uuid,
    slug: String,
    name: String,
    zone: Tz,
}

async fn team(conn: &mut PgConnection, slug: &str) -> Result<Team> {
    let t = db::team(conn, slug).await?.ok_or(Error::NotFound("team"))?;
    Ok(Team { id: t.id, zone: t.time_zone.parse().unwrap_or(chrono_tz::UTC), slug: t.slug, name: t.name })
}

fn page(row: db::PageRow, team_zone: Tz) -> RetroPage {
    let zone: Tz = row.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let hours: WorkingHours =
        row.working_hours.and_then(|h| serde_json::from_value(h).ok()).unwrap_or_default();
    let outcome = match row.status.as_str() {
        "resolved" if row.origin != "declared" && !row.human_acted => "resolved by its source".to_owned(),
        "resolved" => "resolved".to_owned(),
        "no_responder" => "no responder".to_owned(),
        other => format!("open ({other})"),
    };
    RetroPage {
        id: row.id,
        at: row.paged_at,
        local: r::local_label(row.paged_at, team_zone),
        incident: row.number,
        title: row.title,
        severity: Severity::from_level(row.severity).unwrap_or(Severity::Sev5),
        person: row.name,
        person_id: UserId(row.user_id),
        level: row.level.map(|l| l + 1),
        escalated: row.escalated,
        class: hours.classify(row.paged_at, zone),
        to_acknowledge: row
            .acknowledged_at
            .filter(|a| *a >= row.paged_at)
            .map(|a| (a - row.paged_at).num_seconds()),
        outcome,
        documented: row.documented.unwrap_or(false),
        runbook_url: row.runbook_url,
        automation: row.automation.and_then(|a| a.parse().ok()).unwrap_or(Automation::No),
        note: row.note.unwrap_or_default(),
    }
}

fn filter(window: Window, team: &str) -> Filter {
    Filter { window, team: Some(team.to_owned()), service: None, severity: None }
}

/// A team's week. Without a team: the caller's first team (else the first team); without a
/// week: last week in the team's zone.
pub async fn get(
    pool: &PgPool,
    slug: Option<&str>,
    week: Option<Week>,
    me: UserId,
    now: DateTime<Utc>,
) -> Result<RetroView> {
    let slug = match slug {
        Some(s) => s.to_owned(),
        None => default_team(pool, me).await?.ok_or(Error::NotFound("team"))?,
    };
    let mut conn = pool.acquire().await?;
    let t = team(&mut conn, &slug).await?;
    let week = week.unwrap_or_else(|| Week::of(now, t.zone).previous());
    let this = week.window(t.zone);
    let first = Week::of_day(week.monday() - chrono::Duration::weeks(TREND_WEEKS));
    let span = Window { from: first.monday(), ..this };
    let rows = db::pages_between(&mut conn, t.id, span.start(), this.end()).await?;
    let all: Vec<RetroPage> = rows.into_iter().map(|row| page(row, t.zone)).collect();
    let pages: Vec<RetroPage> = all.iter().filter(|p| p.at >= this.start()).cloned().collect();
    let notes = db::notes(&mut conn, t.id, &week.to_string()).await?;
    let actions = db::actions(&mut conn, t.id, &week.to_string()).await?;
    let moods = db::moods(&mut conn, t.id, &week.to_string()).await?;
    let held = db::held(&mut conn, t.id, &week.to_string()).await?;
    let members = db::members(&mut conn, t.id).await?;
    let schedules = db::schedules(&mut conn, t.id).await?;
    drop(conn);

    // The week and the four before, by week in the team's zone.
    let response = analytics::response(pool, &filter(span, &t.slug), GroupBy::Week).await?;
    let mut trends = Vec::new();
    let mut w = first;
    while w <= week {
        let key = w.to_string();
        let window = w.window(t.zone);
        let of_week: Vec<RetroPage> =
            all.iter().filter(|p| p.at >= window.start() && p.at < window.end()).cloned().collect();
        let mut figures = RetroFigures::of_pages(&of_week);
        if let Some(row) = response.rows.iter().find(|row| row.key == key) {
            figures.incidents = row.figures.incidents;
            figures.mtta_p50 = row.figures.mtta_seconds.p50;
            figures.mttr_p50 = row.figures.mttr_seconds.p50;
        }
        trends.push(RetroTrend { week: key, figures });
        w = w.next();
    }
    let figures = trends.last().map(|t| t.figures.clone()).unwrap_or_default();

    let week_filter = filter(this, &t.slug);
    let load = analytics::interruptions(pool, &week_filter)
        .await?
        .responders
        .into_iter()
        .map(|l| {
            let woken = l.interruptions.sleep > 0;
            let zone: Tz = l.time_zone.parse().unwrap_or(chrono_tz::UTC);
            RetroLoad { woken, next_morning: woken.then(|| r::next_morning(now, zone)), load: l }
        })
        .collect();
    let noise = analytics::noise(pool, &week_filter).await?;
    let action_filter = postmortems::ActionFilter { team: Some(t.slug.clone()), ..Default::default() };
    let open_actions = postmortems::action_list(pool, &action_filter, now)
        .await?
        .into_iter()
        .filter(|a| matches!(a.status, ActionStatus::Open | ActionStatus::InProgress))
        .collect();
    let list_filter = postmortems::ListFilter { team: Some(t.slug.clone()), ..Default::default() };
    let postmortems_due = postmortems::list(pool, &list_filter, now)
        .await?
        .into_iter()
        .filter(|p| p.status != PostmortemStatus::Published)
        .collect();
    let today = now.with_timezone(&t.zone).date_naive();
    let mut view = RetroView {
        team: t.slug.clone(),
        team_name: t.name.clone(),
        week: week.to_string(),
        previous_week: week.previous().to_string(),
        next_week: week.next().to_string(),
        time_zone: t.zone.name().to_owned(),
        from: this.start(),
        to: this.end(),
        pages,
        figures,
        trends,
        load,
        actions: open_actions,
        postmortems_due,
        noisiest_rules: noise
            .figures
            .rules
            .iter()
            .filter(|r| r.pages > 0)
            .take(5)
            .map(|r| (r.rule.clone(), r.pages))
            .collect(),
        agenda: Vec::new(),
        notes: notes
            .into_iter()
            .map(|n| RetroNote { id: n.id, body: n.body, author: n.author, created_at: n.created_at })
            .collect(),
        retro_actions: actions
            .into_iter()
            .map(|a| RetroAction {
                id: a.id,
                title: a.title,
                owner: a.owner,
                owner_id: a.owner_id.map(UserId),
                due_on: a.due_on,
                done: a.done_at.is_some(),
                overdue: a.done_at.is_none() && a.due_on < today,
                week: a.week,
            })
            .collect(),
        mood: MoodSummary::of(
            &moods.into_iter().map(|(u, m)| (UserId(u), u8::try_from(m).unwrap_or(0))).collect::<Vec<_>>(),
            me,
        ),
        held: held.map(|h| RetroHeld { at: h.held_at, by: h.by, attendees: h.attendees }),
        members: members.into_iter().map(|m| RetroMember { id: UserId(m.id), name: m.name }).collect(),
        schedules: schedules.into_iter().map(|s| RetroSchedule { id: s.id, name: s.name }).collect(),
    };
    view.agenda = r::agenda(&view, today);
    Ok(view)
}

/// The team, checking the week is one: a retro is kept for weeks that have started.
async fn writable(conn: &mut PgConnection, slug: &str, week: Week, now: DateTime<Utc>) -> Result<Team> {
    let t = team(conn, slug).await?;
    if week.window(t.zone).start() > now {
        return Err(FieldError::new("iso_week", "this week has not started yet").into());
    }
    Ok(t)
}

/// Marks one page of the week (documented, runbook, automation, note); returns it as it now is.
pub async fn mark_page(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    week: Week,
    page_id: i64,
    input: &PageMarkInput,
    now: DateTime<Utc>,
) -> Result<RetroPage> {
    let mut tx = pool.begin().await?;
    let t = writable(&mut tx, slug, week, now).await?;
    let window = week.window(t.zone);
    let at = db::page_of_team(&mut tx, page_id, t.id).await?.ok_or(Error::NotFound("page"))?;
    if at < window.start() || at >= window.end() {
        return Err(Error::NotFound("page"));
    }
    let before = db::mark_for_update(&mut tx, page_id).await?;
    let current = before.as_ref().map_or(
        PageMark { documented: false, runbook_url: None, automation: Automation::No, note: String::new() },
        |m| PageMark {
            documented: m.documented,
            runbook_url: m.runbook_url.clone(),
            automation: m.automation.parse().unwrap_or(Automation::No),
            note: m.note.clone(),
        },
    );
    let next = input.apply(current.clone())?;
    let row = db::MarkRow {
        documented: next.documented,
        runbook_url: next.runbook_url.clone(),
        automation: next.automation.as_str().to_owned(),
        note: next.note.clone(),
    };
    db::set_mark(&mut tx, page_id, &row, actor.user_id.map(|u| u.0), now).await?;
    let mark = |m: &PageMark| json!({ "documented": m.documented, "runbook_url": m.runbook_url, "automated": m.automation, "note": m.note });
    let entry = Entry::new("retro.mark_page", "page", page_id).before(mark(&current)).after(mark(&next));
    audit::record(&mut tx, actor, entry).await?;
    let rows = db::pages_between(&mut tx, t.id, at, at + chrono::Duration::microseconds(1)).await?;
    tx.commit().await?;
    rows.into_iter().find(|r| r.id == page_id).map(|row| page(row, t.zone)).ok_or(Error::NotFound("page"))
}

pub async fn add_note(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    week: Week,
    body: &str,
    now: DateTime<Utc>,
) -> Result<RetroNote> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(FieldError::new("body", "write the note, in at most 5000 characters").into());
    }
    let mut tx = pool.begin().await?;
    let t = writable(&mut tx, slug, week, now).await?;
    let id = db::insert_note(&mut tx, t.id, &week.to_string(), body, actor.user_id.map(|u| u.0), now).await?;
    let entry = Entry::new("retro.note", "team", t.id).after(json!({ "week": week.to_string(), "note": id }));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(RetroNote { id, body: body.to_owned(), author: Some(actor.label.clone()), created_at: now })
}

pub async fn add_action(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    week: Week,
    input: &RetroActionInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let mut tx = pool.begin().await?;
    let t = writable(&mut tx, slug, week, now).await?;
    let (title, owner, due) = input.parse(now.with_timezone(&t.zone).date_naive())?;
    if let Some(o) = owner
        && crate::db::users::by_id(&mut tx, o).await?.is_none()
    {
        return Err(FieldError::new("owner_id", "is not a user").into());
    }
    let week_text = week.to_string();
    let new = db::NewAction {
        team: t.id,
        week: &week_text,
        title: &title,
        owner: owner.map(|o| o.0),
        due_on: due,
        by: actor.user_id.map(|u| u.0),
        at: now,
    };
    let id = db::insert_action(&mut tx, &new).await?;
    let entry = Entry::new("retro.action", "team", t.id).after(
        json!({ "week": week.to_string(), "action": id, "title": title, "owner_id": owner, "due_on": due }),
    );
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_action_done(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    id: Uuid,
    done: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let t = team(&mut tx, slug).await?;
    if !db::set_action_done(&mut tx, t.id, id, done.then_some(now)).await? {
        return Err(Error::NotFound("retro action"));
    }
    let entry = Entry::new("retro.action_done", "team", t.id).after(json!({ "action": id, "done": done }));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A member's mood for the week (1-5). Only the team's members answer, and the audit log
/// records that they answered, never what.
pub async fn set_mood(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    week: Week,
    mood: u8,
    now: DateTime<Utc>,
) -> Result<()> {
    if !(1..=5).contains(&mood) {
        return Err(FieldError::new("mood", "must be 1 (bad) to 5 (great)").into());
    }
    let user = actor.user_id.ok_or(Error::Forbidden)?;
    let mut tx = pool.begin().await?;
    let t = writable(&mut tx, slug, week, now).await?;
    if !db::members(&mut tx, t.id).await?.iter().any(|m| m.id == user.0) {
        return Err(Error::Conflict(format!("only members of {} answer its mood check", t.name)));
    }
    db::set_mood(&mut tx, t.id, &week.to_string(), user.0, i16::from(mood), now).await?;
    let entry =
        Entry::new("retro.mood", "team", t.id).after(json!({ "week": week.to_string(), "answered": true }));
    audit::record(&mut tx, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the week's retro was held, and who attended.
pub async fn hold(
    pool: &PgPool,
    actor: &Actor,
    slug: &str,
    week: Week,
    attendees: &[UserId],
    now: DateTime<Utc>,
) -> Result<RetroHeld> {
    if attendees.is_empty() {
        return Err(FieldError::new("attendees", "say who attended").into());
    }
    let mut tx = pool.begin().await?;
    let t = writable(&mut tx, slug, week, now).await?;
    let ids: Vec<Uuid> = attendees.iter().map(|a| a.0).collect();
    for id in &ids {
        if crate::db::users::by_id(&mut tx, UserId(*id)).await?.is_none() {
            return Err(FieldError::new("attendees", format!("{id} is not a user")).into());
        }
    }
    db::set_held(&mut tx, t.id, &week.to_string(), actor.user_id.map(|u| u.0), &ids, now).await?;
    let entry =
        Entry::new("retro.held", "team", t.id).after(json!({ "week": week.to_string(), "attendees": ids }));
    audit::record(&mut tx, actor, entry).await?;
    let held = db::held(&mut tx, t.id, &week.to_string()).await?.ok_or(Error::NotFound("retro"))?;
    tx.commit().await?;
    Ok(RetroHeld { at: held.held_at, by: held.by, attendees: held.attendees })
}

/// The team a viewer lands on: their first team, else the first team.
async fn default_team(pool: &PgPool, me: UserId) -> Result<Option<String>> {
    let mut conn = pool.acquire().await?;
    let mine = crate::db::teams::list_teams_with_hours(&mut conn).await?;
    let member = crate::db::teams::all_members(&mut conn).await?;
    let own = mine.iter().find(|t| member.iter().any(|m| m.team_id == t.id && m.user_id == me));
    Ok(own.or(mine.first()).map(|t| t.slug.clone()))
}

#[cfg(test)]
mod tests {
    use domain::analytics::HourClass;

    use super::*;

    #[test]
    fn pages_classed_in_the_persons_zone_and_labelled_in_the_teams() {
        let at: DateTime<Utc> = "2026-11-23T16:00:00Z".parse().unwrap();
        let row = db::PageRow {
            id: 7,
            paged_at: at,
            level: Some(1),
            user_id: Uuid::nil(),
            name: "Mia".into(),
            time_zone: "Australia/Sydney".into(),
            working_hours: None,
            number: 42,
            title: "Disk full".into(),
            severity: 3,
            status: "resolved".into(),
            origin: "alert".into(),
            acknowledged_at: Some(at + chrono::Duration::minutes(4)),
            escalated: true,
            human_acted: false,
            documented: None,
            runbook_url: None,
            automation: None,
            note: None,
        };
        let p = page(row, chrono_tz::Europe::London);
        assert_eq!((p.local.as_str(), p.class, p.level), ("Mon 16:00", HourClass::Sleep, Some(2)));
        assert_eq!((p.to_acknowledge, p.outcome.as_str()), (Some(240), "resolved by its source"));
        assert_eq!((p.documented, p.automation), (false, Automation::No));
    }
}
