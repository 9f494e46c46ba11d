//! A whole schedule: layers stacked in order, overrides on top, and the final shifts with the gaps
//! between them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rotation::Layer;
use crate::UserId;

uuid_id!(ScheduleId, "schedule_id");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LayerId(pub Uuid);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OverrideId(pub Uuid);

string_schema!(LayerId, crate::openapi::uuid());
string_schema!(OverrideId, crate::openapi::uuid());

/// Which stack a layer belongs to. Primary layers stack into the schedule's on-call answer; the
/// secondary stack is answered on its own, so escalation can page "the secondary" by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Primary,
    Secondary,
}

impl Tier {
    pub const ALL: [Tier; 2] = [Tier::Primary, Tier::Secondary];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Primary => "primary",
            Tier::Secondary => "secondary",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "primary" => Some(Tier::Primary),
            "secondary" => Some(Tier::Secondary),
            _ => None,
        }
    }
}

impl std::str::FromStr for Tier {
    type Err = crate::FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::parse(s.trim())
            .ok_or_else(|| crate::FieldError::new("tier", format!("'{s}' is not primary or secondary")))
    }
}

stored_as_text!(Tier);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleLayer {
    pub id: LayerId,
    pub name: String,
    pub tier: Tier,
    pub rotation: Layer,
}

/// A person covering `[start, end)`: for one layer, or (no layer) for the whole primary stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Override {
    pub id: OverrideId,
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required))]
    pub layer: Option<LayerId>,
}

/// What a question is asked about: a stack, or one layer on its own (with its overrides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Scope {
    Tier(Tier),
    Layer(LayerId),
}

/// One stretch of the final schedule: who, when, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalShift {
    pub user: UserId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The layer that put the person on (also set for a layer's override).
    pub layer: Option<LayerId>,
    /// Set when an override put the person on.
    pub override_id: Option<OverrideId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub shifts: Vec<FinalShift>,
    pub gaps: Vec<Gap>,
}

/// A schedule as the rules see it. Layers are in order: a later layer sits above an earlier one
/// and wins wherever it has someone on; where it has no one (before its start, after its end,
/// outside its restrictions) the layers below show through.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub time_zone: Tz,
    pub layers: Vec<ScheduleLayer>,
    pub overrides: Vec<Override>,
}

/// A candidate stretch during the sweep; `key` tells stretches apart so handoffs between two turns
/// of the same person stay visible.
#[derive(Debug, Clone)]
struct Stretch {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    user: UserId,
    layer: Option<LayerId>,
    override_id: Option<OverrideId>,
    key: (usize, usize),
}

impl Schedule {
    fn layers_in(&self, scope: Scope) -> impl Iterator<Item = &ScheduleLayer> {
        self.layers.iter().filter(move |l| match scope {
            Scope::Tier(tier) => l.tier == tier,
            Scope::Layer(id) => l.id == id,
        })
    }

    /// Overrides of `layer` (None: whole-schedule ones) containing `t`; the latest added wins.
    fn override_at(&self, layer: Option<LayerId>, t: DateTime<Utc>) -> Option<&Override> {
        self.overrides.iter().rev().find(|o| o.layer == layer && o.start <= t && t < o.end)
    }

    /// Who is on call for `scope` at `t`. Answered directly from the rules rather than from
    /// [`Schedule::timeline`], so each can be tested against the other.
    pub fn on_call_at(&self, scope: Scope, t: DateTime<Utc>) -> Option<UserId> {
        if scope == Scope::Tier(Tier::Primary)
            && let Some(o) = self.override_at(None, t)
        {
            return Some(o.user);
        }
        let layers: Vec<&ScheduleLayer> = self.layers_in(scope).collect();
        layers.iter().rev().find_map(|l| {
            self.override_at(Some(l.id), t)
                .map(|o| o.user)
                .or_else(|| l.rotation.on_call_at(self.time_zone, t))
        })
    }

    /// The final shifts over `[from, to)` and the gaps where no one is on call.
    pub fn timeline(&self, scope: Scope, from: DateTime<Utc>, to: DateTime<Utc>) -> Timeline {
        if from >= to {
            return Timeline::default();
        }
        // Levels from the bottom up: each layer's rotation, then that layer's overrides, and the
        // whole-schedule overrides above everything in the primary stack.
        let mut levels: Vec<Vec<Stretch>> = Vec::new();
        for layer in self.layers_in(scope) {
            let level = levels.len();
            levels.push(
                layer
                    .rotation
                    .shifts(self.time_zone, from, to)
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| Stretch {
                        start: s.start,
                        end: s.end,
                        user: s.user,
                        layer: Some(layer.id),
                        override_id: None,
                        key: (level, i),
                    })
                    .collect(),
            );
            let level = levels.len();
            levels.push(self.painted_overrides(Some(layer.id), level, from, to));
        }
        if scope == Scope::Tier(Tier::Primary) {
            let level = levels.len();
            levels.push(self.painted_overrides(None, level, from, to));
        }
        sweep(&levels, from, to)
    }

    /// The overrides of one layer (or the whole schedule) cut to `[from, to)` and to each other:
    /// where two overlap, the one added later wins.
    fn painted_overrides(
        &self,
        layer: Option<LayerId>,
        level: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Stretch> {
        let mut painted: Vec<Stretch> = Vec::new();
        for (i, o) in self.overrides.iter().enumerate().filter(|(_, o)| o.layer == layer) {
            let (start, end) = (o.start.max(from), o.end.min(to));
            if start >= end {
                continue;
            }
            let mut next = Vec::with_capacity(painted.len() + 2);
            for p in painted {
                if p.end <= start || p.start >= end {
                    next.push(p);
                    continue;
                }
                if p.start < start {
                    next.push(Stretch { end: start, ..p.clone() });
                }
                if p.end > end {
                    next.push(Stretch { start: end, ..p });
                }
            }
            next.push(Stretch { start, end, user: o.user, layer, override_id: Some(o.id), key: (level, i) });
            next.sort_by_key(|s| s.start);
            painted = next;
        }
        painted
    }
}

/// Lays the levels over each other, top level winning, and returns the visible stretches and the
/// uncovered gaps. Each level's stretches are sorted and disjoint.
fn sweep(levels: &[Vec<Stretch>], from: DateTime<Utc>, to: DateTime<Utc>) -> Timeline {
    let mut bounds: Vec<DateTime<Utc>> = vec![from, to];
    for s in levels.iter().flatten() {
        bounds.push(s.start.clamp(from, to));
        bounds.push(s.end.clamp(from, to));
    }
    bounds.sort();
    bounds.dedup();

    let mut cursor = vec![0usize; levels.len()];
    let mut out = Timeline::default();
    let mut last_key: Option<(usize, usize)> = None;
    for pair in bounds.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mut hit: Option<&Stretch> = None;
        for (level, stretches) in levels.iter().enumerate().rev() {
            let c = &mut cursor[level];
            while *c < stretches.len() && stretches[*c].end <= a {
                *c += 1;
            }
            if let Some(s) = stretches.get(*c)
                && s.start <= a
            {
                hit = Some(s);
                break;
            }
        }
        match hit {
            Some(s) => {
                match out.shifts.last_mut() {
                    Some(prev) if last_key == Some(s.key) && prev.end == a => prev.end = b,
                    _ => out.shifts.push(FinalShift {
                        user: s.user,
                        start: a,
                        end: b,
                        layer: s.layer,
                        override_id: s.override_id,
                    }),
                }
                last_key = Some(s.key);
            }
            None => {
                match out.gaps.last_mut() {
                    Some(prev) if prev.end == a => prev.end = b,
                    _ => out.gaps.push(Gap { start: a, end: b }),
                }
                last_key = None;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone, Weekday};

    use super::*;
    use crate::schedule::{Restriction, RotationUnit};

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
    }

    fn time(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    fn layer(id: u128, tier: Tier, rotation: Layer) -> ScheduleLayer {
        ScheduleLayer { id: LayerId(Uuid::from_u128(id)), name: format!("layer {id}"), tier, rotation }
    }

    fn weekly(people: &[u128]) -> Layer {
        Layer {
            participants: people.iter().map(|&p| user(p)).collect(),
            unit: RotationUnit::Weeks,
            length: 1,
            handoff_time: time(9),
            handoff_weekday: Some(Weekday::Mon),
            start_date: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            end: None,
            restrictions: vec![],
        }
    }

    fn business_hours(people: &[u128]) -> Layer {
        let restrictions = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
            .into_iter()
            .map(|weekday| Restriction { weekday, start: time(9), end: time(17) })
            .collect();
        Layer { restrictions, ..weekly(people) }
    }

    fn schedule(layers: Vec<ScheduleLayer>, overrides: Vec<Override>) -> Schedule {
        Schedule { time_zone: chrono_tz::Europe::London, layers, overrides }
    }

    #[test]
    fn a_higher_layer_wins_where_it_covers_and_the_base_shows_through_elsewhere() {
        // Base: 1 all week. Above it: 2 during business hours.
        let s = schedule(
            vec![layer(1, Tier::Primary, weekly(&[1])), layer(2, Tier::Primary, business_hours(&[2]))],
            vec![],
        );
        let primary = Scope::Tier(Tier::Primary);
        // Monday 1 June 2026 is BST: 09:00 local is 08:00 UTC.
        let t = s.timeline(primary, utc(2026, 6, 1, 8), utc(2026, 6, 2, 8));
        let people: Vec<_> = t.shifts.iter().map(|x| (x.user, x.start, x.end)).collect();
        assert_eq!(
            people,
            vec![
                (user(2), utc(2026, 6, 1, 8), utc(2026, 6, 1, 16)),
                (user(1), utc(2026, 6, 1, 16), utc(2026, 6, 2, 8))
            ]
        );
        assert!(t.gaps.is_empty());
        assert_eq!(s.on_call_at(primary, utc(2026, 6, 1, 12)), Some(user(2)));
        assert_eq!(s.on_call_at(primary, utc(2026, 6, 1, 20)), Some(user(1)));
    }

    #[test]
    fn gaps_are_reported_where_no_layer_covers() {
        let s = schedule(vec![layer(1, Tier::Primary, business_hours(&[1, 2]))], vec![]);
        let t = s.timeline(Scope::Tier(Tier::Primary), utc(2026, 6, 1, 0), utc(2026, 6, 2, 0));
        assert_eq!(t.shifts.len(), 1);
        assert_eq!(
            t.gaps,
            vec![
                Gap { start: utc(2026, 6, 1, 0), end: utc(2026, 6, 1, 8) },
                Gap { start: utc(2026, 6, 1, 16), end: utc(2026, 6, 2, 0) }
            ]
        );
    }

    #[test]
    fn overrides_replace_whoever_was_on_for_their_range_only() {
        let whole = Override {
            id: OverrideId(Uuid::from_u128(10)),
            user: user(9),
            start: utc(2026, 6, 3, 13),
            end: utc(2026, 6, 3, 17),
            layer: None,
        };
        // A later override inside the first one wins for its own range.
        let inner = Override {
            id: OverrideId(Uuid::from_u128(11)),
            user: user(8),
            start: utc(2026, 6, 3, 14),
            end: utc(2026, 6, 3, 15),
            ..whole.clone()
        };
        let s = schedule(vec![layer(1, Tier::Primary, weekly(&[1, 2]))], vec![whole, inner]);
        let t = s.timeline(Scope::Tier(Tier::Primary), utc(2026, 6, 3, 0), utc(2026, 6, 4, 0));
        let people: Vec<_> = t
            .shifts
            .iter()
            .map(|x| (x.user, x.start.format("%H").to_string(), x.override_id.is_some()))
            .collect();
        assert_eq!(
            people,
            vec![
                (user(1), "00".into(), false),
                (user(9), "13".into(), true),
                (user(8), "14".into(), true),
                (user(9), "15".into(), true),
                (user(1), "17".into(), false),
            ]
        );
        // The layer on its own is not touched by a whole-schedule override.
        assert_eq!(
            s.on_call_at(Scope::Layer(LayerId(Uuid::from_u128(1))), utc(2026, 6, 3, 14)),
            Some(user(1))
        );
    }

    #[test]
    fn a_layer_override_covers_its_whole_range_even_outside_restrictions() {
        let l = layer(1, Tier::Secondary, business_hours(&[1]));
        let o = Override {
            id: OverrideId(Uuid::from_u128(10)),
            user: user(7),
            start: utc(2026, 6, 1, 18),
            end: utc(2026, 6, 1, 22),
            layer: Some(l.id),
        };
        let s = schedule(vec![l], vec![o]);
        let secondary = Scope::Tier(Tier::Secondary);
        assert_eq!(s.on_call_at(secondary, utc(2026, 6, 1, 19)), Some(user(7)));
        assert_eq!(s.on_call_at(Scope::Tier(Tier::Primary), utc(2026, 6, 1, 19)), None);
        let t = s.timeline(secondary, utc(2026, 6, 1, 0), utc(2026, 6, 2, 0));
        assert_eq!(t.shifts.iter().map(|x| x.user).collect::<Vec<_>>(), vec![user(1), user(7)]);
        assert_eq!(t.gaps.len(), 3);
    }

    #[test]
    fn consecutive_turns_of_one_person_stay_separate_shifts() {
        let s = schedule(vec![layer(1, Tier::Primary, weekly(&[1]))], vec![]);
        let t = s.timeline(Scope::Tier(Tier::Primary), utc(2026, 6, 1, 0), utc(2026, 6, 22, 0));
        assert_eq!(t.shifts.len(), 3, "{t:?}");
        assert_eq!(t.gaps, vec![Gap { start: utc(2026, 6, 1, 0), end: utc(2026, 6, 1, 8) }]);
    }
}
