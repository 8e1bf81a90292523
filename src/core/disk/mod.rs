//! The disk side: walk the cache dir, stat every entry, classify names and
//! probe containers (SPEC §3). Symlinks are never followed.

pub mod decode;
pub mod names;
pub mod probe;
mod scan;

pub use names::{Encoding, NameClass, classify_name, is_key, key_of};
pub use probe::Probe;
pub use scan::{DiskScan, FileFacts, FileKind, Identity, scan};
