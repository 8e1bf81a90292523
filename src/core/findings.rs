//! Why it drifted (SPEC §9): the groups that hold most of a kind's
//! discrepancies — a short time window, or one voice, book, row state,
//! encoding or cache sub-folder.
//!
//! Pure: [`findings`] and [`timeline`] read only a [`Facts`] value (plain
//! data a test writes by hand); [`facts_of`] builds one from an
//! [`Inspection`](super::Inspection).
//!
//! # Rules, exactly
//!
//! * Only kinds with at least [`MIN_ITEMS`] (3) discrepancies are looked at.
//! * "At least 80 %" of a kind of `n` items means at least `ceil(4n / 5)`
//!   items (3 of 3, 4 of 4, 4 of 5, 8 of 10).
//! * **Time.** An item's time is its file's mtime for the file-level kinds
//!   and `orphaned_file` (which has no row), its row's `created_at` for the
//!   other kinds. The window is the shortest interval holding `ceil(4n / 5)`
//!   items (the earliest on a tie). It is a finding when (a) its width × 10
//!   is under the dump's whole time span (every row's `created_at` and every
//!   file's mtime) — exactly a tenth is no finding, and all times equal
//!   (span 0) gives none — and (b), like a value, it holds under half of the
//!   population timed the same way (all files for file-timed kinds, all rows
//!   otherwise): when every file was copied in the same minute, that minute
//!   explains nothing. Items without a time count in `n` but are in no
//!   window.
//! * The finding states the window as its sentence words it, in UTC: out to
//!   whole seconds (windows under two minutes), minutes (under two days) or
//!   days; `from`/`to` are that range and `count` is every item of the kind
//!   inside it. So a burst of 37 of 40 between 10:02 and 10:05 reads "37 of
//!   40", not the bare 80 % "32 of 40", and nothing outside the stated range
//!   is counted.
//! * **Value.** For `voice_id`, `book_id` and row state (from the key's row)
//!   and encoding and sub-folder (from the discrepancy's file): a value held
//!   by at least `ceil(4n / 5)` items and by under half of the population
//!   (`2 * holders < population`, the population being all rows for row
//!   values and all files for file values). A missing value (NULL, a column
//!   the schema lacks, a file at the top of the cache dir) is never a value.
//!   A value the kind implies (every redundant file is a wav) is skipped.
//! * Order: kinds in [`Kind::ALL`] order; per kind the time finding, then
//!   value findings by count (descending), ties in facet order voice, book,
//!   state, encoding, folder.

mod adapter;
mod facts;
mod timeline;
mod words;

use super::kinds::Kind;

pub use adapter::{facts_of, findings_of};
pub use facts::{Facts, FileInfo, Item, RowInfo, Sym, Values, When, uses_file_time};
pub use timeline::{Step, Timeline, Unit, timeline};
pub use words::{headlines, utc_window};

/// Kinds with fewer discrepancies than this get no finding.
pub const MIN_ITEMS: usize = 3;

/// What a finding groups by; the names are the JSON report's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum By {
    #[serde(rename = "voice_id")]
    Voice,
    #[serde(rename = "book_id")]
    Book,
    #[serde(rename = "state")]
    State,
    #[serde(rename = "encoding")]
    Encoding,
    #[serde(rename = "folder")]
    Folder,
    #[serde(rename = "time")]
    Time,
}

impl By {
    /// The value facets, in tie-break order.
    pub const VALUES: [By; 5] = [By::Voice, By::Book, By::State, By::Encoding, By::Folder];

    pub fn as_str(self) -> &'static str {
        match self {
            By::Voice => "voice_id",
            By::Book => "book_id",
            By::State => "state",
            By::Encoding => "encoding",
            By::Folder => "folder",
            By::Time => "time",
        }
    }
    fn is_row_value(self) -> bool {
        matches!(self, By::Voice | By::Book | By::State)
    }
}

/// One group that explains most of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub by: By,
    /// The value; for time, the window as an ISO 8601 interval in UTC.
    pub value: String,
    /// Items in the group, and of the kind.
    pub count: usize,
    pub of: usize,
    /// The window (epoch ms, both ends included); time findings only.
    pub window: Option<(i64, i64)>,
    /// One sentence to read aloud.
    pub sentence: String,
    /// The group's items: indices into [`Facts::items`] (and so into
    /// `Inspection::found`), ascending. Choosing a finding shows exactly these.
    pub items: Vec<u32>,
}

impl serde::Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("by", &self.by)?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("of", &self.of)?;
        if let Some((from, to)) = self.window {
            m.serialize_entry("from", &from)?;
            m.serialize_entry("to", &to)?;
        }
        m.serialize_entry("sentence", &self.sentence)?;
        m.end()
    }
}

/// At least 80 % of `n`, rounded up.
pub fn at_least_80_percent(n: usize) -> usize {
    (4 * n).div_ceil(5)
}

/// A value the kind implies says nothing about its cause.
fn implied(kind: Kind, by: By) -> bool {
    matches!((kind, by), (Kind::RedundantFile, By::Encoding))
}

/// How many rows (row facets) or files (file facets) hold each value.
struct Population {
    counts: [Vec<u32>; 5],
    rows: usize,
    files: usize,
}

impl Population {
    fn count(facts: &Facts) -> Population {
        let n = facts.values.len();
        let mut counts: [Vec<u32>; 5] = std::array::from_fn(|_| vec![0; n]);
        let mut add = |facet: usize, sym: Option<Sym>| {
            if let Some(s) = sym {
                counts[facet][s.index()] += 1;
            }
        };
        for r in &facts.rows {
            add(0, r.voice);
            add(1, r.book);
            add(2, r.state);
        }
        for f in &facts.files {
            add(3, f.encoding);
            add(4, f.folder);
        }
        Population { counts, rows: facts.rows.len(), files: facts.files.len() }
    }

    /// True when under half of the population holds `sym`.
    fn is_distinctive(&self, by: By, sym: Sym) -> bool {
        let facet = By::VALUES.iter().position(|b| *b == by).unwrap_or(0);
        let total = if by.is_row_value() { self.rows } else { self.files };
        let holders = self.counts[facet].get(sym.index()).copied().unwrap_or(0) as usize;
        2 * holders < total
    }
}

/// Every finding of the dump (see the module docs for the rules).
pub fn findings(facts: &Facts) -> Vec<Finding> {
    let mut by_kind: [Vec<u32>; Kind::ALL.len()] = Default::default();
    for (i, item) in facts.items.iter().enumerate() {
        by_kind[item.kind as usize].push(i as u32);
    }
    if by_kind.iter().all(|v| v.len() < MIN_ITEMS) {
        return Vec::new();
    }
    let span = facts.span();
    let population = Population::count(facts);
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let items = &by_kind[kind as usize];
        if items.len() < MIN_ITEMS {
            continue;
        }
        if let Some(f) = time_finding(facts, kind, items, span) {
            out.push(f);
        }
        let mut values: Vec<Finding> = By::VALUES
            .iter()
            .filter(|by| !implied(kind, **by))
            .filter_map(|by| value_finding(facts, &population, kind, *by, items))
            .collect();
        values.sort_by_key(|f| std::cmp::Reverse(f.count)); // stable: facet order on ties
        out.extend(values);
    }
    out
}

/// The shortest window holding 80 % of the kind, when short enough.
fn time_finding(facts: &Facts, kind: Kind, items: &[u32], span: Option<(i64, i64)>) -> Option<Finding> {
    let (lo, hi) = span?;
    let need = at_least_80_percent(items.len());
    let mut times: Vec<i64> = items.iter().filter_map(|i| facts.item_time(&facts.items[*i as usize])).collect();
    if times.len() < need || need == 0 {
        return None;
    }
    times.sort_unstable();
    let (start, width) = (0..=times.len() - need)
        .map(|i| (i, times[i + need - 1].saturating_sub(times[i])))
        .min_by_key(|(i, w)| (*w, *i))?;
    let under_a_tenth = |w: i64| i128::from(w) * 10 < i128::from(hi) - i128::from(lo);
    if !under_a_tenth(width) {
        return None;
    }
    // Reported as the sentence words it: out to whole seconds, minutes or
    // days, so "between 10:02 and 10:05" counts everything written then.
    let window = words::stated(times[start], times[start + need - 1]);
    // A window most of the dump shares (every file copied in the same
    // minute) says nothing about this kind.
    let found = times[start]..=times[start + need - 1];
    let in_window = |t: &Option<i64>| t.is_some_and(|t| found.contains(&t));
    let (holders, total) = if uses_file_time(kind) {
        (facts.files.iter().filter(|f| in_window(&f.mtime.get())).count(), facts.files.len())
    } else {
        (facts.rows.iter().filter(|r| in_window(&r.created_at.get())).count(), facts.rows.len())
    };
    if 2 * holders >= total {
        return None;
    }
    let (from, to) = (window.from, window.to);
    let inside: Vec<u32> = items
        .iter()
        .copied()
        .filter(|i| facts.item_time(&facts.items[*i as usize]).is_some_and(|t| (from..=to).contains(&t)))
        .collect();
    let count = inside.len();
    Some(Finding {
        kind,
        by: By::Time,
        value: words::iso_interval(from, to),
        count,
        of: items.len(),
        window: Some((from, to)),
        sentence: words::time_sentence(kind, count, items.len(), &window),
        items: inside,
    })
}

/// The one value (if any) that holds 80 % of the kind and under half of all.
fn value_finding(facts: &Facts, population: &Population, kind: Kind, by: By, items: &[u32]) -> Option<Finding> {
    let value = |i: &u32| facts.item_value(&facts.items[*i as usize], by);
    // Boyer–Moore majority vote: a value held by 80 % is the majority.
    let (mut candidate, mut votes) = (None, 0usize);
    for i in items {
        let v = value(i);
        if votes == 0 {
            (candidate, votes) = (v, 1);
        } else if v == candidate {
            votes += 1;
        } else {
            votes -= 1;
        }
    }
    let sym = candidate?;
    let holding: Vec<u32> = items.iter().copied().filter(|i| value(i) == Some(sym)).collect();
    if holding.len() < at_least_80_percent(items.len()) || !population.is_distinctive(by, sym) {
        return None;
    }
    let name = facts.values.name(sym).to_string();
    Some(Finding {
        kind,
        by,
        sentence: words::value_sentence(kind, by, &name, holding.len(), items.len()),
        value: name,
        count: holding.len(),
        of: items.len(),
        window: None,
        items: holding,
    })
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
