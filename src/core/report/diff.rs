//! The `diff` report as text, markdown and JSON (`cachescope.diff/1`).

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value as Json, json};

use super::json::discrepancy_json;
use crate::core::diff::{Change, Diff, Keys, Side};
use crate::core::fmt::{escaped, escaped_bytes, group, lossy};
use crate::core::inspect::Inspection;
use crate::core::model::FileFacts;
use crate::core::saved::SavedReport;

pub const DIFF_SCHEMA: &str = "cachescope.diff/1";

/// Where one side's discrepancies come from.
pub enum Source {
    /// A dump, inspected (read-only) for this comparison.
    Dump(Box<Inspection>),
    /// A saved `check --format json` report.
    Report(SavedReport),
}

impl Source {
    pub fn label(&self) -> &'static str {
        match self {
            Source::Dump(_) => "dump",
            Source::Report(_) => "saved report",
        }
    }

    /// The side as the pure comparison reads it.
    pub fn side(&self) -> Side<'_> {
        match self {
            Source::Dump(ins) => Side {
                found: ins.found.iter().map(|d| (d.id.as_str(), d.kind.as_str())).collect(),
                rows: Some(ins.rows.len() as u64),
                files: Some(ins.scan.files.len() as u64),
                keys: Some(Keys {
                    rows: ins.rows.iter().map(|r| &r.key).collect(),
                    files: ins.scan.files.iter().map(FileFacts::path_bytes).collect(),
                }),
            },
            Source::Report(r) => Side {
                found: r.items.iter().map(|i| (i.id.as_str(), i.kind.as_str())).collect(),
                rows: r.entries,
                files: r.files,
                keys: None,
            },
        }
    }

    /// Rows, files and discrepancies, without building the side's lists.
    fn counts(&self) -> (Option<u64>, Option<u64>, usize) {
        match self {
            Source::Dump(ins) => (Some(ins.rows.len() as u64), Some(ins.scan.files.len() as u64), ins.found.len()),
            Source::Report(r) => (r.entries, r.files, r.items.len()),
        }
    }

    /// Discrepancy `i` as the report writes it.
    pub fn json(&self, i: usize) -> Cow<'_, str> {
        match self {
            Source::Dump(ins) => Cow::Owned(discrepancy_json(ins, &ins.found[i])),
            Source::Report(r) => Cow::Borrowed(r.json(i)),
        }
    }

    /// Discrepancy `i` for a line of text: kind, key or file, message; escaped.
    fn words(&self, i: usize) -> (String, String, String) {
        let (kind, key, file, message) = match self {
            Source::Dump(ins) => {
                let d = &ins.found[i];
                let file = ins.file_of(d).map(|f| escaped(&f.path()));
                (d.kind.as_str().to_string(), d.key.clone(), file, d.message.clone())
            }
            Source::Report(r) => {
                let v: Json = serde_json::from_str(r.json(i)).unwrap_or(Json::Null);
                let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
                (r.items[i].kind.clone(), s("key"), s("file"), s("message").unwrap_or_default())
            }
        };
        let e = |s: &str| escaped_bytes(s.as_bytes());
        let what = match (key, file) {
            (Some(k), Some(f)) if f != format!("{k}.wav") && f != format!("{k}.m4a") => {
                format!("{}  [{}]", e(&k), e(&f))
            }
            (Some(k), _) => e(&k),
            (None, f) => e(&f.unwrap_or_default()),
        };
        (e(&kind), what, e(&message))
    }

    /// For a process about to exit (see [`Inspection::release_at_exit`]).
    pub fn release_at_exit(self) {
        if let Source::Dump(ins) = self {
            ins.release_at_exit();
        }
    }
}

/// Two sides and what changed between them.
pub struct Compared<'a> {
    pub old_path: &'a Path,
    pub new_path: &'a Path,
    pub old: &'a Source,
    pub new: &'a Source,
    pub diff: &'a Diff,
}

fn change_json(c: &Change) -> Json {
    json!({"added": c.added, "removed": c.removed, "old": c.old, "new": c.new, "net": c.net(), "exact": c.is_exact()})
}

/// One JSON object; the three lists are streamed item by item.
pub fn write_diff_json(c: &Compared, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let str_json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    writeln!(out, "{{\n  \"schema\": \"{DIFF_SCHEMA}\",")?;
    writeln!(out, "  \"old_path\": {},", str_json(&lossy(c.old_path)))?;
    write!(out, "  \"new_path\": {}", str_json(&lossy(c.new_path)))?;
    for (name, side, list) in
        [("new", c.new, &c.diff.new), ("resolved", c.old, &c.diff.resolved), ("persisting", c.new, &c.diff.persisting)]
    {
        write!(out, ",\n  \"{name}\": [")?;
        for (n, i) in list.iter().enumerate() {
            out.write_all(if n == 0 { b"\n    " } else { b",\n    " })?;
            out.write_all(side.json(*i).as_bytes())?;
        }
        out.write_all(if list.is_empty() { b"]" } else { b"\n  ]" })?;
    }
    let summary: Map<String, Json> = c
        .diff
        .summary
        .iter()
        .map(|k| (k.kind.clone(), json!({"new": k.new, "resolved": k.resolved, "persisting": k.persisting})))
        .collect();
    let tail = json!({"summary": summary, "rows": change_json(&c.diff.rows), "files": change_json(&c.diff.files)});
    let tail = serde_json::to_string_pretty(&tail)?;
    // The tail object's members, appended to the open object.
    let members = tail.trim().trim_start_matches('{').trim_end_matches('}').trim_end();
    writeln!(out, ",{members}\n}}")?;
    Ok(())
}

/// "297 rows, 300 files, 24 discrepancies"
fn side_counts(s: &Source) -> String {
    let (rows, files, found) = s.counts();
    let n = |v: Option<u64>| v.map_or("?".to_string(), group);
    format!("{}: {} rows, {} files, {} discrepancies", s.label(), n(rows), n(files), group(found as u64))
}

/// "297 → 306: 12 added, 3 removed" or the net change and why only that.
fn change_words(c: &Change) -> String {
    let n = |v: Option<u64>| v.map_or("?".to_string(), group);
    match (c.added, c.removed) {
        (Some(a), Some(r)) => format!("{} → {}: {} added, {} removed", n(c.old), n(c.new), group(a), group(r)),
        _ => {
            let net = c.net().map_or("unknown".to_string(), |d| format!("{d:+}"));
            format!("{} → {} (net {net}; added and removed unknown: a saved report lists no keys)", n(c.old), n(c.new))
        }
    }
}

fn totals(d: &Diff) -> String {
    format!(
        "{} new, {} resolved, {} persisting.",
        group(d.new.len() as u64),
        group(d.resolved.len() as u64),
        group(d.persisting.len() as u64)
    )
}

/// For a call: the sides, counts per kind, rows and files, then every new
/// and resolved discrepancy (persisting ones are counted; JSON lists them).
pub fn write_diff_text(c: &Compared, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "cachescope diff")?;
    writeln!(out, "  old  {}  ({})", escaped(c.old_path), side_counts(c.old))?;
    writeln!(out, "  new  {}  ({})", escaped(c.new_path), side_counts(c.new))?;
    writeln!(out, "\n  {:<28} {:>6} {:>9} {:>11}", "kind", "new", "resolved", "persisting")?;
    for k in &c.diff.summary {
        writeln!(out, "  {:<28} {:>6} {:>9} {:>11}", k.kind, k.new, k.resolved, k.persisting)?;
    }
    writeln!(out, "\n  rows   {}", change_words(&c.diff.rows))?;
    writeln!(out, "  files  {}", change_words(&c.diff.files))?;
    for (title, mark, side, list) in [("New", "+", c.new, &c.diff.new), ("Resolved", "-", c.old, &c.diff.resolved)] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{title} ({}):", group(list.len() as u64))?;
        for i in list {
            let (kind, what, message) = side.words(*i);
            writeln!(out, "  {mark} {kind}  {what}: {message}")?;
        }
    }
    if !c.diff.persisting.is_empty() {
        writeln!(
            out,
            "\nPersisting: {} (as in NEW; `--format json` lists them).",
            group(c.diff.persisting.len() as u64)
        )?;
    }
    writeln!(out, "\n{}", totals(c.diff))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// For an issue tracker: the same content as the text.
pub fn write_diff_markdown(c: &Compared, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    writeln!(out, "## cachescope diff\n")?;
    writeln!(out, "- old: `{}` ({})", cell(&escaped(c.old_path)), side_counts(c.old))?;
    writeln!(out, "- new: `{}` ({})", cell(&escaped(c.new_path)), side_counts(c.new))?;
    writeln!(out, "- rows: {}", change_words(&c.diff.rows))?;
    writeln!(out, "- files: {}\n", change_words(&c.diff.files))?;
    writeln!(out, "| kind | new | resolved | persisting |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    for k in &c.diff.summary {
        writeln!(out, "| `{}` | {} | {} | {} |", cell(&k.kind), k.new, k.resolved, k.persisting)?;
    }
    for (title, side, list) in [("New", c.new, &c.diff.new), ("Resolved", c.old, &c.diff.resolved)] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n### {title} ({})\n", group(list.len() as u64))?;
        writeln!(out, "| kind | key or file | message |")?;
        writeln!(out, "|---|---|---|")?;
        for i in list {
            let (kind, what, message) = side.words(*i);
            writeln!(out, "| `{}` | `{}` | {} |", cell(&kind), cell(&what), cell(&message))?;
        }
    }
    writeln!(out, "\n{}", totals(c.diff))
}
