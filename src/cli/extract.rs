//! `cachescope extract ARCHIVE DIR`: unpack an archived dump safely.

use std::path::Path;

use super::progress;
use crate::core::Error;
use crate::core::archive;
use crate::core::fmt::{escaped, group, size};

pub fn run(archive: &Path, dir: &Path) -> Result<u8, Error> {
    let done = progress::with_bar("extracting", |ctl| archive::extract(archive, dir, ctl))?;
    outln!(
        "Extracted {} files ({}) from {} to {}.",
        group(done.stats.files),
        size(done.stats.bytes),
        escaped(archive),
        escaped(dir)
    )?;
    for note in &done.notes {
        eprintln!("cachescope: note: {note}");
    }
    let root = escaped(&done.root);
    outln!("Open it with `cachescope {root}` or `cachescope check {root}`.")?;
    Ok(0)
}
