//! Who is on call: at an instant, over a range of final shifts, everyone now, a person's own
//! overview, the next holder after a shift, and the hand-offs the engine tells people about.

use crate::{Error, Result, db::schedules as db};
use chrono::{DateTime, Duration, Utc};
use domain::{
    FieldError, UserId,
    schedule::{
        FinalShift, LayerId, Load, LoadRow, MyShift, OnCallEntry, OnCallOverview, PersonRef, ScheduleId,
        Scope, Tier, view,
    },
};
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::*;

pub async fn oncall_at(pool: &PgPool, id: Uuid, at: DateTime<Utc>) -> Result<OnCallAt> {
    let mut conn = pool.acquire().await?;
    let l = load_one(&mut conn, id, at).await?;
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let s = &l.schedule;
    let holder = |scope| {
        s.now_and_next(scope, at)
            .current
            .map(|c: FinalShift| Holder { user: who(&people, c.user), until: c.end })
    };
    let layers = s
        .layers
        .iter()
        .map(|x| {
            let h = holder(Scope::Layer(x.id));
            LayerHolder {
                layer_id: x.id,
                name: x.name.clone(),
                tier: x.tier,
                until: h.as_ref().map(|h| h.until),
                user: h.map(|h| h.user),
            }
        })
        .collect();
    Ok(OnCallAt {
        schedule_id: ScheduleId(id),
        at,
        primary: holder(Scope::Tier(Tier::Primary)),
        secondary: holder(Scope::Tier(Tier::Secondary)),
        layers,
    })
}

pub const MAX_RANGE_DAYS: i64 = 366;

pub async fn shifts(
    pool: &PgPool,
    id: Uuid,
    scope: Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ShiftsOut> {
    if to <= from {
        return Err(FieldError::new("to", "must be after from").into());
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(FieldError::new("to", format!("a range covers at most {MAX_RANGE_DAYS} days")).into());
    }
    let mut conn = pool.acquire().await?;
    let l = load_one(&mut conn, id, from).await?;
    if let Scope::Layer(layer) = scope
        && !l.schedule.layers.iter().any(|x| x.id == layer)
    {
        return Err(Error::NotFound("layer"));
    }
    let people = people_of(&mut conn, &[&l.schedule]).await?;
    let t = l.schedule.timeline(scope, from, to);
    let layer_name = |id: Option<LayerId>| {
        id.and_then(|id| l.schedule.layers.iter().find(|x| x.id == id)).map(|x| x.name.clone())
    };
    Ok(ShiftsOut {
        schedule_id: ScheduleId(id),
        time_zone: l.row.time_zone.clone(),
        from,
        to,
        shifts: t
            .shifts
            .into_iter()
            .map(|s| ShiftOut {
                user: who(&people, s.user),
                start: s.start,
                end: s.end,
                layer_id: s.layer,
                layer_name: layer_name(s.layer),
                override_id: s.override_id,
            })
            .collect(),
        gaps: t.gaps,
    })
}

/// Who is on call right now in every schedule, stack by stack.
pub async fn everyone_now(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<OnCallEntry>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(31)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    Ok(now_entries(&all, &people, now))
}

fn now_entries(all: &[Loaded], people: &HashMap<UserId, PersonRef>, now: DateTime<Utc>) -> Vec<OnCallEntry> {
    let mut out = Vec::new();
    for l in all {
        for tier in Tier::ALL {
            // Look back a month so "since" is the real start of the current shift.
            let t = l.schedule.timeline(
                Scope::Tier(tier),
                now - Duration::days(31),
                now + Duration::days(view::LOOKAHEAD_DAYS),
            );
            if let Some(i) = t.shifts.iter().position(|s| s.start <= now && now < s.end) {
                // Since and until span the person's whole stretch, across turns and overrides.
                let user = t.shifts[i].user;
                let same =
                    |a: &FinalShift, b: &FinalShift| a.user == user && b.user == user && a.end == b.start;
                let first =
                    (0..i).rev().take_while(|&j| same(&t.shifts[j], &t.shifts[j + 1])).last().unwrap_or(i);
                let last = (i + 1..t.shifts.len())
                    .take_while(|&j| same(&t.shifts[j - 1], &t.shifts[j]))
                    .last()
                    .unwrap_or(i);
                out.push(OnCallEntry {
                    schedule_id: ScheduleId(l.row.id),
                    schedule_name: l.row.name.clone(),
                    team_name: l.row.team_name.clone(),
                    tier,
                    user: who(people, user),
                    since: t.shifts[first].start,
                    until: t.shifts[last].end,
                });
            }
        }
    }
    out
}

/// The `/oncall` page: everyone on call now, my next shifts, and each person's load over the
/// last and next 90 days.
pub async fn overview(pool: &PgPool, me: UserId, now: DateTime<Utc>) -> Result<OnCallOverview> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(HISTORY_DAYS)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let quarter = Duration::days(90);
    let mut mine = Vec::new();
    let mut loads: BTreeMap<UserId, (Load, Load)> = BTreeMap::new();
    for l in &all {
        let s = &l.schedule;
        for tier in Tier::ALL {
            for shift in
                s.timeline(Scope::Tier(tier), now, now + quarter).shifts.into_iter().filter(|x| x.user == me)
            {
                mine.push(MyShift {
                    schedule_id: ScheduleId(l.row.id),
                    schedule_name: l.row.name.clone(),
                    tier,
                    layer_name: shift
                        .layer
                        .and_then(|id| s.layers.iter().find(|x| x.id == id))
                        .map(|x| x.name.clone()),
                    overridden: shift.override_id.is_some(),
                    start: shift.start,
                    end: shift.end,
                });
            }
        }
        for (user, load) in view::load(s, now - quarter, now) {
            loads.entry(user).or_default().0.add(load);
        }
        for (user, load) in view::load(s, now, now + quarter) {
            loads.entry(user).or_default().1.add(load);
        }
    }
    mine.sort_by_key(|m| m.start);
    mine.truncate(20);
    let mut load: Vec<LoadRow> = loads
        .into_iter()
        .map(|(user, (last_90, next_90))| LoadRow { person: who(&people, user), last_90, next_90 })
        .collect();
    load.sort_by(|a, b| {
        b.next_90.hours.total_cmp(&a.next_90.hours).then_with(|| a.person.name.cmp(&b.person.name))
    });
    Ok(OnCallOverview { now: now_entries(&all, &people, now), mine, load })
}

/// The people who may be put in a rotation or an override: every active responder and admin
/// (a viewer takes no pages).
pub async fn candidates(pool: &PgPool) -> Result<Vec<PersonRef>> {
    let mut conn = pool.acquire().await?;
    Ok(db::pageable_people(&mut conn).await?.into_iter().map(person).collect())
}

/// Whom I most likely hand over to: the person after me in a stack I hold now (or held in the
/// last 12 hours), primary stacks first. With the schedule's name, for the suggestion's wording.
pub async fn successor(pool: &PgPool, me: UserId, now: DateTime<Utc>) -> Result<Option<(PersonRef, String)>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, now - Duration::days(1)).await?;
    let people = people_of(&mut conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let recent = now - Duration::hours(12);
    for tier in Tier::ALL {
        for l in &all {
            let t =
                l.schedule.timeline(Scope::Tier(tier), recent, now + Duration::days(view::LOOKAHEAD_DAYS));
            let Some(mine) = t.shifts.iter().rposition(|s| s.user == me && s.start <= now) else {
                continue;
            };
            if let Some(next) = t.shifts[mine..].iter().find(|s| s.user != me) {
                return Ok(Some((who(&people, next.user), l.row.name.clone())));
            }
        }
    }
    Ok(None)
}

/// Who holds `scope` of a schedule at `now`, for the paging engine (None for an unknown
/// schedule or a gap).
pub async fn on_call(
    conn: &mut PgConnection,
    id: Uuid,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    match load(conn, Some(id), now).await?.pop() {
        Some(l) => Ok(l.schedule.on_call_at(scope, now).map(|u| u.0)),
        None => Ok(None),
    }
}

/// A shift that started in a range: who took over from whom.
pub struct Handoff {
    pub schedule_id: Uuid,
    pub schedule_name: String,
    pub at: DateTime<Utc>,
    pub outgoing: Option<(UserId, String)>,
    pub incoming: UserId,
}

/// The starts of primary shifts in `(from, to]` in every schedule, each with the person it
/// follows when there was no gap (a new person only: another turn of the same one is no handoff).
pub async fn handoffs_between(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Handoff>> {
    let all = load(conn, None, from - Duration::days(1)).await?;
    let people = people_of(conn, &all.iter().map(|l| &l.schedule).collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    for l in &all {
        let t = l.schedule.timeline(
            Scope::Tier(Tier::Primary),
            from - Duration::minutes(1),
            to + Duration::seconds(1),
        );
        for (i, s) in t.shifts.iter().enumerate() {
            if s.start <= from || s.start > to {
                continue;
            }
            let before = i.checked_sub(1).map(|j| &t.shifts[j]).filter(|p| p.end == s.start);
            if before.is_some_and(|p| p.user == s.user) {
                continue;
            }
            out.push(Handoff {
                schedule_id: l.row.id,
                schedule_name: l.row.name.clone(),
                at: s.start,
                outgoing: before.map(|p| (p.user, who(&people, p.user).name)),
                incoming: s.user,
            });
        }
    }
    Ok(out)
}

/// Everyone's stretches on call in `[from, to)`, in every schedule and both tiers (for the
/// analytics' on-call hours; overlaps are merged by the caller).
pub async fn on_call_stretches(
    pool: &PgPool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<UserId, Vec<domain::analytics::Span>>> {
    let mut conn = pool.acquire().await?;
    let all = load(&mut conn, None, from).await?;
    let mut out: HashMap<UserId, Vec<domain::analytics::Span>> = HashMap::new();
    for l in &all {
        for tier in Tier::ALL {
            for s in l.schedule.timeline(Scope::Tier(tier), from, to).shifts {
                out.entry(s.user).or_default().push((s.start, s.end));
            }
        }
    }
    Ok(out)
}
