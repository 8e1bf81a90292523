//! Builders for the archive tests: real archives made with the `tar`,
//! `flate2` and `zip` crates, GNU tar, adb backups, and hand-made tar
//! headers for the hostile cases the crates refuse to write.
#![allow(dead_code)]

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::Compression;

/// GNU tar, when the machine has it (every Debian machine does).
pub fn gnu_tar() -> Option<PathBuf> {
    ["/bin/tar", "/usr/bin/tar"].iter().map(PathBuf::from).find(|p| p.exists())
}

/// A demo dump with every kind of discrepancy, written by the binary.
pub fn demo(dir: &Path, keys: u32) {
    let out = Command::new(env!("CARGO_BIN_EXE_cachescope"))
        .args(["demo", &dir.to_string_lossy(), "--keys", &keys.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A tar of the folder's contents (`./…` names), mtimes kept.
pub fn tar_bytes(dir: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.follow_symlinks(false);
    b.append_dir_all(".", dir).unwrap();
    b.into_inner().unwrap()
}

pub fn write_tar(dir: &Path, out: &Path) {
    std::fs::write(out, tar_bytes(dir)).unwrap();
}

pub fn write_tgz(dir: &Path, out: &Path) {
    let mut gz = flate2::write::GzEncoder::new(File::create(out).unwrap(), Compression::default());
    gz.write_all(&tar_bytes(dir)).unwrap();
    gz.finish().unwrap();
}

/// A zip of the folder's contents with unix modes and (DOS) mtimes.
pub fn write_zip(dir: &Path, out: &Path) {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(File::create(out).unwrap());
    for e in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let mtime = e.metadata().unwrap().modified().unwrap();
        let opts = SimpleFileOptions::default().last_modified_time(dos(mtime));
        if e.file_type().is_dir() {
            z.add_directory(rel, opts).unwrap();
        } else {
            z.start_file(rel, opts.unix_permissions(0o644)).unwrap();
            z.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
    z.finish().unwrap();
}

fn dos(t: std::time::SystemTime) -> zip::DateTime {
    let z = jiff::Timestamp::try_from(t).unwrap().to_zoned(jiff::tz::TimeZone::system());
    zip::DateTime::from_date_and_time(
        z.year() as u16,
        z.month() as u8,
        z.day() as u8,
        z.hour() as u8,
        z.minute() as u8,
        z.second() as u8,
    )
    .unwrap()
}

/// An unencrypted adb backup of `tar` (compressed or not).
pub fn write_ab(tar: &[u8], out: &Path, compressed: bool) {
    let mut f = File::create(out).unwrap();
    write!(f, "ANDROID BACKUP\n5\n{}\nnone\n", u8::from(compressed)).unwrap();
    if compressed {
        let mut z = flate2::write::ZlibEncoder::new(f, Compression::default());
        z.write_all(tar).unwrap();
        z.finish().unwrap();
    } else {
        f.write_all(tar).unwrap();
    }
}

/// One hand-made tar entry: any name, any type, any link target.
pub struct Raw<'a> {
    pub name: &'a [u8],
    pub kind: tar::EntryType,
    pub link: &'a [u8],
    pub data: &'a [u8],
    /// The size the header declares (the data's length when `None`).
    pub size: Option<u64>,
}

pub fn file<'a>(name: &'a str, data: &'a [u8]) -> Raw<'a> {
    Raw { name: name.as_bytes(), kind: tar::EntryType::Regular, link: b"", data, size: None }
}
pub fn dir(name: &str) -> Raw<'_> {
    Raw { name: name.as_bytes(), kind: tar::EntryType::Directory, link: b"", data: b"", size: None }
}
pub fn symlink<'a>(name: &'a str, target: &'a str) -> Raw<'a> {
    Raw { name: name.as_bytes(), kind: tar::EntryType::Symlink, link: target.as_bytes(), data: b"", size: None }
}
pub fn hardlink<'a>(name: &'a str, target: &'a str) -> Raw<'a> {
    Raw { name: name.as_bytes(), kind: tar::EntryType::Link, link: target.as_bytes(), data: b"", size: None }
}
pub fn special(name: &str, kind: tar::EntryType) -> Raw<'_> {
    Raw { name: name.as_bytes(), kind, link: b"", data: b"", size: None }
}

/// A tar of raw entries, written header by header (the tar crate's own
/// builder refuses `..` and absolute names, which is the point here).
pub fn raw_tar(entries: &[Raw]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_gnu();
        {
            let g = h.as_gnu_mut().unwrap();
            g.name[..e.name.len()].copy_from_slice(e.name);
            g.linkname[..e.link.len()].copy_from_slice(e.link);
        }
        h.set_entry_type(e.kind);
        h.set_size(e.size.unwrap_or(e.data.len() as u64));
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// `check --format json` output with what legitimately differs between an
/// archive and a folder (where the dump sits, how long it took) removed.
pub fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    v["scanned"].as_object_mut().unwrap().remove("elapsed_ms");
    for k in ["db", "cache_dir"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}
