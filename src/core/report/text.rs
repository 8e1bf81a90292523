//! The terminal report: grouped by kind, counts first, readable in a ticket.

use std::io::{self, Write};

use super::{file_display, rel};
use crate::core::detect::summary;
use crate::core::fmt::{clean, escaped, group, size};
use crate::core::inspect::Inspection;
use crate::core::kinds::Severity;

pub fn symbol(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "·",
    }
}

pub fn write_text(ins: &Inspection, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "cachescope check of {}", escaped(&ins.dump.root))?;
    writeln!(out, "  database   {}  ({} rows)", rel(ins, &ins.dump.db), group(ins.rows.len() as u64))?;
    writeln!(
        out,
        "  cache dir  {}  ({} files, {})",
        rel(ins, &ins.dump.cache_dir),
        group(ins.scan.files.len() as u64),
        size(ins.scan.bytes)
    )?;
    for p in &ins.scan.problems {
        writeln!(out, "  warning: {p}")?;
    }
    for (path, note) in &ins.scan.decoder_notes {
        writeln!(out, "  note: {}: {note}", escaped(path))?;
    }
    if let Some(why) = ins.unknown_sentence() {
        writeln!(out, "  ‽ unreadable: {why}")?;
    }
    writeln!(out)?;
    let counts = summary(&ins.found);
    for (kind, n) in &counts {
        if *n == 0 {
            continue;
        }
        let fix = kind.default_fix().map_or("none (choose quarantine to move them away)".into(), |f| f.to_string());
        writeln!(
            out,
            "{} {} {} ({}) — default fix: {fix}",
            symbol(kind.severity()),
            group(*n as u64),
            kind.title().to_lowercase(),
            kind.severity().as_str()
        )?;
        for d in ins.found.iter().filter(|d| d.kind == *kind) {
            let what = match (&d.key, file_display(ins, d)) {
                (Some(k), f) if !f.is_empty() && f != format!("{k}.wav") && f != format!("{k}.m4a") => {
                    format!("{}  [{f}]", clean(k))
                }
                (Some(k), _) => clean(k).into_owned(),
                (None, f) => f,
            };
            writeln!(out, "    {what}: {}", d.message)?;
        }
        writeln!(out)?;
    }
    let by = |s: Severity| ins.found.iter().filter(|d| d.severity() == s).count() as u64;
    if ins.found.is_empty() {
        writeln!(out, "No discrepancies: disk and database agree.")?;
    } else {
        writeln!(
            out,
            "{} discrepancies: {} errors, {} warnings, {} info.",
            group(ins.found.len() as u64),
            group(by(Severity::Error)),
            group(by(Severity::Warning)),
            group(by(Severity::Info))
        )?;
        if ins.has_problems() {
            writeln!(out, "Preview the fixes with `cachescope plan {}`.", escaped(&ins.dump.root))?;
        }
    }
    Ok(())
}
