//! The `--deep` benchmark (issue 11): `check --deep` on a dump of real AAC
//! clips against ffmpeg decoding the same files in one process
//! (`ffmpeg -f concat -safe 0 -i LIST -f null -`); target ≤ 1.0×.
//!
//! `cargo bench --bench deep` makes the corpus once with ffmpeg (speech from
//! espeak-ng when it is installed, tones otherwise), a few minutes, and
//! reuses it after. Environment: `CACHESCOPE_DEEP_CLIPS=N` clips (default
//! 2 000), `CACHESCOPE_BENCH_RUNS=N` runs per timing (median; default 5),
//! `CACHESCOPE_BENCH_DIR=DIR` where the dump goes (default the temp dir).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cachescope");

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn has(tool: &str) -> bool {
    Command::new(tool).arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// The 64-hex key of clip `n` (the tests' scheme: distinct, not sequential).
fn key(n: u64) -> String {
    format!("{:064x}", n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Wall and CPU (user + system) time of one run; panics if it fails, so a
/// broken decoder is never timed as a fast one. (`wait4` reaps the child,
/// which clippy cannot see.)
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> (Duration, Duration) {
    let start = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; both out-pointers are valid.
    let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(rc > 0, "wait4 failed");
    // `check` exits 1 when it finds discrepancies; only 2 and up is a failure.
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1, "{cmd:?} failed ({status})");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (wall, tv(usage.ru_utime) + tv(usage.ru_stime))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

const WORDS: &[&str] = &[
    "the", "chapter", "begins", "when", "morning", "light", "falls", "across", "old", "harbour", "and", "a", "quiet",
    "voice", "reads", "letters", "from", "her", "brother", "who", "sailed", "north", "years", "ago", "nobody", "knew",
    "why", "winter", "came", "early", "that", "season", "but", "every", "page", "carried", "salt", "smoke", "promise",
    "return", "under", "lamps", "kitchen", "table", "children", "listened", "without", "moving", "until", "bells",
];
const VOICES: &[&str] = &["en", "en-us", "en+f3", "en+m3", "en-gb-x-rp"];

/// Clips per ffmpeg run: one process encodes a batch (an input and an output
/// per clip), since starting ffmpeg costs more than encoding a few seconds.
const BATCH: u64 = 25;

/// Clips `ns`: speech from espeak-ng (or tones) encoded by ffmpeg as AAC in
/// M4A, `<key>.m4a` in `audio`; returns each clip's duration in ms for its row.
fn make_clips(ns: std::ops::Range<u64>, audio: &Path, work: &Path, speech: bool) -> Vec<(u64, u64)> {
    let mut ffmpeg = Command::new("ffmpeg");
    ffmpeg.args(["-hide_banner", "-nostdin", "-v", "error", "-y"]);
    let mut made = vec![];
    for n in ns.clone() {
        let mut rng = fastrand::Rng::with_seed(n);
        if speech {
            let text: Vec<&str> = (0..rng.usize(6..18)).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
            let wav = Command::new("espeak-ng")
                .args(["-v", VOICES[rng.usize(..VOICES.len())], "-s", &rng.u32(140..200).to_string(), "--stdout"])
                .arg(text.join(" "))
                .output()
                .expect("espeak-ng");
            // Written to a pipe: its sizes are placeholders, so count the bytes (16-bit mono).
            let rate = u64::from(u32::from_le_bytes(wav.stdout[24..28].try_into().unwrap()));
            made.push((n, (wav.stdout.len() as u64 - 44) / 2 * 1000 / rate));
            let path = work.join(format!("{n}.wav"));
            std::fs::write(&path, &wav.stdout).unwrap();
            ffmpeg.arg("-i").arg(path);
        } else {
            let ms = rng.u64(1500..6000);
            made.push((n, ms));
            let src = format!("sine=frequency={}:sample_rate=22050:duration={ms}ms", rng.u32(120..900));
            ffmpeg.args(["-f", "lavfi", "-i", &src]);
        }
    }
    let tmp = |n: u64| audio.join(format!("{}.tmp.m4a", key(n)));
    for (i, n) in ns.clone().enumerate() {
        ffmpeg.args(["-map", &format!("{i}:a"), "-c:a", "aac", "-b:a", "48k"]).arg(tmp(n));
    }
    assert!(ffmpeg.status().unwrap().success(), "ffmpeg failed on clips {ns:?}");
    for n in ns {
        std::fs::rename(tmp(n), audio.join(format!("{}.m4a", key(n)))).unwrap();
        let _ = std::fs::remove_file(work.join(format!("{n}.wav")));
    }
    made
}

/// The dump (`databases/app.db` + `cache/audio/<key>.m4a`, a row per clip),
/// made once: clips in parallel, the database last (its presence means done).
fn corpus(root: &Path, clips: u64) -> Duration {
    let db = root.join("databases/app.db");
    if db.exists() {
        return Duration::ZERO;
    }
    let audio = root.join("cache/audio");
    let _ = std::fs::remove_dir_all(root); // what a stopped run left
    std::fs::create_dir_all(&audio).unwrap();
    std::fs::create_dir_all(root.join("databases")).unwrap();
    let work = root.join("speech");
    std::fs::create_dir_all(&work).unwrap();
    let speech = has("espeak-ng") && Command::new("espeak-ng").arg("--version").output().is_ok();
    eprintln!("making {clips} AAC clips ({}) in {}", if speech { "espeak-ng speech" } else { "tones" }, root.display());
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rows: Vec<(u64, u64)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut made = vec![];
                    loop {
                        let n = next.fetch_add(BATCH, Ordering::Relaxed);
                        if n >= clips {
                            return made;
                        }
                        made.extend(make_clips(n..(n + BATCH).min(clips), &audio, &work, speech));
                        if n.is_multiple_of(250) {
                            eprintln!("  {n} / {clips}");
                        }
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let _ = std::fs::remove_dir(&work);
    let tmp = db.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut conn = rusqlite::Connection::open(&tmp).unwrap();
    conn.execute_batch(cachescope::core::schema::REFERENCE_DDL).unwrap();
    let tx = conn.transaction().unwrap();
    for (n, ms) in rows {
        let k = key(n);
        let size = std::fs::metadata(audio.join(format!("{k}.m4a"))).unwrap().len() as i64;
        tx.execute(
            "INSERT INTO cache_entries (cache_key, book_id, chapter_index, voice_id, compression_state, size_bytes, \
             duration_ms, created_at, last_used_at) VALUES (?1, ?2, ?3, 'amy', 'm4a', ?4, ?5, ?6, ?6)",
            rusqlite::params![
                k,
                format!("book-{}", n / 40),
                (n % 40) as i64,
                size,
                ms as i64,
                1_700_000_000_000i64 + n as i64
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    std::fs::rename(&tmp, &db).unwrap();
    start.elapsed()
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test` lists benches; nothing to list.
    }
    if !has("ffmpeg") {
        println!("deep benchmark skipped: ffmpeg is not installed (it makes the clips and is the baseline)");
        return;
    }
    let clips = env_num("CACHESCOPE_DEEP_CLIPS", 2000).max(1);
    let runs = env_num("CACHESCOPE_BENCH_RUNS", 5).max(1);
    let base = std::env::var_os("CACHESCOPE_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let root = base.join(format!("cachescope-deep-{clips}"));
    let made = corpus(&root, clips);
    if made > Duration::ZERO {
        eprintln!("corpus made in {}", secs(made));
    }
    let audio = root.join("cache/audio");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&audio).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let list = root.join("concat.txt");
    let lines: String = files.iter().map(|f| format!("file '{}'\n", f.display())).collect();
    std::fs::write(&list, lines).unwrap();
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();

    let ffmpeg = || {
        let mut c = Command::new("ffmpeg");
        c.args(["-hide_banner", "-nostdin", "-v", "error", "-f", "concat", "-safe", "0", "-i"]);
        c.arg(&list).args(["-f", "null", "-"]);
        c
    };
    let check = |deep: bool| {
        let mut c = Command::new(BIN);
        c.arg("check").arg(&root).args(["--format", "json"]);
        if deep {
            c.arg("--deep");
        }
        c
    };
    // Every clip must decode whole, or the timing means nothing.
    let out = check(true).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check --deep gave no JSON report");
    let found = report["discrepancies"].as_array().map_or(0, Vec::len);
    assert_eq!(found, 0, "check --deep found discrepancies in a clean corpus: {}", report["summary"]);
    measure(&mut ffmpeg()); // warm: the page cache holds every clip

    let (mut tf, mut td, mut tc, mut cf, mut cd) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let (w, c) = measure(&mut ffmpeg());
        tf.push(w);
        cf.push(c);
        let (w, c) = measure(&mut check(true));
        td.push(w);
        cd.push(c);
        tc.push(measure(&mut check(false)).0);
    }
    let (tf, td, tc, cf, cd) = (median(tf), median(td), median(tc), median(cf), median(cd));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!("{} AAC clips, {:.1} MB, warm, {cores} cores, median of {runs}:", files.len(), bytes as f64 / 1e6);
    println!("  ffmpeg -f concat … -f null -   {} (CPU {})", secs(tf), secs(cf));
    println!("  check --deep --format json     {} (CPU {})", secs(td), secs(cd));
    println!("  check --format json            {}", secs(tc));
    let ratio = td.as_secs_f64() / tf.as_secs_f64();
    let verdict = if ratio <= 1.0 { "met" } else { "missed" };
    println!("check --deep ÷ ffmpeg: {ratio:.2} (target ≤ 1.0 — {verdict})");
}
