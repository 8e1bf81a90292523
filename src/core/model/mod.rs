//! The plain data the core reasons about: files, rows, keys, names. No
//! SQLite, no file system, no terminal: every type here can be written as a
//! literal, so detection and planning are tested from memory.

pub mod file;
pub mod names;
mod place;
pub mod row;
pub mod value;

pub use file::{DiskScan, FileFacts, FileKind, Identity, Probe};
pub use names::{Encoding, NameClass, classify_name, classify_with_key, is_key, key_of};
pub use place::PathBytes;
pub use row::{Columns, Row};
pub use value::{Stored, Value};
