//! Archives as dumps (SPEC §7): `.tar`, `.tar.gz`, `.zip` (made with the
//! crates and with GNU tar) and adb backups read like the folder they hold,
//! write nothing beside themselves, and writing commands refuse them.

mod archive_kit;
mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use archive_kit::*;
use common::*;

/// `check --format json` of `target`, which must succeed; also stderr.
fn check(target: &Path, env: &[(&str, &str)]) -> (serde_json::Value, String) {
    let out =
        cachescope_env([OsStr::new("check"), target.as_os_str(), OsStr::new("--format"), OsStr::new("json")], env);
    assert!(out.code == 0 || out.code == 1, "check {} failed: {out:?}", target.display());
    (serde_json::from_str(&out.stdout).unwrap(), out.stderr)
}

fn extract(archive: &Path, dir: &Path) -> Out {
    cachescope([OsStr::new("extract"), archive.as_os_str(), dir.as_os_str()])
}

/// The archive reads exactly like the folder `extract` makes of it, and
/// like the folder GNU tar makes of it: same discrepancies, same mtimes.
fn same_as_extracted(archive: &Path, work: &Path) {
    let before = tree(archive.parent().unwrap());
    let (from_archive, _) = check(archive, &[]);
    assert_eq!(tree(archive.parent().unwrap()), before, "reading {} wrote beside it", archive.display());
    let dir = work.join(format!("x-{}", archive.file_name().unwrap().to_string_lossy()));
    let out = extract(archive, &dir);
    assert_eq!(out.code, 0, "{out:?}");
    let (from_folder, _) = check(&dir, &[]);
    assert_eq!(comparable(from_archive.clone()), comparable(from_folder), "{}", archive.display());
    assert!(from_archive["discrepancies"].as_array().unwrap().len() >= 7);
}

#[test]
fn tar_tgz_and_zip_made_by_the_crates_read_like_their_folders() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 40);
    let store = work.path().join("store");
    std::fs::create_dir(&store).unwrap();
    write_tar(&dump, &store.join("dump.tar"));
    write_tgz(&dump, &store.join("dump.tgz"));
    write_zip(&dump, &store.join("dump.zip"));
    for name in ["dump.tar", "dump.tgz", "dump.zip"] {
        same_as_extracted(&store.join(name), work.path());
    }
    // Same findings as the original folder, too (mtimes to the second).
    let (orig, _) = check(&dump, &[]);
    let (tgz, _) = check(&store.join("dump.tgz"), &[]);
    assert_eq!(found(&orig), found(&tgz));
}

#[test]
fn archives_made_by_gnu_tar_read_like_gnu_tar_extracts_them() {
    let Some(gnu) = gnu_tar() else {
        eprintln!("skipped: no GNU tar at /bin/tar or /usr/bin/tar");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    demo(&work.path().join("dump"), 40);
    let store = work.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let run = |args: &[&str]| {
        let st = Command::new(&gnu).current_dir(work.path()).args(args).status().unwrap();
        assert!(st.success(), "tar {args:?}");
    };
    run(&["czf", "store/dump.tar.gz", "dump"]);
    run(&["--format=posix", "-cf", "store/pax.tar", "dump"]);
    for name in ["dump.tar.gz", "pax.tar"] {
        let archive = store.join(name);
        same_as_extracted(&archive, work.path());
        // GNU tar's own extraction gives the same report.
        let by_gnu = work.path().join(format!("gnu-{name}"));
        std::fs::create_dir(&by_gnu).unwrap();
        let st = Command::new(&gnu).arg("xf").arg(&archive).arg("-C").arg(&by_gnu).status().unwrap();
        assert!(st.success());
        assert_eq!(comparable(check(&archive, &[]).0), comparable(check(&by_gnu.join("dump"), &[]).0), "{name}");
    }
}

#[test]
fn reading_an_archive_writes_nothing_beside_it_and_leaves_no_temp_folder() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 20);
    let store = work.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let archive = store.join("dump.tgz");
    write_tgz(&dump, &archive);
    let tmp = tempfile::tempdir().unwrap();
    let env = [("TMPDIR", tmp.path().to_str().unwrap())];
    let before = tree(&store);
    for cmd in ["check", "plan", "history"] {
        let out = cachescope_env([OsStr::new(cmd), archive.as_os_str()], &env);
        assert!(out.code == 0 || out.code == 1, "{cmd}: {out:?}");
        assert!(!out.stdout.is_empty());
    }
    assert_eq!(tree(&store), before);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "the private copy was left behind");
}

#[test]
fn writing_commands_refuse_an_archive_and_name_extract() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 20);
    let archive = work.path().join("dump.zip");
    write_zip(&dump, &archive);
    let before = tree(work.path());
    for args in [vec!["apply", "--yes"], vec!["undo"], vec!["recover"]] {
        let mut all: Vec<&OsStr> = vec![OsStr::new(args[0]), archive.as_os_str()];
        all.extend(args[1..].iter().map(OsStr::new));
        let out = cachescope(all);
        let line = out.one_line_error();
        assert!(line.contains("cachescope extract") && line.contains("dump.zip"), "{line}");
    }
    assert_eq!(tree(work.path()), before);
}

/// An app folder as `adb backup` stores it: `apps/PKG/{_manifest,db,f,sp}`.
fn backup_tree(work: &Path, dump: &Path) -> std::path::PathBuf {
    let app = work.join("ab/apps/com.example.books");
    for d in ["db", "f", "sp"] {
        std::fs::create_dir_all(app.join(d)).unwrap();
    }
    std::fs::write(app.join("_manifest"), b"1\ncom.example.books\n42\n").unwrap();
    std::fs::copy(dump.join("databases/app.db"), app.join("db/app.db")).unwrap();
    std::fs::write(app.join("sp/settings.xml"), b"<map/>").unwrap();
    std::fs::write(app.join("f/notes.txt"), b"hello").unwrap();
    work.join("ab")
}

#[test]
fn an_adb_backup_opens_and_says_that_cache_is_missing() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 20);
    let tree_dir = backup_tree(work.path(), &dump);
    let tar = tar_bytes(&tree_dir);
    for compressed in [true, false] {
        let archive = work.path().join(format!("backup-{compressed}.ab"));
        write_ab(&tar, &archive, compressed);
        let (report, stderr) = check(&archive, &[]);
        assert!(
            stderr
                .contains("cachescope: note: adb backup never includes cache/: files in it are missing from this dump"),
            "{stderr}"
        );
        // Every row's file is missing: the cache dir is the backup's empty `c/`.
        assert_eq!(report["db"], "db/app.db");
        assert_eq!(report["cache_dir"], "c");
        assert_eq!(report["scanned"]["files"], 0);
        assert!(report["summary"]["ghost_entry"].as_u64().unwrap() > 10);
        let dir = work.path().join(format!("x-{compressed}"));
        let out = extract(&archive, &dir);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stderr.contains("adb backup never includes cache/"));
        let root = dir.join("apps/com.example.books");
        assert!(out.stdout.contains(&format!("cachescope check {}", root.display())), "{}", out.stdout);
        assert_eq!(comparable(report), comparable(check(&root, &[]).0));
    }
}

#[test]
fn an_encrypted_adb_backup_is_refused_with_what_to_do() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("secret.ab");
    std::fs::write(&archive, b"ANDROID BACKUP\n5\n1\nAES-256\n0011\n2233\n").unwrap();
    let out = cachescope([OsStr::new("check"), archive.as_os_str()]);
    let line = out.one_line_error();
    assert!(line.contains("secret.ab is an encrypted adb backup") && line.contains("password"), "{line}");
}

#[test]
fn archives_are_recognised_by_their_bytes_not_their_names() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 12);
    let odd = work.path().join("attachment.bin");
    write_tgz(&dump, &odd);
    let (report, _) = check(&odd, &[]);
    assert_eq!(report["db"], "databases/app.db");
    // A database file is still a database, not an archive.
    let (direct, _) = check(&dump.join("databases/app.db"), &[]);
    assert_eq!(found(&direct), found(&report));
}

#[test]
fn layouts_found_inside_archives_and_folders() {
    // Device Explorer keeps data/data/PKG, with sharded audio 7 levels down;
    // Xcode's .xcappdata keeps AppData/Library/...
    let work = tempfile::tempdir().unwrap();
    let demo_dir = work.path().join("demo");
    demo(&demo_dir, 20);
    let de = work.path().join("de");
    let app = de.join("data/data/com.example.books");
    copy_dump(&demo_dir, &app);
    let audio = app.join("cache/audio");
    let shard = audio.join("ab");
    std::fs::create_dir(&shard).unwrap();
    for e in std::fs::read_dir(&audio).unwrap().flatten() {
        if e.file_type().unwrap().is_file() {
            std::fs::rename(e.path(), shard.join(e.file_name())).unwrap();
        }
    }
    let xc = work.path().join("App.xcappdata");
    let lib = xc.join("AppData/Library");
    std::fs::create_dir_all(lib.join("Application Support")).unwrap();
    std::fs::write(xc.join("AppDataInfo.plist"), b"<plist/>").unwrap();
    std::fs::copy(demo_dir.join("databases/app.db"), lib.join("Application Support/app.db")).unwrap();
    copy_dump(&demo_dir.join("cache/audio"), &lib.join("Caches/audio"));
    let (orig, _) = check(&demo_dir, &[]);
    for (folder, db) in
        [(&de, "data/data/com.example.books/databases/app.db"), (&xc, "AppData/Library/Application Support/app.db")]
    {
        let (report, _) = check(folder, &[]);
        assert_eq!(report["db"], db);
        assert_eq!(found(&report).len(), found(&orig).len());
        let archive = work.path().join(format!("{}.zip", folder.file_name().unwrap().to_string_lossy()));
        write_zip(folder, &archive);
        let (packed, _) = check(&archive, &[]);
        assert_eq!(found(&packed).len(), found(&orig).len(), "{}", archive.display());
    }
}

#[test]
fn reports_and_hints_name_the_archive_not_its_private_copy() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 20);
    let archive = work.path().join("dump.tgz");
    write_tgz(&dump, &archive);
    let shown = archive.display().to_string();
    let out = cachescope([OsStr::new("check"), archive.as_os_str()]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with(&format!("cachescope check of {shown}\n")), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("`cachescope plan {shown}`")), "{}", out.stdout);
    let out = cachescope([OsStr::new("check"), archive.as_os_str(), OsStr::new("--format"), OsStr::new("markdown")]);
    assert!(out.stdout.contains(&format!("`{shown}`")), "{}", out.stdout);
    let out = cachescope([OsStr::new("plan"), archive.as_os_str()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(&format!("unpack it with `cachescope extract {shown} DIR`")), "{}", out.stdout);
    for o in [&out.stdout, &out.stderr] {
        assert!(!o.contains("cachescope-archive-"), "the private copy is named: {o}");
    }
}

#[test]
fn a_missing_archive_is_said_to_be_missing() {
    let work = tempfile::tempdir().unwrap();
    let missing = work.path().join("nonexist.tar");
    let out = extract(&missing, &work.path().join("out"));
    let line = out.one_line_error();
    assert!(line.contains("nonexist.tar does not exist; check the path"), "{line}");
    // Read as a DUMP it is named the same way.
    let out = cachescope([OsStr::new("check"), missing.as_os_str()]);
    assert!(out.one_line_error().contains("nonexist.tar does not exist; check the path"));
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
}
