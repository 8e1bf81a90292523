//! A saved `check --format json` report (`cachescope.report/1`), read back
//! for `diff` and `--baseline`: each discrepancy's id, kind and severity,
//! and its JSON exactly as saved.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::{Error, Result};
use super::fmt::escaped;

/// The JSON report's `schema` (SPEC §5), written by `report` and read back here.
pub const SCHEMA: &str = "cachescope.report/1";

/// One discrepancy of a saved report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedItem {
    pub id: String,
    /// As saved: a kind this version does not know is kept, not refused.
    pub kind: String,
    pub severity: String,
    /// Where its JSON object lies in [`SavedReport::text`].
    span: Range<usize>,
}

/// A saved report: its text and what `diff` and `--baseline` read of it.
#[derive(Debug, Clone)]
pub struct SavedReport {
    pub path: PathBuf,
    text: String,
    /// `scanned.entries` and `scanned.files`: counts only, no key lists.
    pub entries: Option<u64>,
    pub files: Option<u64>,
    pub items: Vec<SavedItem>,
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    schema: Option<&'a str>,
    #[serde(default)]
    scanned: Option<Scanned>,
    #[serde(borrow)]
    discrepancies: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Scanned {
    files: Option<u64>,
    entries: Option<u64>,
}

#[derive(Deserialize)]
struct ItemHead {
    id: String,
    kind: String,
    #[serde(default)]
    severity: Option<String>,
}

/// True when the file starts like JSON (after white space): it is read as a
/// report, never as a dump.
pub fn looks_like_json(path: &Path) -> bool {
    let mut head = [0u8; 512];
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let n = f.read(&mut head).unwrap_or(0);
    head[..n].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

impl SavedReport {
    /// Reads a report; anything else is one sentence naming the path.
    pub fn read(path: &Path) -> Result<SavedReport> {
        let not_report = |why: &str| {
            Error::bad_input(format!(
                "{} is not a cachescope JSON report ({why}); save one with `cachescope check DUMP --format json > FILE`",
                escaped(path)
            ))
        };
        let bytes = std::fs::read(path).map_err(|e| Error::io_at("read the report", path, &e))?;
        let text = String::from_utf8(bytes).map_err(|_| not_report("it is not UTF-8 text"))?;
        let head: Head = serde_json::from_str(&text).map_err(|_| not_report("it is not a JSON object"))?;
        if head.schema != Some(SCHEMA) {
            return Err(not_report(&format!("it has no \"schema\": \"{SCHEMA}\"")));
        }
        let raw = head.discrepancies.ok_or_else(|| not_report("it has no \"discrepancies\" list"))?;
        let base = text.as_ptr() as usize;
        let mut items = Vec::with_capacity(raw.len());
        for r in raw {
            let h: ItemHead =
                serde_json::from_str(r.get()).map_err(|_| not_report("a discrepancy has no \"id\" or \"kind\""))?;
            let start = r.get().as_ptr() as usize - base;
            items.push(SavedItem {
                id: h.id,
                kind: h.kind,
                severity: h.severity.unwrap_or_default(),
                span: start..start + r.get().len(),
            });
        }
        let (files, entries) = head.scanned.map_or((None, None), |s| (s.files, s.entries));
        Ok(SavedReport { path: path.to_path_buf(), text, entries, files, items })
    }

    /// The saved JSON object of item `i`, byte for byte.
    pub fn json(&self, i: usize) -> &str {
        self.items.get(i).map_or("null", |it| &self.text[it.span.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn reads_ids_and_keeps_each_object_as_saved() {
        let (_d, p) = write(
            r#"{"schema": "cachescope.report/1", "scanned": {"files": 3, "entries": 2},
               "discrepancies": [{"id": "ghost_entry:ab", "kind": "ghost_entry", "severity": "error", "x": [1, {"y": 2}]},
                                 {"id": "future:1", "kind": "duration_mismatch"}]}"#,
        );
        let r = SavedReport::read(&p).unwrap();
        assert_eq!((r.files, r.entries), (Some(3), Some(2)));
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items[0].id, "ghost_entry:ab");
        assert_eq!(
            r.json(0),
            r#"{"id": "ghost_entry:ab", "kind": "ghost_entry", "severity": "error", "x": [1, {"y": 2}]}"#
        );
        assert_eq!(r.items[1].kind, "duration_mismatch");
        assert!(looks_like_json(&p));
    }

    #[test]
    fn anything_else_is_one_sentence() {
        for (text, why) in [
            ("{\"schema\": \"other/1\", \"discrepancies\": []}", "no \"schema\""),
            ("[1, 2]", "not a JSON object"),
            ("{\"schema\": \"cachescope.report/1\"}", "no \"discrepancies\""),
            ("{\"schema\": \"cachescope.report/1\", \"discrepancies\": [{\"kind\": \"x\"}]}", "no \"id\""),
        ] {
            let (_d, p) = write(text);
            let e = SavedReport::read(&p).unwrap_err();
            assert!(e.message.contains(why) && e.message.contains("r.json"), "{}", e.message);
            assert_eq!(e.message.lines().count(), 1);
        }
    }
}
