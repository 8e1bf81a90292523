//! Group filters: the panes show exactly a set of discrepancies — a
//! finding's, a chart bar's (the insight view), or those new since the
//! baseline (`+`) — with their files and rows, so `a` then `p` previews
//! the fix of exactly that group.
//!
//! It coexists with the text filter (`/`): choosing a group clears the
//! text, and text typed afterwards narrows within the group (the group's
//! lists are the text filter's `within`). Esc clears the text first, then
//! the group. A rescan keeps a group by its discrepancies' ids (the new-only
//! group by the new scan's baseline marks).

use std::collections::HashSet;
use std::sync::Arc;

use log::info;

use super::app::{App, Effect};
use super::filter;
use super::msg::Visible;
use super::pane::Pane;
use crate::core::Inspection;
use crate::core::baseline::{Baseline, Marks};
use crate::core::fmt::escaped;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSource {
    /// A finding of the insight view.
    Finding,
    /// A bar of the insight view's chart.
    Bar,
    /// The discrepancies not in the baseline.
    New,
}

/// The group filter in force.
#[derive(Clone)]
pub struct Group {
    pub source: GroupSource,
    /// What the status line says, e.g. "finding: 4 of 5 orphaned files…".
    pub label: String,
    /// The scan `visible` indexes into: a rescan finds the group again by
    /// the ids it reads there (nothing is copied when a group is chosen).
    of: Arc<Inspection>,
    /// The lists the panes show for the group (before any text filter).
    pub visible: Arc<Visible>,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Group({:?}, {:?}, {} discrepancies)", self.source, self.label, self.visible[2].len())
    }
}

/// `--baseline` in the TUI: the saved report, and which discrepancies of
/// the current scan it knows.
#[derive(Debug, Clone)]
pub struct BaselineState {
    pub baseline: Baseline,
    pub marks: Option<Marks>,
    pub new: usize,
    pub known: usize,
}

impl BaselineState {
    /// "3 new, 71 known (baseline before.json)".
    pub fn summary(&self) -> String {
        format!("{} new, {} known (baseline {})", self.new, self.known, escaped(&self.baseline.path))
    }
}

impl App {
    /// Filters the panes to exactly the discrepancies `items` (indices into
    /// `found`), their files and rows; clears the text filter.
    pub fn set_group(&mut self, source: GroupSource, label: String, items: Vec<usize>) {
        let Some(ins) = self.ins.clone() else { return };
        let visible = filter::of_discrepancies(&ins, &self.index, items);
        info!("{label} ({} discrepancies)", visible[2].len());
        self.filter.text.clear();
        self.filter.shown.clear();
        self.filter.generation += 1; // a text filter run on its way is moot
        self.panes.show(visible.clone());
        self.group = Some(Group { source, label, of: ins, visible: Arc::new(visible) });
        self.focus = Pane::Disc;
        for p in Pane::ALL {
            self.panes[p].offset = 0;
            self.panes[p].set_pos(0);
        }
        self.move_to(Pane::Disc, 0);
    }

    /// Shows everything again (under the text filter, if one is typed).
    pub fn clear_group(&mut self) -> Vec<Effect> {
        if self.group.take().is_none() {
            return vec![];
        }
        let link = self.focused_link();
        if let Some(ins) = &self.ins {
            self.panes.show(filter::everything(ins));
        }
        self.filter.shown.clear();
        self.restore(link);
        if self.filter.text.is_empty() { vec![] } else { self.refilter() }
    }

    /// The lists of the group in force: what the text filter narrows.
    pub fn group_base(&self) -> Option<Arc<Visible>> {
        self.group.as_ref().map(|g| Arc::clone(&g.visible))
    }

    /// A group or a text filter hides something.
    pub fn filtered(&self) -> bool {
        self.group.is_some() || !self.filter.text.is_empty()
    }

    /// `+`: only the discrepancies new since the baseline, or all again.
    pub(super) fn toggle_new_only(&mut self) -> Vec<Effect> {
        if self.group.as_ref().is_some_and(|g| g.source == GroupSource::New) {
            return self.clear_group();
        }
        let Some(b) = &self.baseline else {
            self.status =
                "no baseline: open the dump with --baseline REPORT.json (saved by check --format json) to mark new ones"
                    .into();
            return vec![];
        };
        let Some(marks) = &b.marks else { return vec![] };
        let items: Vec<usize> = (0..marks.known.len()).filter(|&i| marks.is_new(i)).collect();
        let label = format!("new only: {} not in the baseline {}", items.len(), escaped(&b.baseline.path));
        self.set_group(GroupSource::New, label, items);
        vec![]
    }

    /// Opens with `--baseline`: its marks follow every scan.
    pub fn set_baseline(&mut self, baseline: Option<Baseline>) {
        self.baseline = baseline.map(|baseline| BaselineState { baseline, marks: None, new: 0, known: 0 });
        self.mark_baseline();
    }

    /// Whether discrepancy `i` is new since the baseline (None without one).
    pub fn is_new(&self, i: usize) -> Option<bool> {
        Some(self.baseline.as_ref()?.marks.as_ref()?.is_new(i))
    }

    fn mark_baseline(&mut self) {
        let (Some(b), Some(ins)) = (&mut self.baseline, &self.ins) else { return };
        let marks = b.baseline.mark(&ins.found);
        (b.known, b.new) = (marks.known_count(), marks.new_count());
        b.marks = Some(marks);
    }

    /// After a scan (the panes show everything): new baseline marks, the
    /// insight data forgotten (and asked again when the view is open), the
    /// group in force found again in the new scan.
    pub(super) fn groups_after_scan(&mut self) -> Vec<Effect> {
        self.insight.new_scan();
        self.mark_baseline();
        if let (Some(g), Some(ins)) = (&self.group, self.ins.clone()) {
            let items: Vec<usize> = match (g.source, self.baseline.as_ref().and_then(|b| b.marks.as_ref())) {
                (GroupSource::New, Some(marks)) => (0..ins.found.len()).filter(|&i| marks.is_new(i)).collect(),
                _ => {
                    let ids: HashSet<&str> = g.visible[2].iter().map(|&i| g.of.found[i].id.as_str()).collect();
                    (0..ins.found.len()).filter(|&i| ids.contains(ins.found[i].id.as_str())).collect()
                }
            };
            let visible = filter::of_discrepancies(&ins, &self.index, items);
            self.panes.show(visible.clone());
            if let Some(g) = &mut self.group {
                g.visible = Arc::new(visible);
                g.of = ins;
            }
        }
        self.want_insight()
    }
}
