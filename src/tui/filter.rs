//! The filter (`/`) as a pure function: a query over an inspection gives
//! the lists each pane shows. It runs on a worker and stops as soon as a
//! newer keystroke makes it moot, so typing never waits on it.

use fixedbitset::FixedBitSet;

use crate::core::Inspection;
use crate::core::disk::FileFacts;
use crate::core::key::{Key, KeyStr};
use crate::core::kinds::Kind;
use crate::core::model::PathBytes;

use super::index::{Index, path_term};
use super::msg::Visible;

/// Every file, row and discrepancy: the lists of an empty filter.
pub fn everything(ins: &Inspection) -> Visible {
    [(0..ins.scan.files.len()).collect(), (0..ins.rows.len()).collect(), (0..ins.found.len()).collect()]
}

/// The lists for `query` (by key substring, kind name or path, any case).
/// `within` narrows lists computed for a prefix of the query, or a group
/// filter's lists (an empty query gives them as they are); None when
/// `cancelled` said stop.
pub fn visible(
    ins: &Inspection,
    index: &Index,
    query: &str,
    within: Option<&Visible>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Visible> {
    let q = query.to_lowercase();
    if q.is_empty() {
        return Some(within.cloned().unwrap_or_else(|| everything(ins)));
    }
    let candidates = |p: usize, len: usize| -> Vec<usize> {
        match within {
            Some(w) => w[p].clone(),
            None => (0..len).collect(),
        }
    };
    // The app's keys and names are matched in place, without an allocation.
    let finder = memchr::memmem::Finder::new(q.as_bytes());
    // The query is lower case: a raw hit is a hit; only a miss on a name
    // with upper-case bytes needs a second look.
    let has = |s: &str| {
        finder.find(s.as_bytes()).is_some()
            || (s.bytes().any(|b| b.is_ascii_uppercase()) && finder.find(s.to_ascii_lowercase().as_bytes()).is_some())
    };
    // The app's keys are lower-case hex, spelled out on the stack.
    let key_has = |k: &Key| match k.as_str() {
        KeyStr::Hex(text) => finder.find(&text).is_some(),
        KeyStr::Text(text) => has(text),
    };
    let path_has = |f: &FileFacts| {
        // The app's own names are spelled from the key on the stack, and
        // are lower-case hex and a dot: a raw hit or miss is the answer.
        // Other paths as `path_term` gives them (borrowed when plain).
        match f.path_bytes() {
            PathBytes::Top(name) => finder.find(&name).is_some(),
            PathBytes::Borrowed(_) => finder.find(path_term(f).as_bytes()).is_some(),
        }
    };
    let kinds: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.as_str().contains(&q)).collect();
    let mut disc = candidates(2, ins.found.len());
    disc.retain(|&i| {
        let (key, path) = index.disc_terms(i);
        kinds.contains(&ins.found[i].kind)
            || finder.find(key.as_bytes()).is_some()
            || finder.find(path.as_bytes()).is_some()
    });
    if cancelled() {
        return None;
    }
    // Files and rows of the matching discrepancies stay visible too.
    let (files, rows) = (&ins.scan.files, &ins.rows);
    // Bits, not bytes: 128 KB for a million items, where a fresh megabyte
    // is 256 pages to fault in (slow after the terminal sat idle).
    let (files_of, rows_of) = linked(ins, index, &disc);
    let mark = |items: Vec<usize>, len: usize| {
        let mut set = FixedBitSet::with_capacity(len);
        set.extend(items);
        set
    };
    let (file_mark, row_mark) = (mark(files_of, files.len()), mark(rows_of, rows.len()));
    // The two long lists are filtered at once, one per core, in chunks that
    // look at the cancel flag between them. The first keystroke filters
    // every item without listing them first (a million indices are 8 MB of
    // fresh memory to fault in).
    let keep = |p: usize, len: usize, test: &(dyn Fn(usize) -> bool + Sync)| -> Option<Vec<usize>> {
        // Room for every candidate up front: no copies as the list grows.
        let mut out = Vec::with_capacity(within.map_or(len, |w| w[p].len()));
        let mut chunk = |items: &mut dyn Iterator<Item = usize>| {
            out.extend(items.filter(|&i| test(i)));
            !cancelled()
        };
        let whole = match within {
            Some(w) => w[p].chunks(65_536).all(|c| chunk(&mut c.iter().copied())),
            None => (0..len).step_by(65_536).all(|s| chunk(&mut (s..len.min(s + 65_536)))),
        };
        whole.then_some(out)
    };
    let (disk, rows) = std::thread::scope(|s| {
        let disk = s.spawn(|| keep(0, files.len(), &|i| file_mark.contains(i) || path_has(&files[i])));
        let rows = keep(1, rows.len(), &|i| {
            let r = &rows[i];
            row_mark.contains(i) || key_has(&r.key) || has(r.state_str())
        });
        (disk.join().ok().flatten(), rows)
    });
    Some([disk?, rows?, disc])
}

/// The files and rows of some discrepancies (ascending, each once): its
/// file, and its row or its key's row. What keeps a file or row visible
/// under the text filter, and what a group filter shows (`group.rs`).
pub fn linked(ins: &Inspection, index: &Index, discs: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut files = Vec::new();
    let mut rows = Vec::new();
    for &i in discs {
        let d = &ins.found[i];
        files.extend(d.file);
        rows.extend(index.row_of_disc(i));
    }
    for list in [&mut files, &mut rows] {
        list.sort_unstable();
        list.dedup();
    }
    (files, rows)
}

/// The lists of a group filter: exactly these discrepancies (ascending),
/// with their files and rows.
pub fn of_discrepancies(ins: &Inspection, index: &Index, mut discs: Vec<usize>) -> Visible {
    discs.sort_unstable();
    discs.dedup();
    let (files, rows) = linked(ins, index, &discs);
    [files, rows, discs]
}
