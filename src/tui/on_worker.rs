//! What the app does with its workers' answers: a scan's inspection (the
//! panes, the links and the cursor kept where they were), filter runs,
//! applies, undos, recovery, exports and pictures.

use std::sync::Arc;

use log::{error, info, warn};

use super::app::*;
use super::filter;
use super::index::Index;
use crate::core::fmt::{clean, escaped};
use crate::core::{Inspection, Kind};

impl App {
    pub(super) fn on_worker(&mut self, w: WorkerMsg) -> Vec<Effect> {
        match w {
            WorkerMsg::Progress(p, rate) => self.progress = Some((p, rate)),
            WorkerMsg::Filtered { generation, visible } => self.on_filtered(generation, visible),
            WorkerMsg::Envelope { path, result } => {
                self.envelopes.insert(path, result.map_or_else(Picture::Failed, |e| Picture::Ready(Box::new(e))));
            }
            WorkerMsg::Insight { scan, data } => self.on_insight(scan, data),
            WorkerMsg::Scanned(Ok(ins)) => return self.on_scanned(*ins),
            WorkerMsg::Exported { result, note } => self.on_exported(result, note),
            WorkerMsg::Recovered(res) => self.on_recovered(res),
            WorkerMsg::Scanned(Err(e)) => {
                error!("scan failed: {e}");
                self.busy = None;
                self.progress = None;
                self.status = format!("scan failed: {e}");
                if self.ins.is_none() {
                    self.load_error = Some(e.message);
                }
            }
            WorkerMsg::Applied(res) => {
                self.busy = Some(Busy::Scanning);
                self.progress = None;
                let lines = match res {
                    Ok(r) => {
                        for (id, why) in r.stale() {
                            warn!("skipped as stale: {}: {why}", clean(id));
                        }
                        for (id, why) in r.failed() {
                            error!("failed: {}: {why}", clean(id));
                        }
                        for (id, fix, o) in &r.outcomes {
                            if *o == crate::core::Outcome::Applied {
                                info!("applied {fix}: {}", clean(id));
                            }
                        }
                        let head = crate::core::apply::summary(&r);
                        info!("{head}");
                        self.status = head.clone();
                        self.choices.chosen.clear();
                        let mut lines = vec![head];
                        if let (Some(b), Some(ins)) = (&r.backup, &self.ins) {
                            lines.push(format!("Backup: {}", escaped(&ins.dump.display_rel(b))));
                        }
                        lines.extend(r.failed().take(8).map(|(id, why)| format!("failed: {}: {why}", clean(id))));
                        lines.extend(r.stale().take(8).map(|(id, why)| format!("stale: {}: {why}", clean(id))));
                        lines.push(if r.applied() > 0 {
                            "Undo it with u. The lists were rescanned.".into()
                        } else {
                            "Nothing to undo. The lists were rescanned.".into()
                        });
                        lines
                    }
                    Err(e) => {
                        error!("apply failed: {e}");
                        self.status = format!("apply failed: {e}");
                        vec!["Apply failed; nothing of this batch was kept.".into(), e.message]
                    }
                };
                self.show_result(lines);
            }
            WorkerMsg::Undone(res) => {
                self.busy = Some(Busy::Scanning);
                self.progress = None;
                let lines = match res {
                    Ok(r) => {
                        let head = crate::core::undo::summary(&r);
                        info!("{head}");
                        for c in &r.conflicts {
                            warn!("not restored: {c}");
                        }
                        for f in &r.failures {
                            error!("failed: {f}");
                        }
                        self.status = head.clone();
                        let mut lines = vec![head];
                        lines.extend(r.failures.iter().take(8).map(|f| format!("failed: {f}")));
                        lines.extend(r.conflicts.iter().take(8).map(|c| format!("not restored: {c}")));
                        lines
                    }
                    Err(e) => {
                        error!("undo failed: {e}");
                        self.status = format!("undo failed: {e}");
                        vec!["Undo failed.".into(), e.message]
                    }
                };
                self.show_result(lines);
            }
        }
        vec![]
    }

    fn on_scanned(&mut self, ins: Inspection) -> Vec<Effect> {
        let link = self.focused_link();
        info!(
            "scanned {} files and {} rows in {} ms: {} discrepancies",
            ins.scan.files.len(),
            ins.rows.len(),
            ins.elapsed.as_millis(),
            ins.found.len()
        );
        for p in &ins.scan.problems {
            warn!("{p}");
        }
        for why in [&ins.interrupted, &ins.wal_unread].into_iter().flatten() {
            warn!("{why}");
        }
        let ids: std::collections::HashSet<&str> = ins.found.iter().map(|d| d.id.as_str()).collect();
        self.choices.keep_only(|id| ids.contains(id));
        self.index = Arc::new(Index::build(&ins));
        self.envelopes.clear();
        self.counts = crate::core::detect::summary(&ins.found);
        self.panes.show(filter::everything(&ins));
        super::sort::sort_panes(&ins, &mut self.panes);
        self.filter.shown.clear();
        self.ins = Some(Arc::new(ins));
        let mut effects = self.groups_after_scan();
        self.load_error = None;
        self.busy = None;
        self.progress = None;
        if self.status.is_empty() || self.status.starts_with("scanning") {
            self.status = summary_sentence(&self.counts);
        }
        self.restore(link);
        self.resume_after_apply();
        // A filter in force is run again over the new scan.
        if !self.filter.text.is_empty() {
            effects.extend(self.refilter());
        }
        effects
    }
}

/// One sentence on what was found, for the status line.
fn summary_sentence(counts: &[(Kind, usize)]) -> String {
    use crate::core::Severity::{Error, Info, Warning};
    let by = |s: crate::core::Severity| counts.iter().filter(|(k, _)| k.severity() == s).map(|(_, n)| n).sum::<usize>();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return "No discrepancies: disk and database agree.".into();
    }
    use crate::core::fmt::plural;
    format!(
        "{}: {}, {}, {} info. Select with Space or a, preview with p.",
        plural(total, "discrepancy", "discrepancies"),
        plural(by(Error), "error", "errors"),
        plural(by(Warning), "warning", "warnings"),
        by(Info)
    )
}
