//! The one key table: dispatch, the footer hints and the help screen are all
//! read from [`BINDINGS`], so they cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    NextPane,
    PrevPane,
    FocusDisk,
    FocusDb,
    FocusDisc,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Back,
    Filter,
    Toggle,
    CycleFix,
    SelectAll,
    ClearSelection,
    Plan,
    Apply,
    Confirm,
    Deny,
    Undo,
    Rescan,
    ToggleLog,
    ToggleDeep,
    Help,
    Quit,
    /// Open / close the insight view (findings and timeline).
    Insight,
    /// Show only the discrepancies new since the baseline, or all again.
    NewOnly,
    /// In the insight view: the chart's bar before / after.
    BarLeft,
    BarRight,
    /// In the insight view: between the findings and the chart.
    SwitchPart,
    /// In the insight view: filter the panes to the finding or bar.
    Choose,
    /// Copy what the topmost view shows (OSC 52).
    Copy,
    CopySelection,
    /// Write the report, or the plan, to a file.
    Export,
    ExportSelection,
    /// The plan preview: readable form or the exact SQL.
    ToggleSql,
    Sort,
    SortReverse,
    Palette,
    Recover,
    CycleTheme,
}

/// Where a binding is active: the topmost layer (or the focused pane) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any of the three panes.
    Panes,
    /// Only the Discrepancies pane.
    Disc,
    /// The plan preview.
    Plan,
    /// A yes/no confirmation.
    Confirm,
    /// The insight view (above the panes; their other keys do nothing there).
    Insight,
    /// Everywhere (also over dialogs).
    Global,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys, as shown in the footer and the help.
    pub label: &'static str,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub action: Action,
    /// A short word for the footer.
    pub hint: &'static str,
    /// The sentence for the help screen.
    pub help: &'static str,
    pub scope: Scope,
}

const N: KeyModifiers = KeyModifiers::NONE;
const C: KeyModifiers = KeyModifiers::CONTROL;

const fn ch(c: char) -> (KeyCode, KeyModifiers) {
    (KeyCode::Char(c), N)
}

macro_rules! bind {
    ($label:literal, [$($k:expr),+], $action:ident, $hint:literal, $help:literal, $scope:ident) => {
        Binding {
            label: $label,
            keys: &[$($k),+],
            action: Action::$action,
            hint: $hint,
            help: $help,
            scope: Scope::$scope,
        }
    };
}

/// The key table (SPEC §8), in the order the help lists it.
pub const BINDINGS: &[Binding] = &[
    bind!("Tab", [(KeyCode::Tab, N)], NextPane, "next pane", "focus the next pane", Panes),
    bind!("S-Tab", [(KeyCode::BackTab, N)], PrevPane, "prev pane", "focus the previous pane", Panes),
    bind!("1", [ch('1')], FocusDisk, "disk", "jump to Disk files", Panes),
    bind!("2", [ch('2')], FocusDb, "db", "jump to DB entries", Panes),
    bind!("3", [ch('3')], FocusDisc, "issues", "jump to Discrepancies", Panes),
    bind!("j/↓", [ch('j'), (KeyCode::Down, N)], Down, "down", "move down (the others follow)", Panes),
    bind!("k/↑", [ch('k'), (KeyCode::Up, N)], Up, "up", "move up", Panes),
    bind!("g", [ch('g'), (KeyCode::Home, N)], Top, "first", "first item", Panes),
    bind!("G", [ch('G'), (KeyCode::End, N)], Bottom, "last", "last item", Panes),
    bind!("PgDn", [(KeyCode::PageDown, N)], PageDown, "page", "page down", Panes),
    bind!("PgUp", [(KeyCode::PageUp, N)], PageUp, "page up", "page up", Panes),
    bind!("Enter", [(KeyCode::Enter, N)], Open, "detail", "detail of the focused key", Panes),
    bind!("Esc", [(KeyCode::Esc, N)], Back, "back", "close / back; clear the filter", Global),
    bind!("/", [ch('/')], Filter, "filter", "filter: key, kind or path", Panes),
    bind!("Space", [ch(' ')], Toggle, "select", "select / unselect the fix", Disc),
    bind!("f", [ch('f')], CycleFix, "fix", "cycle the fix (and select)", Disc),
    bind!("a", [ch('a')], SelectAll, "all", "select all shown (each with the fix it shows)", Panes),
    bind!("A", [ch('A')], ClearSelection, "none", "clear the selection", Panes),
    bind!("p", [ch('p')], Plan, "plan", "plan preview (dry run)", Panes),
    bind!("Enter", [(KeyCode::Enter, N)], Apply, "apply…", "apply the plan (asks first)", Plan),
    bind!("s", [ch('s')], ToggleSql, "sql", "readable plan / the exact SQL and moves", Plan),
    bind!("y", [ch('y')], Confirm, "yes", "yes (anything else is No)", Confirm),
    bind!("n/Enter", [ch('n'), (KeyCode::Enter, N)], Deny, "no (default)", "no: do not apply (default)", Confirm),
    bind!("u", [ch('u')], Undo, "undo", "undo the last batch (asks)", Panes),
    bind!("r", [ch('r')], Rescan, "rescan", "rescan the dump", Panes),
    bind!("L", [ch('L')], ToggleLog, "log", "show / hide the log pane", Panes),
    bind!("d", [ch('d')], ToggleDeep, "deep", "deep check on / off: decode every file, rescan", Panes),
    bind!("i", [ch('i')], Insight, "insight", "insight: why it drifted", Panes),
    bind!("+", [ch('+')], NewOnly, "new only", "only the new ones (--baseline)", Panes),
    bind!("o", [ch('o')], Sort, "sort", "sort the pane by its next column (a click on its title too)", Panes),
    bind!("O", [ch('O')], SortReverse, "reverse", "reverse the pane's sort", Panes),
    bind!("y", [ch('y')], Copy, "copy", "copy the focused item, the plan or the findings shown (OSC 52)", Panes),
    bind!("Y", [ch('Y')], CopySelection, "copy sel.", "copy the selection: discrepancy ids, one a line", Panes),
    bind!("e", [ch('e')], Export, "export", "write the report (markdown), or the plan shown, to a file", Panes),
    bind!(
        "E",
        [ch('E')],
        ExportSelection,
        "export sel.",
        "write the selection's ids to a file (apply --ids-from)",
        Panes
    ),
    bind!("R", [ch('R')], Recover, "recover", "recover an interrupted apply: finish or roll back (asks)", Panes),
    bind!("T", [ch('T')], CycleTheme, "theme", "next theme: dark, light, high contrast", Panes),
    bind!(":", [ch(':')], Palette, "commands", "command palette: every action by name", Panes),
    bind!("?", [ch('?')], Help, "help", "this help (type to search)", Panes),
    bind!("q", [ch('q')], Quit, "quit", "quit (Ctrl-C from anywhere)", Panes),
    bind!("j/↓", [ch('j'), (KeyCode::Down, N)], Down, "next", "next finding / chart line", Insight),
    bind!("k/↑", [ch('k'), (KeyCode::Up, N)], Up, "prev", "previous finding / chart line", Insight),
    bind!("←/h", [(KeyCode::Left, N), ch('h')], BarLeft, "bar", "chart: the bar before", Insight),
    bind!("→/l", [(KeyCode::Right, N), ch('l')], BarRight, "bar", "chart: the bar after", Insight),
    bind!("Tab", [(KeyCode::Tab, N), (KeyCode::BackTab, N)], SwitchPart, "switch", "findings ⇄ chart", Insight),
    bind!("Enter", [(KeyCode::Enter, N)], Choose, "filter", "filter the panes to its keys", Insight),
    bind!("i", [ch('i')], Insight, "close", "close (the filter stays)", Insight),
    bind!("C-c", [(KeyCode::Char('c'), C)], Quit, "quit", "quit", Global),
];

/// Normalises a key event: Shift is part of the character already.
fn normal(key: &KeyEvent) -> (KeyCode, KeyModifiers) {
    let mut mods = key.modifiers - KeyModifiers::SHIFT;
    if matches!(key.code, KeyCode::BackTab) {
        mods = N;
    }
    (key.code, mods)
}

/// The action a key means in `scopes` (first match wins).
pub fn action_in(key: &KeyEvent, scopes: &[Scope]) -> Option<Action> {
    let k = normal(key);
    scopes
        .iter()
        .chain(&[Scope::Global])
        .find_map(|s| BINDINGS.iter().find(|b| b.scope == *s && b.keys.contains(&k)))
        .map(|b| b.action)
}

/// The actions the footer names first when space is short.
const FOOTER_ORDER: &[Action] = &[
    Action::Toggle,
    Action::CycleFix,
    Action::SelectAll,
    Action::ClearSelection,
    Action::Plan,
    Action::Open,
    Action::Filter,
    Action::Help,
    Action::Insight,
    Action::Palette,
    Action::Quit,
    Action::Copy,
    Action::Export,
    Action::Sort,
    Action::Undo,
    Action::Rescan,
    Action::ToggleLog,
    Action::NewOnly,
    Action::NextPane,
    Action::FocusDisc,
    Action::Down,
    Action::Up,
    Action::Top,
    Action::Bottom,
    Action::PageDown,
];

/// What the detail view lets through to the panes beneath it.
pub const DETAIL_KEYS: &[Action] = &[
    Action::Down,
    Action::Up,
    Action::Top,
    Action::Bottom,
    Action::PageDown,
    Action::PageUp,
    Action::Toggle,
    Action::CycleFix,
    Action::Quit,
    Action::Help,
    Action::Copy,
    Action::Export,
];

/// What the plan preview's footer offers (it also scrolls with the pane keys).
pub const PLAN_FOOTER: &[Action] = &[
    Action::Apply,
    Action::ToggleSql,
    Action::Copy,
    Action::Export,
    Action::Down,
    Action::PageDown,
    Action::Back,
    Action::Help,
    Action::Quit,
];

/// What the detail view's footer offers (the most used of [`DETAIL_KEYS`]).
pub const DETAIL_FOOTER: &[Action] = &[
    Action::Back,
    Action::Down,
    Action::Up,
    Action::Toggle,
    Action::CycleFix,
    Action::Copy,
    Action::Quit,
    Action::Help,
];

/// What the insight view's footer offers from its own keys (then Esc, ?, q).
pub const INSIGHT_FOOTER: &[Action] =
    &[Action::Down, Action::BarRight, Action::SwitchPart, Action::Choose, Action::Insight];

/// What a confirmation's footer offers.
pub const CONFIRM_FOOTER: &[Action] = &[Action::Confirm, Action::Deny, Action::Back];

/// A binding as the footer shows it; None for keys folded into another hint.
fn footer_label(b: &Binding) -> Option<(&'static str, &'static str)> {
    match b.action {
        Action::PrevPane | Action::FocusDb | Action::FocusDisk | Action::PageUp => None,
        Action::FocusDisc => Some(("1-3", "pane")),
        Action::PageDown => Some(("PgDn/Up", "page")),
        Action::BarLeft => None,
        Action::BarRight => Some(("←/→", "bar")),
        Action::Down if b.scope == Scope::Insight => Some(("↑/↓", "finding")),
        _ => Some((b.label, b.hint)),
    }
}

fn push_unique(out: &mut Vec<(&'static str, &'static str)>, pair: Option<(&'static str, &'static str)>) {
    if let Some((label, hint)) = pair
        && !out.iter().any(|(l, _)| *l == label)
    {
        out.push((label, hint));
    }
}

/// The footer hints for the given scopes, most useful first, from the table.
pub fn hints(scopes: &[Scope]) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    let rank = |b: &Binding| FOOTER_ORDER.iter().position(|a| *a == b.action).unwrap_or(usize::MAX);
    let mut bindings: Vec<&Binding> = BINDINGS.iter().filter(|b| scopes.contains(&b.scope)).collect();
    bindings.sort_by_key(|b| rank(b));
    for b in bindings {
        push_unique(&mut out, footer_label(b));
    }
    out
}

/// The footer hints for these actions, in this order, from the table (the
/// first binding of each action in `scopes` or the global scope).
pub fn hints_of(actions: &[Action], scopes: &[Scope]) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for a in actions {
        let b = BINDINGS.iter().find(|b| b.action == *a && (scopes.contains(&b.scope) || b.scope == Scope::Global));
        push_unique(&mut out, b.and_then(footer_label));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_of_the_spec_has_a_key() {
        let key = |c: KeyCode| KeyEvent::new(c, N);
        assert_eq!(action_in(&key(KeyCode::Char('j')), &[Scope::Panes]), Some(Action::Down));
        assert_eq!(action_in(&key(KeyCode::Char(' ')), &[Scope::Panes]), None);
        assert_eq!(action_in(&key(KeyCode::Char(' ')), &[Scope::Panes, Scope::Disc]), Some(Action::Toggle));
        assert_eq!(action_in(&KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT), &[Scope::Panes]), {
            Some(Action::ClearSelection)
        });
        assert_eq!(action_in(&KeyEvent::new(KeyCode::Char('c'), C), &[Scope::Confirm]), Some(Action::Quit));
        assert_eq!(action_in(&key(KeyCode::Enter), &[Scope::Confirm]), Some(Action::Deny));
    }
}
