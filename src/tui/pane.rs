//! The three linked panes and the state each one owns: what it shows, its
//! cursor, its scroll offset, and where it was drawn last.

use std::ops::{Index, IndexMut};

use ratatui::layout::Rect;

/// The three linked panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Disk = 0,
    Db = 1,
    Disc = 2,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Disk, Pane::Db, Pane::Disc];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Disk => "Disk files",
            Pane::Db => "DB entries",
            Pane::Disc => "Discrepancies",
        }
    }
    pub fn next(self) -> Pane {
        Pane::ALL[(self as usize + 1) % 3]
    }
    pub fn prev(self) -> Pane {
        Pane::ALL[(self as usize + 2) % 3]
    }
}

/// One pane: the indices it shows (into files, rows or discrepancies), the
/// cursor among them, and what drawing learnt (page height, area). Only the
/// visible window of `visible` is ever turned into lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneView {
    pub visible: Vec<usize>,
    pub pos: usize,
    pub offset: usize,
    /// The linked key has nothing in this pane ("no row", "no file").
    pub miss: bool,
    /// Rows on screen (set by drawing; paging moves by it).
    pub page: usize,
    /// Where the pane was drawn last (for the mouse).
    pub area: Rect,
    /// The order of `visible` (`o`); linking searches it with this order.
    pub sort: super::sort::Sort,
}

impl PaneView {
    /// The index under the cursor, unless the pane shows "nothing here".
    pub fn current(&self) -> Option<usize> {
        if self.miss { None } else { self.visible.get(self.pos).copied() }
    }
    /// Puts the cursor on `pos`, clamped to the list.
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.visible.len().saturating_sub(1));
        self.miss = false;
    }
    /// Keeps the cursor inside the window of `height` rows; returns the offset.
    pub fn scroll_to_cursor(&mut self, height: usize) -> usize {
        if self.pos < self.offset {
            self.offset = self.pos;
        } else if height > 0 && self.pos >= self.offset + height {
            self.offset = self.pos + 1 - height;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(height));
        self.offset
    }
}

/// The three panes, indexed by [`Pane`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Panes([PaneView; 3]);

impl Panes {
    pub fn new() -> Panes {
        let mut p = Panes::default();
        for v in &mut p.0 {
            v.page = 10;
        }
        p
    }
    /// The lists each pane shows, in pane order.
    pub fn visible(&self) -> [&[usize]; 3] {
        [&self.0[0].visible, &self.0[1].visible, &self.0[2].visible]
    }
    /// Replaces what each pane shows.
    pub fn show(&mut self, lists: [Vec<usize>; 3]) {
        for (view, list) in self.0.iter_mut().zip(lists) {
            view.visible = list;
        }
    }
}

impl Index<Pane> for Panes {
    type Output = PaneView;
    fn index(&self, p: Pane) -> &PaneView {
        &self.0[p as usize]
    }
}

impl IndexMut<Pane> for Panes {
    fn index_mut(&mut self, p: Pane) -> &mut PaneView {
        &mut self.0[p as usize]
    }
}
