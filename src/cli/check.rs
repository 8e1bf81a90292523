//! `cachescope check`: exit 0 clean, 1 discrepancies, 2 could not inspect.

use super::args::ReportFormat;
use super::{emit, progress, usable};
use std::path::Path;

use crate::core::baseline::{Baseline, Marks};
use crate::core::findings::findings_of;
use crate::core::report::{Extras, RowFeed, write_json_with, write_markdown_with, write_text_with};
use crate::core::select::Items;
use crate::core::{Dump, Error, ErrorKind, Inspection, Options};

pub fn run(
    dump: &Dump,
    format: ReportFormat,
    opts: Options,
    baseline: Option<&Path>,
    items: &Items,
) -> Result<u8, Error> {
    // A bad baseline fails before the (possibly long) inspection.
    let baseline = baseline.map(Baseline::read).transpose()?;
    // Only keys: read only what they need (`Inspection::open_keys`).
    let mut ins = if items.keys_only() {
        progress::with_bar("checking", |ctl| Inspection::open_keys(dump, &items.keys, &opts, ctl))?
    } else {
        progress::inspect(dump, opts)?
    };
    let timings = std::env::var_os("CACHESCOPE_TIMINGS").is_some();
    if timings {
        eprintln!("cachescope: timings: {:?}, total {:?}", ins.timings, ins.elapsed);
    }
    usable(&ins)?;
    items.check_matches(&ins)?;
    items.restrict(&mut ins);
    let unknown = ins.unknown_sentence();
    if unknown.is_none() {
        for p in &ins.scan.problems {
            eprintln!("cachescope: warning: {p}");
        }
    }
    let t = std::time::Instant::now();
    let marks = baseline.map(|b| b.mark(&ins.found));
    let json = format == ReportFormat::Json;
    std::thread::scope(|s| {
        let ins = &ins;
        // The JSON report's full rows are read on another core while the
        // findings are found, and handed over as the report reaches them.
        let rows = json.then(|| RowFeed::spawn(s, ins));
        let findings = findings_of(ins).1;
        if timings {
            eprintln!("cachescope: findings in {:?}", t.elapsed());
        }
        let extras = Extras { findings: &findings, marks: marks.as_ref(), rows: rows.as_ref() };
        emit(|out| match format {
            ReportFormat::Text => write_text_with(ins, extras, out),
            ReportFormat::Json => write_json_with(ins, extras, out),
            ReportFormat::Markdown => write_markdown_with(ins, extras, out),
        })
        // Dropping `rows` here stops its reading if the report ended early.
    })?;
    if timings {
        eprintln!("cachescope: report written in {:?}", t.elapsed());
    }
    let code = match &marks {
        Some(m) => exit_code_with(&ins, m),
        None => exit_code(&ins),
    };
    ins.release_at_exit();
    // The report is written, but it is not whole: exit 2 with the sentence.
    if let Some(why) = unknown {
        return Err(Error::new(ErrorKind::Io, why));
    }
    Ok(code)
}

pub fn exit_code(ins: &Inspection) -> u8 {
    u8::from(ins.has_problems())
}

/// With a baseline: 1 only for new discrepancies of severity warning or error.
pub fn exit_code_with(ins: &Inspection, marks: &Marks) -> u8 {
    u8::from(marks.has_new_problems(&ins.found))
}
