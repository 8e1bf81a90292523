//! The terminal report: grouped by kind, counts first, readable in a ticket.

use std::io::{self, Write};

use super::{Extras, file_display, rel};
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

/// The report with its findings.
pub fn write_text(ins: &Inspection, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let (_, findings) = crate::core::findings::findings_of(ins);
    write_text_with(ins, Extras { findings: &findings, ..Extras::default() }, out)
}

/// Findings first (why it drifted), then each kind with its items; with a
/// baseline, new items are marked `+`.
pub fn write_text_with(ins: &Inspection, extras: Extras, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "cachescope check of {}", ins.dump.shown())?;
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
    if !extras.findings.is_empty() {
        writeln!(out, "Findings (why it drifted):")?;
        for line in crate::core::findings::headlines(extras.findings) {
            writeln!(out, "  * {line}")?;
        }
        writeln!(out)?;
    }
    let marks = extras.marks;
    let counts = summary(&ins.found);
    for (kind, n) in &counts {
        if *n == 0 {
            continue;
        }
        let fix = kind.default_fix().map_or("none (choose quarantine to move them away)".into(), |f| f.to_string());
        let new = marks.map(|m| {
            let n = ins.found.iter().enumerate().filter(|(i, d)| d.kind == *kind && m.is_new(*i)).count();
            format!(", {} new", group(n as u64))
        });
        writeln!(
            out,
            "{} {} ({}{}) — default fix: {fix}",
            symbol(kind.severity()),
            kind.counted(*n),
            kind.severity().as_str(),
            new.unwrap_or_default()
        )?;
        for (i, d) in ins.found.iter().enumerate().filter(|(_, d)| d.kind == *kind) {
            let what = match (&d.key, file_display(ins, d)) {
                (Some(k), f) if !f.is_empty() && f != format!("{k}.wav") && f != format!("{k}.m4a") => {
                    format!("{}  [{f}]", clean(k))
                }
                (Some(k), _) => clean(k).into_owned(),
                (None, f) => f,
            };
            let mark = if marks.is_some_and(|m| m.is_new(i)) { "  + " } else { "    " };
            writeln!(out, "{mark}{what}: {}", d.message)?;
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
        if let Some(m) = marks {
            writeln!(
                out,
                "{} new, {} known (baseline {}); new ones are marked +.",
                group(m.new_count() as u64),
                group(m.known_count() as u64),
                escaped(&m.path)
            )?;
        }
        if ins.has_problems() {
            writeln!(out, "Preview the fixes with `cachescope plan {}`.", ins.dump.shown())?;
        }
    }
    Ok(())
}
