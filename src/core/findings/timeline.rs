//! Discrepancies per kind over the dump's time span, in buckets whose
//! boundaries read well on an axis: minutes, hours, days, Monday weeks,
//! calendar months or years, all in UTC.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::Facts;
use crate::core::kinds::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Minute,
    Hour,
    Day,
    /// Weeks start on Monday, 00:00 UTC.
    Week,
    Month,
    Year,
}

/// One bucket's length: `n` units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    pub unit: Unit,
    pub n: u32,
}

/// Never more buckets than this, whatever the caller allows: a day reads
/// in hours, a month in days.
pub const MAX_BUCKETS: usize = 48;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// 1970-01-01 was a Thursday: Mondays are 4 days off the epoch.
const MONDAY: i64 = 4 * DAY;

const fn step(unit: Unit, n: u32) -> Step {
    Step { unit, n }
}

/// From fine to coarse; the first that fits is used.
const LADDER: [Step; 16] = [
    step(Unit::Minute, 1),
    step(Unit::Minute, 5),
    step(Unit::Minute, 15),
    step(Unit::Hour, 1),
    step(Unit::Hour, 3),
    step(Unit::Hour, 6),
    step(Unit::Day, 1),
    step(Unit::Week, 1),
    step(Unit::Month, 1),
    step(Unit::Month, 3),
    step(Unit::Year, 1),
    step(Unit::Year, 5),
    step(Unit::Year, 10),
    step(Unit::Year, 100),
    step(Unit::Year, 1000),
    step(Unit::Year, 10_000),
];

impl Step {
    /// For an axis title: "hour", "5 minutes", "week", …
    pub fn name(&self) -> String {
        let unit = match self.unit {
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        };
        if self.n == 1 { unit.to_string() } else { format!("{} {unit}s", self.n) }
    }

    fn fixed_ms(&self) -> Option<i64> {
        let unit = match self.unit {
            Unit::Minute => MINUTE,
            Unit::Hour => HOUR,
            Unit::Day => DAY,
            Unit::Week => 7 * DAY,
            Unit::Month | Unit::Year => return None,
        };
        Some(unit * i64::from(self.n))
    }

    /// The start of the bucket holding `t`.
    fn floor(&self, t: i64) -> i64 {
        match (self.fixed_ms(), self.unit) {
            (Some(len), Unit::Week) => (t - MONDAY).div_euclid(len) * len + MONDAY,
            (Some(len), _) => t.div_euclid(len) * len,
            (None, unit) => {
                let d = date(t);
                let n = i32::from(u16::try_from(self.n).unwrap_or(u16::MAX));
                let (year, month) = (i32::from(d.year()), i32::from(d.month()) - 1);
                let (y, m) = if unit == Unit::Month {
                    let months = (year * 12 + month).div_euclid(n) * n;
                    (months.div_euclid(12), months.rem_euclid(12))
                } else {
                    (year.div_euclid(n) * n, 0)
                };
                ms_of(y, m + 1)
            }
        }
    }

    /// The start of the bucket after the one starting at `start`.
    fn next(&self, start: i64) -> i64 {
        match self.fixed_ms() {
            Some(len) => start.saturating_add(len),
            None => {
                let d = date(start);
                let n = i32::try_from(self.n).unwrap_or(i32::MAX);
                let months = i32::from(d.year()) * 12 + i32::from(d.month()) - 1
                    + if self.unit == Unit::Month { n } else { n.saturating_mul(12) };
                ms_of(months.div_euclid(12), months.rem_euclid(12) + 1).max(start + 1)
            }
        }
    }
}

/// Times outside what a calendar can name are held at its ends.
fn clamp(t: i64) -> i64 {
    t.clamp(Timestamp::MIN.as_millisecond(), Timestamp::MAX.as_millisecond())
}

fn date(t: i64) -> Date {
    Timestamp::from_millisecond(clamp(t)).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(TimeZone::UTC).date()
}

/// 00:00 UTC on the first of `month` (1–12) of `year`, held inside the calendar.
fn ms_of(year: i32, month: i32) -> i64 {
    let year = year.clamp(-9999, 9999) as i16;
    Date::new(year, month.clamp(1, 12) as i8, 1)
        .ok()
        .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
        .map_or(if year < 0 { Timestamp::MIN } else { Timestamp::MAX }, |z| z.timestamp())
        .as_millisecond()
}

/// One kind's line of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindLine {
    pub kind: Kind,
    /// Discrepancies per bucket.
    pub counts: Vec<u32>,
    /// Discrepancies without a time (no `created_at` column, say).
    pub untimed: u32,
}

/// Counts per kind per bucket over the dump's whole time span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub step: Step,
    /// Where each bucket starts (epoch ms, ascending); a bucket runs to the
    /// next one's start, the last to `end`.
    pub starts: Vec<i64>,
    pub end: i64,
    /// The kinds that have discrepancies, in [`Kind::ALL`] order.
    pub kinds: Vec<KindLine>,
}

impl Timeline {
    /// The bucket holding `t`, if `t` is inside the span's buckets.
    pub fn bucket_of(&self, t: i64) -> Option<usize> {
        let t = clamp(t);
        if t >= self.end {
            return None;
        }
        self.starts.partition_point(|s| *s <= t).checked_sub(1)
    }

    /// A short axis label: "10:00" for hours (the date at midnight),
    /// "02-13" for days and weeks, "2026-02" for months, "2026" for years.
    pub fn label(&self, bucket: usize) -> String {
        let Some(&start) = self.starts.get(bucket) else { return String::new() };
        let ts = Timestamp::from_millisecond(clamp(start)).unwrap_or(Timestamp::UNIX_EPOCH);
        let format = match self.step.unit {
            Unit::Minute | Unit::Hour if start.rem_euclid(DAY) == 0 => "%m-%d",
            Unit::Minute | Unit::Hour => "%H:%M",
            Unit::Day | Unit::Week => "%m-%d",
            Unit::Month => "%Y-%m",
            Unit::Year => "%Y",
        };
        ts.strftime(format).to_string()
    }

    /// The bucket's start in full, e.g. "2026-02-13 10:00 UTC".
    pub fn long_label(&self, bucket: usize) -> String {
        let Some(&start) = self.starts.get(bucket) else { return String::new() };
        let ts = Timestamp::from_millisecond(clamp(start)).unwrap_or(Timestamp::UNIX_EPOCH);
        ts.strftime("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// The items (indices into [`Facts::items`]) in a bucket, of one kind
    /// or of every kind: what choosing a bar of the chart shows.
    pub fn items_in(&self, facts: &Facts, kind: Option<Kind>, bucket: usize) -> Vec<u32> {
        (0..facts.items.len() as u32)
            .filter(|i| {
                let item = &facts.items[*i as usize];
                kind.is_none_or(|k| item.kind == k)
                    && facts.item_time(item).and_then(|t| self.bucket_of(t)) == Some(bucket)
            })
            .collect()
    }
}

/// The buckets for `[lo, hi]`: the finest step of the ladder that needs at
/// most `cap` buckets.
fn buckets(lo: i64, hi: i64, cap: usize) -> (Step, Vec<i64>, i64) {
    for step in LADDER {
        let mut starts = Vec::new();
        let mut s = step.floor(lo);
        while s <= hi && starts.len() <= cap {
            starts.push(s);
            let next = step.next(s);
            if next <= s {
                break;
            }
            s = next;
        }
        if starts.len() <= cap {
            return (step, starts, s.max(hi.saturating_add(1)));
        }
    }
    let last = LADDER[LADDER.len() - 1];
    (last, vec![lo], hi.saturating_add(1))
}

/// The timeline of a dump, with at most `max_buckets` buckets (and never
/// more than `MAX_BUCKETS`); `None` when nothing in it has a time.
pub fn timeline(facts: &Facts, max_buckets: usize) -> Option<Timeline> {
    let (lo, hi) = facts.span()?;
    let (step, starts, end) = buckets(clamp(lo), clamp(hi), max_buckets.clamp(1, MAX_BUCKETS));
    let mut t = Timeline { step, starts, end, kinds: Vec::new() };
    let mut lines: Vec<KindLine> =
        Kind::ALL.iter().map(|k| KindLine { kind: *k, counts: vec![0; t.starts.len()], untimed: 0 }).collect();
    let mut seen = [false; Kind::ALL.len()];
    for item in &facts.items {
        let line = &mut lines[item.kind as usize];
        seen[item.kind as usize] = true;
        match facts.item_time(item).and_then(|time| t.bucket_of(time)) {
            Some(b) => line.counts[b] += 1,
            None => line.untimed += 1,
        }
    }
    t.kinds = lines.into_iter().filter(|l| seen[l.kind as usize]).collect();
    Some(t)
}
