//! Hostile archives: each is refused with one sentence naming the archive
//! and the entry, exit 2, and nothing is written outside DIR (nor DIR
//! itself: a failed extraction leaves no folder that looks complete).

mod archive_kit;
mod common;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use archive_kit::*;
use common::*;
use tar::EntryType;

/// A folder holding only the archive and a file that must stay untouched.
struct Scene {
    dir: tempfile::TempDir,
    archive: PathBuf,
}

impl Scene {
    fn new(name: &str, bytes: &[u8]) -> Scene {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sentinel.txt"), b"keep me").unwrap();
        std::fs::create_dir(dir.path().join("victim")).unwrap();
        let archive = dir.path().join(name);
        std::fs::write(&archive, bytes).unwrap();
        Scene { dir, archive }
    }

    /// `extract` must refuse with one line naming the archive and `entry`;
    /// the folder around it must be byte for byte as before.
    fn refused(&self, entry: &str, why: &str) -> String {
        self.refused_env(entry, why, &[])
    }

    fn refused_env(&self, entry: &str, why: &str, env: &[(&str, &str)]) -> String {
        let before = tree(self.dir.path());
        let target = self.dir.path().join("out");
        let out = cachescope_env([OsStr::new("extract"), self.archive.as_os_str(), target.as_os_str()], env);
        let line = out.one_line_error().to_string();
        let name = self.archive.file_name().unwrap().to_string_lossy().into_owned();
        assert!(line.contains(&name), "{line}");
        assert!(line.contains(entry), "{line} does not name {entry}");
        assert!(line.contains(why), "{line} does not say {why}");
        assert_eq!(tree(self.dir.path()), before, "extract wrote something: {line}");
        // Reading it as a dump refuses it the same way, leaving no temp folder.
        let tmp = tempfile::tempdir().unwrap();
        let mut env = env.to_vec();
        env.push(("TMPDIR", tmp.path().to_str().unwrap()));
        let out = cachescope_env([OsStr::new("check"), self.archive.as_os_str()], &env);
        assert!(out.one_line_error().contains(entry));
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        assert_eq!(tree(self.dir.path()), before);
        line
    }
}

#[test]
fn a_tar_with_dot_dot_names_is_refused() {
    let s = Scene::new("slip.tar", &raw_tar(&[file("ok.txt", b"1"), file("../victim/evil.txt", b"x")]));
    s.refused("../victim/evil.txt", "`..`");
}

#[test]
fn a_zip_slip_is_refused() {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("fine.txt", opts).unwrap();
    z.write_all(b"1").unwrap();
    z.start_file("a/../../victim/evil.txt", opts).unwrap();
    z.write_all(b"x").unwrap();
    let s = Scene::new("slip.zip", &z.finish().unwrap().into_inner());
    s.refused("a/../../victim/evil.txt", "`..`");
}

#[test]
fn absolute_names_are_refused() {
    let s = Scene::new("abs.tar", &raw_tar(&[file("/tmp/cachescope-evil.txt", b"x")]));
    s.refused("/tmp/cachescope-evil.txt", "absolute");
    assert!(!Path::new("/tmp/cachescope-evil.txt").exists());
}

#[test]
fn symlinks_out_of_the_folder_are_refused() {
    let s = Scene::new("up.tar", &raw_tar(&[dir("d"), symlink("d/up", "../../victim")]));
    s.refused("d/up", "outside the folder");
    let s = Scene::new("abs-link.tgz", &gz(&raw_tar(&[symlink("etc", "/etc")])));
    s.refused("etc", "absolute path");
    // Lexically inside, but through another link it reaches the parent.
    let s = Scene::new("chain.tar", &raw_tar(&[dir("d1"), symlink("d1/l1", ".."), symlink("l2", "d1/l1/..")]));
    s.refused("l2", "another link");
}

#[test]
fn hard_links_out_of_the_folder_are_refused() {
    let s = Scene::new("hard.tar", &raw_tar(&[hardlink("passwd", "/etc/passwd")]));
    s.refused("passwd", "outside the folder");
    let s = Scene::new("hard-up.tar", &raw_tar(&[hardlink("s", "../sentinel.txt")]));
    s.refused("s", "outside the folder");
    // A hard link to a link that leaves is no way out either.
    let s = Scene::new("hard-link.tar", &raw_tar(&[symlink("l", "sub"), hardlink("h", "l/x")]));
    s.refused("h", "not a file written earlier");
}

#[test]
fn a_file_written_through_a_link_of_the_same_archive_is_refused() {
    // The link is harmless on its own; the file behind it must not be
    // written through it (links are written last, names must not clash).
    let s = Scene::new("through.tar", &raw_tar(&[symlink("l", "sub"), dir("sub"), file("l/x.txt", b"x")]));
    s.refused("l", "twice");
}

#[test]
fn device_nodes_and_fifos_are_refused() {
    let s = Scene::new("dev.tar", &raw_tar(&[special("null", EntryType::Char)]));
    s.refused("null", "device node");
    let s = Scene::new("fifo.tar", &raw_tar(&[special("pipe", EntryType::Fifo)]));
    s.refused("pipe", "FIFO");
}

#[test]
fn duplicate_names_are_refused() {
    let s = Scene::new("dup.tar", &raw_tar(&[file("a.txt", b"1"), file("./a.txt", b"2")]));
    s.refused("./a.txt", "twice");
}

#[test]
fn a_tar_bomb_of_tiny_files_stops_at_the_entry_cap() {
    let names: Vec<String> = (0..300).map(|i| format!("f{i:03}")).collect();
    let entries: Vec<Raw> = names.iter().map(|n| file(n, b"")).collect();
    let s = Scene::new("bomb.tar", &raw_tar(&entries));
    let line = s.refused_env("f100", "limit of 100 entries", &[("CACHESCOPE_MAX_ENTRIES", "100")]);
    assert!(line.contains("CACHESCOPE_MAX_ENTRIES"), "{line}");
    // Under the cap it extracts.
    let out = cachescope([OsStr::new("extract"), s.archive.as_os_str(), s.dir.path().join("ok").as_os_str()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(std::fs::read_dir(s.dir.path().join("ok")).unwrap().count(), 300);
}

#[test]
fn a_size_beyond_the_free_space_is_refused_before_writing() {
    let huge = Raw { size: Some(1 << 50), ..file("huge.bin", b"") };
    let s = Scene::new("huge.tar", &raw_tar(&[file("small", b"1"), huge]));
    s.refused("huge.bin", "more than there is room for");
}

#[test]
fn an_oversized_long_name_is_refused_without_reading_it_into_memory() {
    let long = vec![b'a'; 2 << 20];
    let s = Scene::new(
        "longname.tgz",
        &gz(&raw_tar(&[
            file("first", b"1"),
            Raw { name: b"././@LongLink", kind: EntryType::GNULongName, link: b"", data: &long, size: None },
            file("x", b""),
        ])),
    );
    s.refused("first", "extended header larger than 1 MiB");
}

#[test]
fn truncated_archives_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let dump = work.path().join("dump");
    demo(&dump, 30);
    let whole = gz(&tar_bytes(&dump));
    let s = Scene::new("cut.tgz", &whole[..whole.len() / 2]);
    s.refused("cut.tgz", "truncated or corrupt");
    // Only the gzip trailer (CRC and length) missing.
    let s = Scene::new("trailer.tgz", &whole[..whole.len() - 6]);
    s.refused("trailer.tgz", "truncated or corrupt");
    // A plain tar cut at a header boundary has no end marker.
    let tar = raw_tar(&[file("a", b"1"), file("b", b"2")]);
    let s = Scene::new("cut.tar", &tar[..1024]);
    s.refused("cut.tar", "truncated or corrupt");
}

#[test]
fn a_zip_with_overlapping_entries_is_refused() {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("audio.wav", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(&[0u8; 4096]).unwrap();
    // A second name for the same bytes: how zip bombs multiply.
    z.shallow_copy_file("audio.wav", "again.wav").unwrap();
    let s = Scene::new("overlap.zip", &z.finish().unwrap().into_inner());
    s.refused("overlap.zip", "overlap");
}

#[test]
fn an_existing_non_empty_folder_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("ok.tar");
    std::fs::write(&archive, raw_tar(&[file("a.txt", b"1")])).unwrap();
    let out_dir = work.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("mine.txt"), b"mine").unwrap();
    let before = tree(work.path());
    let out = cachescope([OsStr::new("extract"), archive.as_os_str(), out_dir.as_os_str()]);
    assert!(out.one_line_error().contains("already exists and is not empty"));
    assert_eq!(tree(work.path()), before);
    // An empty one is fine, and files keep their mtimes.
    std::fs::remove_file(out_dir.join("mine.txt")).unwrap();
    let out = cachescope([OsStr::new("extract"), archive.as_os_str(), out_dir.as_os_str()]);
    assert_eq!(out.code, 0, "{out:?}");
    let mtime = std::fs::metadata(out_dir.join("a.txt")).unwrap().modified().unwrap();
    assert_eq!(mtime, std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000));
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_zip_with_more_entries_than_the_cap_is_refused_from_its_index() {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..300 {
        z.start_file(format!("f{i:03}"), zip::write::SimpleFileOptions::default()).unwrap();
    }
    let s = Scene::new("many.zip", &z.finish().unwrap().into_inner());
    s.refused_env("many.zip", "holds 300 entries, past the limit of 100", &[("CACHESCOPE_MAX_ENTRIES", "100")]);
}

#[test]
fn an_archive_without_a_dump_names_the_archive_not_a_temp_folder() {
    let s = Scene::new("empty.tar", &raw_tar(&[file("readme.txt", b"hi")]));
    let out = cachescope([OsStr::new("check"), s.archive.as_os_str()]);
    let line = out.one_line_error();
    assert!(line.contains("empty.tar") && !line.contains("cachescope-archive-"), "{line}");
}

#[test]
fn zip_symlinks_out_and_zip_device_nodes_are_refused() {
    let opts = zip::write::SimpleFileOptions::default();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.add_symlink("cache", "../../victim", opts).unwrap();
    let s = Scene::new("link.zip", &z.finish().unwrap().into_inner());
    s.refused("cache", "outside the folder");
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("tty", opts.external_attributes(0o020644 << 16)).unwrap();
    let s = Scene::new("dev.zip", &z.finish().unwrap().into_inner());
    s.refused("tty", "device node");
}

#[test]
fn db_and_cache_dir_flags_do_not_reach_into_an_archive() {
    let s = Scene::new("ok.tar", &raw_tar(&[file("a.txt", b"1")]));
    let out = cachescope([OsStr::new("check"), s.archive.as_os_str(), OsStr::new("--db"), OsStr::new("x.db")]);
    assert!(out.one_line_error().contains("cachescope extract"));
}

/// A zip of `(name, data)` files, stored or deflated, as the zip crate writes it.
fn zip_of(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Where entry `i` of `bytes` starts: (local header, data, central header).
fn zip_offsets(bytes: &[u8], i: usize) -> (usize, usize, usize) {
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let f = a.by_index(i).unwrap();
    (f.header_start() as usize, f.data_start().unwrap() as usize, f.central_header_start() as usize)
}

/// Entry `i` keeps its data but declares another CRC (the local header's
/// at +14, the central directory's at +16, as the zip format places them).
fn damage_crc(bytes: &mut [u8], i: usize) {
    let (local, _, central) = zip_offsets(bytes, i);
    bytes[local + 14] ^= 0xff;
    bytes[central + 16] ^= 0xff;
}

#[test]
fn a_zip_entry_whose_crc_does_not_match_is_refused() {
    let audio: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let files: [(&str, &[u8]); 3] =
        [("dump/cache/audio/a.m4a", &audio), ("dump/cache/audio/b.m4a", &audio), ("dump/c.txt", b"end")];
    // One byte of a stored entry's data flipped (what a bad copy does).
    let mut stored = zip_of(&files, zip::CompressionMethod::Stored);
    let (_, data, _) = zip_offsets(&stored, 1);
    stored[data + 5000] ^= 0xff;
    let s = Scene::new("stored.zip", &stored);
    s.refused("dump/cache/audio/b.m4a", "truncated or corrupt");
    // Deflated entries too, the first and the last.
    for i in [0, 2] {
        let mut deflated = zip_of(&files, zip::CompressionMethod::Deflated);
        damage_crc(&mut deflated, i);
        let s = Scene::new("deflated.zip", &deflated);
        s.refused(files[i].0, "truncated or corrupt");
    }
}

#[test]
fn a_zip_link_is_read_to_its_end_and_checked() {
    let opts = zip::write::SimpleFileOptions::default();
    let link_zip = |target: &str| {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.add_symlink("dump/link", target, opts).unwrap();
        z.start_file("dump/c.txt", opts).unwrap();
        z.write_all(b"end").unwrap();
        z.finish().unwrap().into_inner()
    };
    let mut bytes = link_zip("c.txt");
    damage_crc(&mut bytes, 0);
    Scene::new("link.zip", &bytes).refused("dump/link", "truncated or corrupt");
    // A target past the limit is refused, not cut to fit.
    let long = format!("{}c.txt", "./".repeat(2500));
    Scene::new("long.zip", &link_zip(&long)).refused("dump/link", "longer than 4096 bytes");
}
