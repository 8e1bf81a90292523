//! Moving in the panes, and the links that keep the three on the same key:
//! a move in one pane puts the others on its key's file, row or
//! discrepancy (by binary search in each pane's own order).

use super::app::*;
use super::index::Link;
use crate::core::key::Key;

impl App {
    pub(super) fn move_by(&mut self, delta: isize) {
        let view = &self.panes[self.focus];
        let pos = if view.miss && delta > 0 { view.pos } else { view.pos.saturating_add_signed(delta) };
        self.move_to(self.focus, pos);
    }

    /// Moves `pane`'s cursor to `pos` (clamped) and links the other two panes.
    pub fn move_to(&mut self, pane: Pane, pos: usize) {
        self.panes[pane].set_pos(pos);
        if let Some(link) = self.current_link(pane) {
            for other in Pane::ALL.into_iter().filter(|o| *o != pane) {
                self.link_pane(other, &link);
            }
        }
    }

    /// What the cursor of `pane` is on.
    pub fn current_link(&self, pane: Pane) -> Option<Link> {
        let ins = self.ins.as_deref()?;
        let i = self.panes[pane].current()?;
        Some(match pane {
            Pane::Disk => Link { key: ins.scan.files[i].key().map(Key::to_string), file: Some(i) },
            Pane::Db => Link { key: Some(ins.rows[i].key.to_string()), file: None },
            Pane::Disc => Link { key: ins.found[i].key.clone(), file: ins.found[i].file },
        })
    }

    /// The link of the focused pane, or of any pane that has one.
    pub fn focused_link(&self) -> Option<Link> {
        self.current_link(self.focus).or_else(|| Pane::ALL.iter().find_map(|p| self.current_link(*p)))
    }

    /// The discrepancy under the Discrepancies cursor.
    pub fn focused_disc(&self) -> Option<usize> {
        self.panes[Pane::Disc].current()
    }

    pub(super) fn link_pane(&mut self, pane: Pane, link: &Link) {
        let Some(ins) = self.ins.as_deref() else { return };
        let index = &self.index;
        let target = match pane {
            Pane::Disk => link.file.or_else(|| link.key.as_deref().and_then(|k| index.file_of_key(ins, k))),
            Pane::Db => link.key.as_deref().and_then(|k| ins.row_index(k)),
            Pane::Disc => link
                .file
                .and_then(|f| index.disc_of_file(f))
                .or_else(|| link.key.as_deref().and_then(|k| index.disc_of_key(ins, k))),
        };
        let view = &mut self.panes[pane];
        // Any order: a binary search with the pane's own sort.
        match target.and_then(|t| super::sort::position(ins, pane, view.sort, &view.visible, t)) {
            Some(pos) => {
                view.pos = pos;
                view.miss = false;
            }
            None => view.miss = true,
        }
    }

    /// Puts the focused pane on `link` (after a rescan or a new filter).
    pub(super) fn restore(&mut self, link: Option<Link>) {
        for p in Pane::ALL {
            let pos = self.panes[p].pos;
            self.panes[p].set_pos(pos);
        }
        match link {
            Some(link) => {
                self.link_pane(self.focus, &link);
                self.panes[self.focus].miss = false;
                self.move_to(self.focus, self.panes[self.focus].pos);
            }
            None => self.move_to(self.focus, 0),
        }
    }
}
