//! Lookups that link the three panes by key, built once per scan. Rows are
//! indices into the inspection's vectors: nothing is copied per frame.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::core::Inspection;
use crate::core::disk::FileFacts;
use crate::core::fmt::escaped;
use crate::core::key::Key;
use crate::core::model::PathBytes;

/// What the focused item is about: a key, a file, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    pub key: Option<String>,
    pub file: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Index {
    /// Hash of a key → first file of that key (verified on lookup), for the
    /// few files whose path does not begin with their key (in sub-folders).
    /// The others are found by binary search: files are sorted by path. A
    /// map of every file would hold 27 MB at a million files.
    file_by_key: HashMap<u64, u32>,
    /// Hash of a key → every discrepancy of that key, in order (the detail
    /// view lists them on every frame; a key has one or a few).
    discs_by_key: HashMap<u64, Vec<u32>>,
    /// File index → every discrepancy about that file, in order.
    discs_by_file: HashMap<u32, Vec<u32>>,
    /// Each discrepancy's row ([`Inspection::found_rows`]): the filter
    /// keeps these rows visible on every keystroke.
    disc_rows: Vec<Option<u32>>,
    /// What the filter matches each discrepancy's key and path against, as
    /// it compares them (lower case; odd paths escaped), in one buffer. A
    /// keystroke reads these few megabytes in order instead of each
    /// discrepancy's key text and file, scattered over memory (after the
    /// terminal sat idle, reaching them took 60–80 ms at a million keys).
    terms: String,
    /// Where each discrepancy's key text and its path end in `terms` (each
    /// begins where the one before ends).
    term_ends: Vec<(u32, u32)>,
}

fn hash(key: &(impl Hash + ?Sized)) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Index {
    pub fn build(ins: &Inspection) -> Index {
        let mut ix = Index::default();
        for (i, f) in ins.scan.files.iter().enumerate() {
            if let Some(k) = f.key()
                && f.nested()
            {
                ix.file_by_key.entry(hash(k)).or_insert(i as u32);
            }
        }
        for (i, d) in ins.found.iter().enumerate() {
            if let Some(k) = &d.key {
                ix.discs_by_key.entry(hash(k)).or_default().push(i as u32);
            }
            if let Some(f) = d.file {
                ix.discs_by_file.entry(f as u32).or_default().push(i as u32);
            }
        }
        ix.disc_rows = ins.found_rows();
        ix.add_terms(ins);
        ix
    }

    fn add_terms(&mut self, ins: &Inspection) {
        for d in &ins.found {
            if let Some(k) = &d.key {
                self.terms.push_str(&k.to_ascii_lowercase());
            }
            let key_end = self.terms.len() as u32;
            if let Some(f) = d.file {
                self.terms.push_str(&path_term(&ins.scan.files[f]));
            }
            self.term_ends.push((key_end, self.terms.len() as u32));
        }
    }

    /// Discrepancy `disc`'s key text and path as the filter matches them
    /// (empty when it has none, or is not one of this index's scan).
    pub fn disc_terms(&self, disc: usize) -> (&str, &str) {
        let Some(&(key_end, end)) = self.term_ends.get(disc) else { return ("", "") };
        let start = disc.checked_sub(1).map_or(0, |i| self.term_ends[i].1 as usize);
        (&self.terms[start..key_end as usize], &self.terms[key_end as usize..end as usize])
    }

    /// The row of discrepancy `disc`: its own, or else its key's.
    pub fn row_of_disc(&self, disc: usize) -> Option<usize> {
        self.disc_rows.get(disc).copied().flatten().map(|r| r as usize)
    }

    /// The first file of `key` in path order.
    pub fn file_of_key(&self, ins: &Inspection, key: &str) -> Option<usize> {
        let (text, key) = (key.as_bytes(), &Key::new(key));
        let files = &ins.scan.files;
        // At the top: among the paths that begin with the key's text.
        let from = files.partition_point(|f| *f.path_bytes() < *text);
        let top = files[from..]
            .iter()
            .take_while(|f| f.path_bytes().starts_with(text))
            .position(|f| f.key() == Some(key))
            .map(|i| from + i);
        let nested = match self.file_by_key.get(&hash(key)) {
            Some(&i) if files[i as usize].key() == Some(key) => Some(i as usize),
            // Another key with the same hash: look through the nested files.
            Some(_) => files.iter().position(|f| f.nested() && f.key() == Some(key)),
            None => None,
        };
        top.into_iter().chain(nested).min()
    }

    pub fn disc_of_key(&self, ins: &Inspection, key: &str) -> Option<usize> {
        let listed = self.discs_by_key.get(&hash(key))?;
        listed.iter().map(|&i| i as usize).find(|&i| ins.found[i].key.as_deref() == Some(key))
    }

    /// Every discrepancy about what `link` points at, in order: those of
    /// its key, or (a file without a key) those of its file.
    pub fn discs_of(&self, ins: &Inspection, link: &Link) -> Vec<usize> {
        let listed = match (&link.key, link.file) {
            (Some(k), _) => self.discs_by_key.get(&hash(k.as_str())),
            (None, Some(f)) => self.discs_by_file.get(&(f as u32)),
            (None, None) => None,
        };
        let about = |d: &crate::core::detect::Discrepancy| match &link.key {
            Some(k) => d.key.as_ref() == Some(k),
            None => d.file.is_some() && d.file == link.file,
        };
        // A key's hash may be shared: each is checked.
        listed.map_or(&[][..], Vec::as_slice).iter().map(|&i| i as usize).filter(|&i| about(&ins.found[i])).collect()
    }

    pub fn disc_of_file(&self, file: usize) -> Option<usize> {
        self.discs_by_file.get(&(file as u32)).and_then(|v| v.first()).map(|i| *i as usize)
    }

    /// Every file of a key (they sit next to each other in path order).
    pub fn files_of_key(&self, ins: &Inspection, key: &str) -> Vec<usize> {
        let Some(first) = self.file_of_key(ins, key) else { return vec![] };
        let (text, key) = (key, &Key::new(key));
        let files = &ins.scan.files;
        let mut out = vec![];
        for (i, f) in files.iter().enumerate().skip(first).take(16) {
            if f.key() == Some(key) {
                out.push(i);
            } else if f.key().is_some() && i > first {
                let name = f.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if !name.starts_with(text) {
                    break;
                }
            }
        }
        out
    }
}

/// A file's path as the filter matches it: lower case, and escaped as it
/// is shown when it is not printable ASCII. A printable, lower-case path
/// held as it is comes back borrowed: a keystroke matches a sharded cache
/// dir's million paths without an allocation each.
pub(super) fn path_term(f: &FileFacts) -> Cow<'_, str> {
    let printable = |b: &[u8]| b.iter().all(|c| (0x20..0x7f).contains(c));
    match f.path_bytes() {
        PathBytes::Borrowed(b) if printable(b) && !b.iter().any(u8::is_ascii_uppercase) => {
            // Printable ASCII is UTF-8.
            Cow::Borrowed(std::str::from_utf8(b).unwrap_or_default())
        }
        spelled if printable(&spelled) => Cow::Owned(String::from_utf8_lossy(&spelled).to_ascii_lowercase()),
        _ => Cow::Owned(escaped(&f.path()).to_lowercase()),
    }
}
