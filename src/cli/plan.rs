//! `cachescope plan`: the dry run.

use super::args::PlanFormat;
use super::{emit, progress, usable};
use crate::core::report::{write_plan_json, write_plan_text};
use crate::core::select::Items;
use crate::core::{Dump, Error, Options, Selection, plan};

pub fn run(dump: &Dump, selection: &Selection, items: &Items, format: PlanFormat, opts: Options) -> Result<u8, Error> {
    let ins = progress::inspect(dump, opts)?;
    usable(&ins)?;
    let plan = plan(&ins, &items.resolve(selection, &ins)?);
    emit(|out| match format {
        PlanFormat::Text => write_plan_text(&ins, &plan, out),
        PlanFormat::Json => write_plan_json(&ins, &plan, out),
    })?;
    drop(plan);
    ins.release_at_exit();
    Ok(0)
}
