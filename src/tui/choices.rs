//! Which discrepancies are chosen for the plan, and with which fix.

use std::collections::HashMap;

use crate::core::{Discrepancy, Fix, Kind, Selection};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    /// Discrepancy id → fix chosen for the plan.
    pub chosen: HashMap<String, Fix>,
    /// Discrepancy id → fix shown (cycled with `f`), chosen or not.
    pub picked: HashMap<String, Fix>,
}

impl Choices {
    /// The fix shown for a discrepancy: chosen, picked, its default, its first.
    pub fn fix_shown(&self, id: &str, kind: Kind) -> Option<Fix> {
        self.chosen
            .get(id)
            .or_else(|| self.picked.get(id))
            .copied()
            .or(kind.default_fix())
            .or(kind.fixes().first().copied())
    }

    /// Selects or unselects `d` with the fix shown for it.
    pub fn toggle(&mut self, d: &Discrepancy) {
        if self.chosen.remove(&d.id).is_none()
            && let Some(fix) = self.fix_shown(&d.id, d.kind)
        {
            self.chosen.insert(d.id.clone(), fix);
        }
    }

    /// Moves `d` to its next fix, and selects it with that fix.
    pub fn cycle(&mut self, d: &Discrepancy) {
        let fixes = d.fixes();
        let Some(cur) = self.fix_shown(&d.id, d.kind) else { return };
        let at = fixes.iter().position(|f| *f == cur).unwrap_or(0);
        let next = fixes[(at + 1) % fixes.len()];
        self.picked.insert(d.id.clone(), next);
        self.chosen.insert(d.id.clone(), next);
    }

    /// Selects `d` with the fix it shows (its picked one, else its default);
    /// false for a kind without a default (strays are chosen one by one).
    pub fn select(&mut self, d: &Discrepancy) -> bool {
        let Some(default) = d.default_fix() else { return false };
        let fix = self.picked.get(&d.id).copied().unwrap_or(default);
        self.chosen.insert(d.id.clone(), fix);
        true
    }

    /// Forgets choices of discrepancies that are gone after a rescan.
    pub fn keep_only(&mut self, alive: impl Fn(&str) -> bool) {
        self.chosen.retain(|id, _| alive(id));
        self.picked.retain(|id, _| alive(id));
    }

    /// The core selection: exactly the chosen items, nothing else.
    pub fn selection(&self) -> Selection {
        Selection {
            only: Some(vec![]),
            per_kind: HashMap::new(),
            per_item: self.chosen.iter().map(|(id, f)| (id.clone(), Some(*f))).collect(),
        }
    }
}
