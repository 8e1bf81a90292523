//! The messages the UI and its workers exchange, apart from both: the app
//! turns messages into state and effects; the event loop runs effects on
//! workers, which answer with [`WorkerMsg`]s. Neither side imports the other.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::index::Index;
use super::insight::InsightData;
use crate::core::disk::Encoding;
use crate::core::disk::decode::Envelope;
use crate::core::{ApplyReport, Error, Inspection, Options, Plan, Progress, UndoReport};

/// Indices into files, rows and discrepancies that a pane shows.
pub type Visible = [Vec<usize>; 3];

/// Everything that can change the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Worker(WorkerMsg),
    /// The dump changed on disk (already debounced).
    DumpChanged,
}

/// Work for the event loop to start on a worker thread.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Read the dump again (with `--deep` when set).
    Scan(Options),
    Apply {
        plan: Box<Plan>,
        allow_mass_change: bool,
    },
    Undo,
    Filter(FilterJob),
    /// Decode one file for its loudness picture (the detail view).
    Envelope {
        path: std::path::PathBuf,
        encoding: Encoding,
    },
    /// Find the findings and the timeline of a scan (the insight view).
    Insight(InsightJob),
    /// Put this text on the clipboard: the event loop writes it to the
    /// terminal as OSC 52 between frames.
    Clipboard(String),
    /// Write a report, a plan or an id list to files (on a worker).
    Export(ExportJob),
    /// Finish or roll back an interrupted apply, then rescan.
    Recover,
}

/// The findings and timeline of scan number `scan`, to compute off the UI
/// thread.
#[derive(Clone)]
pub struct InsightJob {
    pub ins: Arc<Inspection>,
    pub scan: u64,
}

impl std::fmt::Debug for InsightJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InsightJob(scan {})", self.scan)
    }
}

/// What `e` writes, into `dir`, under names with the UTC time.
#[derive(Clone)]
pub struct ExportJob {
    pub dir: std::path::PathBuf,
    pub what: Vec<Export>,
    /// Said after the paths in the status line.
    pub note: String,
}

/// One file to write.
#[derive(Clone)]
pub enum Export {
    /// The markdown report of the inspection (with its findings).
    Report(Arc<Inspection>),
    /// Lines of text (the plan) under `cachescope-<stem>-<time>.<ext>`.
    Text { stem: &'static str, ext: &'static str, lines: Vec<String> },
}

impl std::fmt::Debug for ExportJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExportJob({:?}, {} files)", self.dir, self.what.len())
    }
}

/// One filter run: the query, over this inspection, narrowing `within`
/// when the query only grew. A newer generation cancels it.
#[derive(Clone)]
pub struct FilterJob {
    pub query: String,
    pub generation: u64,
    pub ins: Arc<Inspection>,
    pub index: Arc<Index>,
    pub within: Option<Arc<Visible>>,
    /// How each pane sorts: a new run's lists come back in this order.
    pub sorts: [super::sort::Sort; 3],
}

impl std::fmt::Debug for FilterJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FilterJob({:?}, generation {})", self.query, self.generation)
    }
}

/// What a worker sends back.
pub enum WorkerMsg {
    /// Progress and the rate in items per second.
    Progress(Progress, f64),
    Scanned(Result<Box<Inspection>, Error>),
    Applied(Result<ApplyReport, Error>),
    Undone(Result<UndoReport, Error>),
    /// The lists a filter run computed, for its generation.
    Filtered {
        generation: u64,
        visible: Visible,
    },
    /// A file's loudness picture, or why there is none.
    Envelope {
        path: std::path::PathBuf,
        result: Result<Envelope, String>,
    },
    /// The findings and the timeline of scan number `scan`.
    Insight {
        scan: u64,
        data: Arc<InsightData>,
    },
    /// The files an export wrote (or why it could not), and its note.
    Exported {
        result: Result<Vec<std::path::PathBuf>, String>,
        note: String,
    },
    /// What recovery did (None: nothing was pending).
    Recovered(Result<Option<String>, Error>),
}

impl std::fmt::Debug for WorkerMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerMsg::Progress(p, _) => write!(f, "Progress({p:?})"),
            WorkerMsg::Scanned(r) => write!(f, "Scanned(ok: {})", r.is_ok()),
            WorkerMsg::Applied(r) => write!(f, "Applied({r:?})"),
            WorkerMsg::Undone(r) => write!(f, "Undone({r:?})"),
            WorkerMsg::Filtered { generation, .. } => write!(f, "Filtered(generation {generation})"),
            WorkerMsg::Envelope { path, result } => write!(f, "Envelope({path:?}, ok: {})", result.is_ok()),
            WorkerMsg::Insight { scan, data } => write!(f, "Insight(scan {scan}, {} findings)", data.findings.len()),
            WorkerMsg::Exported { result, .. } => write!(f, "Exported({result:?})"),
            WorkerMsg::Recovered(r) => write!(f, "Recovered({r:?})"),
        }
    }
}
