//! `cachescope demo DIR`: write a synthetic dump.

use std::path::Path;

use crate::core::Error;
use crate::core::demo::write_demo;
use crate::core::fmt::{escaped, group};

pub fn run(dir: &Path, keys: u64, seed: u64) -> Result<u8, Error> {
    let s = write_demo(dir, keys, seed)?;
    println!(
        "Wrote a demo dump to {}: {} keys, {} rows, {} files (seed {seed}).",
        escaped(dir),
        group(s.keys),
        group(s.rows),
        group(s.files)
    );
    println!("Try `cachescope check {}` or `cachescope {}`.", escaped(dir), escaped(dir));
    Ok(0)
}
