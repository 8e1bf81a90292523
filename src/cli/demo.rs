//! `cachescope demo DIR`: write a synthetic dump.

use std::path::Path;

use crate::core::Error;
use crate::core::demo::{Clips, write_demo_with};
use crate::core::fmt::{escaped, group};

pub fn run(dir: &Path, keys: u64, seed: u64, clips: Clips) -> Result<u8, Error> {
    let s = write_demo_with(dir, keys, seed, clips)?;
    outln!(
        "Wrote a demo dump to {}: {} keys, {} rows, {} files (seed {seed}).",
        escaped(dir),
        group(s.keys),
        group(s.rows),
        group(s.files)
    )?;
    outln!("Try `cachescope check {}` or `cachescope {}`.", escaped(dir), escaped(dir))?;
    Ok(0)
}
