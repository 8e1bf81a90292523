//! Comparing two scans (SPEC §7 `diff`), pure: discrepancies matched by
//! their stable id; rows and files compared by key and path when both
//! sides have them.

use rustc_hash::FxHashSet;

use super::key::Key;
use super::kinds::Kind;
use super::model::PathBytes;

/// One side of a comparison as plain data.
#[derive(Debug, Clone, Default)]
pub struct Side<'a> {
    /// Each discrepancy's id and kind (as a string: a saved report may hold
    /// kinds this version does not know), in the side's order.
    pub found: Vec<(&'a str, &'a str)>,
    /// How many rows and files were scanned, when known.
    pub rows: Option<u64>,
    pub files: Option<u64>,
    /// Row keys and file paths, each sorted ascending: a dump has them, a
    /// saved report does not.
    pub keys: Option<Keys<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct Keys<'a> {
    pub rows: Vec<&'a Key>,
    pub files: Vec<PathBytes<'a>>,
}

/// How a count changed between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub old: Option<u64>,
    pub new: Option<u64>,
    /// Exact, from key lists; `None` when a side is a saved report.
    pub added: Option<u64>,
    pub removed: Option<u64>,
}

impl Change {
    /// `new - old`, when both counts are known.
    pub fn net(&self) -> Option<i64> {
        Some(self.new? as i64 - self.old? as i64)
    }
    pub fn is_exact(&self) -> bool {
        self.added.is_some()
    }
}

/// Per kind: how many are new, resolved and persisting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindDiff {
    pub kind: String,
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
}

/// What changed. Indices are into the NEW side's `found` for `new` and
/// `persisting`, into the OLD side's for `resolved`, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    pub new: Vec<usize>,
    pub resolved: Vec<usize>,
    pub persisting: Vec<usize>,
    /// Every kind of [`Kind::ALL`] (zeros included), then any other kind
    /// either side holds, in order of appearance.
    pub summary: Vec<KindDiff>,
    pub rows: Change,
    pub files: Change,
}

impl Diff {
    pub fn has_new(&self) -> bool {
        !self.new.is_empty()
    }
}

/// How many of `new` are not in `old`, and of `old` not in `new`; both
/// sorted ascending without duplicates. One merge pass.
pub fn added_removed<T: Ord>(old: &[T], new: &[T]) -> (u64, u64) {
    let (mut i, mut j, mut added, mut removed) = (0, 0, 0u64, 0u64);
    while i < old.len() && j < new.len() {
        match old[i].cmp(&new[j]) {
            std::cmp::Ordering::Less => {
                removed += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                added += 1;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    (added + (new.len() - j) as u64, removed + (old.len() - i) as u64)
}

fn change<T: Ord>(old: Option<u64>, new: Option<u64>, lists: Option<(&[T], &[T])>) -> Change {
    let (added, removed) = lists.map(|(o, n)| added_removed(o, n)).unzip();
    Change { old, new, added, removed }
}

/// Compares OLD with NEW.
pub fn diff(old: &Side, new: &Side) -> Diff {
    let old_ids: FxHashSet<&str> = old.found.iter().map(|(id, _)| *id).collect();
    let new_ids: FxHashSet<&str> = new.found.iter().map(|(id, _)| *id).collect();
    let (mut fresh, mut persisting, mut resolved) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (id, _)) in new.found.iter().enumerate() {
        if old_ids.contains(id) { persisting.push(i) } else { fresh.push(i) }
    }
    for (i, (id, _)) in old.found.iter().enumerate() {
        if !new_ids.contains(id) {
            resolved.push(i);
        }
    }
    let mut summary: Vec<KindDiff> = Kind::ALL
        .iter()
        .map(|k| KindDiff { kind: k.as_str().to_string(), new: 0, resolved: 0, persisting: 0 })
        .collect();
    let mut slot = |kind: &str| -> usize {
        match summary.iter().position(|s| s.kind == kind) {
            Some(p) => p,
            None => {
                summary.push(KindDiff { kind: kind.to_string(), new: 0, resolved: 0, persisting: 0 });
                summary.len() - 1
            }
        }
    };
    let mut counts: Vec<(usize, u8)> = Vec::new();
    counts.extend(fresh.iter().map(|i| (slot(new.found[*i].1), 0)));
    counts.extend(resolved.iter().map(|i| (slot(old.found[*i].1), 1)));
    counts.extend(persisting.iter().map(|i| (slot(new.found[*i].1), 2)));
    for (s, what) in counts {
        let k = &mut summary[s];
        match what {
            0 => k.new += 1,
            1 => k.resolved += 1,
            _ => k.persisting += 1,
        }
    }
    let both = old.keys.as_ref().zip(new.keys.as_ref());
    Diff {
        rows: change(old.rows, new.rows, both.map(|(o, n)| (o.rows.as_slice(), n.rows.as_slice()))),
        files: change(old.files, new.files, both.map(|(o, n)| (o.files.as_slice(), n.files.as_slice()))),
        new: fresh,
        resolved,
        persisting,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_by_id_and_counts_every_kind() {
        let old = Side {
            found: vec![("ghost_entry:a", "ghost_entry"), ("orphaned_file:b", "orphaned_file"), ("x:1", "future_kind")],
            rows: Some(10),
            files: Some(12),
            keys: None,
        };
        let new = Side {
            found: vec![
                ("ghost_entry:a", "ghost_entry"),
                ("ghost_entry:c", "ghost_entry"),
                ("stray_file::n", "stray_file"),
            ],
            rows: Some(11),
            files: Some(12),
            keys: None,
        };
        let d = diff(&old, &new);
        assert_eq!((d.new.clone(), d.resolved.clone(), d.persisting.clone()), (vec![1, 2], vec![1, 2], vec![0]));
        assert!(d.has_new());
        assert_eq!(d.summary.len(), 9);
        assert_eq!(d.summary[1], KindDiff { kind: "ghost_entry".into(), new: 1, resolved: 0, persisting: 1 });
        assert_eq!(d.summary[8], KindDiff { kind: "future_kind".into(), new: 0, resolved: 1, persisting: 0 });
        assert_eq!(d.rows, Change { old: Some(10), new: Some(11), added: None, removed: None });
        assert_eq!(d.rows.net(), Some(1));
        assert!(!d.rows.is_exact());
        assert!(!diff(&new, &new).has_new());
    }

    fn paths<'a>(p: &[&'a [u8]]) -> Vec<PathBytes<'a>> {
        p.iter().map(|b| PathBytes::Borrowed(b)).collect()
    }

    #[test]
    fn rows_and_files_are_exact_when_both_sides_list_them() {
        let (a, b, c) = (Key::new("a"), Key::new("b"), Key::new("c"));
        let old = Side {
            rows: Some(2),
            files: Some(2),
            keys: Some(Keys { rows: vec![&a, &b], files: paths(&[b"a.wav", b"b.wav"]) }),
            ..Default::default()
        };
        let new = Side {
            rows: Some(2),
            files: Some(3),
            keys: Some(Keys { rows: vec![&b, &c], files: paths(&[b"a.wav", b"b.wav", b"c.m4a"]) }),
            ..Default::default()
        };
        let d = diff(&old, &new);
        assert_eq!(d.rows, Change { old: Some(2), new: Some(2), added: Some(1), removed: Some(1) });
        assert_eq!(d.files, Change { old: Some(2), new: Some(3), added: Some(1), removed: Some(0) });
        assert_eq!(added_removed::<u8>(&[], &[1, 2]), (2, 0));
        assert_eq!(added_removed(&[1, 3, 5], &[2, 3, 4]), (2, 2));
    }
}
