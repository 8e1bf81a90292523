//! The small demo dump shipped in `assets/demo`, embedded in the binary so
//! `cachescope` with no arguments works wherever it is installed.

use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::core::error::{Error, Result};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// Writes the bundled dump into `to` (a fresh, empty folder).
pub fn extract_bundled(to: &Path) -> Result<()> {
    DEMO.extract(to).map_err(|e| Error::io_at("write the demo dump into", to, &e))
}
