//! Reports of an inspection and of a plan, written as they are produced.

mod diff;
mod json;
mod markdown;
mod plan_readable;
mod plan_text;
mod row_feed;
mod text;

pub use diff::{Compared, DIFF_SCHEMA, Source, write_diff_json, write_diff_markdown, write_diff_text};
pub use json::{SCHEMA, discrepancy_json, write_json, write_json_with, write_plan_json};
pub use markdown::{write_markdown, write_markdown_with};
pub use plan_readable::{readable_plan_lines, readable_value};
pub use plan_text::{apply_hint, quarantine_display, unplanned_hint, write_plan_sql, write_plan_text};
pub use row_feed::RowFeed;
pub use text::{write_text, write_text_with};

use std::path::Path;

use super::baseline::Marks;
use super::findings::Finding;
use super::fmt::escaped;
use super::inspect::Inspection;

/// What a report shows beside the inspection: its findings (SPEC §9) and,
/// with `--baseline`, which discrepancies are known.
#[derive(Clone, Copy, Default)]
pub struct Extras<'a> {
    pub findings: &'a [Finding],
    pub marks: Option<&'a Marks>,
    /// Each discrepancy's row, every column, as another thread reads them;
    /// None: read while writing.
    pub rows: Option<&'a RowFeed>,
}

/// The path of a discrepancy's file for display, relative to the cache dir.
pub(crate) fn file_display(ins: &Inspection, d: &super::detect::Discrepancy) -> String {
    ins.file_of(d).map(|f| escaped(&f.path())).unwrap_or_default()
}

pub(crate) fn rel(ins: &Inspection, p: &Path) -> String {
    escaped(&ins.dump.display_rel(p))
}
