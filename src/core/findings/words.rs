//! Findings as sentences to read aloud in a call; times in UTC, said so.

use jiff::Timestamp;

use super::{By, Finding, uses_file_time};
use crate::core::fmt::{escaped_bytes, group};
use crate::core::kinds::Kind;

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

fn utc(ms: i64, format: &str) -> String {
    timestamp(ms).strftime(format).to_string()
}

/// `from/to` as an ISO 8601 interval, e.g. `2026-02-13T10:02:00Z/2026-02-13T10:05:12.5Z`.
pub(super) fn iso_interval(from: i64, to: i64) -> String {
    format!("{}/{}", timestamp(from), timestamp(to))
}

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const DAY: i64 = 86_400_000;

/// The unit a window is said in: seconds under two minutes, minutes under
/// two days, days beyond.
fn grain(from: i64, to: i64) -> i64 {
    match to.saturating_sub(from) {
        w if w < 2 * MINUTE => SECOND,
        w if w < 2 * DAY => MINUTE,
        _ => DAY,
    }
}

/// A window as a sentence states it: out to whole units of the grain of
/// the window found ("10:02 to 10:05" is 10:02:00.000 to 10:05:59.999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stated {
    pub from: i64,
    pub to: i64,
    grain: i64,
}

pub(super) fn stated(from: i64, to: i64) -> Stated {
    let g = grain(from, to);
    let start = from.div_euclid(g).saturating_mul(g);
    let end = to.div_euclid(g).saturating_mul(g).saturating_add(g - 1);
    Stated { from: start, to: end, grain: g }
}

/// A window in words, UTC, cut to its grain (see `Stated`):
/// "between 10:02 and 10:05 UTC on 2026-02-13".
pub fn utc_window(from: i64, to: i64) -> String {
    words(&stated(from, to))
}

fn words(s: &Stated) -> String {
    let (from, to, g) = (s.from, s.to, s.grain);
    let same_day = from.div_euclid(DAY) == to.div_euclid(DAY);
    let same_unit = from.div_euclid(g) == to.div_euclid(g);
    if g == SECOND && same_unit {
        format!("at {} UTC on {}", utc(from, "%H:%M:%S"), utc(from, "%Y-%m-%d"))
    } else if g == SECOND {
        format!("between {} and {} UTC on {}", utc(from, "%H:%M:%S"), utc(to, "%H:%M:%S"), utc(from, "%Y-%m-%d"))
    } else if g == MINUTE && same_day {
        format!("between {} and {} UTC on {}", utc(from, "%H:%M"), utc(to, "%H:%M"), utc(from, "%Y-%m-%d"))
    } else if g == MINUTE {
        format!("between {} and {} UTC", utc(from, "%Y-%m-%d %H:%M"), utc(to, "%Y-%m-%d %H:%M"))
    } else {
        format!("between {} and {} (UTC dates)", utc(from, "%Y-%m-%d"), utc(to, "%Y-%m-%d"))
    }
}

/// A count in a sentence: `3 857`.
fn n(count: usize) -> String {
    group(count as u64)
}

/// "orphaned files", "ghost entries", …
fn noun(kind: Kind) -> String {
    kind.title().to_lowercase()
}

pub(super) fn time_sentence(kind: Kind, count: usize, of: usize, window: &Stated) -> String {
    let verb = if uses_file_time(kind) { "written" } else { "created" };
    format!("{} of {} {} were {verb} {}.", n(count), n(of), noun(kind), words(window))
}

/// What the items of a value share, after the subject: "are of voice X".
fn predicate(kind: Kind, by: By, value: &str) -> String {
    let v = escaped_bytes(value.as_bytes());
    let about_file = if uses_file_time(kind) { "are" } else { "are about" };
    match by {
        By::Voice => format!("are of voice {v}"),
        By::Book => format!("are of book {v}"),
        By::State => format!("have row state {v}"),
        By::Encoding => format!("{about_file} {v} files"),
        By::Folder => format!("{about_file} files in sub-folder {v}"),
        By::Time => String::new(),
    }
}

pub(super) fn value_sentence(kind: Kind, by: By, value: &str, count: usize, of: usize) -> String {
    format!("{} of {} {} {}.", n(count), n(of), noun(kind), predicate(kind, by, value))
}

/// The findings as lines for a report: per kind, the time window and its
/// strongest value in one sentence ("…; 36 of the 40 are of voice X"),
/// then any other value finding of that kind on its own line.
pub fn headlines(findings: &[Finding]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < findings.len() {
        let kind = findings[i].kind;
        let end = i + findings[i..].iter().take_while(|f| f.kind == kind).count();
        let group = &findings[i..end];
        let mut rest = group.iter();
        if let [time, value, ..] = group
            && time.by == By::Time
            && value.by != By::Time
        {
            let share = if value.count == value.of {
                format!("all {}", n(value.of))
            } else {
                format!("{} of the {}", n(value.count), n(value.of))
            };
            out.push(format!(
                "{}; {share} {}.",
                time.sentence.trim_end_matches('.'),
                predicate(kind, value.by, &value.value)
            ));
            rest.next();
            rest.next();
        }
        out.extend(rest.map(|f| f.sentence.clone()));
        i = end;
    }
    out
}
