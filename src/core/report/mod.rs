//! Reports of an inspection and of a plan, written as they are produced.

mod json;
mod markdown;
mod plan_text;
mod text;

pub use json::{SCHEMA, disk_json, write_json, write_plan_json};
pub use markdown::write_markdown;
pub use plan_text::{quarantine_display, write_plan_text};
pub use text::write_text;

use std::path::Path;

use super::fmt::escaped;
use super::inspect::Inspection;

/// The path of a discrepancy's file for display, relative to the cache dir.
pub(crate) fn file_display(ins: &Inspection, d: &super::detect::Discrepancy) -> String {
    ins.file_of(d).map(|f| escaped(&f.path)).unwrap_or_default()
}

pub(crate) fn rel(ins: &Inspection, p: &Path) -> String {
    escaped(&ins.dump.display_rel(p))
}
