//! Helpers shared by the integration tests: dumps built in temp dirs, the
//! real binary, tree hashes to prove what did (not) change.
#![allow(dead_code, unused_imports)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;
use rusqlite::types::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

pub use cachescope::core::demo::containers::{m4a, wav, wav_declaring};

pub use cachescope::core::schema::REFERENCE_DDL as SCHEMA;

/// The three layouts of SPEC §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `databases/app.db` + `cache/audio/<key>.*`
    Android,
    /// `app.db` + `audio/<key>.*`
    Flat,
    /// `app.db` + `audio/<shard>/<key>.*`
    Sharded,
}

/// A dump being built in a temp dir.
pub struct TestDump {
    pub dir: TempDir,
    pub db: PathBuf,
    pub cache: PathBuf,
    pub layout: Layout,
}

impl TestDump {
    pub fn new(layout: Layout) -> TestDump {
        Self::with_schema(layout, SCHEMA)
    }

    pub fn with_schema(layout: Layout, ddl: &str) -> TestDump {
        let dir = tempfile::Builder::new().prefix("cs-test-").tempdir().unwrap();
        let (db, cache) = match layout {
            Layout::Android => (dir.path().join("databases/app.db"), dir.path().join("cache/audio")),
            Layout::Flat | Layout::Sharded => (dir.path().join("app.db"), dir.path().join("audio")),
        };
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        std::fs::create_dir_all(&cache).unwrap();
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(ddl).unwrap();
        TestDump { dir, db, cache, layout }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Inserts a row with the reference columns.
    pub fn row(&self, key: &str, state: &str, size: Option<i64>, duration: Option<i64>) -> &Self {
        let conn = Connection::open(&self.db).unwrap();
        conn.execute(
            "INSERT INTO cache_entries (cache_key, book_id, chapter_index, voice_id, compression_state, size_bytes, duration_ms, created_at, last_used_at) VALUES (?1, 'book-1', 3, 'amy', ?2, ?3, ?4, 1700000000000, 1700000001000)",
            rusqlite::params![key, state, size, duration],
        )
        .unwrap();
        self
    }

    /// Where a key's file goes in this layout (sharded: first two chars).
    pub fn rel_for(&self, name: &str) -> PathBuf {
        match self.layout {
            Layout::Sharded => PathBuf::from(&name[..2.min(name.len())]).join(name),
            _ => PathBuf::from(name),
        }
    }

    /// Writes a file at `rel` (as the layout places `name`), returns its cache-relative path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let rel = self.rel_for(name);
        self.raw_file(&rel, bytes);
        rel.to_string_lossy().into_owned()
    }

    /// Writes a file at exactly `rel` under the cache dir.
    pub fn raw_file(&self, rel: &Path, bytes: &[u8]) -> PathBuf {
        let path = self.cache.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A complete wav of `n` data bytes; returns its size on disk.
    pub fn wav(&self, key: &str, n: u32) -> i64 {
        let b = wav(n);
        self.file(&format!("{key}.wav"), &b);
        b.len() as i64
    }

    pub fn m4a(&self, key: &str, n: u32) -> i64 {
        let b = m4a(1000, n);
        self.file(&format!("{key}.m4a"), &b);
        b.len() as i64
    }
}

/// Runs the real binary.
pub fn cachescope<I, S>(args: I) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cachescope_env(args, &[])
}

pub fn cachescope_env<I, S>(args: I, env: &[(&str, &str)]) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.args(args).env_remove("CACHESCOPE_FAILPOINT").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Asserts exit 2 with exactly one line on stderr, no panic; returns it.
    pub fn one_line_error(&self) -> &str {
        assert_eq!(self.code, 2, "expected exit 2, got {self:?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr, got {:?}", self.stderr);
        assert!(lines[0].starts_with("cachescope: "), "{:?}", lines[0]);
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"));
        lines[0]
    }
}

/// `check --format json` of a dump, parsed.
pub fn report(dir: &Path) -> (i32, serde_json::Value) {
    check_json(&[dir.as_os_str()])
}

/// `check ARGS --format json`, which must succeed (exit 0 or 1), parsed.
pub fn check_json(args: &[&OsStr]) -> (i32, serde_json::Value) {
    let mut all = vec![OsStr::new("check")];
    all.extend_from_slice(args);
    all.extend([OsStr::new("--format"), OsStr::new("json")]);
    let out = cachescope(all);
    assert!(out.code == 0 || out.code == 1, "check failed: {out:?}");
    (out.code, serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", out.stdout)))
}

pub type Found = BTreeSet<(String, Option<String>, Option<String>)>;

/// The set of (kind, key, file) of a report.
pub fn found(report: &serde_json::Value) -> Found {
    report["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["key"].as_str().map(str::to_string),
                d["file"].as_str().map(str::to_string),
            )
        })
        .collect()
}

pub fn item(kind: &str, key: Option<&str>, file: Option<&str>) -> (String, Option<String>, Option<String>) {
    (kind.to_string(), key.map(str::to_string), file.map(str::to_string))
}

/// Every file under `dir` (links included, not followed) → a hash of its bytes.
pub fn tree(dir: &Path) -> BTreeMap<Vec<u8>, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).follow_links(false) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().as_os_str().as_bytes().to_vec();
        let ft = e.file_type();
        let v = if ft.is_symlink() {
            format!("link->{}", std::fs::read_link(e.path()).unwrap().display())
        } else if ft.is_file() {
            hex::encode(Sha256::digest(std::fs::read(e.path()).unwrap()))
        } else {
            "dir".to_string()
        };
        out.insert(rel, v);
    }
    out
}

/// Every row of cache_entries (all columns), sorted, read via immutable=1 so
/// reading does not change the dump.
pub fn rows(db: &Path) -> Vec<Vec<Value>> {
    let uri = cachescope::core::dbfiles::immutable_uri(db);
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(uri, flags).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM cache_entries ORDER BY cache_key").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()).unwrap().map(Result::unwrap).collect()
}

/// A 64-hex key like the app's, from a small number.
pub fn key(n: u32) -> String {
    format!("{:064x}", u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Copies a dump (every file, `-wal`/`-shm` included), keeping file mtimes
/// (fixes read them).
pub fn copy_dump(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dst = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
            let m = e.metadata().unwrap().modified().unwrap();
            std::fs::File::options().write(true).open(&dst).unwrap().set_modified(m).unwrap();
        }
    }
}

/// True when the tests run as root (then permission tests must drop to an
/// unprivileged user, or they prove nothing).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The unprivileged user and group permission tests run as.
pub const NOBODY: u32 = 65534;

/// The binary where an unprivileged user can run it (the build folder may
/// sit under a home folder only root can enter): a hard link, or a copy on
/// another file system, in a temp dir removed with the returned guard, so
/// runs leave no binaries behind in the temp folder.
fn nobody_binary() -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new().prefix("cachescope-test-bin-").tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("cachescope");
    let exe = env!("CARGO_BIN_EXE_cachescope");
    if std::fs::hard_link(exe, &bin).is_err() {
        std::fs::copy(exe, &bin).unwrap();
    }
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, bin)
}

/// Runs the real binary as an unprivileged user: directly when the tests
/// are not root, through `setpriv --reuid=65534 --regid=65534
/// --clear-groups` when they are. None, with the reason printed, when
/// neither is possible here.
pub fn as_nobody<I, S>(args: I) -> Option<Out>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    if !is_root() {
        return Some(cachescope(args));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().map(Path::new).find(|p| p.exists());
    let Some(setpriv) = setpriv else {
        eprintln!(
            "skipped: running as root and setpriv (util-linux) is not installed, so this permission test cannot drop privileges"
        );
        return None;
    };
    let (_bin_dir, bin) = nobody_binary();
    let out = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin)
        .args(args)
        .env_remove("CACHESCOPE_FAILPOINT")
        .env("NO_COLOR", "1")
        .env("TMPDIR", "/tmp")
        .output()
        .unwrap();
    Some(Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Gives `dir` and everything in it to the unprivileged test user, as a
/// dump they pulled themselves would be (no-op when not root).
pub fn give_to_nobody(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        return;
    }
    for e in walkdir::WalkDir::new(dir).follow_links(false) {
        let e = e.unwrap();
        std::os::unix::fs::lchown(e.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    // The temp dir itself is 0700: let the user reach it.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Sets a path's mode bits.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
