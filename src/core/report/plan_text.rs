//! The plan as text: exactly the SQL and moves apply would run.

use std::io::{self, Write};
use std::path::Path;

use crate::core::dump::STATE_DIR;
use crate::core::fmt::{clean, escaped};
use crate::core::inspect::Inspection;
use crate::core::plan::{Op, Plan};

/// Where a quarantined file goes, for display (`<batch>` until applied).
pub fn quarantine_display(to: &Path) -> String {
    format!("{STATE_DIR}/quarantine/<batch>/{}", escaped(to))
}

pub fn write_plan_text(ins: &Inspection, plan: &Plan, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    if plan.is_empty() {
        writeln!(out, "Nothing to do: no selected discrepancy has a fix.")?;
        return Ok(());
    }
    let counts: Vec<String> = plan.counts().iter().map(|(f, n)| format!("{f} ×{n}")).collect();
    writeln!(
        out,
        "Plan: {} fixes — {} SQL statements, {} file moves ({}). Dry run: nothing was changed.",
        plan.items.len(),
        plan.sql_count(),
        plan.move_count(),
        counts.join(", ")
    )?;
    if plan.sql_count() > 0 {
        writeln!(
            out,
            "\n-- in one transaction on {}, each with its cache_audit row:",
            escaped(&ins.dump.display_rel(&ins.dump.db))
        )?;
        for item in &plan.items {
            if let Op::Sql { sql, .. } = &item.op {
                writeln!(out, "{sql}  -- {}", clean(&item.id))?;
            }
        }
    }
    if plan.move_count() > 0 {
        writeln!(
            out,
            "\n-- file moves (never deleted), cache dir {}:",
            escaped(&ins.dump.display_rel(&ins.dump.cache_dir))
        )?;
        for item in &plan.items {
            if let Op::Quarantine { from, to } = &item.op {
                writeln!(out, "mv {} -> {}  -- {}", escaped(from), quarantine_display(to), item.fix)?;
            }
        }
    }
    writeln!(out, "\nApply it with `cachescope apply {} --yes` (same selection flags).", escaped(&ins.dump.root))?;
    Ok(())
}
