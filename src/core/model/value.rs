//! A column's value as SQLite stores it — NULL, integer, real, text or
//! blob — as plain data. The database layer converts at its edge.

/// One stored value (SQLite's five storage classes).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }
    /// The value as words, None for NULL (blobs read lossily).
    pub fn words(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Integer(n) => Some(n.to_string()),
            Value::Real(f) => Some(f.to_string()),
            Value::Text(s) => Some(s.clone()),
            Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        }
    }
}
