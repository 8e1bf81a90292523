//! Pure planning (SPEC §5): discrepancies and a choice per item → one ordered
//! [`Plan`] that `plan` prints, the TUI previews and `apply` executes.

use std::collections::HashMap;
use std::path::PathBuf;

use rusqlite::types::Value;
use serde::Serialize;

use super::detect::Discrepancy;
use super::disk::{Encoding, FileFacts, Identity};
use super::fmt::escaped;
use super::inspect::Inspection;
use super::kinds::{Fix, Kind};
use super::rows::Row;
use super::schema::{Columns, quote_ident};

/// Which discrepancies to fix, and how.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these kinds (all when None).
    pub only: Option<Vec<Kind>>,
    /// A fix chosen for every item of a kind (`--fix KIND=FIX`).
    pub per_kind: HashMap<Kind, Fix>,
    /// A choice for one item by id: Some(fix), or None to skip it.
    pub per_item: HashMap<String, Option<Fix>>,
}

impl Selection {
    /// The fix for one discrepancy, or None when it is not selected.
    pub fn fix_for(&self, d: &Discrepancy) -> Option<Fix> {
        if let Some(choice) = self.per_item.get(&d.id) {
            return *choice;
        }
        if self.only.as_ref().is_some_and(|only| !only.contains(&d.kind)) {
            return None;
        }
        self.per_kind.get(&d.kind).copied().or(d.default_fix())
    }
}

/// What one operation does; its SQL or move is shown exactly as run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// One SQL statement; it must change exactly one row, else the fix is
    /// stale. `sql` is shown and audited; it runs as `template` with
    /// `params` bound, the same statement with the same values.
    Sql {
        sql: String,
        #[serde(skip)]
        template: String,
        #[serde(skip)]
        params: Vec<Value>,
        /// For an UPDATE: the columns (by position) it sets, and to what.
        #[serde(skip)]
        sets: Vec<(usize, Value)>,
    },
    /// Move a file (relative to the cache dir) into the batch's quarantine.
    Quarantine {
        #[serde(serialize_with = "ser_path")]
        from: PathBuf,
        /// Where it goes, relative to `.cachescope/quarantine/<batch>/`.
        #[serde(serialize_with = "ser_path")]
        to: PathBuf,
    },
}

fn ser_path<S: serde::Serializer>(p: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string_lossy())
}

/// What must still hold at apply time for a fix to run (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Precondition {
    /// The file the fix reads or moves, as it was scanned.
    #[serde(skip)]
    pub file: Option<(PathBuf, Identity)>,
    /// Files of the key that must still be unchanged (ghost fixes).
    #[serde(skip)]
    pub unchanged: Vec<(PathBuf, Identity)>,
    /// Names that must not hold a complete file (ghost fixes).
    #[serde(skip)]
    pub absent: Vec<PathBuf>,
}

/// One chosen fix for one discrepancy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItem {
    pub id: String,
    pub kind: Kind,
    pub key: Option<String>,
    pub fix: Fix,
    pub op: Op,
    /// The key as stored in the row the fix changes (see [`Row::key_value`]).
    #[serde(skip)]
    pub row_key: Option<Value>,
    #[serde(skip)]
    pub pre: Precondition,
}

/// The ordered operations of a batch: database changes first (sorted by key),
/// then file moves (sorted by path).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub items: Vec<PlanItem>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn sql_count(&self) -> usize {
        self.items.iter().filter(|i| matches!(i.op, Op::Sql { .. })).count()
    }
    pub fn move_count(&self) -> usize {
        self.items.iter().filter(|i| matches!(i.op, Op::Quarantine { .. })).count()
    }
    /// Items per fix, in a stable order.
    pub fn counts(&self) -> Vec<(Fix, usize)> {
        Fix::ALL
            .iter()
            .map(|f| (*f, self.items.iter().filter(|i| i.fix == *f).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Why this plan needs `--allow-mass-change`, if it does (SPEC §6).
    pub fn mass_change(&self, total_rows: usize, audio_files: usize) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        if audio_files == 0 {
            return Some("the cache dir holds no audio file at all (an empty or unmounted copy?)".to_string());
        }
        let drastic = self.items.iter().filter(|i| matches!(i.fix, Fix::MarkFailed | Fix::DeleteEntry)).count();
        (total_rows > 0 && drastic * 2 > total_rows)
            .then(|| format!("it would mark failed or delete {drastic} of {total_rows} rows, more than half"))
    }
}

/// Builds the plan for a selection over an inspection.
pub fn plan(ins: &Inspection, sel: &Selection) -> Plan {
    // A key without a complete file has only incomplete ones: those are the
    // files a ghost fix must find unchanged.
    let mut incomplete: rustc_hash::FxHashMap<&str, Vec<usize>> = rustc_hash::FxHashMap::default();
    for d in ins.found.iter().filter(|d| d.kind == Kind::IncompleteFile) {
        if let (Some(k), Some(f)) = (&d.key, d.file) {
            incomplete.entry(k).or_default().push(f);
        }
    }
    let mut items: Vec<PlanItem> = ins
        .found
        .iter()
        .filter_map(|d| {
            let fix = sel.fix_for(d).filter(|f| d.fixes().contains(f))?;
            item(ins, d, fix, &incomplete)
        })
        .collect();
    items.sort_by_key(order);
    Plan { items }
}

fn order(i: &PlanItem) -> (u8, String, String) {
    match &i.op {
        Op::Sql { .. } => (0, i.key.clone().unwrap_or_default(), i.id.clone()),
        Op::Quarantine { from, .. } => (1, escaped(from), i.id.clone()),
    }
}

/// The scanned file at `path`, by binary search (files are sorted by path bytes).
fn scanned<'a>(ins: &'a Inspection, path: &std::path::Path) -> Option<&'a FileFacts> {
    use std::os::unix::ffi::OsStrExt;
    let files = &ins.scan.files;
    let i = files.partition_point(|f| f.path.as_os_str().as_bytes() < path.as_os_str().as_bytes());
    files.get(i).filter(|f| f.path == path)
}

/// `<key>.<ext>` beside `file`.
fn sibling(file: &FileFacts, ext: &str) -> Option<PathBuf> {
    let key = file.key()?;
    Some(file.path.parent().unwrap_or(std::path::Path::new("")).join(format!("{key}.{ext}")))
}

fn item(
    ins: &Inspection,
    d: &Discrepancy,
    fix: Fix,
    incomplete: &rustc_hash::FxHashMap<&str, Vec<usize>>,
) -> Option<PlanItem> {
    let cols = &ins.columns;
    let file = ins.file_of(d);
    let row = ins.row_of(d);
    let key = d.key.clone();
    let with_file = |f: &FileFacts| Some((f.path.clone(), f.id));
    let mut pre = Precondition { file: None, unchanged: vec![], absent: vec![] };
    let op = match fix {
        Fix::Quarantine => {
            let f = file?;
            pre.file = with_file(f);
            if d.kind == Kind::RedundantFile {
                // Only redundant while the m4a beside it is still there as scanned.
                if let Some(m) = sibling(f, "m4a").and_then(|p| scanned(ins, &p)) {
                    pre.unchanged.push((m.path.clone(), m.id));
                }
            }
            Op::Quarantine { from: f.path.clone(), to: f.path.clone() }
        }
        Fix::Register => {
            let f = file?;
            pre.file = with_file(f);
            expect_no_m4a(ins, &mut pre, f);
            insert_sql(cols, key.as_deref()?, f)
        }
        Fix::UpdateState | Fix::UpdateSize => {
            let (f, r) = (file?, row?);
            pre.file = with_file(f);
            expect_no_m4a(ins, &mut pre, f);
            let mut set = vec![];
            if fix == Fix::UpdateState {
                set.push(("compression_state", text(f.encoding().map_or("wav", Encoding::as_str))));
            }
            if cols.size_bytes.is_some() {
                set.push(("size_bytes", Value::Integer(f.id.size as i64)));
            }
            if fix == Fix::UpdateState && cols.duration_ms.is_some() {
                set.push(("duration_ms", f.duration_ms().map_or(Value::Null, |d| Value::Integer(d as i64))));
            }
            update_sql(cols, r, &set)
        }
        Fix::MarkFailed | Fix::DeleteEntry => {
            let r = row?;
            // A ghost is only a ghost while the key's files stay as scanned.
            for &i in incomplete.get(&*r.key.as_str()).map(Vec::as_slice).unwrap_or_default() {
                let f = &ins.scan.files[i];
                pre.unchanged.push((f.path.clone(), f.id));
            }
            let mut folders = vec![PathBuf::new()];
            folders.extend(pre.unchanged.iter().filter_map(|(p, _)| p.parent().map(PathBuf::from)));
            folders.dedup();
            for folder in folders {
                for enc in ["wav", "m4a"] {
                    let name = folder.join(format!("{}.{enc}", r.key));
                    if !pre.unchanged.iter().any(|(p, _)| *p == name) && !pre.absent.contains(&name) {
                        pre.absent.push(name);
                    }
                }
            }
            if fix == Fix::MarkFailed {
                update_sql(cols, r, &[("compression_state", text("failed"))])
            } else {
                delete_sql(cols, r)
            }
        }
    };
    let row_key = match fix {
        Fix::Register => key.clone().map(Value::Text),
        _ => row.map(Row::key_value),
    };
    Some(PlanItem { id: d.id.clone(), kind: d.kind, key, fix, op, row_key, pre })
}

/// A fix that relies on a wav being the best file is stale once a new m4a of
/// the same key appears beside it (or the incomplete one there changes).
fn expect_no_m4a(ins: &Inspection, pre: &mut Precondition, f: &FileFacts) {
    if f.encoding() == Some(Encoding::Wav)
        && let Some(m) = sibling(f, "m4a")
    {
        match scanned(ins, &m) {
            Some(there) => pre.unchanged.push((there.path.clone(), there.id)),
            None => pre.absent.push(m),
        }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A SQL literal for a value: what is shown is exactly what runs.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Blob(b) => format!("X'{}'", hex::encode(b)),
    }
}

/// `WHERE` clause matching the row only while it is as scanned
/// (compare-and-swap on the columns fixes read or write).
/// A statement built once as two texts: SQL with literal values (what the
/// plan shows and the audit records) and a template with the same values
/// bound as parameters (what runs: prepared once, cached, no parsing per row).
#[derive(Debug, Default)]
struct Sql {
    shown: String,
    template: String,
    params: Vec<Value>,
    sets: Vec<(usize, Value)>,
}

impl Sql {
    fn text(&mut self, s: &str) -> &mut Self {
        self.shown.push_str(s);
        self.template.push_str(s);
        self
    }
    fn value(&mut self, v: Value) -> &mut Self {
        self.shown.push_str(&literal(&v));
        self.params.push(v);
        self.template.push_str(&format!("?{}", self.params.len()));
        self
    }
    fn op(self) -> Op {
        Op::Sql { sql: self.shown, template: self.template, params: self.params, sets: self.sets }
    }
}

/// `WHERE` clause matching the row only while it is as scanned
/// (compare-and-swap on the columns fixes read or write).
fn guard(q: &mut Sql, cols: &Columns, r: &Row) {
    let name = |i: usize| quote_ident(&cols.names[i]);
    q.text(&format!("{} = ", name(cols.cache_key))).value(r.key_value());
    q.text(&format!(" AND {} IS ", name(cols.compression_state)))
        .value(r.state.as_deref().map_or(Value::Null, |s| Value::Text(s.to_string())));
    if let Some(i) = cols.size_bytes {
        q.text(&format!(" AND {} IS ", name(i))).value(r.size_bytes.clone());
    }
    if let Some(i) = cols.duration_ms {
        q.text(&format!(" AND {} IS ", name(i))).value(r.duration_ms.clone());
    }
}

fn update_sql(cols: &Columns, r: &Row, set: &[(&str, Value)]) -> Op {
    let pos = |c: &str| cols.names.iter().position(|n| n.eq_ignore_ascii_case(c));
    let mut q = Sql::default();
    q.text("UPDATE cache_entries SET ");
    for (n, (i, v)) in set.iter().filter_map(|(c, v)| pos(c).map(|i| (i, v))).enumerate() {
        if n > 0 {
            q.text(", ");
        }
        q.text(&format!("{} = ", quote_ident(&cols.names[i]))).value(v.clone());
        q.sets.push((i, v.clone()));
    }
    q.text(" WHERE ");
    guard(&mut q, cols, r);
    q.text(";");
    q.op()
}

fn delete_sql(cols: &Columns, r: &Row) -> Op {
    let mut q = Sql::default();
    q.text("DELETE FROM cache_entries WHERE ");
    guard(&mut q, cols, r);
    q.text(";");
    q.op()
}

/// `INSERT` of a row for an orphaned file, only while the key has no row.
fn insert_sql(cols: &Columns, key: &str, f: &FileFacts) -> Op {
    let mut names = vec![cols.cache_key, cols.compression_state];
    let mut values = vec![text(key), text(f.encoding().map_or("wav", Encoding::as_str))];
    let mut add = |col: Option<usize>, v: Value| {
        if let Some(i) = col {
            names.push(i);
            values.push(v);
        }
    };
    add(cols.size_bytes, Value::Integer(f.id.size as i64));
    add(cols.duration_ms, f.duration_ms().map_or(Value::Null, |d| Value::Integer(d as i64)));
    add(cols.created_at, Value::Integer(f.id.mtime_ms()));
    let list: Vec<String> = names.iter().map(|i| quote_ident(&cols.names[*i])).collect();
    let mut q = Sql::default();
    q.text(&format!("INSERT INTO cache_entries ({}) SELECT ", list.join(", ")));
    for (n, v) in values.into_iter().enumerate() {
        if n > 0 {
            q.text(", ");
        }
        q.value(v);
    }
    q.text(&format!(
        " WHERE NOT EXISTS (SELECT 1 FROM cache_entries WHERE {} = ",
        quote_ident(&cols.names[cols.cache_key])
    ));
    q.value(text(key)).text(");");
    q.op()
}
