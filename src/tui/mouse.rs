//! Clicks and the wheel: a click focuses a pane and its row (on the
//! title row it sorts), the wheel moves by three; the insight view takes its
//! own clicks.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::app::*;

impl App {
    pub(super) fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.mouse && self.top() == Some(&Layer::Insight) {
            self.insight_mouse(m);
            return vec![];
        }
        if !self.mouse || self.layers.iter().any(|l| *l != Layer::Detail) {
            return vec![];
        }
        let at = Position::new(m.column, m.row);
        let Some(pane) = Pane::ALL.into_iter().find(|p| self.panes[*p].area.contains(at)) else { return vec![] };
        match m.kind {
            // The title row is the pane's header: a click sorts it.
            MouseEventKind::Down(MouseButton::Left) if m.row == self.panes[pane].area.y => {
                self.focus = pane;
                return self.cycle_sort(pane);
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                let view = &self.panes[pane];
                let pos = view.offset + m.row.saturating_sub(view.area.y + 1) as usize;
                if pos < view.visible.len() {
                    self.move_to(pane, pos);
                }
            }
            MouseEventKind::ScrollDown => {
                let pos = self.panes[pane].pos + 3;
                self.move_to(pane, pos);
            }
            MouseEventKind::ScrollUp => {
                let pos = self.panes[pane].pos.saturating_sub(3);
                self.move_to(pane, pos);
            }
            _ => {}
        }
        vec![]
    }
}
