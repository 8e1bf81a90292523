//! The TUI's state and `update()`: messages in, state changes and
//! [`Effect`]s out. No terminal, no file system, no threads here: the event
//! loop runs the effects on workers. Keys are handled per layer in
//! `input.rs`, clicks in `mouse.rs`, workers' answers in `on_worker.rs`,
//! moves and links in `navigate.rs`;
//! what a pane owns is in `pane.rs`; choices in `choices.rs`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use log::info;

use super::choices::Choices;
use super::group::{BaselineState, Group};
use super::index::Index;
pub use super::inline::run_inline;
use super::insight::Insight;
use super::keys::Scope;
pub use super::msg::{Effect, FilterJob, Msg, Visible, WorkerMsg};
pub use super::palette::Finder;
pub use super::pane::{Pane, PaneView, Panes};
pub use super::plan_view::PlanView;
use super::theme::Theme;
use crate::core::disk::decode::Envelope;
use crate::core::{Inspection, Kind, Options, Progress};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Apply,
    Undo,
    /// Finish or roll back an interrupted apply (`R`).
    Recover,
}

/// What sits above the panes; the topmost layer takes the keys first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Filter,
    Detail,
    Plan,
    /// The help, searchable (its query is in [`App::finder`]).
    Help,
    /// The command palette (`:`).
    Palette,
    Confirm(Confirm),
    /// The blast-radius guard: the user must type `yes`.
    Typed {
        why: String,
        input: String,
    },
    /// The outcome of an apply or undo; any key closes it.
    Result(Vec<String>),
    /// Findings and the timeline (`i`; `insight.rs`).
    Insight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Scanning,
    Applying,
    Undoing,
    Recovering,
}

/// A file's loudness picture in the detail view.
#[derive(Debug, Clone)]
pub enum Picture {
    Pending,
    Ready(Box<Envelope>),
    Failed(String),
}

/// The filter's text and the run that computes its lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterState {
    /// What the user typed.
    pub text: String,
    /// The text the panes' lists were computed for.
    pub shown: String,
    /// The newest run; results of older runs are dropped.
    pub generation: u64,
}

impl FilterState {
    /// A run is on its way: the lists lag behind the text.
    pub fn pending(&self) -> bool {
        self.text.to_lowercase() != self.shown
    }
}

pub struct App {
    pub ins: Option<Arc<Inspection>>,
    pub index: Arc<Index>,
    pub panes: Panes,
    pub focus: Pane,
    pub layers: Vec<Layer>,
    pub filter: FilterState,
    pub choices: Choices,
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
    /// The archive the dump was unpacked from: the view is read-only (its
    /// private copy is thrown away on quit), so apply, undo and recover
    /// are refused.
    pub archive: Option<String>,
    /// What the archive leaves out (adb backup: `cache/`), in the header.
    pub notes: Vec<String>,
    pub mouse: bool,
    /// Lines of the plan preview on screen (set by drawing).
    pub plan_page: usize,
    /// How the dump is read (`d` toggles `--deep`).
    pub options: Options,
    /// Loudness pictures of files (absolute path), decoded for the detail
    /// view and kept until the next scan.
    pub envelopes: HashMap<PathBuf, Picture>,
    /// The last frame drew the detail beside the panes (a wide screen).
    pub detail_beside: bool,
    /// The insight view's data and cursors (`insight.rs`).
    pub insight: Insight,
    /// A finding, bar or new-only filter in force (`group.rs`).
    pub group: Option<Group>,
    /// `--baseline`: which discrepancies are known.
    pub baseline: Option<BaselineState>,
    /// The help's or the palette's query and row.
    pub finder: Finder,
    /// Where `e` writes (the working directory).
    pub export_dir: PathBuf,
    /// The discrepancy the cursor moves to after an apply's rescan.
    pub resume: Option<String>,
    pub quit: bool,
}

impl App {
    /// An app waiting for its first scan.
    pub fn new(root_label: String, theme: Theme, mouse: bool) -> App {
        App {
            ins: None,
            index: Arc::new(Index::default()),
            panes: Panes::new(),
            focus: Pane::Disc,
            layers: vec![],
            filter: FilterState::default(),
            choices: Choices::default(),
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
            archive: None,
            notes: vec![],
            mouse,
            plan_page: 10,
            options: Options::default(),
            envelopes: HashMap::new(),
            detail_beside: false,
            insight: Insight::default(),
            group: None,
            baseline: None,
            finder: Finder::default(),
            export_dir: PathBuf::from("."),
            resume: None,
            quit: false,
        }
    }

    /// An app showing `ins` at once (tests, benchmarks). Its exports go to
    /// the temp dir unless told otherwise, never into the working directory.
    pub fn with_inspection(ins: Inspection, root_label: String, theme: Theme) -> App {
        let mut app = App::new(root_label, theme, false);
        app.export_dir = std::env::temp_dir();
        let effects = app.update(Msg::Worker(WorkerMsg::Scanned(Ok(Box::new(ins)))));
        run_inline(&mut app, effects);
        app
    }

    pub fn inspection(&self) -> Option<&Inspection> {
        self.ins.as_deref()
    }

    pub fn log_visible(&self) -> bool {
        self.show_log.unwrap_or(self.roomy)
    }

    /// True when nothing is running; otherwise the status line says so.
    pub(super) fn idle(&mut self) -> bool {
        if self.busy.is_some() {
            self.status = "busy: wait for the current work to finish".into();
        }
        self.busy.is_none()
    }

    /// True when a write (`what`: apply, undo, recover) may start: nothing
    /// is running and the dump is not an archive (read-only: the status line
    /// says how to get a folder to write to).
    pub(super) fn may_write(&mut self, what: &str) -> bool {
        if let Some(a) = &self.archive {
            self.status = format!("read-only archive: to {what}, `cachescope extract {a} DIR`, then open DIR");
            return false;
        }
        self.idle()
    }

    pub fn top(&self) -> Option<&Layer> {
        self.layers.last()
    }

    pub fn mode(&self) -> &'static str {
        match self.busy {
            Some(Busy::Applying | Busy::Undoing | Busy::Recovering) => "APPLYING",
            _ if self.plan.is_some() || !self.choices.chosen.is_empty() => "PLAN",
            _ => "READ-ONLY",
        }
    }

    /// The scopes whose keys apply now, topmost layer first.
    pub fn scopes(&self) -> Vec<Scope> {
        match self.top() {
            Some(Layer::Plan) => vec![Scope::Plan],
            Some(Layer::Confirm(_)) => vec![Scope::Confirm],
            Some(Layer::Insight) => vec![Scope::Insight, Scope::Panes],
            Some(Layer::Filter | Layer::Typed { .. } | Layer::Help | Layer::Palette | Layer::Result(_)) => vec![],
            Some(Layer::Detail) | None if self.focus == Pane::Disc => vec![Scope::Panes, Scope::Disc],
            Some(Layer::Detail) | None => vec![Scope::Panes],
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.handle(msg);
        effects.extend(self.want_picture());
        effects
    }

    /// The focused file's loudness picture, when the detail shows and it is
    /// neither drawn nor on its way.
    fn want_picture(&mut self) -> Option<Effect> {
        if !self.layers.contains(&Layer::Detail) && !self.detail_beside {
            return None;
        }
        let ins = self.ins.as_deref()?;
        let file = &ins.scan.files[self.focused_file()?];
        let encoding = file.encoding().filter(|_| file.is_complete())?;
        let path = ins.dump.cache_dir.join(file.path());
        if self.envelopes.contains_key(&path) {
            return None;
        }
        self.envelopes.insert(path.clone(), Picture::Pending);
        Some(Effect::Envelope { path, encoding })
    }

    /// The file the focused item is about: its own, or its key's first.
    pub fn focused_file(&self) -> Option<usize> {
        let ins = self.ins.as_deref()?;
        let link = self.focused_link()?;
        link.file.or_else(|| self.index.file_of_key(ins, link.key.as_deref()?))
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Worker(w) => self.on_worker(w),
            Msg::DumpChanged => {
                if self.busy.is_some() {
                    return vec![];
                }
                info!("the dump changed on disk; rescanning");
                self.busy = Some(Busy::Scanning);
                vec![Effect::Scan(self.options)]
            }
        }
    }

    // ---- filter -----------------------------------------------------------

    /// Sets the filter text; the lists follow when the run it starts ends.
    pub fn set_filter(&mut self, text: String) -> Vec<Effect> {
        self.filter.text = text;
        self.refilter()
    }

    /// Starts a filter run for the current text (narrowing the lists shown
    /// when the text only grew).
    pub(super) fn refilter(&mut self) -> Vec<Effect> {
        let Some(ins) = &self.ins else { return vec![] };
        self.filter.generation += 1;
        let query = self.filter.text.to_lowercase();
        let narrowing = !self.filter.shown.is_empty() && query.starts_with(&self.filter.shown);
        let within = narrowing
            .then(|| {
                let [a, b, c] = self.panes.visible();
                Arc::new([a.to_vec(), b.to_vec(), c.to_vec()])
            })
            .or_else(|| self.group_base());
        vec![Effect::Filter(FilterJob {
            query,
            generation: self.filter.generation,
            ins: Arc::clone(ins),
            index: Arc::clone(&self.index),
            within,
            sorts: self.panes.sorts(),
        })]
    }

    pub(super) fn on_filtered(&mut self, generation: u64, visible: Visible) {
        if generation != self.filter.generation {
            return; // a newer keystroke made it moot
        }
        let link = self.focused_link();
        self.panes.show(visible);
        self.filter.shown = self.filter.text.to_lowercase();
        self.restore(link);
    }

    /// Shows the outcome of an apply or undo, replacing an older one.
    pub(super) fn show_result(&mut self, lines: Vec<String>) {
        self.layers.retain(|l| !matches!(l, Layer::Result(_)));
        self.layers.push(Layer::Result(lines));
    }

    // ---- selection and plan -----------------------------------------------

    pub(super) fn toggle(&mut self) {
        let (Some(ins), Some(i)) = (self.ins.as_deref(), self.focused_disc()) else { return };
        self.choices.toggle(&ins.found[i]);
    }

    pub(super) fn cycle_fix(&mut self) {
        let (Some(ins), Some(i)) = (self.ins.as_deref(), self.focused_disc()) else { return };
        self.choices.cycle(&ins.found[i]);
    }

    pub(super) fn select_all(&mut self) {
        let Some(ins) = self.ins.as_deref() else { return };
        let shown = &self.panes[Pane::Disc].visible;
        // Fixes cycled with `f` are kept: say so rather than "defaults".
        let (mut n, mut picked) = (0, 0);
        for &i in shown {
            if self.choices.select(&ins.found[i]) {
                n += 1;
                picked += self.choices.picked.contains_key(&ins.found[i].id) as usize;
            }
        }
        self.status = match picked {
            0 => format!("{n} selected with their default fixes (stray files: one by one, Space)"),
            p => format!("{n} selected: {} with their default fix, {p} with the fix chosen with f", n - p),
        };
    }

    pub(super) fn start_apply(&mut self, allow_mass_change: bool) -> Vec<Effect> {
        let Some(p) = self.plan.take() else { return vec![] };
        self.layers.retain(|l| *l != Layer::Plan);
        self.busy = Some(Busy::Applying);
        self.progress = None;
        self.status = format!("applying {} fixes…", p.plan.items.len());
        info!("applying {} fixes", p.plan.items.len());
        self.applying = p.plan.items.iter().map(|i| i.id.clone()).collect();
        self.remember_next(&p.plan.items.iter().map(|i| i.id.as_str()).collect());
        vec![Effect::Apply { plan: Box::new(p.plan), allow_mass_change }]
    }

    pub(super) fn start_undo(&mut self) -> Vec<Effect> {
        self.busy = Some(Busy::Undoing);
        self.progress = None;
        self.status = "undoing the last batch…".into();
        info!("undo of the last batch requested");
        vec![Effect::Undo]
    }
}
