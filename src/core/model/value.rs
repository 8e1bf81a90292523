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

/// A value as a row keeps it for a million rows: NULL and integers inline
/// (16 bytes, half a [`Value`]), anything else boxed.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Null,
    Int(i64),
    Other(Box<Value>),
}

impl From<Value> for Stored {
    fn from(v: Value) -> Stored {
        match v {
            Value::Null => Stored::Null,
            Value::Integer(n) => Stored::Int(n),
            other => Stored::Other(Box::new(other)),
        }
    }
}

impl Stored {
    /// The value as stored.
    pub fn value(&self) -> Value {
        match self {
            Stored::Null => Value::Null,
            Stored::Int(n) => Value::Integer(*n),
            Stored::Other(v) => (**v).clone(),
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Stored::Int(n) => Some(*n),
            _ => None,
        }
    }
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
