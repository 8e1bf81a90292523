//! Keys, layer by layer: the topmost layer takes every key first, so a
//! dialog can never leak keys to the lists behind it.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Busy, Confirm, Effect, Layer};
use super::keys::{Action, DETAIL_KEYS, Scope, action_in};
use super::pane::Pane;

impl App {
    pub(super) fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![];
        }
        match self.layers.last() {
            Some(Layer::Filter) => self.filter_key(k),
            Some(Layer::Typed { .. }) => self.typed_key(k),
            Some(Layer::Confirm(c)) => {
                let c = c.clone();
                self.confirm_key(k, c)
            }
            Some(Layer::Help) => self.help_key(k),
            Some(Layer::Palette) => self.palette_key(k),
            Some(Layer::Result(_)) => {
                if k.code == KeyCode::Char('q') {
                    self.quit = true;
                } else {
                    self.layers.pop();
                }
                vec![]
            }
            Some(Layer::Plan) => self.plan_key(k),
            Some(Layer::Insight) => self.insight_key(k),
            Some(Layer::Detail) => match action_in(&k, &self.scopes()) {
                Some(Action::Back | Action::Open) => {
                    self.layers.pop();
                    vec![]
                }
                // Moving and choosing work under the detail, which follows the cursor.
                Some(a) if DETAIL_KEYS.contains(&a) => self.pane_action(a),
                _ => vec![],
            },
            None => match action_in(&k, &self.scopes()) {
                Some(a) => self.pane_action(a),
                None => vec![],
            },
        }
    }

    /// Typing the filter: each key starts a run that cancels the last one.
    fn filter_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        match k.code {
            KeyCode::Esc => {
                self.layers.pop();
                self.set_filter(String::new())
            }
            KeyCode::Enter => {
                self.layers.pop();
                vec![]
            }
            KeyCode::Backspace => {
                let mut f = self.filter.text.clone();
                f.pop();
                self.set_filter(f)
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                let f = format!("{}{c}", self.filter.text);
                self.set_filter(f)
            }
            _ => vec![],
        }
    }

    /// The blast-radius guard: only a typed `yes` applies.
    fn typed_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(Layer::Typed { input, .. }) = self.layers.last_mut() else { return vec![] };
        match k.code {
            KeyCode::Esc => {
                self.layers.pop();
                self.status = "not applied".into();
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Enter => {
                let ok = input.trim() == "yes";
                self.layers.pop();
                if ok {
                    return self.start_apply(true);
                }
                self.status = "not applied: type yes to confirm a mass change".into();
            }
            KeyCode::Char(c) => input.push(c),
            _ => {}
        }
        vec![]
    }

    /// Yes runs it; any other key is No.
    fn confirm_key(&mut self, k: KeyEvent, c: Confirm) -> Vec<Effect> {
        self.layers.pop();
        if action_in(&k, &[Scope::Confirm]) == Some(Action::Confirm) {
            return match c {
                Confirm::Apply => self.start_apply(false),
                Confirm::Undo => self.start_undo(),
                Confirm::Recover => self.start_recover(),
            };
        }
        self.status = match c {
            Confirm::Apply => "not applied".into(),
            Confirm::Undo => "not undone".into(),
            Confirm::Recover => "not recovered".into(),
        };
        vec![]
    }

    fn plan_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let page = self.plan_page.max(1);
        match action_in(&k, &[Scope::Plan, Scope::Panes]) {
            Some(Action::Apply) => self.ask_apply(),
            Some(Action::Back) => {
                self.layers.pop();
                self.plan = None;
            }
            Some(Action::Quit) => self.quit = true,
            Some(Action::Help) => self.open_help(),
            Some(Action::ToggleSql) => self.toggle_sql(),
            Some(Action::Copy) => return self.copy(),
            Some(Action::CopySelection) => return self.copy_selection(),
            Some(Action::Export) => return self.export(),
            Some(Action::ExportSelection) => return self.export_selection(),
            Some(Action::CycleTheme) => self.cycle_theme(),
            Some(
                a @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom),
            ) => {
                if let Some(p) = &mut self.plan {
                    let last = p.shown().len().saturating_sub(1);
                    p.scroll = match a {
                        Action::Down => p.scroll + 1,
                        Action::Up => p.scroll.saturating_sub(1),
                        Action::PageDown => p.scroll + page,
                        Action::PageUp => p.scroll.saturating_sub(page),
                        Action::Bottom => last,
                        _ => 0,
                    }
                    .min(last);
                }
            }
            _ => {}
        }
        vec![]
    }

    /// `T`: the next theme (NO_COLOR keeps monochrome).
    fn cycle_theme(&mut self) {
        if !self.theme.color {
            self.status = "NO_COLOR is set: the monochrome theme stays".into();
            return;
        }
        self.theme.name = self.theme.name.next();
        self.status =
            format!("theme: {} (T: next; --theme or CACHESCOPE_THEME picks one at start)", self.theme.label());
    }

    /// The panes' own keys (and those the detail and the palette let through).
    pub(super) fn pane_action(&mut self, a: Action) -> Vec<Effect> {
        let page = self.panes[self.focus].page.max(1) as isize;
        match a {
            Action::NextPane => self.focus = self.focus.next(),
            Action::PrevPane => self.focus = self.focus.prev(),
            Action::FocusDisk => self.focus = Pane::Disk,
            Action::FocusDb => self.focus = Pane::Db,
            Action::FocusDisc => self.focus = Pane::Disc,
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::PageDown => self.move_by(page),
            Action::PageUp => self.move_by(-page),
            Action::Top => self.move_to(self.focus, 0),
            Action::Bottom => self.move_to(self.focus, usize::MAX),
            Action::Open => {
                if self.current_link(self.focus).is_some() {
                    self.layers.push(Layer::Detail);
                }
            }
            Action::Back => {
                // The text filter first, then a group (finding, bar, new only).
                if !self.filter.text.is_empty() {
                    return self.set_filter(String::new());
                }
                return self.clear_group();
            }
            Action::Insight => return self.open_insight(),
            Action::NewOnly => return self.toggle_new_only(),
            Action::Filter => self.layers.push(Layer::Filter),
            Action::Toggle => self.toggle(),
            Action::CycleFix => self.cycle_fix(),
            Action::SelectAll => self.select_all(),
            Action::ClearSelection => {
                self.choices.chosen.clear();
                self.status = "selection cleared".into();
            }
            Action::Plan => self.open_plan(),
            Action::Undo => {
                if self.may_write("undo") {
                    self.layers.push(Layer::Confirm(Confirm::Undo));
                }
            }
            Action::Rescan => {
                if self.idle() {
                    self.busy = Some(Busy::Scanning);
                    log::info!("rescan requested");
                    return vec![Effect::Scan(self.options)];
                }
            }
            Action::ToggleLog => self.show_log = Some(!self.log_visible()),
            Action::ToggleDeep => {
                if !self.idle() {
                    return vec![];
                }
                self.options.deep = !self.options.deep;
                self.busy = Some(Busy::Scanning);
                self.status = if self.options.deep {
                    "deep check on: decoding every complete file…".into()
                } else {
                    "deep check off: containers only…".into()
                };
                log::info!("{}", self.status);
                return vec![Effect::Scan(self.options)];
            }
            Action::Help => self.open_help(),
            Action::Quit => self.quit = true,
            Action::Copy => return self.copy(),
            Action::CopySelection => return self.copy_selection(),
            Action::Export => return self.export(),
            Action::ExportSelection => return self.export_selection(),
            Action::Sort => return self.cycle_sort(self.focus),
            Action::SortReverse => return self.reverse_sort(self.focus),
            Action::Palette => self.open_palette(),
            Action::Recover => self.ask_recover(),
            Action::CycleTheme => self.cycle_theme(),
            Action::Apply
            | Action::Confirm
            | Action::Deny
            | Action::ToggleSql
            | Action::BarLeft
            | Action::BarRight
            | Action::SwitchPart
            | Action::Choose => {}
        }
        vec![]
    }
}
