//! `cachescope check`: exit 0 clean, 1 discrepancies, 2 could not inspect.

use super::args::ReportFormat;
use super::{emit, progress, usable};
use crate::core::report::{write_json, write_markdown, write_text};
use crate::core::{Dump, Error, Inspection, Options};

pub fn run(dump: &Dump, format: ReportFormat, opts: Options) -> Result<u8, Error> {
    let ins = progress::inspect(dump, opts)?;
    let timings = std::env::var_os("CACHESCOPE_TIMINGS").is_some();
    if timings {
        eprintln!("cachescope: timings: {:?}, total {:?}", ins.timings, ins.elapsed);
    }
    usable(&ins)?;
    let unknown = ins.unknown_sentence();
    if unknown.is_none() {
        for p in &ins.scan.problems {
            eprintln!("cachescope: warning: {p}");
        }
    }
    let t = std::time::Instant::now();
    emit(|out| match format {
        ReportFormat::Text => write_text(&ins, out),
        ReportFormat::Json => write_json(&ins, out),
        ReportFormat::Markdown => write_markdown(&ins, out),
    })?;
    if timings {
        eprintln!("cachescope: report written in {:?}", t.elapsed());
    }
    let code = exit_code(&ins);
    ins.release_at_exit();
    // The report is written, but it is not whole: exit 2 with the sentence.
    if let Some(why) = unknown {
        return Err(Error::new(crate::core::ErrorKind::Io, why));
    }
    Ok(code)
}

pub fn exit_code(ins: &Inspection) -> u8 {
    u8::from(ins.has_problems())
}
