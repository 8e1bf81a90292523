//! Item selectors (issue 16): exact keys and discrepancy ids, and a fix
//! chosen for one item, on top of the kind-level [`Selection`].
//!
//! The command line validates the flags' syntax; what they name is matched
//! here, against an inspection. Every name must count: a key the dump does
//! not know, an id no discrepancy has, a `--fix ID=FIX` for an item the
//! other selectors leave out, an `--id` that `--only` excludes or that has no
//! fix to apply — each is one sentence, so a script notices.
//!
//! # Meaning, exactly
//!
//! * Without `--key`/`--id`, every discrepancy is in scope (as before).
//!   With them, a discrepancy is in scope when its key is one of the keys
//!   or its id is one of the ids (a union).
//! * `--only` then keeps the kinds it names (an intersection).
//! * The fix of an item in scope: its `--fix ID=FIX`, else its kind's
//!   `--fix KIND=FIX`, else the kind's default; none (a stray) leaves it out
//!   of the plan — unless it was named by `--id`, which is an error then.
//! * `--fix ID=FIX` chooses, it does not select: it must name an item in
//!   scope. Alone, it changes one item's fix in the whole plan.

use std::collections::HashMap;

use rustc_hash::FxHashSet;

use super::detect::Discrepancy;
use super::error::{Error, Result};
use super::fmt::clean;
use super::inspect::Inspection;
use super::kinds::{Fix, Kind};
use super::plan::Selection;

/// The item selectors of `check`, `plan` and `apply`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Items {
    /// `--key` / `--keys-from`: in the order given, without repeats.
    pub keys: Vec<String>,
    /// `--id` / `--ids-from`: likewise.
    pub ids: Vec<String>,
    /// `--fix ID=FIX`: the fix chosen for one item.
    pub fixes: Vec<(String, Fix)>,
    /// A key or id selector was given, even a list file with no line in
    /// it: then nothing outside the (empty) lists is in scope, so an empty
    /// list never widens into "everything".
    pub scoped: bool,
}

impl Items {
    /// No item selector at all: the kind-level selection stands alone.
    pub fn is_empty(&self) -> bool {
        !self.restricts() && self.fixes.is_empty()
    }

    /// Keys or ids restrict the items in scope.
    pub fn restricts(&self) -> bool {
        self.scoped || !self.keys.is_empty() || !self.ids.is_empty()
    }

    /// Only keys (no ids): what `check` can answer from those keys' own
    /// files and rows (see `Inspection::open_keys`).
    pub fn keys_only(&self) -> bool {
        self.restricts() && self.ids.is_empty()
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            restricts: self.restricts(),
            keys: self.keys.iter().map(String::as_str).collect(),
            ids: self.ids.iter().map(String::as_str).collect(),
        }
    }

    /// Fails with one sentence on the first key, id or `--fix ID=FIX` that
    /// matches nothing in the inspection.
    pub fn check_matches(&self, ins: &Inspection) -> Result<()> {
        let known = known_keys(ins, &self.keys);
        let dump = ins.dump.shown();
        if let Some(key) = self.keys.iter().find(|k| !known.contains(k.as_str())) {
            return Err(Error::bad_input(format!(
                "--key '{}' matches no row and no file of the dump {dump}{}; check the key (a file name without .wav or .m4a)",
                clean(key),
                more(self.keys.iter().filter(|k| !known.contains(k.as_str())).count())
            )));
        }
        let ids: FxHashSet<&str> = ins.found.iter().map(|d| d.id.as_str()).collect();
        if let Some(id) = self.ids.iter().find(|i| !ids.contains(i.as_str())) {
            return Err(Error::bad_input(format!(
                "--id '{}' matches no discrepancy of the dump {dump}{}; ids are as `cachescope check {dump} --format json` prints them now (the dump may have changed since the list was made)",
                clean(id),
                more(self.ids.iter().filter(|i| !ids.contains(i.as_str())).count())
            )));
        }
        if let Some((id, fix)) = self.fixes.iter().find(|(i, _)| !ids.contains(i.as_str())) {
            return Err(Error::bad_input(format!(
                "--fix '{}={fix}' names no discrepancy of the dump {dump}; ids are as `cachescope check {dump} --format json` prints them now",
                clean(id)
            )));
        }
        Ok(())
    }

    /// Keeps only the discrepancies in scope (`check`): those of the keys
    /// and ids. (The matching is checked first: see [`Items::check_matches`].)
    pub fn restrict(&self, ins: &mut Inspection) {
        if !self.restricts() {
            return;
        }
        let scope = self.scope();
        ins.found.retain(|d| scope.has(d));
    }

    /// The core selection for `plan` and `apply`: exactly the items in scope,
    /// each with its fix, or the sentence that says why a named one cannot be.
    pub fn resolve(&self, base: &Selection, ins: &Inspection) -> Result<Selection> {
        if self.is_empty() {
            return Ok(base.clone());
        }
        self.check_matches(ins)?;
        let scope = self.scope();
        let kind_ok = |k: Kind| base.only.as_ref().is_none_or(|only| only.contains(&k));
        let fixes: HashMap<&str, Fix> = self.fixes.iter().map(|(i, f)| (i.as_str(), *f)).collect();
        for d in ins.found.iter().filter(|d| fixes.contains_key(d.id.as_str())) {
            let (id, fix) = (clean(&d.id), fixes[d.id.as_str()]);
            if !scope.has(d) {
                return Err(Error::bad_input(format!(
                    "--fix '{id}={fix}' names a discrepancy that --key and --id leave out; select it too with --id '{id}'"
                )));
            }
            if !kind_ok(d.kind) {
                return Err(Error::bad_input(format!(
                    "--fix '{id}={fix}' names a {}, which --only leaves out; add {} to --only",
                    d.kind, d.kind
                )));
            }
        }
        let named: FxHashSet<&str> = self.ids.iter().map(String::as_str).collect();
        if let Some(d) = ins.found.iter().find(|d| named.contains(d.id.as_str()) && !kind_ok(d.kind)) {
            return Err(Error::bad_input(format!(
                "--id '{}' is a {}, which --only leaves out; add {} to --only or drop that id",
                clean(&d.id),
                d.kind,
                d.kind
            )));
        }
        if !scope.restricts {
            // Only per-item fixes: the whole selection, those items' fixes changed.
            let mut sel = base.clone();
            sel.per_item.extend(fixes.iter().map(|(i, f)| (i.to_string(), Some(*f))));
            return Ok(sel);
        }
        let mut per_item = HashMap::new();
        for d in ins.found.iter().filter(|d| scope.has(d) && kind_ok(d.kind)) {
            let fix = fixes.get(d.id.as_str()).copied().or_else(|| base.per_kind.get(&d.kind).copied());
            match fix.or(d.default_fix()) {
                Some(fix) => {
                    per_item.insert(d.id.clone(), Some(fix));
                }
                None if named.contains(d.id.as_str()) => return Err(no_default(d)),
                None => {}
            }
        }
        // Nothing else: kinds are no longer a way in.
        Ok(Selection { only: Some(vec![]), per_kind: HashMap::new(), per_item })
    }
}

/// Which items the keys and ids let in.
struct Scope<'a> {
    restricts: bool,
    keys: FxHashSet<&'a str>,
    ids: FxHashSet<&'a str>,
}

impl Scope<'_> {
    fn has(&self, d: &Discrepancy) -> bool {
        !self.restricts || d.key.as_deref().is_some_and(|k| self.keys.contains(k)) || self.ids.contains(d.id.as_str())
    }
}

fn no_default(d: &Discrepancy) -> Error {
    let choices: Vec<String> = d.fixes().iter().map(|f| format!("--fix '{}={f}'", clean(&d.id))).collect();
    Error::bad_input(format!(
        "--id '{}' is a {}, which has no default fix; choose one with {}",
        clean(&d.id),
        d.kind,
        choices.join(" or ")
    ))
}

/// ` (and N more)` when several names match nothing.
fn more(n: usize) -> String {
    if n > 1 { format!(" (and {} more)", n - 1) } else { String::new() }
}

/// Which of `keys` the dump knows: a row or a file (cache, partial or
/// unreadable) of that key.
fn known_keys<'a>(ins: &Inspection, keys: &'a [String]) -> FxHashSet<&'a str> {
    let mut known: FxHashSet<&str> = keys.iter().filter(|k| ins.row_index(k).is_some()).map(String::as_str).collect();
    if known.len() < keys.len() {
        let wanted: FxHashSet<&str> = keys.iter().map(String::as_str).filter(|k| !known.contains(k)).collect();
        for f in &ins.scan.files {
            if let Some(k) = f.key()
                && let Some(w) = wanted.get(&*k.as_str())
            {
                known.insert(w);
            }
        }
    }
    known
}
