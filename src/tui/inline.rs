//! Effects run on the calling thread, for tests and benchmarks.

use std::sync::Arc;

use super::app::*;
use super::filter;

/// Runs the effects a worker would, on this thread, and feeds their
/// results back: filters, loudness pictures and exports (into
/// `export_dir`) — for tests and `with_inspection`, which have no event
/// loop; scans, applies, undos, recovery and the clipboard need one.
pub fn run_inline(app: &mut App, effects: Vec<Effect>) {
    for e in effects {
        let msg = match e {
            Effect::Filter(job) => {
                let never = || false;
                let within = job.within.as_deref();
                let Some(mut visible) = filter::visible(&job.ins, &job.index, &job.query, within, &never) else {
                    continue;
                };
                if within.is_none() {
                    super::sort::sort_visible(&job.ins, &mut visible, &job.sorts);
                }
                WorkerMsg::Filtered { generation: job.generation, visible }
            }
            Effect::Envelope { path, encoding } => {
                let ctl = crate::core::Control::none();
                let result =
                    crate::core::disk::decode::envelope_file(&path, encoding, 240, &ctl).map_err(|e| e.message);
                WorkerMsg::Envelope { path, result }
            }
            Effect::Insight(job) => {
                WorkerMsg::Insight { scan: job.scan, data: Arc::new(super::insight::compute(&job.ins)) }
            }
            Effect::Export(job) => {
                let result = super::export::write_export(&job, jiff::Timestamp::now());
                WorkerMsg::Exported { result, note: job.note }
            }
            _ => continue,
        };
        let more = app.update(Msg::Worker(msg));
        run_inline(app, more);
    }
}
