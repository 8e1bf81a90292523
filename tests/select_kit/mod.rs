//! Helpers of the selection tests (`select.rs`, `select_keys.rs`): a dump
//! with a few keys of known discrepancies, and the binary run with stdin.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value as Json;

use crate::common::*;

/// `cachescope ARGS` with `DUMP` in second place.
pub fn run(args: &[&str], dump: &Path) -> Out {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.insert(1, dump.as_os_str());
    cachescope(a)
}

/// The same, with `input` on stdin.
pub fn run_stdin(args: &[&str], dump: &Path, input: &str) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg(args[0]).arg(dump).args(&args[1..]).env("NO_COLOR", "1");
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn json(out: &Out) -> Json {
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", out.stdout))
}

/// The plan's items as (id, fix).
pub fn plan_items(out: &Out) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = json(out)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), i["fix"].as_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

pub fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    v.sort();
    v
}

/// Keys with the discrepancies the selection tests pick from:
/// 1 ghost + incomplete, 2 ghost, 3 orphaned + redundant, 4 size mismatch,
/// 5 healthy, 6 failed row with no file (consistent); and a stray.
pub struct Fixture {
    pub d: TestDump,
}

impl Fixture {
    pub fn new(layout: Layout) -> Fixture {
        let d = TestDump::new(layout);
        d.row(&key(1), "wav", Some(2000), None);
        d.file(&format!("{}.wav", key(1)), &wav_declaring(81920, 40960));
        d.row(&key(2), "m4a", Some(81234), Some(5000));
        d.m4a(&key(3), 100);
        d.wav(&key(3), 64);
        let s = d.m4a(&key(4), 500);
        d.row(&key(4), "m4a", Some(s + 1), Some(1000));
        let s = d.wav(&key(5), 1600);
        d.row(&key(5), "wav", Some(s), Some(50));
        d.row(&key(6), "failed", None, None);
        d.raw_file(Path::new("notes.txt"), b"hi");
        Fixture { d }
    }
    pub fn root(&self) -> &Path {
        self.d.root()
    }
    pub fn ghost(&self, n: u32) -> String {
        format!("ghost_entry:{}", key(n))
    }
    pub fn incomplete(&self, n: u32) -> String {
        format!("incomplete_file:{}:{}", key(n), self.d.rel_for(&format!("{}.wav", key(n))).display())
    }
    pub fn redundant(&self, n: u32) -> String {
        format!("redundant_file:{}:{}", key(n), self.d.rel_for(&format!("{}.wav", key(n))).display())
    }
}

/// Each audit row's event, key and details (the dump's path and times taken out).
pub fn audit(db: &Path, root: &Path) -> Vec<(String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT event_type, affected_cache_key, details FROM cache_audit ORDER BY id").unwrap();
    let root = root.to_string_lossy().into_owned();
    stmt.query_map([], |r| {
        let details: String = r.get(2)?;
        let mut j: Json = serde_json::from_str(&details.replace(&root, "DUMP")).unwrap();
        scrub(&mut j);
        Ok((r.get(0)?, r.get(1)?, j.to_string()))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Times and durations differ from run to run.
fn scrub(j: &mut Json) {
    match j {
        Json::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k.ends_with("_at")
                    || k.ends_with("_hex")
                    || k.ends_with("_ms") && k != "duration_ms"
                    || k == "backup"
                {
                    *v = Json::Null;
                } else {
                    scrub(v);
                }
            }
        }
        Json::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// Two copies of a dump after the same batch: the same rows, the same audit
/// rows (times and paths aside), the same files and quarantine.
pub fn same_result(a: &Path, b: &Path) {
    let db = |p: &Path| p.join("databases/app.db");
    assert_eq!(rows(&db(a)), rows(&db(b)), "same rows");
    assert_eq!(audit(&db(a), a), audit(&db(b), b), "same audit rows");
    let files = |p: &Path| {
        let mut t = tree(p);
        t.retain(|k, _| !k.starts_with(b".cachescope/backups") && !k.starts_with(b"databases"));
        t
    };
    assert_eq!(files(a), files(b), "same files, same quarantine");
}
