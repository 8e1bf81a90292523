//! `demo`: deterministic for a seed, every kind present, real speech that
//! decodes; the bundled dump the binary writes matches `assets/demo`.

mod common;

use std::ffi::OsStr;

use common::*;

#[test]
fn same_seed_same_dump_other_seed_other_dump() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let out = cachescope([
            OsStr::new("demo"),
            dir.as_os_str(),
            OsStr::new("--keys"),
            OsStr::new("120"),
            OsStr::new("--seed"),
            OsStr::new(seed),
        ]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stdout.contains("120 keys"));
    }
    let mtimes = |d: &std::path::Path| -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(d.join("cache/audio"))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_name() != "notes.txt" && e.file_name() != "COVER.WAV")
            .map(|e| (e.path().strip_prefix(d).unwrap().to_path_buf(), e.metadata().unwrap().modified().unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(tree(&a), tree(&b), "same seed, same bytes");
    assert_eq!(mtimes(&a), mtimes(&b), "same seed, same file times");
    assert_ne!(tree(&a), tree(&c));
    let (_, r) = report(&a);
    for (kind, n) in r["summary"].as_object().unwrap() {
        assert!(n.as_u64().unwrap() > 0, "{kind} missing from the demo");
    }
}

#[test]
fn the_bundled_dump_is_the_one_in_assets() {
    let tmp = tempfile::tempdir().unwrap();
    cachescope::core::demo::bundled::write_bundled(tmp.path()).unwrap();
    assert_eq!(tree(tmp.path()), tree(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo"))));
    let (code, r) = report(tmp.path());
    assert_eq!(code, 1);
    for (kind, n) in r["summary"].as_object().unwrap() {
        assert!(n.as_u64().unwrap() > 0, "{kind} missing from the bundled demo");
    }
    // Its files carry the story's times, so the crash burst is found by them.
    let burst = r["findings"].as_array().unwrap().iter().any(|f| f["kind"] == "orphaned_file" && f["by"] == "time");
    assert!(burst, "{}", r["findings"]);
}

#[test]
fn the_speech_demo_decodes_whole_with_deep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    let out = cachescope([OsStr::new("demo"), dir.as_os_str(), OsStr::new("--keys"), OsStr::new("60")]);
    assert_eq!(out.code, 0, "{out:?}");
    let (_, plain) = report(&dir);
    let out = cachescope([
        OsStr::new("check"),
        dir.as_os_str(),
        OsStr::new("--deep"),
        OsStr::new("--format"),
        OsStr::new("json"),
    ]);
    let deep: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // The deep check finds exactly what the container check found.
    assert_eq!(deep["summary"], plain["summary"]);
    // Every file the container check calls complete decodes to its end
    // (the synthetic containers did not: "unsupported"), and is not silence.
    use cachescope::core::disk::Encoding;
    use cachescope::core::disk::decode::{Decoded, decode_file, envelope_file};
    let none = cachescope::core::Control::none();
    let named: Vec<_> = plain["discrepancies"].as_array().unwrap().iter().filter_map(|d| d["file"].as_str()).collect();
    let mut checked = 0;
    for e in walkdir::WalkDir::new(dir.join("cache/audio")).into_iter().map(Result::unwrap) {
        let name = e.file_name().to_string_lossy().into_owned();
        let encoding = match e.path().extension().and_then(|x| x.to_str()) {
            Some("m4a") => Encoding::M4a,
            Some("wav") => Encoding::Wav,
            _ => continue,
        };
        if named.contains(&name.as_str()) {
            continue; // a cut or partial file is meant not to be whole
        }
        let decoded = decode_file(e.path(), encoding, &none).unwrap();
        assert!(matches!(decoded, Decoded::Whole { .. }), "{name}: {decoded:?}");
        let env = envelope_file(e.path(), encoding, 40, &none).unwrap();
        assert!(!env.silent && env.duration_ms > 1000, "{name}: {env:?}");
        checked += 1;
    }
    assert!(checked > 40, "{checked} files decoded");
}

/// Runs `demo` with writes past 16 kB failing (EFBIG, SIGXFSZ ignored), as
/// a full disk would make them fail: a broken size check then fails fast
/// instead of filling the disk.
fn demo_in_16k(args: &[&OsStr]) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cachescope"));
    cmd.arg("demo").args(args);
    // SAFETY: async-signal-safe calls only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: 16 << 10, rlim_max: 16 << 10 };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A demo that cannot fit is refused before it starts, and one that fails
/// halfway leaves nothing behind, not even its hidden work folder; the
/// error names DIR.
#[test]
fn a_demo_that_does_not_fit_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let left = || std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect::<Vec<_>>();
    let (code, line) = demo_in_16k(&[dir.as_os_str(), OsStr::new("--keys"), OsStr::new("99999999999")]);
    assert_eq!(code, Some(2), "{line}");
    assert!(line.contains("needs about") && line.contains("choose fewer --keys"), "{line}");
    assert!(left().is_empty(), "left behind: {:?}", left());
    let (code, stderr) = demo_in_16k(&[dir.as_os_str(), OsStr::new("--keys"), OsStr::new("50")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&dir.display().to_string()) && !stderr.contains(".cachescope-demo"), "{stderr}");
    assert!(stderr.contains("the half-written demo was removed"), "{stderr}");
    assert!(left().is_empty(), "left behind: {:?}", left());
}
