//! The weekly retro: one team's ISO week in the team's time zone. Every page of the week with
//! what the team marks on it (was the fix documented, is it automated), the week's figures and
//! their trend over the four weeks before, the load on each responder, and an agenda generated
//! from all of it. Pure: the server reads the rows, these rules shape the screen.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::{
    FieldError, UserId,
    analytics::{HourClass, ResponderLoad, start_of_day},
    incident::Severity,
    postmortem::{ActionView, PostmortemSummary},
};

named_enum!(
    /// Where a page's fix stands on automation.
    Automation, "automated" {
        No => "no",
        NeedsAutomation => "needs_automation",
        Automated => "automated",
    }
);

/// One page of the week, as the retro walks it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroPage {
    /// The page's id: what `PATCH .../pages/{id}` names.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// "Tue 03:12" in the team's zone.
    pub local: String,
    pub incident: i64,
    pub title: String,
    pub severity: Severity,
    pub person: String,
    pub person_id: UserId,
    /// 1 for the policy's first level; `null` for a page by hand.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub level: Option<i32>,
    /// The incident's escalation reached level 2 or beyond.
    pub escalated: bool,
    /// When it reached the person, in their own hours.
    pub class: HourClass,
    /// Seconds from this page to the incident's acknowledgement, when that came after it.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub to_acknowledge: Option<i64>,
    /// "resolved", "resolved by its source", "no responder", "open".
    pub outcome: String,
    pub documented: bool,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub runbook_url: Option<String>,
    pub automation: Automation,
    pub note: String,
}

/// A change to a page's marks; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageMarkInput {
    /// The resolution is written down (a runbook).
    #[serde(default)]
    pub documented: Option<bool>,
    /// The runbook's address; an empty string clears it.
    #[serde(default)]
    pub runbook_url: Option<String>,
    /// `no`, `needs_automation` or `automated`.
    #[serde(default)]
    pub automated: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A page's marks after applying a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMark {
    pub documented: bool,
    pub runbook_url: Option<String>,
    pub automation: Automation,
    pub note: String,
}

impl PageMarkInput {
    /// Applies the change to the current marks, checking each field given.
    pub fn apply(&self, current: PageMark) -> Result<PageMark, FieldError> {
        let runbook_url = match self.runbook_url.as_deref().map(str::trim) {
            None => current.runbook_url,
            Some("") => None,
            Some(url) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
                    return Err(FieldError::new(
                        "runbook_url",
                        "must be an http(s) address of at most 2000 characters",
                    ));
                }
                Some(url.to_owned())
            }
        };
        let note = match &self.note {
            Some(n) if n.chars().count() > 2000 => {
                return Err(FieldError::new("note", "must be at most 2000 characters"));
            }
            Some(n) => n.trim().to_owned(),
            None => current.note,
        };
        Ok(PageMark {
            // Linking a runbook documents the page, unless the same change says otherwise.
            documented: self.documented.unwrap_or(
                current.documented || self.runbook_url.as_deref().is_some_and(|u| !u.trim().is_empty()),
            ),
            runbook_url,
            automation: match self.automated.as_deref() {
                Some(a) => a.parse()?,
                None => current.automation,
            },
            note,
        })
    }
}

/// The week's figures (and each trend point's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroFigures {
    pub pages: u64,
    pub off_hours_pages: u64,
    pub sleep_pages: u64,
    pub escalated_pages: u64,
    pub incidents: u64,
    /// Median seconds to acknowledge and to resolve the week's incidents.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub mtta_p50: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub mttr_p50: Option<f64>,
    /// Share of the week's pages marked documented, and automated (0 when there were none).
    pub documented_share: f64,
    pub automated_share: f64,
}

impl RetroFigures {
    pub fn of_pages(pages: &[RetroPage]) -> RetroFigures {
        let n = pages.len() as u64;
        let share = |k: u64| if n == 0 { 0.0 } else { k as f64 / n as f64 };
        let documented = pages.iter().filter(|p| p.documented).count() as u64;
        let automated = pages.iter().filter(|p| p.automation == Automation::Automated).count() as u64;
        RetroFigures {
            pages: n,
            off_hours_pages: pages.iter().filter(|p| p.class.is_off_hours()).count() as u64,
            sleep_pages: pages.iter().filter(|p| p.class == HourClass::Sleep).count() as u64,
            escalated_pages: pages.iter().filter(|p| p.escalated).count() as u64,
            documented_share: share(documented),
            automated_share: share(automated),
            ..RetroFigures::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroTrend {
    pub week: String,
    #[serde(flatten)]
    pub figures: RetroFigures,
}

/// A responder's week, with the offer to cover the next morning of someone woken at night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroLoad {
    #[serde(flatten)]
    pub load: ResponderLoad,
    /// Paged at least once in their sleep hours this week.
    pub woken: bool,
    /// Midnight to noon of their next morning, in their zone: what "cover their morning" books.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub next_morning: Option<[DateTime<Utc>; 2]>,
}

/// The next local midnight to noon after `now` in `zone`: the morning someone woken at night
/// can be given to sleep.
pub fn next_morning(now: DateTime<Utc>, zone: Tz) -> [DateTime<Utc>; 2] {
    let tomorrow = now.with_timezone(&zone).date_naive() + Duration::days(1);
    let start = start_of_day(tomorrow, zone);
    let noon = tomorrow.and_hms_opt(12, 0, 0).and_then(|t| zone.from_local_datetime(&t).earliest());
    [start, noon.map_or(start + Duration::hours(12), |n| n.with_timezone(&Utc))]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoodSummary {
    /// How many members answered; no one's answer is shown.
    pub answers: u64,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub average: Option<f64>,
    /// Answers of 1 to 5.
    pub counts: [u64; 5],
    /// The caller's own answer, so they can change it.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub mine: Option<u8>,
}

impl MoodSummary {
    pub fn of(moods: &[(UserId, u8)], me: UserId) -> MoodSummary {
        let mut counts = [0u64; 5];
        for (_, m) in moods {
            if let Some(c) = counts.get_mut(usize::from(m.saturating_sub(1))) {
                *c += 1;
            }
        }
        let answers = moods.len() as u64;
        let sum: u64 = moods.iter().map(|(_, m)| u64::from(*m)).sum();
        MoodSummary {
            answers,
            average: (answers > 0).then(|| sum as f64 / answers as f64),
            counts,
            mine: moods.iter().find(|(u, _)| *u == me).map(|(_, m)| *m),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroNote {
    pub id: uuid::Uuid,
    pub body: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroAction {
    pub id: uuid::Uuid,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub owner_id: Option<UserId>,
    pub due_on: NaiveDate,
    pub done: bool,
    pub overdue: bool,
    /// The retro week it was agreed in.
    pub week: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroHeld {
    pub at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub by: Option<String>,
    pub attendees: Vec<String>,
}

/// A team member, for the screen's pickers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroMember {
    pub id: UserId,
    pub name: String,
}

/// A schedule of the team, where a "cover their morning" override goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroSchedule {
    pub id: uuid::Uuid,
    pub name: String,
}

/// One item of the generated agenda, with the part of the screen it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub text: String,
    /// The section's anchor on the retro screen.
    pub anchor: String,
}

/// `GET /api/v1/retros/{team}/{iso_week}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroView {
    pub team: String,
    pub team_name: String,
    pub week: String,
    pub previous_week: String,
    pub next_week: String,
    pub time_zone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub pages: Vec<RetroPage>,
    pub figures: RetroFigures,
    /// The four weeks before, then this one.
    pub trends: Vec<RetroTrend>,
    pub load: Vec<RetroLoad>,
    /// Open corrective actions of the team's postmortems, overdue first.
    pub actions: Vec<ActionView>,
    /// The team's postmortems not yet published, soonest due first.
    pub postmortems_due: Vec<PostmortemSummary>,
    /// The alert rules that paged the team most this week: (rule, pages).
    pub noisiest_rules: Vec<(String, u64)>,
    pub agenda: Vec<AgendaItem>,
    pub notes: Vec<RetroNote>,
    /// Actions agreed in retros: this week's, and earlier ones still open.
    pub retro_actions: Vec<RetroAction>,
    pub mood: MoodSummary,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub held: Option<RetroHeld>,
    pub members: Vec<RetroMember>,
    pub schedules: Vec<RetroSchedule>,
}

/// The meeting's agenda, from the week as the screen shows it: the incidents worth talking
/// about, postmortems due, overdue actions, people woken, the noisiest rules, open retro actions.
pub fn agenda(v: &RetroView, today: NaiveDate) -> Vec<AgendaItem> {
    let item = |text: String, anchor: &str| AgendaItem { text, anchor: anchor.to_owned() };
    let mut out = Vec::new();
    let f = &v.figures;
    out.push(item(
        format!(
            "{} pages ({} off-hours, {} in sleep hours), {} escalated; {} of {} marked documented",
            f.pages,
            f.off_hours_pages,
            f.sleep_pages,
            f.escalated_pages,
            (f.documented_share * f.pages as f64).round() as u64,
            f.pages
        ),
        "retro-pages",
    ));
    // Worth talking about: the severe ones and the ones nobody answered at the first level.
    let mut serious: Vec<&RetroPage> =
        v.pages.iter().filter(|p| p.severity <= Severity::Sev2 || p.escalated).collect();
    serious.sort_by_key(|p| p.incident);
    serious.dedup_by_key(|p| p.incident);
    for p in serious.iter().take(5) {
        let escalated = if p.escalated { ", escalated" } else { "" };
        out.push(item(
            format!("INC-{} {} ({}{escalated})", p.incident, p.title, p.severity.as_str()),
            "retro-pages",
        ));
    }
    let undocumented = v.pages.iter().filter(|p| !p.documented).count();
    if undocumented > 0 {
        out.push(item(format!("{undocumented} pages without a documented resolution"), "retro-pages"));
    }
    for l in v.load.iter().filter(|l| l.woken) {
        out.push(item(
            format!(
                "{} was woken {} times: offer to cover their next morning",
                l.load.name, l.load.interruptions.sleep
            ),
            "retro-load",
        ));
    }
    for p in &v.postmortems_due {
        let overdue = if p.overdue { "overdue" } else { "due" };
        out.push(item(
            format!("Postmortem for INC-{} {} is {overdue}", p.incident, p.incident_title),
            "retro-followups",
        ));
    }
    let overdue = v.actions.iter().filter(|a| a.overdue).count();
    if overdue > 0 {
        out.push(item(format!("{overdue} corrective actions overdue"), "retro-followups"));
    }
    for (rule, pages) in v.noisiest_rules.iter().take(3) {
        out.push(item(format!("Noisy rule {rule}: {pages} pages"), "retro-pages"));
    }
    let open_retro = v.retro_actions.iter().filter(|a| !a.done && a.week != v.week).count();
    if open_retro > 0 {
        let late = v.retro_actions.iter().filter(|a| !a.done && a.due_on < today).count();
        out.push(item(
            format!("{open_retro} actions from earlier retros still open ({late} past due)"),
            "retro-actions",
        ));
    }
    out
}

/// The local "Tue 03:12" of an instant.
pub fn local_label(at: DateTime<Utc>, zone: Tz) -> String {
    let l = at.with_timezone(&zone);
    format!(
        "{} {}",
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][l.weekday().num_days_from_monday() as usize],
        l.format("%H:%M")
    )
}

/// A new retro action, checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetroActionInput {
    pub title: String,
    #[serde(default)]
    pub owner_id: Option<uuid::Uuid>,
    /// `YYYY-MM-DD`; default a week from today.
    #[serde(default)]
    pub due_on: Option<String>,
}

impl RetroActionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<(String, Option<UserId>, NaiveDate), FieldError> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(FieldError::new("title", "say what will be done, in at most 300 characters"));
        }
        let due = match self.due_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| FieldError::new("due_on", format!("'{d}' is not a date such as 2026-12-01")))?,
            None => today + Duration::days(7),
        };
        Ok((title.to_owned(), self.owner_id.map(UserId), due))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> PageMark {
        PageMark { documented: false, runbook_url: None, automation: Automation::No, note: String::new() }
    }

    #[test]
    fn marks_change_only_what_is_given_and_are_checked() {
        let m = PageMarkInput { documented: Some(true), ..Default::default() }.apply(current()).unwrap();
        assert!(m.documented);
        let m = PageMarkInput {
            automated: Some("needs_automation".into()),
            note: Some(" retry storm ".into()),
            ..Default::default()
        }
        .apply(m)
        .unwrap();
        assert_eq!(
            (m.documented, m.automation, m.note.as_str()),
            (true, Automation::NeedsAutomation, "retry storm")
        );
        // A runbook link marks the page documented unless the request says otherwise.
        let linked =
            PageMarkInput { runbook_url: Some("https://wiki/runbooks/disk".into()), ..Default::default() }
                .apply(current())
                .unwrap();
        assert!(linked.documented);
        let cleared = PageMarkInput { runbook_url: Some(String::new()), ..Default::default() }
            .apply(linked.clone())
            .unwrap();
        assert_eq!(cleared.runbook_url, None);
        let bad = PageMarkInput { runbook_url: Some("javascript:alert(1)".into()), ..Default::default() };
        assert_eq!(bad.apply(current()).unwrap_err().field, "runbook_url");
        let bad = PageMarkInput { automated: Some("maybe".into()), ..Default::default() };
        assert_eq!(bad.apply(current()).unwrap_err().field, "automated");
    }

    #[test]
    fn the_mood_is_an_aggregate_with_only_my_own_answer() {
        let (a, b, c) = (
            UserId(uuid::Uuid::from_u128(1)),
            UserId(uuid::Uuid::from_u128(2)),
            UserId(uuid::Uuid::from_u128(3)),
        );
        let m = MoodSummary::of(&[(a, 4), (b, 2), (c, 4)], b);
        assert_eq!((m.answers, m.counts, m.mine), (3, [0, 1, 0, 2, 0], Some(2)));
        assert!((m.average.unwrap() - 10.0 / 3.0).abs() < 1e-12);
        assert_eq!(MoodSummary::of(&[], a), MoodSummary::default());
    }

    #[test]
    fn the_next_morning_is_local_midnight_to_noon() {
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        // 16:00 UTC on Monday 23 November is 03:00 on Tuesday in Sydney: his next morning is
        // Wednesday's, 00:00 to 12:00 AEDT (13:00 and 01:00 UTC).
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap();
        let [start, end] = next_morning(now, sydney);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap());
        assert_eq!(local_label(now, sydney), "Tue 03:00");
    }

    #[test]
    fn actions_need_a_title_and_default_to_a_week() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let (t, o, due) = RetroActionInput { title: " Runbook for disk full ".into(), ..Default::default() }
            .parse(today)
            .unwrap();
        assert_eq!(
            (t.as_str(), o, due),
            ("Runbook for disk full", None, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap())
        );
        assert_eq!(RetroActionInput::default().parse(today).unwrap_err().field, "title");
        let bad = RetroActionInput { title: "x".into(), due_on: Some("soon".into()), ..Default::default() };
        assert_eq!(bad.parse(today).unwrap_err().field, "due_on");
    }

    #[test]
    fn figures_count_pages_by_class_and_marks() {
        let page = |class, documented, automation, escalated| RetroPage {
            id: 1,
            at: Utc.with_ymd_and_hms(2026, 11, 23, 16, 0, 0).unwrap(),
            local: String::new(),
            incident: 1,
            title: String::new(),
            severity: Severity::Sev3,
            person: String::new(),
            person_id: UserId(uuid::Uuid::nil()),
            level: Some(1),
            escalated,
            class,
            to_acknowledge: None,
            outcome: String::new(),
            documented,
            runbook_url: None,
            automation,
            note: String::new(),
        };
        let f = RetroFigures::of_pages(&[
            page(HourClass::Business, true, Automation::Automated, false),
            page(HourClass::Sleep, false, Automation::NeedsAutomation, true),
            page(HourClass::OffHours, true, Automation::No, false),
            page(HourClass::Sleep, false, Automation::No, false),
        ]);
        assert_eq!((f.pages, f.off_hours_pages, f.sleep_pages, f.escalated_pages), (4, 3, 2, 1));
        assert_eq!((f.documented_share, f.automated_share), (0.5, 0.25));
        assert_eq!(RetroFigures::of_pages(&[]).documented_share, 0.0);
    }
}
