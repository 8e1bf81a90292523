//! Export (`e`, `E`): the report (markdown), the plan as shown, or the
//! selection as an id list that `cachescope apply --ids-from FILE` reads —
//! written on a worker into the working directory under a name with the UTC
//! time (`cachescope-report-20260213T100249Z.md`), never over a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::app::{App, Effect, Layer};
use super::clipboard::id_lines;
use super::msg::{Export, ExportJob};
use crate::core::fmt::escaped;

impl App {
    /// `e`: the plan in the preview (and the selection's ids beside it),
    /// else the report.
    pub(super) fn export(&mut self) -> Vec<Effect> {
        let in_plan =
            self.layers.iter().rev().find(|l| !matches!(l, Layer::Help | Layer::Palette)) == Some(&Layer::Plan);
        match (&self.plan, &self.ins) {
            (Some(pv), _) if in_plan => {
                let (stem, ext) = if pv.show_sql { ("plan", "sql") } else { ("plan", "txt") };
                let mut what = vec![Export::Text { stem, ext, lines: pv.shown().to_vec() }];
                let (ids, note) = self.selection_ids();
                if !ids.is_empty() {
                    what.push(Export::Text { stem: "selection", ext: "txt", lines: ids });
                }
                self.start_export(what, note)
            }
            (_, Some(ins)) => {
                let what = vec![Export::Report(Arc::clone(ins))];
                self.start_export(what, " (markdown report with its findings)".into())
            }
            _ => {
                self.status = "nothing to export yet: the scan is still running".into();
                vec![]
            }
        }
    }

    /// `E`: the selection's discrepancy ids, one a line.
    pub(super) fn export_selection(&mut self) -> Vec<Effect> {
        let (ids, note) = self.selection_ids();
        if ids.is_empty() {
            self.status = "nothing selected to export (Space, a select)".into();
            return vec![];
        }
        self.start_export(vec![Export::Text { stem: "selection", ext: "txt", lines: ids }], note)
    }

    /// The chosen ids as `apply --ids-from` reads them: `ID` for an item
    /// with its default fix, `ID=FIX` for one with another, so the list
    /// alone gives the same batch.
    fn selection_ids(&self) -> (Vec<String>, String) {
        let (ids, left_out) = id_lines(self.choices.chosen.keys());
        let lines = ids
            .into_iter()
            .map(|id| {
                let fix = self.choices.chosen.get(&id).copied();
                // The id starts with its kind: no search through the discrepancies.
                let kind = id.split(':').next().and_then(|k| k.parse::<crate::core::Kind>().ok());
                match (kind, fix) {
                    (Some(k), Some(f)) if k.default_fix() != Some(f) => format!("{id}={f}"),
                    _ => id,
                }
            })
            .collect();
        let mut note = String::new();
        if left_out > 0 {
            note.push_str(&format!("; {left_out} id(s) with a line break left out (choose them with --id)"));
        }
        (lines, note)
    }

    fn start_export(&mut self, what: Vec<Export>, note: String) -> Vec<Effect> {
        self.status = "exporting…".into();
        vec![Effect::Export(ExportJob { dir: self.export_dir.clone(), what, note })]
    }

    /// A worker wrote the files (or could not): say where.
    pub(super) fn on_exported(&mut self, result: Result<Vec<PathBuf>, String>, note: String) {
        self.status = match result {
            Ok(paths) => {
                // File names, and the folder once: the status line is short.
                let names: Vec<String> =
                    paths.iter().map(|p| p.file_name().map_or_else(|| escaped(p), |n| escaped(Path::new(n)))).collect();
                let dir = paths.first().and_then(|p| p.parent()).map(escaped).unwrap_or_default();
                let ids = names.iter().find(|n| n.contains("-selection-"));
                let later = ids.map_or(String::new(), |n| {
                    format!("; apply it later with `cachescope apply {} --ids-from {n} --yes`", self.root_label)
                });
                log::info!("wrote {} in {dir}{later}{note}", names.join(" and "));
                format!("wrote {} in {dir}{note}{later}", names.join(" and "))
            }
            Err(e) => {
                log::error!("{e}");
                e
            }
        };
    }
}

/// Writes the job's files; the paths written, or one sentence on why not.
pub fn write_export(job: &ExportJob, now: jiff::Timestamp) -> Result<Vec<PathBuf>, String> {
    let time = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut written = vec![];
    for what in &job.what {
        let (stem, ext) = match what {
            Export::Report(_) => ("report", "md"),
            Export::Text { stem, ext, .. } => (*stem, *ext),
        };
        let (path, mut file) = create_new(&job.dir, &format!("cachescope-{stem}-{time}"), ext)?;
        let res = match what {
            Export::Report(ins) => crate::core::report::write_markdown(ins, &mut file),
            Export::Text { lines, .. } => lines.iter().try_for_each(|l| writeln!(file, "{l}")),
        };
        res.and_then(|()| file.flush()).map_err(|e| {
            format!("could not write {} ({e}); check the free space of the working directory", escaped(&path))
        })?;
        written.push(path);
    }
    Ok(written)
}

/// A new file `<stem>.<ext>` in `dir`, or `<stem>-2.<ext>` and so on: an
/// export never replaces a file.
fn create_new(dir: &Path, stem: &str, ext: &str) -> Result<(PathBuf, std::io::BufWriter<std::fs::File>), String> {
    for n in 1..100 {
        let name = if n == 1 { format!("{stem}.{ext}") } else { format!("{stem}-{n}.{ext}") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, std::io::BufWriter::new(f))),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "could not create {} ({e}); start cachescope from a folder you can write to",
                    escaped(&path)
                ));
            }
        }
    }
    Err(format!("could not find a free name for {stem}.{ext} in {}; tidy up old exports there", escaped(dir)))
}
