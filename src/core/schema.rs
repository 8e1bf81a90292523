//! Mapping a real `cache_entries` table onto the reference schema (SPEC §2):
//! extra columns are kept, optional ones may be missing, required ones not.

use std::path::Path;

use rusqlite::Connection;

use super::error::{Error, Result};
use super::fmt::escaped;
use super::snapshot::corrupt;

pub const TABLE: &str = "cache_entries";

/// The reference schema of SPEC §2 (what `demo` writes).
pub const REFERENCE_DDL: &str = "CREATE TABLE cache_entries (
  cache_key         TEXT PRIMARY KEY NOT NULL,
  book_id           TEXT,
  chapter_index     INTEGER,
  voice_id          TEXT,
  compression_state TEXT NOT NULL,
  size_bytes        INTEGER,
  duration_ms       INTEGER,
  pinned            INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  last_used_at      INTEGER
);";
pub const REQUIRED: [&str; 2] = ["cache_key", "compression_state"];

pub use super::model::Columns;

/// Reads `PRAGMA table_info` and checks the table is usable.
pub fn read_columns(conn: &Connection, db: &Path) -> Result<Columns> {
    let kind: Option<String> = conn
        .query_row("SELECT type FROM sqlite_master WHERE lower(name) = ?1", [TABLE], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(|e| corrupt(db, &e))?;
    match kind.as_deref() {
        Some("table") => {}
        Some(other) => {
            return Err(Error::bad_input(format!(
                "in {} cache_entries is a {other}, not a table; pass the app's real cache database with --db",
                escaped(db)
            )));
        }
        None => {
            return Err(Error::bad_input(format!(
                "the database {} has no cache_entries table; pass the app's cache database with --db",
                escaped(db)
            )));
        }
    }
    let mut stmt = conn.prepare("PRAGMA table_info(cache_entries)").map_err(|e| corrupt(db, &e))?;
    let names: Vec<String> =
        stmt.query_map([], |r| r.get::<_, String>(1)).and_then(|rows| rows.collect()).map_err(|e| corrupt(db, &e))?;
    let pos = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
    for required in REQUIRED {
        if pos(required).is_none() {
            return Err(Error::bad_input(format!(
                "the cache_entries table in {} has no {required} column, which cachescope needs; point cachescope at the app's cache database (--db)",
                escaped(db)
            )));
        }
    }
    Columns::from_names(names).ok_or_else(|| Error::bad_input("cache_entries lacks a required column"))
}

/// Quotes an identifier for SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
