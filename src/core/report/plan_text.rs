//! The plan as text: readable (the default, `plan_readable.rs`) or exactly
//! the SQL and moves apply would run (`plan --format sql`).

use std::io::{self, Write};
use std::path::Path;

use crate::core::dump::STATE_DIR;
use crate::core::fmt::{clean, escaped, plural};
use crate::core::inspect::Inspection;
use crate::core::plan::{Op, Plan};

/// Where a quarantined file goes, for display (`<batch>` until applied).
pub fn quarantine_display(to: &Path) -> String {
    format!("{STATE_DIR}/quarantine/<batch>/{}", escaped(to))
}

/// The readable plan and how to apply it (`cachescope plan`'s default).
pub fn write_plan_text(ins: &Inspection, plan: &Plan, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    for line in super::plan_readable::readable_plan_lines(ins, plan) {
        writeln!(out, "{line}")?;
    }
    if !plan.is_empty() {
        writeln!(out, "\n{}", apply_hint(ins, plan))?;
    }
    Ok(())
}

/// How to apply the plan: with `--allow-mass-change`, and why, when the
/// blast-radius guard would refuse it. Never the repository's own bundled
/// demo (`assets/demo`, tracked in git): for it, the way to a copy first.
pub fn apply_hint(ins: &Inspection, plan: &Plan) -> String {
    let (flags, guard) = match plan.mass_change() {
        Some(why) => (
            "--yes --allow-mass-change",
            format!("The blast-radius guard refuses this plan unless asked: {why}; check the dump first. "),
        ),
        None => ("--yes", String::new()),
    };
    if let Some(archive) = &ins.dump.archive {
        return format!(
            "{guard}This dump is read from an archive, which cannot be changed: unpack it with `cachescope extract {} \
             DIR`, then `cachescope apply DIR {flags}` (same selection flags).",
            escaped(archive)
        );
    }
    let root = &ins.dump.root;
    let bundled = root.ends_with("assets/demo")
        && root.parent().and_then(|a| a.parent()).is_some_and(|repo| repo.join("Cargo.toml").is_file());
    if bundled {
        return format!(
            "This is the repository's bundled demo (tracked in git): apply to a copy, `cp -r {} /tmp/demo` or a fresh \
             `cachescope demo /tmp/demo`, then `cachescope apply /tmp/demo {flags}` (same selection flags).",
            escaped(root)
        );
    }
    format!("{guard}Apply it with `cachescope apply {} {flags}` (same selection flags).", escaped(root))
}

/// Exactly the SQL statements and file moves apply would run, in order.
pub fn write_plan_sql(ins: &Inspection, plan: &Plan, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    if plan.is_empty() {
        writeln!(out, "Nothing to do: no selected discrepancy has a fix.")?;
        return Ok(());
    }
    let counts: Vec<String> = plan.counts().iter().map(|(f, n)| format!("{f} ×{n}")).collect();
    writeln!(
        out,
        "Plan: {} — {}, {} ({}). Dry run: nothing was changed.",
        plural(plan.items.len(), "fix", "fixes"),
        plural(plan.sql_count(), "SQL statement", "SQL statements"),
        plural(plan.move_count(), "file move", "file moves"),
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
    writeln!(out, "\n{}", apply_hint(ins, plan))?;
    Ok(())
}

/// Why a plan left out what was asked for: kinds with no default fix (stray
/// files) are only planned with `--fix KIND=FIX`. None when nothing was.
pub fn unplanned_hint(ins: &Inspection, sel: &crate::core::plan::Selection) -> Option<String> {
    let mut parts = vec![];
    for kind in crate::core::kinds::Kind::ALL {
        if kind.default_fix().is_some()
            || sel.per_kind.contains_key(&kind)
            || sel.only.as_ref().is_some_and(|only| !only.contains(&kind))
        {
            continue;
        }
        let n = ins.found.iter().filter(|d| d.kind == kind && !sel.per_item.contains_key(&d.id)).count();
        if let (true, Some(fix)) = (n > 0, kind.fixes().first()) {
            parts.push(format!("{n} {kind} (no default fix: add `--fix {kind}={fix}`)"));
        }
    }
    (!parts.is_empty()).then(|| format!("Not planned: {}.", parts.join(", ")))
}
