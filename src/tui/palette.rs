//! The searchable help (`?`) and the command palette (`:`), both read from
//! the one key table ([`BINDINGS`]): typing narrows the list by key label or
//! words of the help; the palette runs the chosen action as its key would.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Effect, Layer};
use super::keys::{Action, BINDINGS, Binding, Scope};

/// What the help or palette has typed, and the row it is on (the palette's
/// choice, the help's scroll).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finder {
    pub query: String,
    pub pos: usize,
}

/// True when every word of `query` is in the binding's label, footer word or
/// help sentence (any case).
pub fn matches(b: &Binding, query: &str) -> bool {
    let hay = format!("{} {} {}", b.label, b.hint, b.help).to_lowercase();
    let label = b.label.to_lowercase();
    query.split_whitespace().all(|w| {
        let w = w.to_lowercase();
        hay.contains(&w) || label.split('/').any(|l| l == w)
    })
}

/// The help's sections: each scope's heading and its bindings that match.
pub fn help_sections(query: &str) -> Vec<(&'static str, Vec<&'static Binding>)> {
    [
        (Scope::Panes, "In the panes"),
        (Scope::Disc, "In Discrepancies"),
        (Scope::Plan, "In the plan preview"),
        (Scope::Insight, "In the insight view (i)"),
        (Scope::Confirm, "In a confirmation"),
        (Scope::Global, "Everywhere"),
    ]
    .into_iter()
    .map(|(scope, heading)| (heading, BINDINGS.iter().filter(|b| b.scope == scope && matches(b, query)).collect()))
    .filter(|(_, list): &(_, Vec<_>)| !list.is_empty())
    .collect()
}

/// One row of the palette: an action, what it does, and its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    pub name: &'static str,
    pub keys: String,
}

/// Every action the panes can run, once each (keys joined), that matches.
pub fn entries(query: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = vec![];
    let runnable = |b: &&Binding| matches!(b.scope, Scope::Panes | Scope::Disc | Scope::Global);
    for b in BINDINGS.iter().filter(runnable) {
        if matches!(b.action, Action::Palette | Action::Back) {
            continue;
        }
        match out.iter_mut().find(|e| e.action == b.action) {
            Some(e) => {
                e.keys.push_str(", ");
                e.keys.push_str(b.label);
            }
            None => out.push(Entry { action: b.action, name: b.help, keys: b.label.to_string() }),
        }
    }
    out.retain(|e| {
        BINDINGS.iter().filter(runnable).any(|b| b.action == e.action && matches(b, query))
            || query.split_whitespace().all(|w| e.keys.to_lowercase().contains(&w.to_lowercase()))
    });
    out
}

impl App {
    pub(super) fn open_help(&mut self) {
        self.finder = Finder::default();
        self.layers.push(Layer::Help);
    }

    pub(super) fn open_palette(&mut self) {
        self.finder = Finder::default();
        self.layers.push(Layer::Palette);
    }

    /// Typing edits the query (a new query starts at the top).
    fn edit_query(&mut self, k: &KeyEvent) -> bool {
        match k.code {
            KeyCode::Backspace => {
                self.finder.query.pop();
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => self.finder.query.push(c),
            _ => return false,
        }
        self.finder.pos = 0;
        true
    }

    fn move_finder(&mut self, k: &KeyEvent, last: usize) -> bool {
        let pos = self.finder.pos;
        self.finder.pos = match k.code {
            KeyCode::Down => pos + 1,
            KeyCode::Up => pos.saturating_sub(1),
            KeyCode::PageDown => pos + 10,
            KeyCode::PageUp => pos.saturating_sub(10),
            KeyCode::Home => 0,
            KeyCode::End => last,
            _ => return false,
        }
        .min(last);
        true
    }

    /// The help: type to search, arrows scroll, Esc or Enter close.
    pub(super) fn help_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if matches!(k.code, KeyCode::Esc | KeyCode::Enter) {
            self.layers.pop();
            return vec![];
        }
        let rows: usize = help_sections(&self.finder.query).iter().map(|(_, l)| l.len() + 1).sum();
        if !self.move_finder(&k, rows.saturating_sub(1)) {
            self.edit_query(&k);
        }
        vec![]
    }

    /// The palette: type to narrow, arrows choose, Enter runs, Esc closes.
    pub(super) fn palette_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let list = entries(&self.finder.query);
        match k.code {
            KeyCode::Esc => {
                self.layers.pop();
            }
            KeyCode::Enter => {
                self.layers.pop();
                match list.get(self.finder.pos) {
                    Some(e) => {
                        log::info!("palette: {}", e.name);
                        return self.pane_action(e.action);
                    }
                    None => self.status = format!("no action matches {:?}", self.finder.query),
                }
            }
            _ => {
                if !self.move_finder(&k, list.len().saturating_sub(1)) {
                    self.edit_query(&k);
                }
            }
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_palette_lists_each_action_once_and_narrows_by_words() {
        let all = entries("");
        assert!(all.iter().any(|e| e.action == Action::Quit && e.keys == "q, C-c"));
        let mut seen = std::collections::HashSet::new();
        assert!(all.iter().all(|e| seen.insert(format!("{:?}", e.action))));
        let undo = entries("undo");
        assert_eq!(undo.iter().map(|e| e.action).collect::<Vec<_>>(), vec![Action::Undo]);
        assert!(entries("sort pane").iter().any(|e| e.action == Action::Sort));
        assert!(entries("zzz").is_empty());
    }

    #[test]
    fn the_help_searches_labels_and_words() {
        let found = help_sections("clipboard");
        assert!(found.is_empty(), "no binding says clipboard: {found:?}");
        let copy = help_sections("copy");
        assert!(copy.iter().all(|(_, l)| l.iter().all(|b| b.help.contains("copy"))));
        let by_label = help_sections("G");
        assert!(by_label.iter().flat_map(|(_, l)| l).any(|b| b.action == Action::Bottom));
    }
}
