//! Wherever a DUMP is read it may be an archive (SPEC §7): unpack it into a
//! private temp folder, then locate the dump there like in any folder.
//! Commands that write refuse archives instead.

use std::path::Path;

use super::progress;
use crate::core::archive::{self, Unpacked};
use crate::core::fmt::escaped;
use crate::core::{Dump, Error, Locate};

/// A located dump, and the private unpacked archive it lives in, if any
/// (kept alive as long as the dump is read; removed on drop).
pub struct Opened {
    pub dump: Dump,
    pub archive: Option<Unpacked>,
}

impl Opened {
    /// What the user should know about the dump (the TUI shows these in its header).
    pub fn notes(&self) -> &[String] {
        self.archive.as_ref().map_or(&[], |a| a.notes())
    }
}

/// Locates a dump to read. An archive is unpacked privately first; with
/// `headless`, its notes go to stderr as `cachescope: note: …`.
pub fn read(loc: Locate, headless: bool) -> Result<Opened, Error> {
    let Some(path) = loc.path.clone().filter(|p| archive::detect(p).is_some()) else {
        return Ok(Opened { dump: Dump::locate(&loc)?, archive: None });
    };
    if loc.db.is_some() || loc.cache_dir.is_some() {
        return Err(Error::bad_input(format!(
            "--db and --cache-dir name paths on disk, not inside the archive {}; unpack it with `cachescope extract ARCHIVE DIR` and pass them under DIR",
            escaped(&path)
        )));
    }
    let unpacked = progress::with_bar("unpacking", |ctl| archive::unpack_private(&path, ctl))?;
    let inner = Locate { path: Some(unpacked.root().to_path_buf()), ..Default::default() };
    let mut dump = Dump::locate(&inner).map_err(|e| in_archive(e, &unpacked, &path))?;
    dump.archive = Some(path.clone());
    if headless {
        for note in unpacked.notes() {
            eprintln!("cachescope: note: {note}");
        }
    }
    Ok(Opened { dump, archive: Some(unpacked) })
}

/// Refuses to write to an archive: `apply`, `undo` and `recover` need a folder.
pub fn refuse_archive(path: Option<&Path>) -> Result<(), Error> {
    match path {
        Some(p) if archive::detect(p).is_some() => Err(Error::bad_input(format!(
            "{} is an archive, which cannot be changed in place; unpack it with `cachescope extract {} DIR` and run this on DIR",
            escaped(p),
            escaped(p)
        ))),
        _ => Ok(()),
    }
}

/// Discovery errors name the private temp folder; name the archive instead.
fn in_archive(mut e: Error, unpacked: &Unpacked, archive: &Path) -> Error {
    let shown = escaped(archive);
    for p in [unpacked.root(), unpacked.temp_dir()] {
        e.message = e.message.replace(&escaped(p), &shown);
    }
    e
}
