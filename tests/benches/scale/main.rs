//! Scale benchmarks (issues 5, 10 and 15). Every target is a ratio against a
//! baseline measured in the same run (or a fixed budget), on dumps generated
//! by `cachescope demo --seed 1`; each figure is printed beside its target,
//! with "not met" when it misses. Each run's line also says how much of the
//! CPUs the rest of the machine used meanwhile, and how much the host took
//! (`/proc/stat`): on a shared machine that tells a slow run from a slow
//! program. Nothing here is run by `cargo test`.
//!
//! `cargo bench --bench scale` runs every group at 1 000 000 keys (and
//! 100 000 for the scaling row): on this project's 2-core machine about 13
//! minutes when it is quiet and 27 under a load average of 8–12, most of it
//! the cold Python runs; ~6 GB in the temp dir. Dumps already there are
//! reused (delete them to time `demo`, about 2 more minutes). Peak memory is
//! read through a small launcher process (see `measure::launcher`).
//!
//! Groups, in the order they run:
//! * `warm` — the demo rows (when the dump is generated), warm `check
//!   --format json` ÷ `find -printf '%s %f\n'` (interleaved runs), scaling
//!   1M ÷ 100k, and `check`'s peak memory (`ru_maxrss`) against 350 MiB.
//! * `cold` — the same pair with the page cache dropped before every run
//!   (`sync; echo 3 > /proc/sys/vm/drop_caches`, root only; said plainly
//!   and skipped otherwise).
//! * `python` — `check` ÷ a plain Python scandir script that reads the same
//!   rows and headers (`python.rs`), warm and (when caches can be dropped) cold.
//! * `tui` — in-process frames, first frame and filter in `TestBackend`.
//! * `tui-pty` — the real binary in a pseudo-terminal (`pty.rs`): first
//!   frame, full lists ÷ `check`, worst filter keystroke, `VmRSS` ÷ `check`'s peak.
//! * `apply` — the database work of applying 100 000 fixes.
//!
//! Environment:
//! * `CACHESCOPE_BENCH_KEYS=N` — the large size (default 1 000 000; the small
//!   one is a tenth of it).
//! * `CACHESCOPE_BENCH_RUNS=N` — runs per timing, median reported (default 3);
//!   warm and cold runs are interleaved between the programs compared.
//! * `CACHESCOPE_BENCH_PTY_RUNS=N` — TUI runs in the pty, each right after a
//!   timed `check` run (default: `CACHESCOPE_BENCH_RUNS`; about 30 s a run at
//!   1M, so 1 or 2 for a quicker look).
//! * `CACHESCOPE_BENCH_DIR=DIR` — where dumps go (default the temp dir).
//! * `CACHESCOPE_BENCH_ONLY=G[,G…]` — only these groups (`warm`, `cold`,
//!   `python`, `tui`, `tui-pty`, `apply`); default all.

mod apply;
mod inproc;
mod measure;
mod pty;
mod python;

use std::path::PathBuf;
use std::time::Duration;

use measure::{
    Row, Sample, Subject, check, create_floor, demo, drop_caches, env_num, find, interleave, mib, secs, step, walls,
};

const GROUPS: [&str; 6] = ["warm", "cold", "python", "tui", "tui-pty", "apply"];

/// The groups `CACHESCOPE_BENCH_ONLY` asks for (all when unset or empty).
fn groups() -> Vec<&'static str> {
    let Ok(only) = std::env::var("CACHESCOPE_BENCH_ONLY") else { return GROUPS.to_vec() };
    if only.trim().is_empty() {
        return GROUPS.to_vec();
    }
    let mut out = vec![];
    for g in only.split(',').map(str::trim) {
        match GROUPS.iter().find(|k| **k == g) {
            Some(k) => out.push(*k),
            None => {
                eprintln!("CACHESCOPE_BENCH_ONLY: unknown group {g:?}; use one or more of {}", GROUPS.join(", "));
                std::process::exit(2);
            }
        }
    }
    out
}

fn main() {
    let args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == measure::LAUNCH) {
        measure::launcher(&args[2..]);
    }
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test` lists benches; nothing to list.
    }
    let groups = groups();
    let on = |g: &str| groups.contains(&g);
    let big = env_num("CACHESCOPE_BENCH_KEYS", 1_000_000);
    let small = (big / 10).max(1000);
    let runs = env_num("CACHESCOPE_BENCH_RUNS", 3).max(1);
    let pty_runs = env_num("CACHESCOPE_BENCH_PTY_RUNS", runs).max(1);
    let base = std::env::var_os("CACHESCOPE_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let root = base.join(format!("cachescope-bench-{big}"));
    std::fs::create_dir_all(&root).unwrap();
    let started = jiff::Timestamp::now();
    let load_before = measure::loadavg();
    eprintln!(
        "scale benchmark {}: groups {}; dumps in {} ({big} keys, {runs} runs, {pty_runs} in the pty)",
        started.strftime("%Y-%m-%d %H:%M UTC"),
        groups.join(","),
        root.display()
    );

    let mut rows: Vec<Row> = vec![];
    let mut skipped: Vec<String> = vec![];
    let large = root.join("large");
    let cache = large.join("cache/audio");
    step("dumps: generating the large one unless it is already there");
    let t_demo = if groups.iter().any(|g| *g != "apply") { demo(&large, big) } else { Duration::ZERO };
    if t_demo > Duration::ZERO {
        demo_rows(&mut rows, &root, t_demo, big);
    }

    let python = if on("python") {
        python::Python::new().map_err(|why| skipped.push(format!("python rows skipped: {why}"))).ok()
    } else {
        None
    };
    let (find_s, check_s) = (find(&cache), check(&large));
    let python_s = python.as_ref().map(|p| p.subject(&large));

    // Warm: one untimed pass of each first, then interleaved runs.
    let mut warm_find = None;
    let mut subjects = vec![];
    if on("warm") {
        subjects.push(&find_s);
    }
    if on("warm") || python_s.is_some() {
        subjects.push(&check_s);
    }
    subjects.extend(python_s.as_ref());
    if !subjects.is_empty() {
        for s in &subjects {
            s.run();
        }
        let names: Vec<_> = subjects.iter().map(|s| s.name).collect();
        step(&format!("warm: {} × {runs}, interleaved", names.join(", ")));
        let samples = interleave(runs, &subjects, || {});
        let of = |name: &str| &samples[subjects.iter().position(|s| s.name == name).unwrap()];
        let checks = of(check_s.name);
        let t_check = walls(checks);
        if on("warm") {
            let t_find = walls(of(find_s.name));
            warm_find = Some(t_find);
            rows.push(Row::new(
                format!("check --format json, {big} keys, warm"),
                secs(t_check),
                format!("find -printf {}", secs(t_find)),
                t_check.as_secs_f64() / t_find.as_secs_f64(),
                1.0,
            ));
            step("warm: scaling, the small dump");
            let little = root.join("small");
            demo(&little, small);
            let small_s = check(&little);
            small_s.run();
            let t_small = walls(&interleave(runs, &[&small_s], || {})[0]);
            rows.push(Row::new(
                format!("scaling: check at {big} ÷ at {small}"),
                secs(t_check),
                secs(t_small),
                t_check.as_secs_f64() / t_small.as_secs_f64(),
                11.0,
            ));
            // The worst of the runs: a peak is a ceiling, not a typical value.
            let rss = checks.iter().map(|s| s.rss).max().unwrap();
            rows.push(Row::new(
                format!("peak memory of check at {big} keys"),
                mib(rss),
                "350 MiB".into(),
                (rss >> 20) as f64 / 350.0,
                1.0,
            ));
        }
        if let Some(p) = &python_s {
            let t_py = walls(of(p.name));
            rows.push(Row::new(
                format!("check ÷ python scandir script, {big} keys, warm"),
                secs(t_check),
                format!("python {}", secs(t_py)),
                t_check.as_secs_f64() / t_py.as_secs_f64(),
                0.25,
            ));
        }
    }

    if on("cold") || python_s.is_some() {
        let programs = Programs { find: on("cold").then_some(&find_s), check: &check_s, python: python_s.as_ref() };
        cold_rows(&mut rows, &mut skipped, big, runs, &programs, warm_find);
    }
    if on("tui") {
        step("tui: in-process frames and filter");
        inproc::rows(&mut rows, &root, &large, big);
    }
    if on("tui-pty") {
        step("tui-pty: the real TUI in a pseudo-terminal");
        pty::rows(&mut rows, &mut skipped, &large, big, pty_runs);
    }
    if on("apply") {
        let n = (big / 10).max(1000);
        step("apply: building and applying the fixes");
        let db = apply::database_work(&root.join("apply"), n);
        rows.push(Row::new(format!("apply {n} fixes: database work"), secs(db), "1 s".into(), db.as_secs_f64(), 1.0));
    }

    print_table(&rows, &skipped);
    println!(
        "{big} keys, {runs} runs ({pty_runs} in the pty), started {}, load average {load_before} before, {} after",
        started.strftime("%Y-%m-%d %H:%M UTC"),
        measure::loadavg()
    );
}

/// `demo` against 60 s per million keys, and against what the file system
/// alone needs to create the same number of files.
fn demo_rows(rows: &mut Vec<Row>, root: &std::path::Path, t_demo: Duration, big: u64) {
    rows.push(Row::new(
        format!("demo --keys {big}"),
        secs(t_demo),
        "60 s".into(),
        t_demo.as_secs_f64() / 60.0 * (1_000_000.0 / big as f64),
        1.0,
    ));
    let files = std::fs::read_dir(root.join("large/cache/audio")).map_or(0, |d| d.count()) as u64;
    let floor = create_floor(&root.join("floor"), 20_000).mul_f64(files as f64 / 20_000.0);
    rows.push(Row::new(
        format!("demo ÷ bare creation of its {files} files"),
        secs(t_demo),
        format!("extrapolated {}", secs(floor)),
        t_demo.as_secs_f64() / floor.as_secs_f64(),
        1.5,
    ));
}

/// The programs the cold rows compare.
struct Programs<'a> {
    find: Option<&'a Subject<'a>>,
    check: &'a Subject<'a>,
    python: Option<&'a Subject<'a>>,
}

/// Cold rows: the page cache (and dentries, inodes) dropped before every
/// run of every program, runs interleaved; skipped, saying why, when the
/// cache cannot be dropped.
fn cold_rows(
    rows: &mut Vec<Row>,
    skipped: &mut Vec<String>,
    big: u64,
    runs: u64,
    p: &Programs,
    warm_find: Option<Duration>,
) {
    let Programs { find: find_s, check: check_s, python: python_s } = *p;
    if let Err(why) = drop_caches() {
        skipped.push(format!("cold rows skipped: the page cache could not be dropped ({why}); run as root"));
        return;
    }
    let mut subjects = vec![];
    subjects.extend(find_s);
    subjects.push(check_s);
    subjects.extend(python_s);
    let names: Vec<_> = subjects.iter().map(|s| s.name).collect();
    step(&format!("cold: {} × {runs}, page cache dropped before each", names.join(", ")));
    let samples = interleave(runs, &subjects, || drop_caches().expect("dropping the page cache worked before"));
    let of = |name: &str| -> &[Sample] { &samples[subjects.iter().position(|s| s.name == name).unwrap()] };
    let t_check = walls(of(check_s.name));
    if let Some(f) = find_s {
        let t_find = walls(of(f.name));
        let mut row = Row::new(
            format!("check --format json, {big} keys, cold"),
            secs(t_check),
            format!("cold find {}", secs(t_find)),
            t_check.as_secs_f64() / t_find.as_secs_f64(),
            1.5,
        );
        row.stretch = Some(1.3);
        rows.push(row);
        if let Some(w) = warm_find
            && t_find < w.mul_f64(1.2)
        {
            skipped.push(format!(
                "note: cold find ({}) was barely slower than warm find ({}): dropping the page cache may not reach the disk here",
                secs(t_find),
                secs(w)
            ));
        }
    }
    if let Some(p) = python_s {
        let t_py = walls(of(p.name));
        rows.push(Row::new(
            format!("check ÷ python scandir script, {big} keys, cold"),
            secs(t_check),
            format!("python {}", secs(t_py)),
            t_check.as_secs_f64() / t_py.as_secs_f64(),
            0.25,
        ));
    }
}

fn print_table(rows: &[Row], skipped: &[String]) {
    let w = rows.iter().map(|r| r.what.chars().count()).max().unwrap_or(4).max(4);
    println!("\n{:<w$} {:>14} {:>26} {:>7}  {:<14} verdict", "what", "measured", "baseline", "ratio", "target");
    for r in rows {
        println!(
            "{:<w$} {:>14} {:>26} {:>7.2}  {:<14} {}",
            r.what,
            r.value,
            r.baseline,
            r.ratio,
            r.target_text(),
            r.verdict()
        );
    }
    let met = rows.iter().filter(|r| r.met()).count();
    println!("\n{met} of {} targets met", rows.len());
    for s in skipped {
        println!("{s}");
    }
}
