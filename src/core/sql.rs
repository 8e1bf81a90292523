//! The one SQL builder for plan, apply and undo: each statement is built once
//! as two texts — with literal values (what the plan shows and the audit
//! records) and as a template with the same values bound as parameters (what
//! runs: prepared once, cached, no parsing per row). Shown and run can never
//! disagree.

use super::model::Value;

pub use super::schema::quote_ident;

/// A SQL literal for a value. Text holding control characters is spelled
/// with `char()` (`'a' || char(10) || 'b'`): still exactly the same value,
/// but nothing raw reaches a terminal that shows the statement.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(s) => text_literal(s),
        Value::Blob(b) => format!("X'{}'", hex::encode(b)),
    }
}

fn text_literal(s: &str) -> String {
    if !s.chars().any(super::fmt::is_unsafe_char) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if super::fmt::is_unsafe_char(c) {
            if !run.is_empty() {
                parts.push(format!("'{}'", std::mem::take(&mut run).replace('\'', "''")));
            }
            parts.push(format!("char({})", u32::from(c)));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        parts.push(format!("'{}'", run.replace('\'', "''")));
    }
    format!("({})", parts.join(" || "))
}

/// A statement being built: shown text, template, parameters, and for an
/// UPDATE the columns (by position) it sets and to what.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Sql {
    pub shown: String,
    pub template: String,
    pub params: Vec<Value>,
    pub sets: Vec<(usize, Value)>,
}

impl Sql {
    pub fn new() -> Sql {
        Sql::default()
    }
    /// SQL text, the same in both forms.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.shown.push_str(s);
        self.template.push_str(s);
        self
    }
    /// A value: a literal in the shown form, a parameter in the template.
    pub fn value(&mut self, v: Value) -> &mut Self {
        self.shown.push_str(&literal(&v));
        self.params.push(v);
        self.template.push_str(&format!("?{}", self.params.len()));
        self
    }
    /// `"col" IS value`, the compare-and-swap test of one column.
    pub fn is(&mut self, col: &str, v: Value) -> &mut Self {
        self.text(&format!("{} IS ", quote_ident(col))).value(v)
    }

    /// Runs the template with its parameters through the statement cache.
    pub fn execute(&self, conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        conn.prepare_cached(&self.template)?.execute(rusqlite::params_from_iter(self.params.iter()))
    }

    /// `UPDATE cache_entries SET a = ?, … WHERE <guard>;` with `set` given as
    /// (column name, value) and `guard` as (column name, value) pairs tested
    /// with `IS` (the first is the key, tested with `=`).
    pub fn update(set: &[(&str, Value)], guard: &[(&str, Value)]) -> Sql {
        let mut q = Sql::new();
        q.text("UPDATE cache_entries SET ");
        for (n, (c, v)) in set.iter().enumerate() {
            if n > 0 {
                q.text(", ");
            }
            q.text(&format!("{} = ", quote_ident(c))).value(v.clone());
        }
        q.text(" WHERE ");
        q.guard(guard);
        q.text(";");
        q
    }

    /// `DELETE FROM cache_entries WHERE <guard>;`
    pub fn delete(guard: &[(&str, Value)]) -> Sql {
        let mut q = Sql::new();
        q.text("DELETE FROM cache_entries WHERE ");
        q.guard(guard);
        q.text(";");
        q
    }

    /// `INSERT INTO cache_entries (cols) SELECT values WHERE NOT EXISTS (a row
    /// with this key);` — the first column is the key.
    pub fn insert(cols: &[(&str, Value)]) -> Sql {
        let mut q = Sql::new();
        let names: Vec<String> = cols.iter().map(|(c, _)| quote_ident(c)).collect();
        q.text(&format!("INSERT INTO cache_entries ({}) SELECT ", names.join(", ")));
        for (n, (_, v)) in cols.iter().enumerate() {
            if n > 0 {
                q.text(", ");
            }
            q.value(v.clone());
        }
        if let Some((key_col, key)) = cols.first() {
            q.text(&format!(" WHERE NOT EXISTS (SELECT 1 FROM cache_entries WHERE {} = ", quote_ident(key_col)));
            q.value(key.clone()).text(")");
        }
        q.text(";");
        q
    }

    /// `key = ? AND a IS ? AND …`: the row only while it is as expected.
    fn guard(&mut self, guard: &[(&str, Value)]) {
        for (n, (c, v)) in guard.iter().enumerate() {
            if n == 0 {
                self.text(&format!("{} = ", quote_ident(c))).value(v.clone());
            } else {
                self.text(" AND ").is(c, v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_and_template_carry_the_same_values() {
        let q = Sql::update(
            &[("compression_state", Value::Text("failed".into()))],
            &[("cache_key", Value::Text("k'1".into())), ("size_bytes", Value::Null)],
        );
        assert_eq!(
            q.shown,
            "UPDATE cache_entries SET \"compression_state\" = 'failed' WHERE \"cache_key\" = 'k''1' AND \"size_bytes\" IS NULL;"
        );
        assert_eq!(
            q.template,
            "UPDATE cache_entries SET \"compression_state\" = ?1 WHERE \"cache_key\" = ?2 AND \"size_bytes\" IS ?3;"
        );
        assert_eq!(q.params.len(), 3);
    }

    #[test]
    fn control_characters_never_appear_raw_but_the_value_is_the_same() {
        let v = Value::Text("a\u{1b}[2J\nb'".into());
        let lit = literal(&v);
        assert!(!lit.chars().any(|c| c.is_control()), "{lit}");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let back: String = conn.query_row(&format!("SELECT {lit}"), [], |r| r.get(0)).unwrap();
        assert_eq!(Value::Text(back), v);
    }
}
