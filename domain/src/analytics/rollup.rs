//! The per-day rollup's record format. The engine keeps one row per UTC day (`analytics_days`)
//! holding that day's incidents, who engaged with them, their alerts by rule, and the page
//! notifications sent that day, each as a run of compact records, so a year of figures reads 365
//! rows instead of a million. Records keep milliseconds, so a window in any zone is cut exactly
//! where it starts and ends, and every figure stays what the raw rows say.
//!
//! Encoding: unsigned LEB128 varints; signed values (deltas) zigzag-encoded; optional values as
//! `value + 1` with 0 for none. Numbers and times are deltas from the previous record, which are
//! small because the records are written in time order. Service, user and rule fields are
//! positions in the row's dictionaries.

use std::fmt;

/// A rollup that does not decode: written by another version, or damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt;

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an analytics rollup record does not decode")
    }
}

impl std::error::Error for Corrupt {}

fn put(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_signed(buf: &mut Vec<u8>, v: i64) {
    put(buf, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_option(buf: &mut Vec<u8>, v: Option<u64>) {
    put(buf, v.map_or(0, |v| v + 1));
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn next(&mut self) -> Result<u64, Corrupt> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = *self.bytes.get(self.at).ok_or(Corrupt)?;
            self.at += 1;
            if shift >= 64 {
                return Err(Corrupt);
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn signed(&mut self) -> Result<i64, Corrupt> {
        let v = self.next()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn small(&mut self) -> Result<u32, Corrupt> {
        u32::try_from(self.next()?).map_err(|_| Corrupt)
    }

    fn option(&mut self) -> Result<Option<u32>, Corrupt> {
        Ok(match self.next()? {
            0 => None,
            v => Some(u32::try_from(v - 1).map_err(|_| Corrupt)?),
        })
    }
}

/// One incident created on the row's day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncidentRecord {
    /// Milliseconds after the day's UTC midnight.
    pub created_ms: u32,
    pub number: i64,
    /// Whole seconds from creation.
    pub to_acknowledge: Option<u32>,
    pub to_mitigate: Option<u32>,
    pub to_resolve: Option<u32>,
    /// Severity levels, 1 (SEV1) to 5.
    pub declared: u8,
    pub current: u8,
    pub highest: u8,
    pub no_responder: bool,
    pub escalated: bool,
    pub resolved_by_source: bool,
    pub alerts: u32,
    pub pages: u32,
    /// Positions in the row's services.
    pub services: Vec<u32>,
}

pub fn encode_incidents(records: &[IncidentRecord]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(records.len() * 20);
    let (mut ms, mut number) = (0i64, 0i64);
    for r in records {
        put_signed(&mut buf, i64::from(r.created_ms) - ms);
        put_signed(&mut buf, r.number - number);
        (ms, number) = (i64::from(r.created_ms), r.number);
        put_option(&mut buf, r.to_acknowledge.map(u64::from));
        put_option(&mut buf, r.to_mitigate.map(u64::from));
        put_option(&mut buf, r.to_resolve.map(u64::from));
        let flags =
            u64::from(r.no_responder) | u64::from(r.escalated) << 1 | u64::from(r.resolved_by_source) << 2;
        put(
            &mut buf,
            u64::from(r.declared) | u64::from(r.current) << 3 | u64::from(r.highest) << 6 | flags << 9,
        );
        put(&mut buf, u64::from(r.alerts));
        put(&mut buf, u64::from(r.pages));
        put(&mut buf, r.services.len() as u64);
        for s in &r.services {
            put(&mut buf, u64::from(*s));
        }
    }
    buf
}

/// Calls `each` with every incident record in turn (one record reused, so decoding a year
/// allocates nothing per incident).
pub fn each_incident(bytes: &[u8], mut each: impl FnMut(&IncidentRecord)) -> Result<(), Corrupt> {
    let mut r = Reader { bytes, at: 0 };
    let mut rec = IncidentRecord::default();
    let (mut ms, mut number) = (0i64, 0i64);
    while !r.done() {
        ms += r.signed()?;
        number += r.signed()?;
        rec.created_ms = u32::try_from(ms).map_err(|_| Corrupt)?;
        rec.number = number;
        rec.to_acknowledge = r.option()?;
        rec.to_mitigate = r.option()?;
        rec.to_resolve = r.option()?;
        let packed = r.next()?;
        rec.declared = (packed & 7) as u8;
        rec.current = (packed >> 3 & 7) as u8;
        rec.highest = (packed >> 6 & 7) as u8;
        rec.no_responder = packed >> 9 & 1 == 1;
        rec.escalated = packed >> 10 & 1 == 1;
        rec.resolved_by_source = packed >> 11 & 1 == 1;
        rec.alerts = r.small()?;
        rec.pages = r.small()?;
        let n = r.next()?;
        rec.services.clear();
        for _ in 0..n {
            rec.services.push(r.small()?);
        }
        each(&rec);
    }
    Ok(())
}

/// A person's first acknowledgement of, or role on, one of the row's incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngagementRecord {
    /// Position of the incident in the row's incidents.
    pub incident: u32,
    /// Position in the row's users.
    pub user: u32,
    /// They acknowledged it (else they only took a role).
    pub acknowledged: bool,
    /// Milliseconds from the incident's creation to their engagement, and to its resolution.
    pub start_ms: u64,
    pub end_ms: Option<u64>,
}

pub fn encode_engagements(records: &[EngagementRecord]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(records.len() * 8);
    let mut incident = 0i64;
    for r in records {
        put_signed(&mut buf, i64::from(r.incident) - incident);
        incident = i64::from(r.incident);
        put(&mut buf, u64::from(r.user) << 1 | u64::from(r.acknowledged));
        put(&mut buf, r.start_ms);
        put_option(&mut buf, r.end_ms);
    }
    buf
}

pub fn each_engagement(bytes: &[u8], mut each: impl FnMut(EngagementRecord)) -> Result<(), Corrupt> {
    let mut r = Reader { bytes, at: 0 };
    let mut incident = 0i64;
    while !r.done() {
        incident += r.signed()?;
        let user = r.next()?;
        let start_ms = r.next()?;
        let end_ms = match r.next()? {
            0 => None,
            v => Some(v - 1),
        };
        each(EngagementRecord {
            incident: u32::try_from(incident).map_err(|_| Corrupt)?,
            user: u32::try_from(user >> 1).map_err(|_| Corrupt)?,
            acknowledged: user & 1 == 1,
            start_ms,
            end_ms,
        });
    }
    Ok(())
}

/// The alerts of one of the row's incidents from one rule and service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleRecord {
    pub incident: u32,
    /// Positions in the row's rules and services.
    pub rule: u32,
    pub service: u32,
    pub alerts: u32,
    pub flapping: u32,
}

pub fn encode_rules(records: &[RuleRecord]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(records.len() * 6);
    let mut incident = 0i64;
    for r in records {
        put_signed(&mut buf, i64::from(r.incident) - incident);
        incident = i64::from(r.incident);
        for v in [r.rule, r.service, r.alerts, r.flapping] {
            put(&mut buf, u64::from(v));
        }
    }
    buf
}

pub fn each_rule(bytes: &[u8], mut each: impl FnMut(RuleRecord)) -> Result<(), Corrupt> {
    let mut r = Reader { bytes, at: 0 };
    let mut incident = 0i64;
    while !r.done() {
        incident += r.signed()?;
        each(RuleRecord {
            incident: u32::try_from(incident).map_err(|_| Corrupt)?,
            rule: r.small()?,
            service: r.small()?,
            alerts: r.small()?,
            flapping: r.small()?,
        });
    }
    Ok(())
}

/// A page notification that reached someone on the row's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRecord {
    /// Milliseconds after the day's UTC midnight.
    pub at_ms: u32,
    pub user: u32,
    /// The incident it paged for, when it names one.
    pub number: Option<i64>,
}

pub fn encode_pages(records: &[PageRecord]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(records.len() * 6);
    let (mut ms, mut number) = (0i64, 0i64);
    for r in records {
        put_signed(&mut buf, i64::from(r.at_ms) - ms);
        ms = i64::from(r.at_ms);
        put(&mut buf, u64::from(r.user) << 1 | u64::from(r.number.is_some()));
        if let Some(n) = r.number {
            put_signed(&mut buf, n - number);
            number = n;
        }
    }
    buf
}

pub fn each_page(bytes: &[u8], mut each: impl FnMut(PageRecord)) -> Result<(), Corrupt> {
    let mut r = Reader { bytes, at: 0 };
    let (mut ms, mut number) = (0i64, 0i64);
    while !r.done() {
        ms += r.signed()?;
        let user = r.next()?;
        let n = if user & 1 == 1 {
            number += r.signed()?;
            Some(number)
        } else {
            None
        };
        each(PageRecord {
            at_ms: u32::try_from(ms).map_err(|_| Corrupt)?,
            user: u32::try_from(user >> 1).map_err(|_| Corrupt)?,
            number: n,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(n: i64, ms: u32) -> IncidentRecord {
        IncidentRecord {
            created_ms: ms,
            number: n,
            to_acknowledge: Some(61),
            to_mitigate: None,
            to_resolve: Some(u32::MAX - 1),
            declared: 3,
            current: 5,
            highest: 1,
            no_responder: false,
            escalated: true,
            resolved_by_source: true,
            alerts: 70_000,
            pages: 0,
            services: vec![0, 2],
        }
    }

    #[test]
    fn incidents_come_back_as_written_in_any_order() {
        let written = vec![
            incident(900_000_000_001, 86_399_999),
            incident(4, 0),
            IncidentRecord::default(),
            incident(5, 10),
        ];
        let mut read = Vec::new();
        each_incident(&encode_incidents(&written), |r| read.push(r.clone())).unwrap();
        assert_eq!(read, written);
    }

    #[test]
    fn engagements_rules_and_pages_come_back_as_written() {
        let engagements = vec![
            EngagementRecord { incident: 3, user: 7, acknowledged: true, start_ms: 0, end_ms: None },
            EngagementRecord {
                incident: 1,
                user: 0,
                acknowledged: false,
                start_ms: 1 << 40,
                end_ms: Some(0),
            },
        ];
        let mut read = Vec::new();
        each_engagement(&encode_engagements(&engagements), |r| read.push(r)).unwrap();
        assert_eq!(read, engagements);

        let rules = vec![
            RuleRecord { incident: 0, rule: 1, service: 2, alerts: 3, flapping: 0 },
            RuleRecord { incident: 0, rule: 0, service: 2, alerts: 1, flapping: 1 },
        ];
        let mut read = Vec::new();
        each_rule(&encode_rules(&rules), |r| read.push(r)).unwrap();
        assert_eq!(read, rules);

        let pages = vec![
            PageRecord { at_ms: 5, user: 1, number: Some(12) },
            PageRecord { at_ms: 5, user: 2, number: None },
            PageRecord { at_ms: 4, user: 1, number: Some(3) },
        ];
        let mut read = Vec::new();
        each_page(&encode_pages(&pages), |r| read.push(r)).unwrap();
        assert_eq!(read, pages);
    }

    #[test]
    fn varints_of_every_length_come_back_and_an_overlong_one_is_corrupt() {
        let values =
            [0, 1, 127, 128, 255, 16_383, 16_384, (1 << 21) - 1, 1 << 21, 1 << 35, u64::MAX - 1, u64::MAX];
        let mut buf = Vec::new();
        for v in values {
            put(&mut buf, v);
        }
        let mut r = Reader { bytes: &buf, at: 0 };
        for v in values {
            assert_eq!(r.next(), Ok(v));
        }
        assert!(r.done());
        // A one- and a two-byte number each cut before their end.
        assert_eq!(Reader { bytes: &[0x80], at: 0 }.next(), Err(Corrupt));
        assert_eq!(Reader { bytes: &[0x80, 0x80], at: 0 }.next(), Err(Corrupt));
        assert_eq!(Reader { bytes: &[0xff; 11], at: 0 }.next(), Err(Corrupt));
    }

    #[test]
    fn a_cut_record_is_corrupt_not_a_panic() {
        let bytes = encode_incidents(&[incident(1, 1)]);
        for cut in 1..bytes.len() {
            assert_eq!(each_incident(&bytes[..cut], |_| {}), Err(Corrupt), "cut at {cut}");
        }
        assert_eq!(each_page(&[0x80], |_| {}), Err(Corrupt));
    }

    #[test]
    fn a_day_of_incidents_is_small() {
        // Typical incidents: a few minutes apart, sequential numbers, one service.
        let day: Vec<_> = (0..1000)
            .map(|i| IncidentRecord {
                to_acknowledge: Some(300),
                to_resolve: Some(7200),
                services: vec![1],
                ..incident(1000 + i, i as u32 * 86_000)
            })
            .collect();
        assert!(encode_incidents(&day).len() < 20 * 1000);
    }
}
