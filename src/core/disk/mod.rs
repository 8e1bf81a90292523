//! The disk side: walk the cache dir, stat every entry, classify names and
//! probe containers (SPEC §3); with `--deep`, decode them. Symlinks are
//! never followed. The facts it produces are plain data (`core::model`).

pub mod decode;
mod listing;
mod lookup;
mod pool;
pub mod probe;
mod scan;
mod stat;
mod walk;

pub use crate::core::model::names;
pub use crate::core::model::{
    DiskScan, Encoding, FileFacts, FileKind, Identity, NameClass, Probe, classify_name, is_key, key_of,
};
pub use lookup::{LIST_CAP, key_files};
pub use pool::clock;
pub use scan::scan;
