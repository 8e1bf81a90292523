//! Reading `cache_entries` into compact rows, and whole rows on demand.

use arcstr::ArcStr;
use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::model::Value;
use serde_json::{Map, Value as Json};

use super::control::{Control, Phase};
use super::error::{Error, ErrorKind, Result};
use super::key::{Key, hex_key};
use super::schema::{Columns, quote_ident};
use super::snapshot::corrupt;
use super::sort::sort_by_prefix;

pub use super::model::Row;

/// Column `i` of a result row as an owned value. Unlike `get::<Value>`, text
/// that is not valid UTF-8 (SQLite stores whatever it is given) is read
/// lossily instead of panicking.
pub fn value_at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Value> {
    Ok(owned(r.get_ref(i)?))
}

/// A borrowed value as an owned one, text read lossily (rusqlite's own
/// conversion panics on text that is not UTF-8).
pub fn owned(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Binds a value as SQLite stores it.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(n) => ValueRef::Integer(*n),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(n) => Some(n.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(s) => Some(s.clone()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Reads every row, sorted by key.
pub fn read_rows(conn: &Connection, cols: &Columns, db: &Path, ctl: &Control) -> Result<Vec<Row>> {
    let sql = format!("SELECT {} FROM cache_entries", select_list(cols));
    let mut stmt = conn.prepare(&sql).map_err(|e| corrupt(db, &e))?;
    let mut rows = stmt.query([]).map_err(|e| corrupt(db, &e))?;
    let mut out = Vec::with_capacity(estimate_rows(conn));
    let mut texts = Texts::default();
    while let Some(r) = rows.next().map_err(|e| corrupt(db, &e))? {
        out.push(row_of(r, db, &mut texts)?);
        if out.len() % 65536 == 0 {
            ctl.progress(Phase::ReadRows, out.len() as u64, None);
            if ctl.cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "reading the database was cancelled"));
            }
        }
    }
    // Already in key order when the app inserted that way.
    if !out.is_sorted_by(|a, b| a.key <= b.key) {
        sort_by_prefix(&mut out, |r| r.key.prefix(), |a, b| a.key.cmp(&b.key));
    }
    ctl.progress(Phase::ReadRows, out.len() as u64, Some(out.len() as u64));
    Ok(out)
}

/// Reads the rows of these keys only, each by a lookup on `cache_key` (its
/// primary key's index; a scan where the table has none), sorted by key.
/// A row whose key is stored as TEXT equal to the key, or as a number that
/// the column's affinity compares equal to it, is found; a key stored as a
/// BLOB, or as a number in a column without affinity, only by
/// [`read_rows`].
pub fn read_rows_for(conn: &Connection, cols: &Columns, db: &Path, keys: &[String]) -> Result<Vec<Row>> {
    let sql = format!(
        "SELECT {} FROM cache_entries WHERE {} = ?1",
        select_list(cols),
        quote_ident(&cols.names[cols.cache_key])
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| corrupt(db, &e))?;
    let mut out = Vec::new();
    let mut texts = Texts::default();
    for key in keys {
        let mut rows = stmt.query([key]).map_err(|e| corrupt(db, &e))?;
        while let Some(r) = rows.next().map_err(|e| corrupt(db, &e))? {
            let row = row_of(r, db, &mut texts)?;
            // A collation (NOCASE) may match other spellings: the full read
            // would give them to their own keys.
            if row.key == *key.as_str() {
                out.push(row);
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// The columns a [`Row`] holds, in the order [`row_of`] reads them.
fn select_list(cols: &Columns) -> String {
    let pick = |c: Option<usize>| c.map(|i| quote_ident(&cols.names[i])).unwrap_or_else(|| "NULL".into());
    format!(
        "{}, {}, {}, {}, {}, {}, {}",
        quote_ident(&cols.names[cols.cache_key]),
        quote_ident(&cols.names[cols.compression_state]),
        pick(cols.size_bytes),
        pick(cols.duration_ms),
        pick(cols.book_id),
        pick(cols.voice_id),
        pick(cols.created_at),
    )
}

/// One result row of [`select_list`] as a [`Row`], its values borrowed
/// (no allocation for what a row does not keep).
fn row_of(r: &rusqlite::Row, db: &Path, texts: &mut Texts) -> Result<Row> {
    let get = |i| r.get_ref(i).map_err(|e| corrupt(db, &e));
    let stored = get(0)?;
    let (key, raw_key) = match stored {
        // The app's keys are hex: decoded from the bytes, no text check first.
        ValueRef::Text(t) => (hex_key(t).unwrap_or_else(|| Key::new(&String::from_utf8_lossy(t))), None),
        other => {
            let stored = owned(other);
            (Key::new(&value_text(&stored).unwrap_or_default()), Some(Box::new(stored)))
        }
    };
    Ok(Row {
        key,
        raw_key,
        state: texts.get(get(1)?),
        size_bytes: owned(get(2)?).into(),
        duration_ms: owned(get(3)?).into(),
        book_id: texts.get(get(4)?),
        voice_id: texts.get(get(5)?),
        created_at: match get(6)? {
            ValueRef::Integer(n) => Some(n),
            ValueRef::Real(f) if f.is_finite() => Some(f as i64),
            _ => None,
        },
    })
}

/// About how many rows the table has, read in constant time: the largest
/// rowid, capped by what the file could hold. Growing a vector of a million
/// rows by doubling would copy them over and over.
fn estimate_rows(conn: &Connection) -> usize {
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).ok().flatten().unwrap_or(0);
    let max_rowid = one("SELECT max(rowid) FROM cache_entries");
    let room = one("PRAGMA page_count").saturating_mul(one("PRAGMA page_size")) / 32;
    max_rowid.min(room).clamp(0, 1 << 26) as usize
}

/// The texts of one read, each held once and shared by the rows; found by
/// their stored bytes, so a text seen before is not checked for UTF-8 again
/// (a million rows hold three texts each, nearly all seen before).
#[derive(Default)]
struct Texts(rustc_hash::FxHashMap<Box<[u8]>, ArcStr>);

impl Texts {
    /// A column's value as text, as [`value_text`] words it; NULL is None.
    fn get(&mut self, v: ValueRef) -> Option<ArcStr> {
        let worded;
        let bytes = match v {
            ValueRef::Null => return None,
            ValueRef::Text(t) => t,
            // A number or BLOB is held as its wording, shared like a text.
            other => {
                worded = value_text(&owned(other))?;
                worded.as_bytes()
            }
        };
        if let Some(shared) = self.0.get(bytes) {
            return Some(shared.clone());
        }
        // Valid UTF-8 (nearly always) is borrowed without building a lossy
        // copy's iterator; only invalid bytes take that path.
        let shared =
            ArcStr::from(std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes), Into::into));
        self.0.insert(bytes.into(), shared.clone());
        Some(shared)
    }
}

/// Every column of the row with `key`, in table order, as JSON values.
pub fn full_row(conn: &Connection, cols: &Columns, key: &Value) -> rusqlite::Result<Option<Map<String, Json>>> {
    row_by_key(conn, &cols.names[cols.cache_key], key)
}

/// Every column of the row whose `key_col` is `key`, by the names the table
/// has now (undo reads rows without a full schema mapping).
pub fn row_by_key(conn: &Connection, key_col: &str, key: &Value) -> rusqlite::Result<Option<Map<String, Json>>> {
    let sql = format!("SELECT * FROM cache_entries WHERE {} = ?1", quote_ident(key_col));
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let mut rows = stmt.query([key])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let mut map = Map::new();
    for (i, name) in names.into_iter().enumerate() {
        map.insert(name, value_to_json(&value_at(r, i)?));
    }
    Ok(Some(map))
}

/// Reads whole rows by key with one statement prepared for all of them:
/// for 100 000 fixes, building the query and finding it in the statement
/// cache for each row cost about as much as running it.
pub struct RowReader<'c> {
    stmt: rusqlite::Statement<'c>,
    width: usize,
}

impl<'c> RowReader<'c> {
    pub fn prepare(conn: &'c Connection, cols: &Columns) -> rusqlite::Result<RowReader<'c>> {
        Ok(RowReader { stmt: conn.prepare(&select_row(cols))?, width: cols.names.len() })
    }
    /// Every column of the row with `key`, in table order, as SQLite values.
    pub fn read(&mut self, key: &Value) -> rusqlite::Result<Option<Vec<Value>>> {
        read_values(&mut self.stmt, self.width, key)
    }
}

/// One row by key, for lookups one at a time (a `diff` report, the TUI):
/// the statement comes from the connection's cache, not parsed each time.
pub fn row_values(conn: &Connection, cols: &Columns, key: &Value) -> rusqlite::Result<Option<Vec<Value>>> {
    let mut stmt = conn.prepare_cached(&select_row(cols))?;
    read_values(&mut stmt, cols.names.len(), key)
}

fn select_row(cols: &Columns) -> String {
    format!("SELECT * FROM cache_entries WHERE {} = ?1", quote_ident(&cols.names[cols.cache_key]))
}

fn read_values(stmt: &mut rusqlite::Statement, width: usize, key: &Value) -> rusqlite::Result<Option<Vec<Value>>> {
    let mut rows = stmt.query([key])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let mut values = Vec::with_capacity(width);
    for i in 0..width {
        values.push(value_at(r, i)?);
    }
    Ok(Some(values))
}

/// A row as a JSON object (column → value) without building one in memory:
/// the same encoding as [`value_to_json`].
pub struct RowImage<'a> {
    pub names: &'a [String],
    pub values: &'a [Value],
}

impl serde::Serialize for RowImage<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.names.len()))?;
        for (name, v) in self.names.iter().zip(self.values) {
            match v {
                Value::Null => map.serialize_entry(name, &())?,
                Value::Integer(n) => map.serialize_entry(name, n)?,
                Value::Real(f) if f.is_finite() => map.serialize_entry(name, f)?,
                Value::Real(_) => map.serialize_entry(name, &())?,
                Value::Text(t) => map.serialize_entry(name, t)?,
                Value::Blob(b) => map.serialize_entry(name, &serde_json::json!({ "blob_hex": hex::encode(b) }))?,
            }
        }
        map.end()
    }
}

/// SQLite value → JSON; blobs become `{"blob_hex": "..."}` so they round-trip.
pub fn value_to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(n) => Json::from(*n),
        Value::Real(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
        Value::Text(s) => Json::String(s.clone()),
        Value::Blob(b) => serde_json::json!({ "blob_hex": hex::encode(b) }),
    }
}

/// JSON → SQLite value, the inverse of [`value_to_json`].
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(*b)),
        Json::Number(n) => n.as_i64().map(Value::Integer).unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => Value::Text(s.clone()),
        Json::Object(o) => match o.get("blob_hex").and_then(Json::as_str).and_then(|h| hex::decode(h).ok()) {
            Some(b) => Value::Blob(b),
            None => Value::Text(j.to_string()),
        },
        Json::Array(_) => Value::Text(j.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::control::Control;
    use crate::core::model::Columns;

    /// Texts come back as they read (numbers worded, bad UTF-8 replaced),
    /// and each distinct wording is held once, shared by every row that has
    /// it: the findings tell texts apart by their address.
    #[test]
    fn row_texts_are_worded_and_shared() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::core::schema::REFERENCE_DDL).unwrap();
        let insert = |key: &str, book: &str| {
            conn.execute_batch(&format!(
                "INSERT INTO cache_entries (cache_key, compression_state, book_id, voice_id, created_at) \
                 VALUES ('{key}', 'm4a', {book}, NULL, 0)"
            ))
            .unwrap();
        };
        insert("a", "'5'");
        insert("b", "5");
        insert("c", "CAST(X'ff62' AS TEXT)");
        insert("d", "CAST(X'ff62' AS TEXT)");
        insert("e", "'book'");
        let rows = read_rows(&conn, &Columns::reference(), Path::new("t.db"), &Control::none()).unwrap();
        let book = |i: usize| rows[i].book_id.clone().unwrap();
        assert_eq!(
            [&*book(0), &*book(1), &*book(2), &*book(3), &*book(4)],
            ["5", "5", "\u{fffd}b", "\u{fffd}b", "book"]
        );
        assert!(ArcStr::ptr_eq(&book(0), &book(1)), "the text '5' and the number 5 share one text");
        assert!(ArcStr::ptr_eq(&book(2), &book(3)));
        assert!(ArcStr::ptr_eq(&rows[0].state.clone().unwrap(), &rows[4].state.clone().unwrap()));
        assert_eq!(rows[0].voice_id, None);
    }
}
