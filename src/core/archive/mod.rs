//! Archives as dumps (SPEC §7): `.tar`, `.tar.gz`/`.tgz`, `.zip` and
//! unencrypted `adb backup` `.ab` files, recognised by their first bytes.
//!
//! Reading commands unpack an archive into a private temp folder
//! ([`unpack_private`]) and locate the dump in it like in any folder;
//! `cachescope extract` ([`extract`]) unpacks into a folder beside the
//! target and renames it into place only when everything was written, so a
//! failure leaves nothing that looks complete. Both stream entry by entry
//! through the same [`writer::SafeWriter`], which holds every safety rule.
//!
//! Limits (see the README's "Getting a dump"): at most
//! [`DEFAULT_MAX_ENTRIES`] entries (`CACHESCOPE_MAX_ENTRIES` changes it), no
//! more content than the free space where it is written, tar extension
//! headers up to 1 MiB, a zip's index in memory (a few hundred bytes per
//! entry).

pub mod ab;
pub mod names;
pub mod tar_in;
pub mod writer;
pub mod zip_in;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::control::Control;
use super::error::{Error, Result};
use super::fmt::escaped;
pub use writer::{Limits, Stats};

/// The environment variable that changes the entry cap.
pub const MAX_ENTRIES_VAR: &str = "CACHESCOPE_MAX_ENTRIES";

/// Twice the largest dump we know of (a million cached files), so a real
/// dump passes and a bomb of empty entries stops long before the inodes run out.
pub const DEFAULT_MAX_ENTRIES: u64 = 2_000_000;

/// Space kept free on the disk an archive is unpacked to.
const RESERVE: u64 = 64 << 20;

pub use ab::NOTE as AB_NOTE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Tar,
    TarGz,
    Zip,
    AndroidBackup,
}

impl ArchiveKind {
    pub fn label(self) -> &'static str {
        match self {
            ArchiveKind::Tar => "tar archive",
            ArchiveKind::TarGz => "gzip-compressed tar archive",
            ArchiveKind::Zip => "zip archive",
            ArchiveKind::AndroidBackup => "adb backup",
        }
    }
}

/// What kind of archive `path` is, from its first bytes (not its name).
/// `None` for folders, databases and anything else.
pub fn detect(path: &Path) -> Option<ArchiveKind> {
    let mut f = File::open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut head = Vec::with_capacity(512);
    (&mut f).take(512).read_to_end(&mut head).ok()?;
    if head.starts_with(ab::MAGIC) {
        Some(ArchiveKind::AndroidBackup)
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        // Only a gzip of a tar; a damaged one is still called one, so the
        // error says it is damaged rather than not a dump.
        let mut inner = Vec::with_capacity(512);
        let gz = flate2::read::MultiGzDecoder::new(File::open(path).ok()?);
        match gz.take(512).read_to_end(&mut inner) {
            Ok(_) if inner.len() == 512 && !tar_in::is_tar_header(&inner) => None,
            _ => Some(ArchiveKind::TarGz),
        }
    } else if tar_in::is_tar_header(&head) {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// An archive unpacked into a private temp folder, removed on drop.
#[derive(Debug)]
pub struct Unpacked {
    dir: TempDir,
    root: PathBuf,
    kind: ArchiveKind,
    notes: Vec<String>,
    stats: Stats,
}

impl Unpacked {
    /// The folder to hand to `Dump::locate`: the unpacked tree, or the one
    /// folder everything in it sits in (`dump/`, `data/data/PKG/`).
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// What the user should know about this dump (e.g. [`AB_NOTE`]).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    pub fn kind(&self) -> ArchiveKind {
        self.kind
    }
    pub fn stats(&self) -> Stats {
        self.stats
    }
    /// The private temp folder (for tests that check it is removed).
    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Unpacks `path` into a private temp folder for reading.
pub fn unpack_private(path: &Path, ctl: &Control) -> Result<Unpacked> {
    let kind = detect(path).ok_or_else(|| not_an_archive(path))?;
    let dir = super::tempdirs::make("cachescope-archive-")
        .map_err(|e| Error::io(format!("could not create a temp folder to unpack {}: {e}", escaped(path))))?;
    let hint = format!(
        "it is unpacked under {}; set TMPDIR to a folder on a bigger disk, or unpack it with `cachescope extract`",
        escaped(dir.path().parent().unwrap_or(dir.path()))
    );
    let (stats, notes) = unpack_into(path, kind, dir.path(), hint, ctl)?;
    let root = descend(dir.path());
    Ok(Unpacked { dir, root, kind, notes, stats })
}

/// What [`extract`] wrote.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// The dump inside DIR (DIR itself, or the one folder everything sits in).
    pub root: PathBuf,
    pub kind: ArchiveKind,
    pub notes: Vec<String>,
    pub stats: Stats,
}

/// Unpacks `path` into the new folder `dir`: written beside it under a
/// temp name, renamed into place at the end, removed on any failure.
pub fn extract(path: &Path, dir: &Path, ctl: &Control) -> Result<Extracted> {
    let kind = detect(path).ok_or_else(|| not_an_archive(path))?;
    let (parent, name) = new_folder(dir)?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{}.cachescope-extract-", name.to_string_lossy()))
        .tempdir_in(&parent)
        .map_err(|e| Error::io_at("create a folder in", &parent, &e))?;
    set_mode(staging.path(), 0o755)?;
    let hint = format!("free some space in {}", escaped(&parent));
    let (stats, notes) = unpack_into(path, kind, staging.path(), hint, ctl)?;
    // rename(2) replaces only a missing or empty folder: a DIR filled in
    // the meantime makes it fail, never lose anything.
    std::fs::rename(staging.path(), dir).map_err(|e| Error::io_at("move the unpacked dump to", dir, &e))?;
    let _ = staging.keep();
    Ok(Extracted { root: descend(dir), kind, notes, stats })
}

/// Checks that `dir` is new (or an empty folder) in an existing folder;
/// returns that folder and `dir`'s name.
pub fn new_folder(dir: &Path) -> Result<(PathBuf, std::ffi::OsString)> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {
            let empty = std::fs::read_dir(dir).map_err(|e| Error::io_at("read", dir, &e))?.next().is_none();
            if !empty {
                return Err(Error::bad_input(format!(
                    "{} already exists and is not empty; choose a new folder",
                    escaped(dir)
                )));
            }
        }
        Ok(_) => {
            return Err(Error::bad_input(format!(
                "{} already exists and is not a folder; choose a new folder",
                escaped(dir)
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io_at("check", dir, &e)),
    }
    let abs = std::path::absolute(dir).map_err(|e| Error::io_at("resolve", dir, &e))?;
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return Err(Error::bad_input(format!("{} cannot be a new folder; choose another path", escaped(dir))));
    };
    if !parent.is_dir() {
        return Err(Error::bad_input(format!(
            "the folder {} does not exist; create it first or choose another path",
            escaped(parent)
        )));
    }
    Ok((parent.to_path_buf(), name.to_os_string()))
}

/// The cap and the space budget for writing under `dir`.
pub fn limits(dir: &Path, space_hint: String) -> Result<Limits> {
    let max_entries = match std::env::var(MAX_ENTRIES_VAR) {
        Ok(v) => v.trim().replace('_', "").parse::<u64>().map_err(|_| {
            Error::bad_input(format!(
                "{MAX_ENTRIES_VAR}={} is not a whole number; set it to the most entries to accept",
                v.trim()
            ))
        })?,
        Err(_) => DEFAULT_MAX_ENTRIES,
    };
    let free = super::fsops::free_bytes(dir).map_err(|e| Error::io_at("measure the free space in", dir, &e))?;
    Ok(Limits { max_entries, max_bytes: free.saturating_sub(RESERVE), space_hint })
}

/// Unpacks a tar stream (a phone's `tar c`) into `dir` with the same rules.
pub fn unpack_tar_stream(src: impl Read, dir: &Path, label: String, hint: String, ctl: &Control) -> Result<Stats> {
    let mut w = writer::SafeWriter::new(dir, label, limits(dir, hint)?, ctl)?;
    w.set_remedy("nothing was written; check the connection and pull again");
    tar_in::read_tar(src, &mut w)?;
    w.finish()
}

fn unpack_into(
    path: &Path,
    kind: ArchiveKind,
    dir: &Path,
    hint: String,
    ctl: &Control,
) -> Result<(Stats, Vec<String>)> {
    let label = escaped(path);
    let limits = limits(dir, hint)?;
    let max_entries = limits.max_entries;
    let mut w = writer::SafeWriter::new(dir, label, limits, ctl)?;
    let file = File::open(path).map_err(|e| Error::io_at("open", path, &e))?;
    match kind {
        ArchiveKind::Tar => tar_in::read_tar(BufReader::new(file), &mut w)?,
        ArchiveKind::TarGz => tar_in::read_tar(flate2::read::MultiGzDecoder::new(BufReader::new(file)), &mut w)?,
        ArchiveKind::Zip => zip_in::read_zip(file, max_entries, &mut w)?,
        ArchiveKind::AndroidBackup => tar_in::read_tar(ab::open(path, BufReader::new(file))?, &mut w)?,
    }
    let stats = w.finish()?;
    let mut notes = Vec::new();
    if kind == ArchiveKind::AndroidBackup && mark_missing_cache(dir)? {
        notes.push(AB_NOTE.to_string());
    }
    Ok((stats, notes))
}

/// adb backup never stores `apps/<pkg>/c/` (the cache): adds it empty so
/// discovery finds the cache dir the app would have, and says whether any
/// app lacked it.
fn mark_missing_cache(dir: &Path) -> Result<bool> {
    let apps = dir.join("apps");
    let Ok(list) = std::fs::read_dir(&apps) else { return Ok(true) };
    let mut missing = false;
    for app in list.flatten() {
        if !app.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let c = app.path().join("c");
        let has_content = std::fs::read_dir(&c).is_ok_and(|mut d| d.next().is_some());
        if !has_content {
            missing = true;
            if std::fs::symlink_metadata(&c).is_err() {
                std::fs::create_dir(&c).map_err(|e| Error::io_at("create", &c, &e))?;
            }
        }
    }
    Ok(missing)
}

/// Follows a chain of lone folders down (`dump/`, `data/data/PKG/`), so the
/// dump root is the folder that holds the app's data.
pub fn descend(dir: &Path) -> PathBuf {
    let mut at = dir.to_path_buf();
    loop {
        let Ok(mut list) = std::fs::read_dir(&at) else { return at };
        let (Some(Ok(only)), None) = (list.next(), list.next()) else { return at };
        if !only.file_type().is_ok_and(|t| t.is_dir()) {
            return at;
        }
        at = only.path();
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io_at("set the mode of", path, &e))
}

/// Why [`detect`] found no archive: a missing or unreadable file is said to
/// be one, not called the wrong kind of file.
fn not_an_archive(path: &Path) -> Error {
    match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Error::bad_input(format!("{} does not exist; check the path to the archive", escaped(path)));
        }
        Err(e) => return super::dbfiles::cannot_read(path, &e),
        Ok(_) => {}
    }
    Error::bad_input(format!(
        "{} is not an archive cachescope can read; use a .tar, .tar.gz, .zip or unencrypted adb backup (.ab)",
        escaped(path)
    ))
}
