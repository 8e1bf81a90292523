//! Where the cursor goes after an apply: the applied discrepancies vanish
//! from the list, so the Discrepancies cursor moves on to the next one the
//! batch did not touch (the one before when none follows), and otherwise
//! stays on the same key.

use std::collections::HashSet;

use super::app::App;
use super::pane::Pane;
use super::sort::position;

impl App {
    /// Before an apply: remembers the first discrepancy at or after the
    /// cursor (else before it) that the plan leaves alone. Walks only as
    /// far as the plan's items reach.
    pub(super) fn remember_next(&mut self, planned: &HashSet<&str>) {
        self.resume = None;
        let (Some(ins), true) = (self.ins.as_deref(), self.focus == Pane::Disc) else { return };
        let view = &self.panes[Pane::Disc];
        let untouched = |&&i: &&usize| !planned.contains(ins.found[i].id.as_str());
        let after = view.visible.iter().skip(view.pos).find(untouched);
        let before = || view.visible[..view.pos.min(view.visible.len())].iter().rev().find(untouched);
        self.resume = after.or_else(before).map(|&i| ins.found[i].id.clone());
    }

    /// After the rescan: puts the Discrepancies cursor on that discrepancy
    /// (one pass over the new scan's discrepancies, once per scan).
    pub(super) fn resume_after_apply(&mut self) {
        let Some(id) = self.resume.take() else { return };
        let Some(ins) = self.ins.clone() else { return };
        let view = &self.panes[Pane::Disc];
        let found = ins.found.iter().position(|d| d.id == id);
        match found.and_then(|i| position(&ins, Pane::Disc, view.sort, &view.visible, i)) {
            Some(pos) => self.move_to(Pane::Disc, pos),
            // Gone or filtered out: stay where the list was, not on "∅".
            None if view.miss => self.move_to(Pane::Disc, view.pos),
            None => {}
        }
    }
}
