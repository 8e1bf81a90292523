//! Sorting a pane by its columns (`o` cycles them, `O` reverses, a click on
//! the pane's title sorts too). A sort is a total order — the column, then
//! the item's index — so a sorted list is searched by binary search with
//! the same comparison: linking the panes stays O(log n) in any order.
//! The filter produces the lists, sorting orders them: a filter run sorts
//! what it computed from scratch on its worker, and narrowing keeps order.

use std::cmp::Ordering;

use crate::core::model::{Stored, Value};

use super::app::{App, Effect};
use super::msg::Visible;
use super::pane::{Pane, Panes};
use super::ui::words::file_state;
use crate::core::Inspection;

/// A column a pane can sort by; `Natural` is the pane's own order (Disk by
/// path, DB by key, Discrepancies by kind then key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    #[default]
    Natural,
    Key,
    Size,
    Mtime,
    State,
    Duration,
    Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: Column,
    pub desc: bool,
}

impl Sort {
    /// The order the lists are built in: nothing to sort.
    pub fn is_natural(&self) -> bool {
        *self == Sort::default()
    }
}

/// The columns `o` cycles through, natural first.
pub fn columns(pane: Pane) -> &'static [Column] {
    match pane {
        Pane::Disk => &[Column::Natural, Column::Size, Column::Mtime, Column::State],
        Pane::Db => &[Column::Natural, Column::Size, Column::State, Column::Duration],
        Pane::Disc => &[Column::Natural, Column::Key, Column::Severity],
    }
}

/// The column's name in the pane's title.
pub fn name(pane: Pane, column: Column) -> &'static str {
    match (pane, column) {
        (Pane::Disk, Column::Natural) => "path",
        (Pane::Db, Column::Natural) => "key",
        (Pane::Disc, Column::Natural) => "kind",
        (_, Column::Key) => "key",
        (_, Column::Size) => "size",
        (_, Column::Mtime) => "mtime",
        (_, Column::State) => "state",
        (_, Column::Duration) => "duration",
        (_, Column::Severity) => "severity",
    }
}

/// "sorted by size ↓", or None in the natural order.
pub fn title(pane: Pane, sort: Sort) -> Option<String> {
    (!sort.is_natural()).then(|| format!("sorted by {} {}", name(pane, sort.column), if sort.desc { "↓" } else { "↑" }))
}

/// Biggest, newest, longest and most severe first; names A to Z.
fn starts_descending(column: Column) -> bool {
    matches!(column, Column::Size | Column::Mtime | Column::Duration | Column::Severity)
}

fn duration(v: &Stored) -> Option<i64> {
    match v {
        Stored::Int(n) => Some(*n),
        Stored::Other(v) => match **v {
            Value::Real(f) => Some(f as i64),
            _ => None,
        },
        Stored::Null => None,
    }
}

/// The total order of items `a` and `b` of `pane` under `sort`: the column
/// (reversed when descending), then the index (always ascending).
pub fn compare(ins: &Inspection, pane: Pane, sort: Sort, a: usize, b: usize) -> Ordering {
    let primary = match (pane, sort.column) {
        (_, Column::Natural) => return if sort.desc { b.cmp(&a) } else { a.cmp(&b) },
        (Pane::Disk, Column::Size) => ins.scan.files[a].id.size.cmp(&ins.scan.files[b].id.size),
        (Pane::Disk, Column::Mtime) => ins.scan.files[a].id.mtime_ns.cmp(&ins.scan.files[b].id.mtime_ns),
        (Pane::Disk, Column::State) => file_state(&ins.scan.files[a]).1.cmp(file_state(&ins.scan.files[b]).1),
        (Pane::Db, Column::Size) => ins.rows[a].size().cmp(&ins.rows[b].size()),
        (Pane::Db, Column::State) => ins.rows[a].state_str().cmp(ins.rows[b].state_str()),
        (Pane::Db, Column::Duration) => duration(&ins.rows[a].duration_ms).cmp(&duration(&ins.rows[b].duration_ms)),
        (Pane::Disc, Column::Key) => ins.found[a].key.cmp(&ins.found[b].key),
        (Pane::Disc, Column::Severity) => ins.found[a].severity().cmp(&ins.found[b].severity()),
        _ => Ordering::Equal,
    };
    let primary = if sort.desc { primary.reverse() } else { primary };
    primary.then(a.cmp(&b))
}

/// Orders `list` (indices of `pane`'s items) by `sort`.
pub fn sort_list(ins: &Inspection, pane: Pane, sort: Sort, list: &mut [usize]) {
    if sort.is_natural() {
        list.sort_unstable();
    } else if let Some(key) = numeric(pane, sort.column) {
        // The order of `compare`, sorted as plain numbers: a million items
        // without a lookup per comparison.
        let sign = if sort.desc { -1 } else { 1 };
        let mut keyed: Vec<(i128, usize)> = list.iter().map(|&i| (sign * key(ins, i), i)).collect();
        keyed.sort_unstable();
        for (slot, (_, i)) in list.iter_mut().zip(keyed) {
            *slot = i;
        }
    } else {
        list.sort_unstable_by(|&a, &b| compare(ins, pane, sort, a, b));
    }
}

/// A number per item that orders a numeric column as `compare` does
/// (a missing value first, below every real one).
fn numeric(pane: Pane, column: Column) -> Option<fn(&Inspection, usize) -> i128> {
    Some(match (pane, column) {
        (Pane::Disk, Column::Size) => |ins, i| i128::from(ins.scan.files[i].id.size),
        (Pane::Disk, Column::Mtime) => |ins, i| i128::from(ins.scan.files[i].id.mtime_ns),
        (Pane::Db, Column::Size) => |ins, i| or_missing(ins.rows[i].size()),
        (Pane::Db, Column::Duration) => |ins, i| or_missing(duration(&ins.rows[i].duration_ms)),
        _ => return None,
    })
}

/// A value, or below every value when there is none (as `None < Some`).
fn or_missing(v: Option<i64>) -> i128 {
    v.map_or(-(1 << 100), i128::from)
}

/// Orders lists a filter computed from scratch (they come in index order).
pub fn sort_visible(ins: &Inspection, visible: &mut Visible, sorts: &[Sort; 3]) {
    for p in Pane::ALL {
        if !sorts[p as usize].is_natural() {
            sort_list(ins, p, sorts[p as usize], &mut visible[p as usize]);
        }
    }
}

/// Where item `target` sits in `list` sorted by `sort`: a binary search.
pub fn position(ins: &Inspection, pane: Pane, sort: Sort, list: &[usize], target: usize) -> Option<usize> {
    if sort.is_natural() {
        return list.binary_search(&target).ok();
    }
    list.binary_search_by(|&i| compare(ins, pane, sort, i, target)).ok()
}

impl Panes {
    /// Each pane's sort, in pane order.
    pub fn sorts(&self) -> [Sort; 3] {
        [self[Pane::Disk].sort, self[Pane::Db].sort, self[Pane::Disc].sort]
    }
}

impl App {
    /// `o` (or a click on a pane's title): the pane sorts by its next column.
    pub(super) fn cycle_sort(&mut self, pane: Pane) -> Vec<Effect> {
        let cols = columns(pane);
        let at = cols.iter().position(|c| *c == self.panes[pane].sort.column).unwrap_or(0);
        let column = cols[(at + 1) % cols.len()];
        self.set_sort(pane, Sort { column, desc: starts_descending(column) })
    }

    /// `O`: the same column, the other way round.
    pub(super) fn reverse_sort(&mut self, pane: Pane) -> Vec<Effect> {
        let mut sort = self.panes[pane].sort;
        sort.desc = !sort.desc;
        self.set_sort(pane, sort)
    }

    /// Sorts the pane once (on this key press); the cursor stays on its item.
    pub fn set_sort(&mut self, pane: Pane, sort: Sort) -> Vec<Effect> {
        let Some(ins) = self.ins.clone() else { return vec![] };
        let view = &mut self.panes[pane];
        let item = view.current();
        view.sort = sort;
        sort_list(&ins, pane, sort, &mut view.visible);
        if let Some(pos) = item.and_then(|i| position(&ins, pane, sort, &view.visible, i)) {
            view.pos = pos;
        }
        self.status = match title(pane, sort) {
            Some(t) => format!("{} {t} (o: next column, O: reverse)", pane.title()),
            None => format!("{} in its own order (by {})", pane.title(), name(pane, Column::Natural)),
        };
        // A filter run on its way sorts by the old order: start it again.
        if self.filter.pending() { self.refilter() } else { vec![] }
    }
}

/// Sorts freshly built lists (a scan) by the panes' sorts.
pub fn sort_panes(ins: &Inspection, panes: &mut Panes) {
    for p in Pane::ALL {
        let sort = panes[p].sort;
        if !sort.is_natural() {
            sort_list(ins, p, sort, &mut panes[p].visible);
        }
    }
}
