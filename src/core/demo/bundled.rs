//! The bundled demo: the dump in `assets/demo` (`cachescope demo DIR --keys
//! 80 --seed 1`), which `cachescope` with no arguments opens. It is written
//! afresh where it is needed rather than unpacked from a copy in the binary,
//! so its files carry the times its story is about (an unpacked file would
//! carry the time it was unpacked, and the findings would lose the burst).

use std::path::Path;

use super::{Clips, write_demo_with};
use crate::core::error::Result;

/// The bundled demo's size and seed (those of `assets/demo`).
pub const KEYS: u64 = 80;
pub const SEED: u64 = 1;

/// Writes the bundled dump into `to` (a fresh, empty folder).
pub fn write_bundled(to: &Path) -> Result<()> {
    write_demo_with(to, KEYS, SEED, Clips::Speech).map(drop)
}
