//! `cachescope completions SHELL` and `cachescope man`, both generated from
//! the same clap definition as the parser (clap_complete, clap_mangen).

use clap::CommandFactory;

use super::args::Cli;
use super::emit;
use crate::core::Error;

pub fn completions(shell: clap_complete::Shell) -> Result<u8, Error> {
    // Into memory first: `generate` panics when a write fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cachescope", &mut script);
    emit(|out| out.write_all(&script))?;
    Ok(0)
}

pub fn man() -> Result<u8, Error> {
    emit(|out| clap_mangen::Man::new(Cli::command()).render(out))?;
    Ok(0)
}
