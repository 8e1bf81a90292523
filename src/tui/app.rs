//! The TUI's state and `update()`: keys, mouse and worker messages in, state
//! changes and [`Effect`]s out. No terminal and no file system here; the
//! event loop runs the effects on worker threads.

use std::collections::{HashMap, HashSet};

use log::{error, info, warn};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::index::{Index, Link};
use super::keys::{Action, DETAIL_KEYS, Scope, action_in};
use super::theme::Theme;
use super::worker::WorkerMsg;
use crate::core::fmt::escaped;
use crate::core::key::{Key, KeyStr};
use crate::core::report::write_plan_text;
use crate::core::{Fix, Inspection, Kind, Plan, Progress, Selection, plan};

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
    fn next(self) -> Pane {
        Pane::ALL[(self as usize + 1) % 3]
    }
    fn prev(self) -> Pane {
        Pane::ALL[(self as usize + 2) % 3]
    }
}

/// Cursor and scroll of one pane; `pos` indexes the pane's visible list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaneState {
    pub pos: usize,
    pub offset: usize,
    /// The linked key has nothing in this pane ("no row", "no file").
    pub miss: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Apply,
    Undo,
}

/// What sits above the panes; the topmost layer takes the keys first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Filter,
    Detail,
    Plan,
    Help,
    Confirm(Confirm),
    /// The blast-radius guard: the user must type `yes`.
    Typed {
        why: String,
        input: String,
    },
    /// The outcome of an apply or undo; any key closes it.
    Result(Vec<String>),
}

/// The previewed plan, kept so that exactly this plan is applied.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    pub lines: Vec<String>,
    pub scroll: usize,
    pub mass: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Scanning,
    Applying,
    Undoing,
}

/// Work for the event loop to start on a worker thread.
#[derive(Debug, Clone)]
pub enum Effect {
    Scan,
    Apply { plan: Plan, allow_mass_change: bool },
    Undo,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Worker(WorkerMsg),
    /// The dump changed on disk (already debounced).
    DumpChanged,
}

pub struct App {
    pub ins: Option<Inspection>,
    pub index: Index,
    /// Per pane: indices into files / rows / found that pass the filter.
    pub vis: [Vec<usize>; 3],
    pub panes: [PaneState; 3],
    pub focus: Pane,
    pub layers: Vec<Layer>,
    pub filter: String,
    /// The filter the visible lists were computed for.
    filtered_for: String,
    /// Discrepancy id → fix chosen for the plan.
    pub chosen: HashMap<String, Fix>,
    /// Discrepancy id → fix shown (cycled with `f`), chosen or not.
    pub picked: HashMap<String, Fix>,
    pub plan: Option<PlanView>,
    /// Discrepancies per kind (every kind, zeros included), per scan.
    pub counts: Vec<(Kind, usize)>,
    pub busy: Option<Busy>,
    pub progress: Option<(Progress, f64)>,
    /// The ids of the plan being applied, to name the current item.
    pub applying: Vec<String>,
    pub status: String,
    pub load_error: Option<String>,
    /// The log pane: None follows the screen (shown when roomy), `L` decides.
    pub show_log: Option<bool>,
    /// The last frame had room for the log pane (set by drawing).
    pub roomy: bool,
    pub theme: Theme,
    /// How the dump root is shown (tests replace temp paths).
    pub root_label: String,
    pub mouse: bool,
    /// Where each pane was drawn last (for the mouse), and its page height.
    pub hit: [Rect; 3],
    pub page: [usize; 3],
    /// Lines of the plan preview on screen (set by drawing).
    pub plan_page: usize,
    pub quit: bool,
}

impl App {
    /// An app waiting for its first scan.
    pub fn new(root_label: String, theme: Theme, mouse: bool) -> App {
        App {
            ins: None,
            index: Index::default(),
            vis: [vec![], vec![], vec![]],
            panes: [PaneState::default(); 3],
            focus: Pane::Disc,
            layers: vec![],
            filter: String::new(),
            filtered_for: String::new(),
            chosen: HashMap::new(),
            picked: HashMap::new(),
            plan: None,
            counts: vec![],
            busy: Some(Busy::Scanning),
            progress: None,
            applying: vec![],
            status: "scanning…".into(),
            load_error: None,
            show_log: None,
            roomy: false,
            theme,
            root_label,
            mouse,
            hit: [Rect::default(); 3],
            page: [10; 3],
            plan_page: 10,
            quit: false,
        }
    }

    /// An app showing `ins` at once (tests, benchmarks).
    pub fn with_inspection(ins: Inspection, root_label: String, theme: Theme) -> App {
        let mut app = App::new(root_label, theme, false);
        app.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(ins)))));
        app
    }

    pub fn log_visible(&self) -> bool {
        self.show_log.unwrap_or(self.roomy)
    }

    pub fn top(&self) -> Option<&Layer> {
        self.layers.last()
    }

    pub fn mode(&self) -> &'static str {
        match self.busy {
            Some(Busy::Applying | Busy::Undoing) => "APPLYING",
            _ if self.plan.is_some() || !self.chosen.is_empty() => "PLAN",
            _ => "READ-ONLY",
        }
    }

    /// The scopes whose keys apply now, topmost layer first.
    pub fn scopes(&self) -> Vec<Scope> {
        match self.top() {
            Some(Layer::Plan) => vec![Scope::Plan],
            Some(Layer::Confirm(_)) => vec![Scope::Confirm],
            Some(Layer::Filter | Layer::Typed { .. } | Layer::Help | Layer::Result(_)) => vec![],
            Some(Layer::Detail) | None if self.focus == Pane::Disc => vec![Scope::Panes, Scope::Disc],
            Some(Layer::Detail) | None => vec![Scope::Panes],
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Mouse(m) => {
                self.on_mouse(m);
                vec![]
            }
            Msg::Worker(w) => self.on_worker(w),
            Msg::DumpChanged => {
                if self.busy.is_some() {
                    return vec![];
                }
                info!("the dump changed on disk; rescanning");
                self.busy = Some(Busy::Scanning);
                vec![Effect::Scan]
            }
        }
    }

    // ---- keys -------------------------------------------------------------

    fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return vec![];
        }
        match self.layers.last_mut() {
            Some(Layer::Filter) => {
                match k.code {
                    KeyCode::Esc => {
                        self.layers.pop();
                        self.set_filter(String::new());
                    }
                    KeyCode::Enter => {
                        self.layers.pop();
                    }
                    KeyCode::Backspace => {
                        let mut f = self.filter.clone();
                        f.pop();
                        self.set_filter(f);
                    }
                    KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                        let f = format!("{}{c}", self.filter);
                        self.set_filter(f);
                    }
                    _ => {}
                }
                vec![]
            }
            Some(Layer::Typed { input, .. }) => {
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
            Some(Layer::Confirm(c)) => {
                let c = c.clone();
                self.layers.pop();
                if action_in(&k, &[Scope::Confirm]) == Some(Action::Confirm) {
                    return match c {
                        Confirm::Apply => self.start_apply(false),
                        Confirm::Undo => self.start_undo(),
                    };
                }
                self.status = match c {
                    Confirm::Apply => "not applied".into(),
                    Confirm::Undo => "not undone".into(),
                };
                vec![]
            }
            Some(Layer::Help | Layer::Result(_)) => {
                if k.code == KeyCode::Char('q') {
                    self.quit = true;
                } else {
                    self.layers.pop();
                }
                vec![]
            }
            Some(Layer::Plan) => {
                match action_in(&k, &[Scope::Plan, Scope::Panes]) {
                    Some(Action::Apply) => self.ask_apply(),
                    Some(Action::Back) => {
                        self.layers.pop();
                        self.plan = None;
                    }
                    Some(Action::Quit) => self.quit = true,
                    Some(Action::Help) => self.layers.push(Layer::Help),
                    Some(a @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top)) => {
                        if let Some(p) = &mut self.plan {
                            let page = self.plan_page.max(1);
                            p.scroll = match a {
                                Action::Down => p.scroll + 1,
                                Action::Up => p.scroll.saturating_sub(1),
                                Action::PageDown => p.scroll + page,
                                Action::PageUp => p.scroll.saturating_sub(page),
                                _ => 0,
                            }
                            .min(p.lines.len().saturating_sub(1));
                        }
                    }
                    Some(Action::Bottom) => {
                        if let Some(p) = &mut self.plan {
                            p.scroll = p.lines.len().saturating_sub(1);
                        }
                    }
                    _ => {}
                }
                vec![]
            }
            Some(Layer::Detail) => {
                match action_in(&k, &self.scopes()) {
                    Some(Action::Back | Action::Open) => {
                        self.layers.pop();
                    }
                    // Moving and choosing work under the detail, which follows the cursor.
                    Some(a) if DETAIL_KEYS.contains(&a) => {
                        self.pane_action(a);
                    }
                    _ => {}
                }
                vec![]
            }
            None => match action_in(&k, &self.scopes()) {
                Some(a) => self.pane_action(a),
                None => vec![],
            },
        }
    }

    fn pane_action(&mut self, a: Action) -> Vec<Effect> {
        let page = self.page[self.focus as usize].max(1) as isize;
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
                if !self.filter.is_empty() {
                    self.set_filter(String::new());
                }
            }
            Action::Filter => self.layers.push(Layer::Filter),
            Action::Toggle => self.toggle(),
            Action::CycleFix => self.cycle_fix(),
            Action::SelectAll => self.select_all(),
            Action::ClearSelection => {
                self.chosen.clear();
                self.status = "selection cleared".into();
            }
            Action::Plan => self.open_plan(),
            Action::Undo => {
                if self.busy.is_some() {
                    self.status = "busy: wait for the current work to finish".into();
                } else {
                    self.layers.push(Layer::Confirm(Confirm::Undo));
                }
            }
            Action::Rescan => {
                if self.busy.is_none() {
                    self.busy = Some(Busy::Scanning);
                    info!("rescan requested");
                    return vec![Effect::Scan];
                }
                self.status = "busy: wait for the current work to finish".into();
            }
            Action::ToggleLog => self.show_log = Some(!self.log_visible()),
            Action::Help => self.layers.push(Layer::Help),
            Action::Quit => self.quit = true,
            Action::Apply | Action::Confirm | Action::Deny => {}
        }
        vec![]
    }

    // ---- navigation -------------------------------------------------------

    fn move_by(&mut self, delta: isize) {
        let p = self.focus as usize;
        let pos = if self.panes[p].miss && delta > 0 {
            self.panes[p].pos
        } else {
            self.panes[p].pos.saturating_add_signed(delta)
        };
        self.move_to(self.focus, pos);
    }

    /// Moves `pane`'s cursor to `pos` (clamped) and links the other two panes.
    pub fn move_to(&mut self, pane: Pane, pos: usize) {
        let p = pane as usize;
        let len = self.vis[p].len();
        self.panes[p].pos = pos.min(len.saturating_sub(1));
        self.panes[p].miss = false;
        if let Some(link) = self.current_link(pane) {
            for other in Pane::ALL.into_iter().filter(|o| *o != pane) {
                self.link_pane(other, &link);
            }
        }
    }

    /// What the cursor of `pane` is on.
    pub fn current_link(&self, pane: Pane) -> Option<Link> {
        let ins = self.ins.as_ref()?;
        let st = &self.panes[pane as usize];
        if st.miss {
            return None;
        }
        let i = *self.vis[pane as usize].get(st.pos)?;
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

    fn link_pane(&mut self, pane: Pane, link: &Link) {
        let Some(ins) = &self.ins else { return };
        let target = match pane {
            Pane::Disk => link.file.or_else(|| link.key.as_deref().and_then(|k| self.index.file_of_key(ins, k))),
            Pane::Db => link.key.as_deref().and_then(|k| self.index.row_of_key(ins, k)),
            Pane::Disc => link
                .file
                .and_then(|f| self.index.disc_of_file(f))
                .or_else(|| link.key.as_deref().and_then(|k| self.index.disc_of_key(ins, k))),
        };
        let p = pane as usize;
        match target.and_then(|t| self.vis[p].binary_search(&t).ok()) {
            Some(pos) => {
                self.panes[p].pos = pos;
                self.panes[p].miss = false;
            }
            None => self.panes[p].miss = true,
        }
    }

    /// Puts the focused pane on `link` (after a rescan or a new filter).
    fn restore(&mut self, link: Option<Link>) {
        for p in Pane::ALL {
            let st = &mut self.panes[p as usize];
            st.pos = st.pos.min(self.vis[p as usize].len().saturating_sub(1));
            st.miss = false;
        }
        match link {
            Some(link) => {
                self.link_pane(self.focus, &link);
                if self.panes[self.focus as usize].miss {
                    self.panes[self.focus as usize].miss = false;
                }
                self.move_to(self.focus, self.panes[self.focus as usize].pos);
            }
            None => self.move_to(self.focus, 0),
        }
    }

    // ---- filter -----------------------------------------------------------

    pub fn set_filter(&mut self, f: String) {
        let link = self.focused_link();
        self.filter = f;
        self.refilter();
        self.restore(link);
    }

    /// Shows the outcome of an apply or undo, replacing an older one.
    fn show_result(&mut self, lines: Vec<String>) {
        self.layers.retain(|l| !matches!(l, Layer::Result(_)));
        self.layers.push(Layer::Result(lines));
    }

    fn refilter(&mut self) {
        let Some(ins) = &self.ins else {
            self.vis = [vec![], vec![], vec![]];
            return;
        };
        let q = self.filter.to_lowercase();
        let previous = std::mem::replace(&mut self.filtered_for, q.clone());
        if q.is_empty() {
            self.vis =
                [(0..ins.scan.files.len()).collect(), (0..ins.rows.len()).collect(), (0..ins.found.len()).collect()];
            return;
        }
        // Typing more only narrows the match: filter the lists already shown.
        let narrowing = !previous.is_empty() && q.starts_with(&previous);
        let candidates =
            |p: usize, len: usize| -> Vec<usize> { if narrowing { self.vis[p].clone() } else { (0..len).collect() } };
        // No allocation per item: keys and paths are matched in place.
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        // The query is lower case: a raw hit is a hit; only a miss on a name
        // with upper-case (or, for paths, escaped) bytes needs a second look.
        let has = |s: &str| {
            finder.find(s.as_bytes()).is_some()
                || (s.bytes().any(|b| b.is_ascii_uppercase())
                    && finder.find(s.to_ascii_lowercase().as_bytes()).is_some())
        };
        // The app's keys are lower-case hex, spelled out on the stack.
        let key_has = |k: &Key| match k.as_str() {
            KeyStr::Hex(text) => finder.find(&text).is_some(),
            KeyStr::Text(text) => has(text),
        };
        let path_has = |f: &crate::core::disk::FileFacts| {
            use std::os::unix::ffi::OsStrExt;
            // `<hex key>.<ext>` at the top of the cache dir: matched from the
            // key, without reading the path from the heap.
            if let (Some(KeyStr::Hex(text)), Some(enc)) = (f.key().map(Key::as_str), f.encoding())
                && f.path.as_os_str().len() == 68
            {
                let mut name = [0u8; 68];
                name[..64].copy_from_slice(&text);
                name[64] = b'.';
                name[65..].copy_from_slice(enc.as_str().as_bytes());
                return finder.find(&name).is_some();
            }
            let b = f.path.as_os_str().as_bytes();
            let plain = |c: &u8| (0x20..0x80).contains(c);
            (finder.find(b).is_some() && b.iter().all(plain))
                || (b.iter().any(|c| c.is_ascii_uppercase() || !plain(c))
                    && escaped(&f.path).to_lowercase().contains(&q))
        };
        let kinds: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.as_str().contains(&q)).collect();
        let mut disc = candidates(2, ins.found.len());
        disc.retain(|&i| {
            let d = &ins.found[i];
            kinds.contains(&d.kind)
                || d.key.as_deref().is_some_and(has)
                || d.file.is_some_and(|f| path_has(&ins.scan.files[f]))
        });
        // Files and rows of the matching discrepancies stay visible too.
        let mut file_mark = vec![false; ins.scan.files.len()];
        let mut row_mark = vec![false; ins.rows.len()];
        for &i in &disc {
            let d = &ins.found[i];
            if let Some(f) = d.file {
                file_mark[f] = true;
            }
            if let Some(r) = d.row {
                row_mark[r] = true;
            }
            if d.row.is_none()
                && let Some(r) = d.key.as_deref().and_then(|k| self.index.row_of_key(ins, k))
            {
                row_mark[r] = true;
            }
        }
        let mut disk = candidates(0, ins.scan.files.len());
        let mut rows = candidates(1, ins.rows.len());
        // The two long lists are filtered at once, one per core.
        let files = &ins.scan.files;
        std::thread::scope(|s| {
            s.spawn(|| disk.retain(|&i| file_mark[i] || path_has(&files[i])));
            rows.retain(|&i| {
                let r = &ins.rows[i];
                row_mark[i] || key_has(&r.key) || has(r.state_str())
            });
        });
        self.vis = [disk, rows, disc];
    }

    // ---- selection and plan -------------------------------------------------

    /// The discrepancy under the Discrepancies cursor.
    pub fn focused_disc(&self) -> Option<usize> {
        let st = &self.panes[Pane::Disc as usize];
        if st.miss {
            return None;
        }
        self.vis[Pane::Disc as usize].get(st.pos).copied()
    }

    /// The fix shown for a discrepancy: picked, else its default, else its first.
    pub fn fix_shown(&self, id: &str, kind: Kind) -> Option<Fix> {
        self.chosen
            .get(id)
            .or_else(|| self.picked.get(id))
            .copied()
            .or(kind.default_fix())
            .or(kind.fixes().first().copied())
    }

    fn toggle(&mut self) {
        let Some(ins) = &self.ins else { return };
        let Some(i) = self.focused_disc() else { return };
        let d = &ins.found[i];
        if self.chosen.remove(&d.id).is_none()
            && let Some(fix) = self.fix_shown(&d.id, d.kind)
        {
            self.chosen.insert(d.id.clone(), fix);
        }
    }

    fn cycle_fix(&mut self) {
        let Some(ins) = &self.ins else { return };
        let Some(i) = self.focused_disc() else { return };
        let d = &ins.found[i];
        let fixes = d.fixes();
        let Some(cur) = self.fix_shown(&d.id, d.kind) else { return };
        let at = fixes.iter().position(|f| *f == cur).unwrap_or(0);
        let next = fixes[(at + 1) % fixes.len()];
        self.picked.insert(d.id.clone(), next);
        self.chosen.insert(d.id.clone(), next);
    }

    fn select_all(&mut self) {
        let Some(ins) = &self.ins else { return };
        let mut n = 0;
        for &i in &self.vis[Pane::Disc as usize] {
            let d = &ins.found[i];
            if let Some(def) = d.default_fix() {
                let fix = self.picked.get(&d.id).copied().unwrap_or(def);
                self.chosen.insert(d.id.clone(), fix);
                n += 1;
            }
        }
        self.status =
            format!("{n} discrepancies selected with their default fixes (stray files are chosen one by one)");
    }

    /// The core selection for the chosen items (nothing else is selected).
    pub fn selection(&self) -> Selection {
        Selection {
            only: Some(vec![]),
            per_kind: HashMap::new(),
            per_item: self.chosen.iter().map(|(id, f)| (id.clone(), Some(*f))).collect(),
        }
    }

    fn open_plan(&mut self) {
        let Some(ins) = &self.ins else { return };
        let plan = plan(ins, &self.selection());
        let mut out = Vec::new();
        let _ = write_plan_text(ins, &plan, &mut out);
        let root = escaped(&ins.dump.root);
        let text = String::from_utf8_lossy(&out).replace(&root, &self.root_label);
        let mass = plan.mass_change(ins.rows.len(), ins.scan.audio_files());
        info!("plan preview: {} fixes, {} SQL statements, {} file moves", plan.items.len(), plan.sql_count(), {
            plan.move_count()
        });
        self.plan = Some(PlanView { plan, lines: text.lines().map(str::to_string).collect(), scroll: 0, mass });
        self.layers.retain(|l| *l != Layer::Plan);
        self.layers.push(Layer::Plan);
    }

    fn ask_apply(&mut self) {
        let Some(p) = &self.plan else { return };
        if p.plan.is_empty() {
            self.status = "nothing to apply: select discrepancies first (Space, a)".into();
        } else if self.busy.is_some() {
            self.status = "busy: wait for the current work to finish".into();
        } else if let Some(why) = &p.mass {
            self.layers.push(Layer::Typed { why: why.clone(), input: String::new() });
        } else {
            self.layers.push(Layer::Confirm(Confirm::Apply));
        }
    }

    fn start_apply(&mut self, allow_mass_change: bool) -> Vec<Effect> {
        let Some(p) = self.plan.take() else { return vec![] };
        self.layers.retain(|l| *l != Layer::Plan);
        self.busy = Some(Busy::Applying);
        self.progress = None;
        self.status = format!("applying {} fixes…", p.plan.items.len());
        info!("applying {} fixes", p.plan.items.len());
        self.applying = p.plan.items.iter().map(|i| i.id.clone()).collect();
        vec![Effect::Apply { plan: p.plan, allow_mass_change }]
    }

    fn start_undo(&mut self) -> Vec<Effect> {
        self.busy = Some(Busy::Undoing);
        self.progress = None;
        self.status = "undoing the last batch…".into();
        info!("undo of the last batch requested");
        vec![Effect::Undo]
    }

    // ---- worker messages ----------------------------------------------------

    fn on_worker(&mut self, w: WorkerMsg) -> Vec<Effect> {
        match w {
            WorkerMsg::Progress(p, rate) => self.progress = Some((p, rate)),
            WorkerMsg::Scanned(Ok(ins)) => {
                let link = self.focused_link();
                info!(
                    "scanned {} files and {} rows in {} ms: {} discrepancies",
                    ins.scan.files.len(),
                    ins.rows.len(),
                    ins.elapsed.as_millis(),
                    ins.found.len()
                );
                for p in &ins.scan.problems {
                    warn!("{p}");
                }
                if let Some(why) = &ins.interrupted {
                    warn!("{why}");
                }
                let ids: HashSet<&str> = ins.found.iter().map(|d| d.id.as_str()).collect();
                self.chosen.retain(|id, _| ids.contains(id.as_str()));
                self.picked.retain(|id, _| ids.contains(id.as_str()));
                self.index = Index::build(&ins);
                self.filtered_for.clear();
                self.counts = crate::core::detect::summary(&ins.found);
                self.ins = Some(*ins);
                self.load_error = None;
                self.busy = None;
                self.progress = None;
                if self.status.is_empty() || self.status.starts_with("scanning") {
                    self.status = summary_sentence(&self.counts);
                }
                self.refilter();
                self.restore(link);
            }
            WorkerMsg::Scanned(Err(e)) => {
                error!("scan failed: {e}");
                self.busy = None;
                self.progress = None;
                self.status = format!("scan failed: {e}");
                if self.ins.is_none() {
                    self.load_error = Some(e.message);
                }
            }
            WorkerMsg::Applied(res) => {
                self.busy = Some(Busy::Scanning);
                self.progress = None;
                let lines = match res {
                    Ok(r) => {
                        let stale: Vec<_> = r.stale().collect();
                        for (id, why) in &stale {
                            warn!("skipped as stale: {id}: {why}");
                        }
                        for (id, fix, o) in &r.outcomes {
                            if *o == crate::core::Outcome::Applied {
                                info!("applied {fix}: {id}");
                            }
                        }
                        let head = crate::core::apply::summary(&r);
                        info!("{head}");
                        self.status = head.clone();
                        self.chosen.clear();
                        let mut lines = vec![head];
                        if let (Some(b), Some(ins)) = (&r.backup, &self.ins) {
                            lines.push(format!("Backup: {}", escaped(&ins.dump.display_rel(b))));
                        }
                        lines.extend(stale.iter().take(8).map(|(id, why)| format!("stale: {id}: {why}")));
                        lines.push("Undo it with u. The lists were rescanned.".into());
                        lines
                    }
                    Err(e) => {
                        error!("apply failed: {e}");
                        self.status = format!("apply failed: {e}");
                        vec!["Apply failed; nothing of this batch was kept.".into(), e.message]
                    }
                };
                self.show_result(lines);
            }
            WorkerMsg::Undone(res) => {
                self.busy = Some(Busy::Scanning);
                self.progress = None;
                let lines = match res {
                    Ok(r) => {
                        let head = crate::core::undo::summary(&r);
                        info!("{head}");
                        for c in &r.conflicts {
                            warn!("not restored: {c}");
                        }
                        self.status = head.clone();
                        let mut lines = vec![head];
                        lines.extend(r.conflicts.iter().take(8).map(|c| format!("not restored: {c}")));
                        lines
                    }
                    Err(e) => {
                        error!("undo failed: {e}");
                        self.status = format!("undo failed: {e}");
                        vec!["Undo failed.".into(), e.message]
                    }
                };
                self.show_result(lines);
            }
        }
        vec![]
    }

    // ---- mouse --------------------------------------------------------------

    fn on_mouse(&mut self, m: MouseEvent) {
        if !self.mouse || self.layers.iter().any(|l| *l != Layer::Detail) {
            return;
        }
        let at = Position::new(m.column, m.row);
        let Some(pane) = Pane::ALL.into_iter().find(|p| self.hit[*p as usize].contains(at)) else { return };
        let p = pane as usize;
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                let row = m.row.saturating_sub(self.hit[p].y + 1) as usize;
                let pos = self.panes[p].offset + row;
                if pos < self.vis[p].len() {
                    self.move_to(pane, pos);
                }
            }
            MouseEventKind::ScrollDown => {
                let pos = self.panes[p].pos + 3;
                self.move_to(pane, pos);
            }
            MouseEventKind::ScrollUp => {
                let pos = self.panes[p].pos.saturating_sub(3);
                self.move_to(pane, pos);
            }
            _ => {}
        }
    }
}

/// One sentence on what was found, for the status line.
fn summary_sentence(counts: &[(Kind, usize)]) -> String {
    use crate::core::Severity::{Error, Info, Warning};
    let by = |s: crate::core::Severity| counts.iter().filter(|(k, _)| k.severity() == s).map(|(_, n)| n).sum::<usize>();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return "No discrepancies: disk and database agree.".into();
    }
    format!(
        "{total} discrepancies: {} errors, {} warnings, {} info. Select with Space or a, preview with p.",
        by(Error),
        by(Warning),
        by(Info)
    )
}
