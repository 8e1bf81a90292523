//! `cachescope pull android` end to end against a STAND-IN for adb and a
//! device: a shell script put first on PATH that answers `devices`, `shell
//! getprop`, `shell dumpsys package` and `exec-out run-as … ls / tar cf -`
//! the way adb and run-as do (streaming a real tar of a generated app
//! folder), and prints their real error texts for each failure mode
//! (chosen with FAKE_ADB_MODE). No phone is involved in these tests.

mod archive_kit;
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// The stand-in adb. Texts are adb's and run-as's own; note that
/// `exec-out` delivers the device's stderr on stdout, as adb does.
const FAKE_ADB: &str = r#"#!/bin/sh
# Stand-in for adb in cachescope's tests: answers like a device would.
echo "$*" >> "$FAKE_ADB_LOG"
MODE="${FAKE_ADB_MODE:-ok}"
if [ "$1" = "-s" ]; then SERIAL="$2"; shift 2; fi
case "$1" in
devices)
    echo "List of devices attached"
    case "$MODE" in
    none) ;;
    several) printf 'emulator-5554\tdevice\nR58M123ABC\tdevice\n' ;;
    unauthorized) printf 'R58M123ABC\tunauthorized\n' ;;
    *) printf 'R58M123ABC\tdevice\n' ;;
    esac
    echo ""
    exit 0 ;;
shell)
    shift
    case "$1 $2" in
    "getprop ro.product.model") echo "Pixel 7" ;;
    "getprop ro.build.version.release") echo "14" ;;
    "dumpsys package") printf 'Packages:\n  Package [%s] (4d2c1a0):\n    versionCode=42 minSdk=24 targetSdk=34\n    versionName=3.1.4\n' "$3" ;;
    esac
    exit 0 ;;
exec-out)
    [ "$2" = "run-as" ] || exit 1
    PKG="$3"; shift 3
    case "$MODE" in
    notdebuggable) echo "run-as: package not debuggable: $PKG"; exit 0 ;;
    unknown) echo "run-as: unknown package: $PKG"; exit 0 ;;
    esac
    cd "$FAKE_ADB_APP" || exit 1
    case "$1" in
    ls) ls; exit 0 ;;
    tar)
        shift 3
        case "$MODE" in
        tarfail) echo "tar: databases: Permission denied"; exit 0 ;;
        tarstderr) tar cf - "$@"; echo "tar: cache/audio/x.wav: file changed as we read it" >&2; exit 1 ;;
        truncated) tar cf - "$@" | head -c 3000; exit 0 ;;
        esac
        exec tar cf - "$@" ;;
    esac ;;
esac
echo "adb: unknown command $1" >&2
exit 1
"#;

struct Device {
    tmp: tempfile::TempDir,
    bin: PathBuf,
    app: PathBuf,
    log: PathBuf,
    /// The key of a row committed only in `databases/app.db-wal`.
    wal_key: String,
}

/// An app's data folder (demo dump + files/ + code_cache/, the database in
/// WAL mode with a row only in the -wal) behind a stand-in adb.
fn device() -> Device {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("data/com.example.books");
    archive_kit::demo(&app, 30);
    std::fs::create_dir_all(app.join("files")).unwrap();
    std::fs::write(app.join("files/settings.json"), b"{}").unwrap();
    std::fs::create_dir_all(app.join("code_cache")).unwrap();
    std::fs::write(app.join("code_cache/compiled.bin"), b"not evidence").unwrap();
    // Keep the writer open while copying, so the row exists only in the -wal.
    let live = tmp.path().join("live");
    std::fs::create_dir(&live).unwrap();
    std::fs::copy(app.join("databases/app.db"), live.join("app.db")).unwrap();
    let conn = rusqlite::Connection::open(live.join("app.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;").unwrap();
    let wal_key = key(999_999);
    conn.execute(
        "INSERT INTO cache_entries (cache_key, book_id, chapter_index, voice_id, compression_state, size_bytes, duration_ms, created_at, last_used_at) VALUES (?1, 'b', 1, 'amy', 'm4a', 1000, 1000, 1700000000000, 1700000000000)",
        [&wal_key],
    )
    .unwrap();
    for ext in ["", "-wal", "-shm"] {
        std::fs::copy(live.join(format!("app.db{ext}")), app.join(format!("databases/app.db{ext}"))).unwrap();
    }
    drop(conn);
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let adb = bin.join("adb");
    std::fs::write(&adb, FAKE_ADB).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&adb, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = tmp.path().join("adb.log");
    Device { tmp, bin, app, log, wal_key }
}

impl Device {
    /// Runs `cachescope pull …` in `cwd` with the stand-in first on PATH.
    fn pull(&self, mode: &str, cwd: &Path, args: &[&str]) -> Out {
        self.pull_with_path(mode, cwd, args, &format!("{}:/usr/bin:/bin", self.bin.display()), &[])
    }

    fn pull_with_path(&self, mode: &str, cwd: &Path, args: &[&str], path: &str, env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cachescope"));
        cmd.current_dir(cwd).arg("pull").args(args);
        for k in ["ANDROID_HOME", "ANDROID_SDK_ROOT", "ANDROID_SERIAL"] {
            cmd.env_remove(k);
        }
        cmd.env("PATH", path).env("FAKE_ADB_MODE", mode).env("FAKE_ADB_APP", &self.app).env("FAKE_ADB_LOG", &self.log);
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

    /// A fresh empty folder to pull into.
    fn cwd(&self, name: &str) -> PathBuf {
        let d = self.tmp.path().join(name);
        std::fs::create_dir(&d).unwrap();
        d
    }
}

#[test]
fn pull_android_from_a_stand_in_device_writes_a_dump_that_opens() {
    let dev = device();
    let cwd = dev.cwd("work");
    let out = dev.pull("ok", &cwd, &["android", "com.example.books", "pulled"]);
    assert_eq!(out.code, 0, "{out:?}");
    let dump = cwd.join("pulled");
    assert!(out.stdout.contains("cachescope check pulled"), "{}", out.stdout);
    for rel in ["databases/app.db", "databases/app.db-wal", "files/settings.json", "cache/audio"] {
        assert!(dump.join(rel).exists(), "{rel} missing");
    }
    assert!(!dump.join("code_cache").exists(), "code_cache is not evidence");
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dump.join(".cachescope/pulled.json")).unwrap()).unwrap();
    assert_eq!(info["serial"], "R58M123ABC");
    assert_eq!(info["model"], "Pixel 7");
    assert_eq!(info["android_version"], "14");
    assert_eq!(info["package"], "com.example.books");
    assert_eq!(info["package_version"], "3.1.4");
    assert!(info["pulled_at"].as_str().unwrap().ends_with('Z'));
    let log = std::fs::read_to_string(&dev.log).unwrap();
    assert!(log.contains("-s R58M123ABC exec-out run-as com.example.books tar cf - databases cache files"), "{log}");
    // Same findings as on the device's folder, the -wal row included;
    // mtimes kept to the second (tar's precision).
    let (_, pulled) = report(&dump);
    let (_, source) = report(&dev.app);
    assert_eq!(found(&pulled), found(&source));
    assert!(found(&pulled).contains(&item("ghost_entry", Some(&dev.wal_key), None)));
    let m = |p: &Path| {
        std::fs::metadata(p).unwrap().modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
    };
    assert_eq!(m(&dump.join("files/settings.json")), m(&dev.app.join("files/settings.json")));
    // Nothing else was left beside it.
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 1);
}

#[test]
fn pull_android_from_a_stand_in_device_names_the_default_folder_after_the_package() {
    let dev = device();
    let cwd = dev.cwd("work");
    let out = dev.pull("several", &cwd, &["android", "com.example.books", "--serial", "emulator-5554"]);
    assert_eq!(out.code, 0, "{out:?}");
    let made: Vec<String> =
        std::fs::read_dir(&cwd).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(made.len(), 1);
    assert!(made[0].starts_with("com.example.books-2") && made[0].len() == "com.example.books-20260129-143000".len());
    assert!(std::fs::read_to_string(&dev.log).unwrap().contains("-s emulator-5554 exec-out"));
}

#[test]
fn pull_android_finds_adb_in_android_home_for_a_stand_in_device() {
    let dev = device();
    let cwd = dev.cwd("work");
    let sdk = dev.tmp.path().join("sdk");
    std::fs::create_dir_all(sdk.join("platform-tools")).unwrap();
    std::fs::rename(dev.bin.join("adb"), sdk.join("platform-tools/adb")).unwrap();
    let home = sdk.to_str().unwrap();
    let out = dev.pull_with_path(
        "ok",
        &cwd,
        &["android", "com.example.books", "d"],
        "/usr/bin:/bin",
        &[("ANDROID_HOME", home)],
    );
    assert_eq!(out.code, 0, "{out:?}");
}

/// Each failure: one sentence (exit 2) with `words`, and no OUT left behind.
fn fails(dev: &Device, mode: &str, args: &[&str], words: &[&str]) {
    let cwd = dev.cwd(&format!("fail-{mode}-{}", args.len()));
    let out = dev.pull(mode, &cwd, args);
    let line = out.one_line_error();
    for w in words {
        assert!(line.contains(w), "{mode}: {line:?} lacks {w:?}");
    }
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0, "{mode}: a failed pull left something");
}

#[test]
fn every_failure_of_a_stand_in_adb_and_run_as_is_one_sentence_and_leaves_no_out() {
    let dev = device();
    let pkg = "com.example.books";
    fails(&dev, "none", &["android", pkg, "o"], &["no Android device is connected"]);
    fails(
        &dev,
        "several",
        &["android", pkg, "o"],
        &["several Android devices", "emulator-5554, R58M123ABC", "--serial"],
    );
    fails(&dev, "ok", &["android", pkg, "o", "--serial", "ZZZ"], &["no device ZZZ", "R58M123ABC"]);
    fails(&dev, "unauthorized", &["android", pkg, "o"], &["has not authorized", "prompt on the phone"]);
    fails(
        &dev,
        "notdebuggable",
        &["android", pkg, "o"],
        &["not a debuggable build", "run-as: package not debuggable: com.example.books"],
    );
    fails(&dev, "unknown", &["android", pkg, "o"], &["is not installed", "run-as: unknown package"]);
    fails(&dev, "tarfail", &["android", pkg, "o"], &["did not send", "tar: databases: Permission denied"]);
    fails(&dev, "tarstderr", &["android", pkg, "o"], &["tar on R58M123ABC failed", "file changed as we read it"]);
    fails(&dev, "truncated", &["android", pkg, "o"], &["truncated or corrupt"]);
    fails(&dev, "ok", &["android", "not a package", "o"], &["is not an Android package name"]);
}

#[test]
fn no_adb_anywhere_is_one_sentence() {
    let dev = device();
    let cwd = dev.cwd("work");
    let out = dev.pull_with_path("ok", &cwd, &["android", "com.example.books"], "/nonexistent", &[]);
    assert!(out.one_line_error().contains("adb was not found on PATH or in $ANDROID_HOME/platform-tools"));
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
}

#[test]
fn an_existing_non_empty_out_is_refused_before_the_stand_in_device_is_asked() {
    let dev = device();
    let cwd = dev.cwd("work");
    std::fs::create_dir(cwd.join("o")).unwrap();
    std::fs::write(cwd.join("o/mine.txt"), b"mine").unwrap();
    let before = tree(&cwd);
    let out = dev.pull("ok", &cwd, &["android", "com.example.books", "o"]);
    assert!(out.one_line_error().contains("o already exists and is not empty"));
    assert_eq!(tree(&cwd), before);
    assert!(!dev.log.exists(), "adb was run");
}

#[cfg(not(target_os = "macos"))]
#[test]
fn pull_ios_sim_says_it_needs_macos_and_points_to_download_container() {
    let out = cachescope(["pull", "ios-sim", "com.example.books"]);
    let line = out.one_line_error();
    assert!(
        line.contains("needs macOS with Xcode") && line.contains("Download Container") && line.contains(".xcappdata")
    );
}
