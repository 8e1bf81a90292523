//! Pure planning (SPEC §5): discrepancies and a choice per item → one ordered
//! [`Plan`] that `plan` prints, the TUI previews and `apply` executes.

use std::collections::HashMap;
use std::path::PathBuf;

use super::model::{Columns, Encoding, FileFacts, Identity, Row, Value};
use serde::Serialize;

use super::detect::Discrepancy;
use super::fmt::escaped;
use super::inspect::Inspection;
use super::kinds::{Fix, Kind};
use super::sql::Sql;

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
    /// For readable plans: the row's columns (by position) as scanned —
    /// what an UPDATE or DELETE's guard holds — or, for an INSERT, the
    /// values it writes. Empty for file moves.
    #[serde(skip)]
    pub row_image: Vec<(usize, Value)>,
}

/// The ordered operations of a batch: database changes first (sorted by key),
/// then file moves (sorted by path). Self-contained: it carries everything
/// apply needs (where the database and cache dir are, the table's columns,
/// the guard's counts, each fix's preconditions), so the plan a user
/// previewed is exactly the plan applied, with no second scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    /// Where it applies: the database and the cache dir it was made for.
    #[serde(skip)]
    pub target: Target,
}

/// What a plan was made against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub db: PathBuf,
    pub cache_dir: PathBuf,
    /// Every column of `cache_entries`, in table order (row images use them).
    pub columns: Option<Columns>,
    /// Rows in the table and audio files in the cache dir when planned: the
    /// blast-radius guard's measure.
    pub total_rows: usize,
    pub audio_files: usize,
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
    pub fn mass_change(&self) -> Option<String> {
        let (total_rows, audio_files) = (self.target.total_rows, self.target.audio_files);
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
    let target = Target {
        db: ins.dump.db.clone(),
        cache_dir: ins.dump.cache_dir.clone(),
        columns: Some(ins.columns.clone()),
        total_rows: ins.rows.len(),
        audio_files: ins.scan.audio_files(),
    };
    Plan { items, target }
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
    let i = files.partition_point(|f| f.path().as_os_str().as_bytes() < path.as_os_str().as_bytes());
    files.get(i).filter(|f| f.path() == path)
}

/// `<key>.<ext>` beside `file`.
fn sibling(file: &FileFacts, ext: &str) -> Option<PathBuf> {
    let key = file.key()?;
    Some(file.path().parent().unwrap_or(std::path::Path::new("")).join(format!("{key}.{ext}")))
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
    let with_file = |f: &FileFacts| Some((f.path().into_owned(), f.id));
    let mut pre = Precondition { file: None, unchanged: vec![], absent: vec![] };
    let op = match fix {
        Fix::Quarantine => {
            let f = file?;
            pre.file = with_file(f);
            if d.kind == Kind::RedundantFile {
                // Only redundant while the m4a beside it is still there as scanned.
                if let Some(m) = sibling(f, "m4a").and_then(|p| scanned(ins, &p)) {
                    pre.unchanged.push((m.path().into_owned(), m.id));
                }
            }
            Op::Quarantine { from: f.path().into_owned(), to: f.path().into_owned() }
        }
        Fix::Register => {
            let f = file?;
            pre.file = with_file(f);
            expect_no_m4a(ins, &mut pre, f);
            insert_sql(cols, key.as_deref()?, f)
        }
        Fix::UpdateState | Fix::UpdateSize | Fix::UpdateDuration => {
            let (f, r) = (file?, row?);
            pre.file = with_file(f);
            expect_no_m4a(ins, &mut pre, f);
            let set = match fix {
                Fix::UpdateState => vec![
                    (Some(cols.compression_state), text(f.encoding().map_or("wav", Encoding::as_str))),
                    (cols.size_bytes, Value::Integer(f.id.size as i64)),
                    (cols.duration_ms, duration_value(f)),
                ],
                Fix::UpdateSize => vec![(cols.size_bytes, Value::Integer(f.id.size as i64))],
                _ => vec![(cols.duration_ms, duration_value(f))],
            };
            update_sql(cols, r, &set)
        }
        Fix::MarkFailed | Fix::DeleteEntry => {
            let r = row?;
            // A ghost is only a ghost while the key's files stay as scanned.
            for &i in incomplete.get(&*r.key.as_str()).map(Vec::as_slice).unwrap_or_default() {
                let f = &ins.scan.files[i];
                pre.unchanged.push((f.path().into_owned(), f.id));
            }
            let mut folders = vec![PathBuf::new()];
            folders.extend(pre.unchanged.iter().filter_map(|(p, _)| p.parent().map(PathBuf::from)));
            folders.dedup();
            for folder in folders {
                for enc in ["wav", "m4a"] {
                    let name = folder.join(format!("{}.{enc}", r.key));
                    if pre.unchanged.iter().any(|(p, _)| *p == name) || pre.absent.contains(&name) {
                        continue;
                    }
                    // Whatever the scan saw at that name (a FIFO, a device
                    // node, a link: not a complete file) must stay as it was;
                    // nothing there must stay nothing.
                    match scanned(ins, &name) {
                        Some(there) => pre.unchanged.push((there.path().into_owned(), there.id)),
                        None => pre.absent.push(name),
                    }
                }
            }
            if fix == Fix::MarkFailed {
                update_sql(cols, r, &[(Some(cols.compression_state), text("failed"))])
            } else {
                delete_sql(cols, r)
            }
        }
    };
    let row_key = match fix {
        Fix::Register => key.clone().map(Value::Text),
        _ => row.map(Row::key_value),
    };
    let row_image = match (fix, row, file) {
        (Fix::Quarantine, _, _) => vec![],
        (Fix::Register, _, Some(f)) => key.as_deref().map(|k| inserted(cols, k, f)).unwrap_or_default(),
        (_, Some(r), _) => guard_columns(cols, r),
        _ => vec![],
    };
    Some(PlanItem { id: d.id.clone(), kind: d.kind, key, fix, op, row_key, pre, row_image })
}

/// A fix that relies on a wav being the best file is stale once a new m4a of
/// the same key appears beside it (or the incomplete one there changes).
fn expect_no_m4a(ins: &Inspection, pre: &mut Precondition, f: &FileFacts) {
    if f.encoding() == Some(Encoding::Wav)
        && let Some(m) = sibling(f, "m4a")
    {
        match scanned(ins, &m) {
            Some(there) => pre.unchanged.push((there.path().into_owned(), there.id)),
            None => pre.absent.push(m),
        }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The compare-and-swap guard of a row: the key, then every column a fix
/// reads or writes, as scanned.
fn guard_of<'c>(cols: &'c Columns, r: &Row) -> Vec<(&'c str, Value)> {
    guard_columns(cols, r).into_iter().map(|(i, v)| (cols.names[i].as_str(), v)).collect()
}

/// The guard's columns by position, with their scanned values.
fn guard_columns(cols: &Columns, r: &Row) -> Vec<(usize, Value)> {
    let mut g =
        vec![(cols.cache_key, r.key_value()), (cols.compression_state, r.state.as_deref().map_or(Value::Null, text))];
    if let Some(i) = cols.size_bytes {
        g.push((i, r.size_bytes.value()));
    }
    if let Some(i) = cols.duration_ms {
        g.push((i, r.duration_ms.value()));
    }
    g
}

fn op(q: Sql) -> Op {
    Op::Sql { sql: q.shown, template: q.template, params: q.params, sets: q.sets }
}

fn update_sql(cols: &Columns, r: &Row, set: &[(Option<usize>, Value)]) -> Op {
    let set: Vec<(usize, Value)> = set.iter().filter_map(|(c, v)| c.map(|i| (i, v.clone()))).collect();
    let named: Vec<(&str, Value)> = set.iter().map(|(i, v)| (cols.names[*i].as_str(), v.clone())).collect();
    let mut q = Sql::update(&named, &guard_of(cols, r));
    q.sets = set;
    op(q)
}

fn delete_sql(cols: &Columns, r: &Row) -> Op {
    op(Sql::delete(&guard_of(cols, r)))
}

/// `INSERT` of a row for an orphaned file, only while the key has no row.
fn insert_sql(cols: &Columns, key: &str, f: &FileFacts) -> Op {
    let values: Vec<(&str, Value)> =
        inserted(cols, key, f).into_iter().map(|(i, v)| (cols.names[i].as_str(), v)).collect();
    op(Sql::insert(&values))
}

/// The columns (by position) and values `register` writes; the key first.
fn inserted(cols: &Columns, key: &str, f: &FileFacts) -> Vec<(usize, Value)> {
    let mut values =
        vec![(cols.cache_key, text(key)), (cols.compression_state, text(f.encoding().map_or("wav", Encoding::as_str)))];
    let mut add = |col: Option<usize>, v: Value| {
        if let Some(i) = col {
            values.push((i, v));
        }
    };
    add(cols.size_bytes, Value::Integer(f.id.size as i64));
    add(cols.duration_ms, duration_value(f));
    add(cols.created_at, Value::Integer(f.id.mtime_ms()));
    values
}

/// A file's duration for the table: NULL when it cannot be known, never 0.
fn duration_value(f: &FileFacts) -> Value {
    f.duration_ms().map_or(Value::Null, |d| Value::Integer(d as i64))
}

#[cfg(test)]
mod tests;
