//! The plan as people read it along in a call, the way `terraform plan`
//! shows a change: grouped by fix with counts, one line per item — the
//! columns a row update changes (`column: before → after`), the row added
//! (`+`) or deleted (`-`), the file moved to quarantine — each group in
//! apply order. The exact statements are `plan --format sql` (`plan_text.rs`).

use crate::core::model::Value;

use crate::core::dump::STATE_DIR;
use crate::core::fmt::{clean, escaped, plural};
use crate::core::inspect::Inspection;
use crate::core::kinds::{Fix, Kind};
use crate::core::plan::{Op, Plan, PlanItem};

/// What a fix does, for its group's heading.
fn what(fix: Fix) -> &'static str {
    match fix {
        Fix::Register => "add the missing row from the file",
        Fix::MarkFailed => "mark the row failed",
        Fix::DeleteEntry => "delete the row",
        Fix::UpdateState => "set the row's state, size and duration from the file",
        Fix::UpdateSize => "set the row's size from the file",
        Fix::UpdateDuration => "set the row's duration from the file",
        Fix::Quarantine => "move the file into quarantine (never deleted)",
    }
}

/// A column value in plain words: text unquoted (control characters
/// escaped), numbers as they are, NULL as NULL.
pub fn readable_value(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(n) => n.to_string(),
        Value::Real(f) => format!("{f:?}"),
        Value::Text(s) => clean(s).into_owned(),
        Value::Blob(b) => format!("X'{}'", hex::encode(b)),
    }
}

/// Epoch milliseconds as a UTC time to the second.
fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// The readable plan, line by line (without the closing apply hint).
pub fn readable_plan_lines(ins: &Inspection, plan: &Plan) -> Vec<String> {
    if plan.is_empty() {
        return vec!["Nothing to do: no selected discrepancy has a fix.".into()];
    }
    let rel = |p: &std::path::Path| escaped(&ins.dump.display_rel(p));
    let mut out = vec![format!(
        "Plan: {} — {} (one transaction on {}), {} to quarantine. Dry run: nothing was changed.",
        plural(plan.items.len(), "fix", "fixes"),
        plural(plan.sql_count(), "row change", "row changes"),
        rel(&ins.dump.db),
        plural(plan.move_count(), "file move", "file moves"),
    )];
    for (fix, n) in plan.counts() {
        let items: Vec<&PlanItem> = plan.items.iter().filter(|i| i.fix == fix).collect();
        let mut kinds: Vec<(Kind, usize)> = vec![];
        for i in &items {
            match kinds.iter_mut().find(|(k, _)| *k == i.kind) {
                Some((_, c)) => *c += 1,
                None => kinds.push((i.kind, 1)),
            }
        }
        kinds.sort();
        let kinds: Vec<String> = kinds.iter().map(|(k, c)| format!("{k} ×{c}")).collect();
        out.push(String::new());
        out.push(format!("{fix} ×{n} ({}): {}", kinds.join(", "), what(fix)));
        let mixed = kinds.len() > 1;
        out.extend(items.into_iter().map(|i| item_line(plan, i, mixed)));
    }
    if plan.move_count() > 0 {
        out.push(String::new());
        out.push(format!(
            "Files move from the cache dir {} to {STATE_DIR}/quarantine/<batch>/ under the same relative path.",
            rel(&ins.dump.cache_dir)
        ));
    }
    out
}

/// One item: `~ key  column: before → after`, `+ key  row: …`,
/// `- key  row: …`, or `> path → .cachescope/quarantine/<batch>/`.
fn item_line(plan: &Plan, item: &PlanItem, with_kind: bool) -> String {
    let name = |i: usize| {
        plan.target
            .columns
            .as_ref()
            .and_then(|c| c.names.get(i))
            .map_or_else(|| format!("column {i}"), |n| clean(n).into_owned())
    };
    let key = item.key.as_deref().map(|k| clean(k).into_owned()).unwrap_or_default();
    let kind = if with_kind { format!("  ({})", item.kind) } else { String::new() };
    // The key column itself is in the line already.
    let key_col = plan.target.columns.as_ref().map(|c| c.cache_key);
    let times = plan.target.columns.as_ref().map_or([None, None], |c| [c.created_at, c.last_used_at]);
    let row = |cols: &[(usize, Value)]| -> String {
        let parts: Vec<String> = cols
            .iter()
            .filter(|(i, _)| Some(*i) != key_col)
            .map(|(i, v)| match v {
                // Epoch milliseconds read as a time; the SQL form has the number.
                Value::Integer(ms) if times.contains(&Some(*i)) => format!("{} {}", name(*i), utc(*ms)),
                _ => format!("{} {}", name(*i), readable_value(v)),
            })
            .collect();
        parts.join(", ")
    };
    match &item.op {
        Op::Quarantine { from, .. } => format!("  > {} → {STATE_DIR}/quarantine/<batch>/{kind}", escaped(from)),
        Op::Sql { sets, .. } => match item.fix {
            Fix::Register => format!("  + {key}  row: {}{kind}", row(&item.row_image)),
            Fix::DeleteEntry => format!("  - {key}  row: {}{kind}", row(&item.row_image)),
            _ => {
                let before = |col: usize| item.row_image.iter().find(|(i, _)| *i == col).map(|(_, v)| v);
                let changed: Vec<&(usize, Value)> = sets.iter().filter(|(i, v)| before(*i) != Some(v)).collect();
                // A fix that changes nothing visible still names what it sets.
                let shown: Vec<&(usize, Value)> = if changed.is_empty() { sets.iter().collect() } else { changed };
                let parts: Vec<String> = shown
                    .iter()
                    .map(|(i, v)| {
                        let was = before(*i).map_or_else(|| "?".to_string(), readable_value);
                        format!("{}: {was} → {}", name(*i), readable_value(v))
                    })
                    .collect();
                format!("  ~ {key}  {}{kind}", parts.join(", "))
            }
        },
    }
}
