//! `cachescope.report/1` (SPEC §7), streamed one discrepancy at a time.

use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

use super::Extras;
use crate::core::detect::{Discrepancy, summary};
use crate::core::disk::{FileFacts, FileKind};
use crate::core::fmt::lossy;
use crate::core::inspect::Inspection;
use crate::core::kinds::{Fix, Kind, Severity};
use crate::core::plan::Plan;
use crate::core::rows::RowImage;

pub use crate::core::saved::SCHEMA;

/// The disk facts of one file, serialised field by field (no JSON tree in
/// between: a report may list tens of thousands).
#[derive(serde::Serialize)]
struct DiskOut<'a> {
    path: &'a str,
    size: u64,
    mtime_ms: i64,
    container: Option<&'static str>,
    complete: bool,
    duration_ms: Option<u64>,
    incomplete_reason: Option<&'a str>,
    stray_reason: Option<&'static str>,
    /// `--deep` on a codec the decoder does not know: what it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    decoder: Option<&'a str>,
}

impl<'a> DiskOut<'a> {
    fn of(f: &'a FileFacts, path: &'a str, decoder: Option<&'a str>) -> DiskOut<'a> {
        let (container, complete) = match &f.kind {
            FileKind::Cache { encoding, .. } => (Some(encoding.as_str()), f.is_complete()),
            _ => (None, false),
        };
        DiskOut {
            path,
            size: f.id.size,
            mtime_ms: f.id.mtime_ms(),
            container,
            complete,
            duration_ms: f.duration_ms(),
            incomplete_reason: f.incomplete_reason(),
            stray_reason: match &f.kind {
                FileKind::Stray { why } => Some(*why),
                _ => None,
            },
            decoder,
        }
    }
}

/// What the decoder said of a file it does not know (`--deep` only: without
/// it, no path is spelled out to look for).
fn decoder_note<'a>(ins: &'a Inspection, f: &FileFacts) -> Option<&'a str> {
    if ins.scan.decoder_notes.is_empty() { None } else { ins.scan.decoder_note(&f.path()) }
}

/// One entry of the `discrepancies` array, serialised field by field (no
/// JSON tree in between); the field order is the report's.
#[derive(serde::Serialize)]
struct DiscrepancyOut<'a> {
    id: &'a str,
    kind: Kind,
    severity: Severity,
    key: &'a Option<String>,
    file: Option<&'a str>,
    db: Option<RowImage<'a>>,
    disk: Option<DiskOut<'a>>,
    message: &'a str,
    default_fix: Option<Fix>,
    fixes: &'static [Fix],
    /// Only with `--baseline`: whether the baseline has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<bool>,
}

/// One discrepancy as the report writes it (also what `diff` lists).
pub fn discrepancy_json(ins: &Inspection, d: &Discrepancy) -> String {
    let mut out = Vec::new();
    // A file-level discrepancy shows its key's row, as in the report.
    let row = d.row.or_else(|| ins.row_index(d.key.as_deref()?));
    let _ = write_discrepancy(ins, d, None, row.and_then(|r| ins.row_values_at(r)), &mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn write_discrepancy(
    ins: &Inspection,
    d: &Discrepancy,
    known: Option<bool>,
    values: Option<Vec<crate::core::model::Value>>,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    let file = ins.file_of(d);
    let path = file.map(|f| lossy(&f.path()));
    let entry = DiscrepancyOut {
        id: &d.id,
        kind: d.kind,
        severity: d.severity(),
        key: &d.key,
        file: path.as_deref(),
        db: values.as_deref().map(|values| RowImage { names: &ins.columns.names, values }),
        disk: file.zip(path.as_deref()).map(|(f, path)| DiskOut::of(f, path, decoder_note(ins, f))),
        message: &d.message,
        default_fix: d.default_fix(),
        fixes: d.fixes(),
        known,
    };
    serde_json::to_writer(&mut *out, &entry).map_err(io::Error::from)
}

/// Writes the whole report with its findings.
pub fn write_json(ins: &Inspection, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let (_, findings) = crate::core::findings::findings_of(ins);
    write_json_with(ins, Extras { findings: &findings, ..Extras::default() }, out)
}

/// Writes the whole report; each discrepancy is serialised as it is reached.
/// `findings` follows `summary`; with a baseline, `baseline` follows it and
/// each discrepancy ends with `known`.
pub fn write_json_with(ins: &Inspection, extras: Extras, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let summary: Map<String, Json> =
        summary(&ins.found).into_iter().map(|(k, n)| (k.as_str().to_string(), Json::from(n))).collect();
    let mut head = json!({
        "schema": SCHEMA,
        "db": lossy(&ins.dump.display_rel(&ins.dump.db)),
        "cache_dir": lossy(&ins.dump.display_rel(&ins.dump.cache_dir)),
        "scanned": {
            "files": ins.scan.files.len(),
            "entries": ins.rows.len(),
            "bytes": ins.scan.bytes,
            "elapsed_ms": ins.elapsed.as_millis() as u64,
        },
        "summary": summary,
        "findings": extras.findings,
    });
    // Only when something could not be read: the report stays as it was otherwise.
    let unreadable = ins.unreadable();
    if !unreadable.is_empty() {
        head["unreadable"] =
            unreadable.iter().map(|(p, why)| json!({"path": lossy(p), "reason": why})).collect::<Vec<_>>().into();
        head["unknown_keys"] = ins.unknown_keys.into();
    }
    if let (Some(m), Some(map)) = (extras.marks, head.as_object_mut()) {
        let baseline = json!({"path": lossy(&m.path), "known": m.known_count(), "new": m.new_count()});
        map.insert("baseline".into(), baseline);
    }
    let head = serde_json::to_string_pretty(&head)?;
    // Reopen the object to append the streamed array.
    out.write_all(head.trim_end().trim_end_matches('}').trim_end().as_bytes())?;
    out.write_all(b",\n  \"discrepancies\": [")?;
    // Without rows read ahead, each discrepancy's own or key's row is read here.
    let key_rows = if extras.rows.is_none() { ins.found_rows() } else { Vec::new() };
    for (i, d) in ins.found.iter().enumerate() {
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        let values = match extras.rows {
            Some(rows) => rows.next(),
            None => key_rows[i].and_then(|r| ins.row_values_at(r as usize)),
        };
        write_discrepancy(ins, d, extras.marks.map(|m| !m.is_new(i)), values, out)?;
    }
    out.write_all(if ins.found.is_empty() { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
    Ok(())
}

/// The plan as JSON: the same operations the text shows.
pub fn write_plan_json(ins: &Inspection, plan: &Plan, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let v = json!({
        "schema": "cachescope.plan/1",
        "db": lossy(&ins.dump.display_rel(&ins.dump.db)),
        "cache_dir": lossy(&ins.dump.display_rel(&ins.dump.cache_dir)),
        "counts": plan.counts().iter().map(|(f, n)| (f.as_str().to_string(), json!(n))).collect::<Map<_, _>>(),
        "sql_statements": plan.sql_count(),
        "file_moves": plan.move_count(),
        // Why `apply` would refuse this plan without --allow-mass-change.
        "mass_change": plan.mass_change(),
        "items": plan.items,
    });
    serde_json::to_writer_pretty(&mut *out, &v)?;
    out.write_all(b"\n")
}
