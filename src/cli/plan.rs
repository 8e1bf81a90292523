//! `cachescope plan`: the dry run.

use super::args::PlanOutput;
use super::{emit, progress, usable};
use crate::core::report::{unplanned_hint, write_plan_json, write_plan_sql, write_plan_text};
use crate::core::select::Items;
use crate::core::{Dump, Error, Options, Selection, plan};

pub fn run(dump: &Dump, selection: &Selection, items: &Items, format: PlanOutput, opts: Options) -> Result<u8, Error> {
    let ins = progress::inspect(dump, opts)?;
    usable(&ins)?;
    let plan = plan(&ins, &items.resolve(selection, &ins)?);
    emit(|out| {
        match format {
            PlanOutput::Text => write_plan_text(&ins, &plan, out)?,
            PlanOutput::Sql => write_plan_sql(&ins, &plan, out)?,
            PlanOutput::Json => return write_plan_json(&ins, &plan, out),
        }
        match unplanned_hint(&ins, selection) {
            Some(hint) if plan.is_empty() => writeln!(out, "{hint}"),
            _ => Ok(()),
        }
    })?;
    drop(plan);
    ins.release_at_exit();
    Ok(0)
}
