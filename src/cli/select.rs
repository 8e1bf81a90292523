//! The selection flags, validated before any dump is touched: the syntax of
//! `--fix`, and the key and id lists (`--keys-from`, `--ids-from`) read
//! whole. What the keys and ids name is matched after the inspection
//! (`core::select`).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rustc_hash::FxHashSet;

use super::args::{ItemArgs, SelectArgs};
use crate::core::fmt::{clean, escaped};
use crate::core::select::Items;
use crate::core::{Error, Fix, Kind, Selection};

/// `--only` and `--fix` into a [`Selection`], and the item selectors beside it.
pub fn selection(args: &SelectArgs) -> Result<(Selection, Items), Error> {
    let kind = |s: &str| s.trim().parse::<Kind>().map_err(|e| see_help(&e.to_string()));
    let only = if args.only.is_empty() {
        None
    } else {
        Some(args.only.iter().filter(|s| !s.trim().is_empty()).map(|s| kind(s)).collect::<Result<Vec<_>, _>>()?)
    };
    let mut items = items(&args.items)?;
    let mut per_kind = HashMap::new();
    // What each `--fix ID=FIX` asked, to catch two different asks.
    let mut per_id: HashMap<&str, Fix> = HashMap::new();
    // Two different fixes for one kind or id: the order of the flags must
    // not decide (`delete_entry` is never a default).
    let twice = |what: &str, a: Fix, b: Fix| {
        Error::bad_input(format!("--fix gives {} two fixes, {a} and {b}; keep one of them", clean(what)))
    };
    for spec in &args.fix {
        // Fix names hold no `=`; an id may (a path, a key from a row).
        let Some((left, f)) = spec.rsplit_once('=') else {
            return Err(Error::bad_input(format!(
                "--fix {} is not KIND=FIX or ID=FIX (e.g. --fix ghost_entry=delete_entry)",
                clean(spec)
            )));
        };
        let fix: Fix = f.trim().parse().map_err(|e: String| see_help(&e))?;
        if let Ok(k) = left.trim().parse::<Kind>() {
            allowed(k, fix, None)?;
            if let Some(before) = per_kind.insert(k, fix).filter(|b| *b != fix) {
                return Err(twice(k.as_str(), before, fix));
            }
        } else {
            allowed(id_kind(left, "--fix")?, fix, Some(left))?;
            if let Some(before) = per_id.insert(left, fix).filter(|b| *b != fix) {
                return Err(twice(left, before, fix));
            }
            items.fixes.retain(|(i, _)| i != left);
            items.fixes.push((left.to_string(), fix));
        }
    }
    Ok((Selection { only, per_kind, per_item: HashMap::new() }, items))
}

/// The keys and ids of `--key`, `--keys-from`, `--id`, `--ids-from`, in the
/// order given, without repeats; every id's kind checked.
pub fn items(args: &ItemArgs) -> Result<Items, Error> {
    let stdin_uses = args.keys_from.iter().chain(&args.ids_from).filter(|p| p.as_os_str() == "-").count();
    if stdin_uses > 1 {
        return Err(Error::bad_input(
            "only one of --keys-from and --ids-from can read stdin (-); put the other list in a file",
        ));
    }
    let mut keys = args.key.clone();
    for path in &args.keys_from {
        keys.extend(read_list(path, "key")?);
    }
    let mut ids = args.id.clone();
    let mut fixes = vec![];
    for path in &args.ids_from {
        for line in read_list(path, "id")? {
            // `ID=FIX` (the TUI's export for an item with another fix than
            // its default); fix names hold no `=`, an id may.
            match line.rsplit_once('=').and_then(|(id, f)| Some((id, f.trim().parse::<Fix>().ok()?))) {
                Some((id, fix)) => {
                    allowed(id_kind(id, "--ids-from")?, fix, Some(id))?;
                    fixes.push((id.to_string(), fix));
                    ids.push(id.to_string());
                }
                None => ids.push(line),
            }
        }
    }
    if let Some(k) = keys.iter().find(|k| k.is_empty()) {
        return Err(Error::bad_input(format!("--key '{}' is empty; give a cache key", clean(k))));
    }
    for id in &ids {
        id_kind(id, "--id")?;
    }
    Ok(Items {
        keys: unique(keys),
        ids: unique(ids),
        fixes,
        scoped: !(args.key.is_empty() && args.keys_from.is_empty() && args.id.is_empty() && args.ids_from.is_empty()),
    })
}

/// The kind an id starts with (`kind:key[:file]`), or the sentence why it is
/// not an id.
fn id_kind(id: &str, flag: &str) -> Result<Kind, Error> {
    id.split_once(':').and_then(|(k, _)| k.parse::<Kind>().ok()).ok_or_else(|| {
        Error::bad_input(format!(
            "{flag} '{}' is not a discrepancy id (KIND:KEY[:FILE], as `cachescope check DUMP --format json` prints it) nor a kind name",
            clean(id)
        ))
    })
}

fn allowed(k: Kind, f: Fix, id: Option<&str>) -> Result<(), Error> {
    if k.fixes().contains(&f) {
        return Ok(());
    }
    let choices: Vec<&str> = k.fixes().iter().map(|f| f.as_str()).collect();
    let of = id.map_or(String::new(), |id| format!(" ('{}')", clean(id)));
    Err(Error::bad_input(format!("{f} is not a fix for {k}{of}; choose one of: {}", choices.join(", "))))
}

fn see_help(e: &str) -> Error {
    Error::bad_input(format!("{e}; see `cachescope plan --help`"))
}

fn unique(v: Vec<String>) -> Vec<String> {
    let mut seen = FxHashSet::default();
    v.into_iter().filter(|s| seen.insert(s.clone())).collect()
}

/// One entry a line, UTF-8; `\r\n` endings and empty lines are fine.
/// `-` is stdin.
fn read_list(path: &Path, what: &str) -> Result<Vec<String>, Error> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map(drop)
    };
    let shown = if path.as_os_str() == "-" { "stdin".to_string() } else { escaped(path) };
    read.map_err(|e| {
        Error::bad_input(format!(
            "could not read the {what} list {shown}: {}; check the path (one {what} a line, or - for stdin)",
            crate::core::error::plain_io(&e).to_lowercase()
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count();
        Error::bad_input(format!(
            "the {what} list {shown} is not UTF-8 text (line {line}); write one {what} a line as `cachescope check --format json` prints it"
        ))
    })?;
    Ok(text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
}
