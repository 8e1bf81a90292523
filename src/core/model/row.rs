//! A row of `cache_entries` as detection and the panes need it, and the
//! table's column map (SPEC §2): plain data, built from literals in tests.

use arcstr::ArcStr;

use super::value::{Stored, Value};
use crate::core::key::Key;

/// The columns detection and the panes need; the rest is read on demand.
/// Texts are shared: a million rows name a few states, voices and books,
/// each held once (16 bytes a field instead of a copy per row).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: Key,
    /// The key as stored, when it is not TEXT (an INTEGER or BLOB key in a
    /// column without TEXT affinity): statements must match that value.
    pub raw_key: Option<Box<Value>>,
    /// `compression_state` as stored; NULL and unknown strings are data.
    pub state: Option<ArcStr>,
    pub size_bytes: Stored,
    pub duration_ms: Stored,
    pub book_id: Option<ArcStr>,
    /// `voice_id` and `created_at` (epoch ms): what findings group by.
    pub voice_id: Option<ArcStr>,
    pub created_at: Option<i64>,
}

impl Row {
    /// A row with this key and state; everything else NULL (set the fields
    /// a test needs).
    pub fn new(key: &str, state: Option<&str>) -> Row {
        Row {
            key: Key::new(key),
            raw_key: None,
            state: state.map(ArcStr::from),
            size_bytes: Stored::Null,
            duration_ms: Stored::Null,
            book_id: None,
            voice_id: None,
            created_at: None,
        }
    }
    /// The same row with `size_bytes` and `duration_ms` set.
    pub fn sized(mut self, size: Option<i64>, duration_ms: Option<i64>) -> Row {
        self.size_bytes = size.map_or(Stored::Null, Stored::Int);
        self.duration_ms = duration_ms.map_or(Stored::Null, Stored::Int);
        self
    }

    /// The key as the database stores it, for `WHERE cache_key = ?`.
    pub fn key_value(&self) -> Value {
        self.raw_key.as_deref().cloned().unwrap_or_else(|| Value::Text(self.key.to_string()))
    }

    pub fn state_str(&self) -> &str {
        self.state.as_deref().unwrap_or("NULL")
    }
    pub fn size(&self) -> Option<i64> {
        self.size_bytes.int()
    }
    /// `duration_ms` when it is a known, non-negative integer.
    pub fn duration(&self) -> Option<u64> {
        self.duration_ms.int().filter(|n| *n >= 0).map(|n| n as u64)
    }
}

/// Which reference columns the table has, by position; every column's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub names: Vec<String>,
    pub cache_key: usize,
    pub compression_state: usize,
    pub book_id: Option<usize>,
    pub chapter_index: Option<usize>,
    pub voice_id: Option<usize>,
    pub size_bytes: Option<usize>,
    pub duration_ms: Option<usize>,
    pub pinned: Option<usize>,
    pub created_at: Option<usize>,
    pub last_used_at: Option<usize>,
}

impl Columns {
    /// The map of a table with these columns, in this order; None when a
    /// required column (`cache_key`, `compression_state`) is missing.
    pub fn from_names(names: Vec<String>) -> Option<Columns> {
        let pos = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
        Some(Columns {
            cache_key: pos("cache_key")?,
            compression_state: pos("compression_state")?,
            book_id: pos("book_id"),
            chapter_index: pos("chapter_index"),
            voice_id: pos("voice_id"),
            size_bytes: pos("size_bytes"),
            duration_ms: pos("duration_ms"),
            pinned: pos("pinned"),
            created_at: pos("created_at"),
            last_used_at: pos("last_used_at"),
            names,
        })
    }

    /// The reference schema's columns (SPEC §2), in its order.
    pub fn reference() -> Columns {
        let names = [
            "cache_key",
            "book_id",
            "chapter_index",
            "voice_id",
            "compression_state",
            "size_bytes",
            "duration_ms",
            "pinned",
            "created_at",
            "last_used_at",
        ];
        Columns::from_names(names.map(String::from).to_vec()).unwrap_or_else(|| unreachable!("both required columns"))
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}
