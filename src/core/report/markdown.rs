//! A report to paste into an issue tracker.

use std::io::{self, Write};

use super::{Extras, file_display, rel};
use crate::core::detect::summary;
use crate::core::fmt::{clean, escaped, group, size};
use crate::core::inspect::Inspection;

/// Text for a table cell: no pipe or backtick breaks the table, no control
/// character reaches whoever reads the raw markdown in a terminal.
fn cell(s: &str) -> String {
    clean(s).replace('|', "\\|").replace('`', "'")
}

/// The report with its findings.
pub fn write_markdown(ins: &Inspection, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let (_, findings) = crate::core::findings::findings_of(ins);
    write_markdown_with(ins, Extras { findings: &findings, ..Extras::default() }, out)
}

/// Findings first; with a baseline, a first column says new or known.
pub fn write_markdown_with(ins: &Inspection, extras: Extras, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "## cachescope check: `{}`\n", cell(&ins.dump.shown()))?;
    writeln!(out, "- database: `{}` ({} rows)", cell(&rel(ins, &ins.dump.db)), group(ins.rows.len() as u64))?;
    writeln!(
        out,
        "- cache dir: `{}` ({} files, {})\n",
        cell(&rel(ins, &ins.dump.cache_dir)),
        group(ins.scan.files.len() as u64),
        size(ins.scan.bytes)
    )?;
    let marks = extras.marks;
    if let Some(m) = marks {
        writeln!(
            out,
            "- baseline: `{}`: **{} new**, {} known\n",
            cell(&escaped(&m.path)),
            group(m.new_count() as u64),
            group(m.known_count() as u64)
        )?;
    }
    if !extras.findings.is_empty() {
        writeln!(out, "### Findings\n")?;
        for line in crate::core::findings::headlines(extras.findings) {
            writeln!(out, "- {}", cell(&line))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "| kind | severity | count | default fix |")?;
    writeln!(out, "|---|---|---:|---|")?;
    for (kind, n) in summary(&ins.found) {
        let fix = kind.default_fix().map_or("—".to_string(), |f| format!("`{f}`"));
        writeln!(out, "| `{kind}` | {} | {n} | {fix} |", kind.severity().as_str())?;
    }
    for (kind, n) in summary(&ins.found) {
        if n == 0 {
            continue;
        }
        writeln!(out, "\n### {} ({n})\n", kind.title())?;
        let (head, rule) = if marks.is_some() { ("| ", "|---") } else { ("", "") };
        writeln!(out, "{head}| key | file | message |")?;
        writeln!(out, "{rule}|---|---|---|")?;
        for (i, d) in ins.found.iter().enumerate().filter(|(_, d)| d.kind == kind) {
            let key = d.key.as_deref().map_or("—".to_string(), |k| format!("`{}`", cell(&clean(k))));
            let file = file_display(ins, d);
            let file = if file.is_empty() { "—".to_string() } else { format!("`{}`", cell(&file)) };
            let mark = match marks {
                Some(m) if m.is_new(i) => "| **new** ",
                Some(_) => "| known ",
                None => "",
            };
            writeln!(out, "{mark}| {key} | {file} | {} |", cell(&d.message))?;
        }
    }
    if ins.found.is_empty() {
        writeln!(out, "\nNo discrepancies: disk and database agree.")?;
    }
    Ok(())
}
