//! The interactive inspector (in progress).

use crate::core::{Dump, Error, Result};

/// Opens the TUI on a located dump.
pub fn run(_dump: &Dump, _opts: &TuiOptions) -> Result<()> {
    Err(Error::bad_input("the interactive inspector is not built yet; use `cachescope check`"))
}

/// Options the command line passes to the TUI.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub no_mouse: bool,
}

/// Opens the TUI on a fresh temp copy of the bundled demo dump.
pub fn run_demo(_opts: &TuiOptions) -> Result<()> {
    Err(Error::bad_input("the interactive inspector is not built yet; use `cachescope check`"))
}
