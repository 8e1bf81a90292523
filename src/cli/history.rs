//! `cachescope history`: the batches in cache_audit.

use super::args::PlanFormat;
use super::emit;
use crate::core::history::history;
use crate::core::{Dump, Error};

/// Epoch milliseconds as a UTC timestamp to the second.
pub fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

pub fn run(dump: &Dump, format: PlanFormat) -> Result<u8, Error> {
    let batches = history(dump)?;
    if let Some(why) = crate::core::journal::describe_pending(&dump.state_dir()) {
        eprintln!("cachescope: note: {why}");
    }
    emit(|out| {
        if format == PlanFormat::Json {
            serde_json::to_writer_pretty(&mut *out, &batches)?;
            return writeln!(out);
        }
        if batches.is_empty() {
            return writeln!(out, "No batches yet: nothing has been applied to this dump.");
        }
        writeln!(out, "{:>5}  {:<23}  {:<5}  changes", "batch", "started", "op")?;
        for b in &batches {
            let changes: Vec<String> = b
                .events
                .iter()
                .filter(|(e, _)| !e.ends_with("_start") && !e.ends_with("_end"))
                .map(|(e, n)| format!("{e} {n}"))
                .collect();
            let note = match (b.undoes, b.undone_by, b.in_effect) {
                (Some(u), Some(by), false) => format!("  (undoes batch {u}; itself undone by batch {by})"),
                (Some(u), _, _) => format!("  (undoes batch {u})"),
                (_, Some(by), false) => format!("  (undone by batch {by})"),
                (_, Some(by), true) => format!("  (undone by batch {by}, which was undone: in effect)"),
                _ => String::new(),
            };
            writeln!(out, "{:>5}  {:<23}  {:<5}  {}{note}", b.batch, when(b.started_ms), b.op, changes.join(", "))?;
        }
        Ok(())
    })?;
    Ok(0)
}
