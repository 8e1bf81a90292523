//! `cachescope diff OLD NEW`: exit 0 when nothing is new, 1 when something
//! is, 2 on error.

use std::path::Path;

use super::args::ReportFormat;
use super::{emit, progress, usable};
use crate::core::diff::diff;
use crate::core::report::{Compared, Source, write_diff_json, write_diff_markdown, write_diff_text};
use crate::core::saved::{SavedReport, looks_like_json};
use crate::core::{Error, Locate, Options};

/// One side from what the user named: a saved JSON report (recognised by
/// its content, whatever its name) or a dump folder or database, inspected
/// read-only. Every kind of side is resolved here and only here.
pub fn open_side(path: &Path) -> Result<Source, Error> {
    if path.is_file() && looks_like_json(path) {
        return SavedReport::read(path).map(Source::Report);
    }
    // A folder, a database or an archive (unpacked privately; the
    // inspection keeps what it needs, so the unpacked copy can go after it).
    let opened = super::open::read(Locate { path: Some(path.to_path_buf()), ..Default::default() }, true)?;
    let ins = progress::inspect(&opened.dump, Options { in_place: true, ..Options::default() })?;
    usable(&ins)?;
    for p in &ins.scan.problems {
        eprintln!("cachescope: warning: {p}");
    }
    Ok(Source::Dump(Box::new(ins)))
}

pub fn run(old_path: &Path, new_path: &Path, format: ReportFormat) -> Result<u8, Error> {
    let old = open_side(old_path)?;
    let new = open_side(new_path)?;
    let d = diff(&old.side(), &new.side());
    let c = Compared { old_path, new_path, old: &old, new: &new, diff: &d };
    emit(|out| match format {
        ReportFormat::Text => write_diff_text(&c, out),
        ReportFormat::Json => write_diff_json(&c, out),
        ReportFormat::Markdown => write_diff_markdown(&c, out),
    })?;
    let code = u8::from(d.has_new());
    old.release_at_exit();
    new.release_at_exit();
    Ok(code)
}
