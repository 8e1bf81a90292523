//! `cachescope plan`: the dry run, and the selection flags it shares with apply.

use std::collections::HashMap;

use super::args::{PlanFormat, SelectArgs};
use super::{emit, progress, usable};
use crate::core::report::{write_plan_json, write_plan_text};
use crate::core::{Dump, Error, Fix, Kind, Options, Selection, plan};

pub fn run(dump: &Dump, select: &SelectArgs, format: PlanFormat, opts: Options) -> Result<u8, Error> {
    let selection = selection(select)?;
    let ins = progress::inspect(dump, opts)?;
    usable(&ins)?;
    let plan = plan(&ins, &selection);
    emit(|out| match format {
        PlanFormat::Text => write_plan_text(&ins, &plan, out),
        PlanFormat::Json => write_plan_json(&ins, &plan, out),
    })?;
    drop(plan);
    ins.release_at_exit();
    Ok(0)
}

/// `--only` and `--fix` into a validated [`Selection`].
pub fn selection(args: &SelectArgs) -> Result<Selection, Error> {
    let kind =
        |s: &str| s.trim().parse::<Kind>().map_err(|e| Error::bad_input(format!("{e}; see `cachescope plan --help`")));
    let only = if args.only.is_empty() {
        None
    } else {
        Some(args.only.iter().filter(|s| !s.trim().is_empty()).map(|s| kind(s)).collect::<Result<Vec<_>, _>>()?)
    };
    let mut per_kind = HashMap::new();
    for spec in &args.fix {
        let Some((k, f)) = spec.split_once('=') else {
            return Err(Error::bad_input(format!(
                "--fix {spec} is not KIND=FIX (e.g. --fix ghost_entry=delete_entry)"
            )));
        };
        let k = kind(k)?;
        let f: Fix = f.trim().parse().map_err(|e| Error::bad_input(format!("{e}; see `cachescope plan --help`")))?;
        if !k.fixes().contains(&f) {
            let allowed: Vec<&str> = k.fixes().iter().map(|f| f.as_str()).collect();
            return Err(Error::bad_input(format!("{f} is not a fix for {k}; choose one of: {}", allowed.join(", "))));
        }
        per_kind.insert(k, f);
    }
    Ok(Selection { only, per_kind, per_item: HashMap::new() })
}
