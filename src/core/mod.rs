//! The reconciliation core: no terminal, no UI. Pure detection and planning
//! in the middle, I/O at the edges (see the crate docs for the map).

pub mod apply;
pub mod baseline;
pub mod batch;
pub mod control;
pub mod demo;
pub mod detect;
pub mod diff;
pub mod disk;
pub mod dump;
pub mod error;
pub mod failpoint;
pub mod findings;
pub mod fmt;
pub mod fsops;
pub mod history;
pub mod inspect;
pub mod journal;
pub mod key;
pub mod kinds;
pub mod plan;
pub mod report;
pub mod rows;
pub mod saved;
pub mod schema;
pub mod snapshot;
pub mod sort;
pub mod tempdirs;
pub mod undo;

pub use apply::{ApplyOptions, ApplyReport, Outcome, Timings, apply};
pub use batch::Session;
pub use control::{Control, Phase, Progress};
pub use detect::{Discrepancy, detect};
pub use dump::{Dump, Locate};
pub use error::{Error, ErrorKind, Result};
pub use inspect::Inspection;
pub use kinds::{Fix, Kind, Severity};
pub use plan::{Op, Plan, PlanItem, Selection, plan};
pub use undo::{UndoReport, undo};
