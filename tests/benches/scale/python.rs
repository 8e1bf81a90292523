//! The baseline a user would write instead of cachescope: a plain Python
//! script that reads every row (`sqlite3`) and the first 512 bytes of every
//! file (`os.scandir`), then compares them naively. `check` must beat it by
//! 4× (check ÷ script ≤ 0.25), warm and cold.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::measure::Subject;

/// About 30 lines, as a user would write them: no threads, no tricks.
pub const SCRIPT: &str = r#"# What a user writes instead of cachescope: every row against every file's header.
import collections, json, os, sqlite3, sys

dump = sys.argv[1]
db = sqlite3.connect(f"file:{dump}/databases/app.db?mode=ro", uri=True)
cur = db.execute("SELECT * FROM cache_entries")
names = [c[0] for c in cur.description]
rows = {r["cache_key"]: r for r in (dict(zip(names, t)) for t in cur)}
files, found = {}, collections.Counter()
stack = [os.path.join(dump, "cache", "audio")]
while stack:
    for e in os.scandir(stack.pop()):
        if e.is_dir(follow_symlinks=False):
            stack.append(e.path)
            continue
        with open(e.path, "rb") as f:
            head = f.read(512)
        key, _, ext = e.name.partition(".")
        if (ext == "wav" and head[:4] == b"RIFF" and head[8:12] == b"WAVE") or (
                ext == "m4a" and head[4:8] == b"ftyp"):
            files.setdefault(key, {})[ext] = e.stat().st_size
        else:
            found["incomplete_file" if ext in ("wav", "m4a") else "stray_file"] += 1
for key, have in files.items():
    row, want = rows.get(key), "m4a" if "m4a" in have else "wav"
    found["redundant_file"] += len(have) == 2
    if row is None:
        found["orphaned_file"] += 1
    elif row["compression_state"] != want:
        found["compression_state_mismatch"] += 1
    elif row["size_bytes"] != have[want]:
        found["size_mismatch"] += 1
found["ghost_entry"] = sum(k not in files and r["compression_state"] != "failed" for k, r in rows.items())
print(json.dumps(found, indent=1, sort_keys=True))
"#;

/// The script written to a temp file (removed on drop), ready to run.
pub struct Python {
    file: tempfile::NamedTempFile,
}

impl Python {
    /// Writes the script out; says why not when `python3` cannot run it.
    pub fn new() -> Result<Python, String> {
        let version = Command::new("python3").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
        match version {
            Ok(s) if s.success() => {}
            Ok(s) => return Err(format!("`python3 --version` failed ({s})")),
            Err(e) => return Err(format!("python3 could not be started ({e})")),
        }
        let mut file = tempfile::Builder::new()
            .prefix("cachescope-naive-")
            .suffix(".py")
            .tempfile()
            .map_err(|e| format!("could not write the script to a temp file ({e})"))?;
        file.write_all(SCRIPT.as_bytes()).map_err(|e| format!("could not write the script ({e})"))?;
        Ok(Python { file })
    }

    pub fn subject<'a>(&'a self, dump: &'a Path) -> Subject<'a> {
        Subject::new("python3 scandir script", &[0], move || {
            let mut c = Command::new("python3");
            c.arg(self.file.path()).arg(dump);
            c
        })
    }
}
