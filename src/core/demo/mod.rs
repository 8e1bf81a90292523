//! `cachescope demo`: a realistic synthetic dump with every kind of
//! discrepancy, deterministic for a seed, fast enough for a million keys.

pub mod bundled;
pub mod containers;
mod speech;
pub mod story;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::error::{Error, Result};
use super::fmt::{escaped, group, size};
use super::fsops::free_bytes;
use story::{BASE_MS, SPAN_MS, Story, VOICES};

pub const DB_REL: &str = "databases/app.db";
pub const CACHE_REL: &str = "cache/audio";

/// What [`write_demo`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub keys: u64,
    pub files: u64,
    pub rows: u64,
}

/// What one key looks like in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Wav,
    M4a,
    Failed,
    Orphan,
    Ghost,
    StateMismatch,
    SizeMismatch,
    /// A writer killed at a fragment boundary: whole file, shorter audio.
    Cut,
    Redundant,
    Truncated,
    Partial,
}

/// How many shapes there are (the story counts keys per shape).
pub(super) const SHAPES: usize = Shape::Partial as usize + 1;

/// The first keys show every shape once, the next ones give each planted
/// cause (see [`story`]) enough keys to be found in a small dump; after
/// that ~3 % are discrepancies.
fn shape(i: u64, rng: &mut fastrand::Rng, clips: Clips) -> Shape {
    const SPECIAL: [Shape; 8] = [
        Shape::Orphan,
        Shape::Ghost,
        Shape::StateMismatch,
        Shape::SizeMismatch,
        Shape::Cut,
        Shape::Redundant,
        Shape::Truncated,
        Shape::Partial,
    ];
    const STORY: [Shape; 8] = [
        Shape::Orphan,
        Shape::StateMismatch,
        Shape::Partial,
        Shape::Ghost,
        Shape::Orphan,
        Shape::StateMismatch,
        Shape::Truncated,
        Shape::Ghost,
    ];
    if (i as usize) < SPECIAL.len() {
        return SPECIAL[i as usize];
    }
    if let Some(s) = STORY.get(i as usize - SPECIAL.len()) {
        return *s;
    }
    let roll = rng.u32(0..1000);
    // A cache of speech is mostly compressed: few WAVs wait for compression.
    let wav_until = if clips == Clips::Speech { 130 } else { 400 };
    match roll {
        0..30 => SPECIAL[rng.usize(0..SPECIAL.len())],
        30..40 => Shape::Failed,
        r if r < wav_until => Shape::Wav,
        _ => Shape::M4a,
    }
}

/// How big the demo's audio files are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clips {
    /// A few hundred bytes each: for tests and the million-key benchmarks.
    #[default]
    Tiny,
    /// The sizes and durations of real speech: clips of 1.5–14 s, 16 kHz
    /// mono WAV (32 kB/s) and 32 kbit/s AAC in M4A (4 kB/s), so the numbers
    /// in a demo call look right.
    Speech,
}

/// One key's audio in both encodings, with their durations; `cut` is what
/// a writer killed early left of it and `cut_row_ms` what its row says.
struct Audio {
    wav: std::borrow::Cow<'static, [u8]>,
    wav_ms: i64,
    m4a: std::borrow::Cow<'static, [u8]>,
    m4a_ms: i64,
    cut: std::borrow::Cow<'static, [u8]>,
    cut_row_ms: i64,
}

impl Audio {
    /// Synthetic containers of `data` bytes of 16 kHz audio.
    fn tiny(data: u32) -> Audio {
        let wav_ms = i64::from(data) * 1000 / i64::from(containers::BYTE_RATE);
        Audio {
            wav: containers::wav(data).into(),
            wav_ms,
            m4a: containers::m4a(wav_ms as u32, data / 8).into(),
            m4a_ms: wav_ms,
            cut: containers::m4a((wav_ms / 3) as u32, data / 24).into(),
            cut_row_ms: wav_ms + 1500,
        }
    }

    /// Real speech: one of the bundled clips, chosen by `drawn`.
    fn speech(drawn: u32) -> Audio {
        let all = speech::clips();
        let clip = &all[drawn as usize % all.len()];
        let short = speech::shortest();
        Audio {
            wav: clip.wav.as_slice().into(),
            wav_ms: clip.wav_ms,
            m4a: clip.m4a.into(),
            m4a_ms: clip.m4a_ms,
            cut: short.m4a.into(),
            cut_row_ms: clip.m4a_ms.max(3_000) + 1_500,
        }
    }
}

/// Books of the demo's speech clips: an app's catalogue reads like this.
const BOOKS: [&str; 12] = [
    "pride-and-prejudice",
    "moby-dick",
    "dracula",
    "frankenstein",
    "the-time-machine",
    "middlemarch",
    "great-expectations",
    "the-odyssey",
    "walden",
    "little-women",
    "treasure-island",
    "the-secret-garden",
];

/// Writes a dump of tiny files into `dir` (which must not exist or be empty).
pub fn write_demo(dir: &Path, keys: u64, seed: u64) -> Result<DemoSummary> {
    write_demo_with(dir, keys, seed, Clips::Tiny)
}

impl Clips {
    /// About what one key takes on disk, from demos of 2 000 keys (`du`):
    /// 37 kB with speech, 4.4 kB tiny (a block per file). A little under, so
    /// that a demo that fits is never refused.
    fn bytes_per_key(self) -> u64 {
        match self {
            Clips::Tiny => 4 << 10,
            Clips::Speech => 32 << 10,
        }
    }
}

/// Writes a dump into `dir` with clips of the given size. It is written
/// into a hidden folder beside `dir` and renamed at the end, so a failure
/// (a full disk) leaves nothing half-written; one that would not fit in the
/// free space is refused before it starts.
pub fn write_demo_with(dir: &Path, keys: u64, seed: u64, clips: Clips) -> Result<DemoSummary> {
    if dir.exists() && fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Error::bad_input(format!(
            "{} already exists and is not empty; choose a new folder for the demo dump",
            escaped(dir)
        )));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|e| Error::io_at("write", parent, &e))?;
    let (need, free) = (keys.saturating_mul(clips.bytes_per_key()), free_bytes(parent).unwrap_or(u64::MAX));
    if need > free {
        return Err(Error::bad_input(format!(
            "a demo dump of {} keys needs about {} and {} has {} free; choose fewer --keys or another folder",
            group(keys),
            size(need),
            escaped(parent),
            size(free)
        )));
    }
    let tmp = tempfile::Builder::new()
        .prefix(".cachescope-demo-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .tempdir_in(parent)
        .map_err(|e| Error::io_at("write", parent, &e))?;
    // Failures name `dir`, not the hidden folder (removed when `tmp` drops).
    let summary = write_into(tmp.path(), keys, seed, clips).map_err(|e| Error {
        message: format!(
            "{}; the half-written demo was removed",
            e.message.replace(&escaped(tmp.path()), &escaped(dir))
        ),
        ..e
    })?;
    // Onto `dir` if it is an empty folder, as rename(2) allows.
    fs::rename(tmp.path(), dir).map_err(|e| Error::io_at("write", dir, &e))?;
    let _ = tmp.keep();
    Ok(summary)
}

fn write_into(dir: &Path, keys: u64, seed: u64, clips: Clips) -> Result<DemoSummary> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e: std::io::Error| Error::io_at("write", &p, &e)
    };
    let cache = dir.join(CACHE_REL);
    let db_path = dir.join(DB_REL);
    fs::create_dir_all(&cache).map_err(io(&cache))?;
    fs::create_dir_all(db_path.parent().unwrap_or(dir)).map_err(io(dir))?;
    let prefs = dir.join("shared_prefs");
    fs::create_dir_all(&prefs).map_err(io(&prefs))?;
    fs::write(prefs.join("settings.xml"), "<map><int name=\"cache_limit_mb\" value=\"512\" /></map>\n")
        .map_err(io(&prefs))?;
    fs::write(cache.join(".nomedia"), b"").map_err(io(&cache))?;

    let sql = |e: rusqlite::Error| Error::sqlite_at("write", &db_path, &e);
    // A second, unrelated database: discovery must pick the right one.
    let other = Connection::open(dir.join("databases/analytics.db")).map_err(sql)?;
    other
        .execute_batch(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO events (name) VALUES ('app_open');",
        )
        .map_err(sql)?;
    drop(other);

    let mut conn = Connection::open(&db_path).map_err(sql)?;
    conn.execute_batch("PRAGMA journal_mode = DELETE;").map_err(sql)?;
    conn.execute_batch(crate::core::schema::REFERENCE_DDL).map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut summary = DemoSummary { keys, ..Default::default() };
    let mut story = Story::default();
    // Files are written by a few threads; everything random is drawn here, in
    // order, so the dump is the same for a seed.
    let (files, queue) = std::sync::mpsc::sync_channel::<(PathBuf, Vec<u8>, std::time::SystemTime)>(4096);
    let queue = std::sync::Mutex::new(queue);
    let failed = std::sync::Mutex::new(None::<Error>);
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let Ok((path, bytes, mtime)) = queue.lock().unwrap_or_else(|e| e.into_inner()).recv() else {
                        return;
                    };
                    let written = File::create(&path)
                        .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.set_modified(mtime)))
                        .map_err(|e| Error::io_at("write", &path, &e));
                    if let Err(e) = written {
                        failed.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                    }
                }
            });
        }
        {
            let mut insert = tx
                .prepare("INSERT INTO cache_entries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                .map_err(sql)?;
            for i in 0..keys {
                let key: String =
                    format!("{:016x}{:016x}{:016x}{:016x}", rng.u64(..), rng.u64(..), rng.u64(..), rng.u64(..));
                let shape = shape(i, &mut rng, clips);
                let book_n = rng.u32(0..200);
                let book = match clips {
                    Clips::Tiny => format!("book-{book_n:04}"),
                    Clips::Speech => BOOKS[book_n as usize % BOOKS.len()].to_string(),
                };
                let chapter = i64::from(rng.u32(0..40));
                let voice = VOICES[rng.usize(0..VOICES.len())];
                let placed = story.place(shape, BASE_MS + rng.i64(0..SPAN_MS), voice);
                let (created, voice) = (placed.time, placed.voice);
                let used = created + rng.i64(0..86_400_000);
                let drawn = rng.u32(400..4000);
                // Speech: the same draw read as a duration of 1.5–14 s.
                let data = match clips {
                    Clips::Tiny => drawn & !1,
                    Clips::Speech => ((1500 + (drawn - 400) * 12_500 / 3600) * containers::BYTE_RATE / 1000) & !1,
                };
                let audio = match clips {
                    Clips::Tiny => Audio::tiny(data),
                    Clips::Speech => Audio::speech(drawn),
                };
                let (wav, wav_ms, m4a, m4a_ms) = (&audio.wav[..], audio.wav_ms, &audio.m4a[..], audio.m4a_ms);
                let mtime = UNIX_EPOCH + Duration::from_millis(created as u64);
                let mut put = |name: String, bytes: &[u8]| -> Result<()> {
                    summary.files += 1;
                    files
                        .send((cache.join(name), bytes.to_vec(), mtime))
                        .map_err(|_| Error::io("the demo file writers stopped"))
                };
                let (state, size, dur): (&str, Option<i64>, Option<i64>) = match shape {
                    Shape::Wav => {
                        put(format!("{key}.wav"), wav)?;
                        ("wav", Some(wav.len() as i64), Some(wav_ms))
                    }
                    Shape::M4a | Shape::Orphan | Shape::Redundant => {
                        put(format!("{key}.m4a"), m4a)?;
                        if shape == Shape::Redundant {
                            put(format!("{key}.wav"), wav)?;
                        }
                        ("m4a", Some(m4a.len() as i64), Some(m4a_ms))
                    }
                    Shape::Failed => ("failed", None, None),
                    Shape::Ghost => ("m4a", Some(m4a.len() as i64), Some(m4a_ms)),
                    Shape::StateMismatch => {
                        put(format!("{key}.m4a"), m4a)?;
                        (placed.mismatch_state, Some(wav.len() as i64), Some(wav_ms))
                    }
                    Shape::SizeMismatch => {
                        put(format!("{key}.m4a"), m4a)?;
                        ("m4a", Some(m4a.len() as i64 + 512), Some(m4a_ms))
                    }
                    Shape::Cut => {
                        // The row remembers the whole clip; the file holds much less.
                        put(format!("{key}.m4a"), &audio.cut)?;
                        ("m4a", Some(audio.cut.len() as i64), Some(audio.cut_row_ms))
                    }
                    Shape::Truncated => {
                        // Killed mid-write: the header promises more than was written.
                        let half = 44 + (((wav.len() - 44) / 2) & !1);
                        put(format!("{key}.wav"), &wav[..half])?;
                        ("wav", Some(wav.len() as i64), Some(wav_ms))
                    }
                    Shape::Partial => {
                        put(format!("{key}.m4a"), m4a)?;
                        put(format!("{key}.m4a.tmp"), &m4a[..m4a.len() / 2])?;
                        ("m4a", Some(m4a.len() as i64), Some(m4a_ms))
                    }
                };
                if shape != Shape::Orphan {
                    insert
                        .execute(params![
                            key,
                            book,
                            chapter,
                            voice,
                            state,
                            size,
                            dur,
                            i64::from(i % 50 == 0),
                            created,
                            used
                        ])
                        .map_err(sql)?;
                    summary.rows += 1;
                }
            }
        }
        drop(files);
        Ok(())
    })?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    tx.commit().map_err(sql)?;
    // Stray files at fixed times spread over the span (the notes written
    // when the dump was pulled), so the dump is the same whenever it is made.
    for (name, bytes, at) in [
        ("notes.txt", &b"pulled from device 7, ticket APP-1234\n"[..], SPAN_MS + 3_600_000),
        ("COVER.WAV", &containers::wav(64)[..], 20 * 86_400_000),
        (".DS_Store", &b"\0\0\0\x01Bud1"[..], 61 * 86_400_000),
    ] {
        let path = cache.join(name);
        File::create(&path)
            .and_then(|mut f| {
                f.write_all(bytes)?;
                f.set_modified(UNIX_EPOCH + Duration::from_millis((BASE_MS + at) as u64))
            })
            .map_err(io(&path))?;
        summary.files += 1;
    }
    Ok(summary)
}

/// Where the demo's database and cache dir are, for messages.
pub fn layout(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join(DB_REL), dir.join(CACHE_REL))
}
