//! The reconciliation core: no terminal, no UI. Pure detection and planning
//! in the middle, I/O at the edges (see the crate docs for the map).

pub mod apply;
pub mod archive;
pub mod audit;
pub mod baseline;
pub mod batch;
pub mod control;
pub mod dbfiles;
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
pub mod model;
pub mod plan;
pub mod pull;
pub mod report;
pub mod rows;
pub mod saved;
pub mod schema;
pub mod snapshot;
pub mod sort;
pub mod sql;
pub mod tempdirs;
pub mod undo;
pub mod wal;

pub use apply::{ApplyOptions, ApplyReport, Outcome, Timings, apply};
pub use batch::{Session, writing_session};
pub use control::{Control, Phase, Progress};
pub use detect::{Discrepancy, detect};
pub use dump::{Dump, Locate};
pub use error::{Error, ErrorKind, Result};
pub use inspect::{Inspection, Options};
pub use kinds::{Fix, Kind, Severity};
pub use plan::{Op, Plan, PlanItem, Selection, plan};
pub use undo::{UndoReport, undo};
