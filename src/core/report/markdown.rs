//! A report to paste into an issue tracker.

use std::io::{self, Write};

use super::{file_display, rel};
use crate::core::detect::summary;
use crate::core::fmt::{clean, escaped, group, size};
use crate::core::inspect::Inspection;

/// Text for a table cell: no pipe or backtick breaks the table, no control
/// character reaches whoever reads the raw markdown in a terminal.
fn cell(s: &str) -> String {
    clean(s).replace('|', "\\|").replace('`', "'")
}

pub fn write_markdown(ins: &Inspection, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "## cachescope check: `{}`\n", cell(&escaped(&ins.dump.root)))?;
    writeln!(out, "- database: `{}` ({} rows)", cell(&rel(ins, &ins.dump.db)), group(ins.rows.len() as u64))?;
    writeln!(
        out,
        "- cache dir: `{}` ({} files, {})\n",
        cell(&rel(ins, &ins.dump.cache_dir)),
        group(ins.scan.files.len() as u64),
        size(ins.scan.bytes)
    )?;
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
        writeln!(out, "| key | file | message |")?;
        writeln!(out, "|---|---|---|")?;
        for d in ins.found.iter().filter(|d| d.kind == kind) {
            let key = d.key.as_deref().map_or("—".to_string(), |k| format!("`{}`", cell(&clean(k))));
            let file = file_display(ins, d);
            let file = if file.is_empty() { "—".to_string() } else { format!("`{}`", cell(&file)) };
            writeln!(out, "| {key} | {file} | {} |", cell(&d.message))?;
        }
    }
    if ins.found.is_empty() {
        writeln!(out, "\nNo discrepancies: disk and database agree.")?;
    }
    Ok(())
}
