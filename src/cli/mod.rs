//! The command line (SPEC §7): clap parses raw flags, each command turns them
//! into core calls, and every failure becomes one sentence and exit code 2.

mod apply;
mod args;
mod check;
mod demo;
mod diff;
mod extract;
mod history;
pub mod open;
mod plan;
mod progress;
mod pull;
mod recover;
mod undo;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, PullFrom};

use crate::core::{Dump, Error, Locate, Options};

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(&e),
    }
}

/// Prints an error as one line on stderr: exit code 2, or 130 when a
/// signal (Ctrl-C, SIGTERM) stopped the work.
pub fn fail(e: &Error) -> ExitCode {
    if e.kind == crate::core::ErrorKind::Cancelled {
        let _ = writeln!(std::io::stderr(), "cachescope: interrupted: {}", e.message);
        return ExitCode::from(130);
    }
    let _ = writeln!(std::io::stderr(), "cachescope: {}", e.message);
    ExitCode::from(2)
}

/// Help and version go to stdout; a usage error becomes one sentence.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    let first = first.trim_start_matches("error: ").trim_end_matches('.');
    let _ = writeln!(std::io::stderr(), "cachescope: {first}; see `cachescope --help` for usage");
    ExitCode::from(2)
}

fn run(cli: Cli) -> Result<u8, Error> {
    let locate = |dump: Option<std::path::PathBuf>| -> Result<Dump, Error> {
        open::refuse_archive(dump.as_deref())?;
        Dump::locate(&Locate { path: dump, db: cli.db.clone(), cache_dir: cli.cache_dir.clone() })
    };
    // Reading commands also take an archive, unpacked privately (kept alive until they return).
    let read = |dump: Option<std::path::PathBuf>, headless: bool| {
        open::read(Locate { path: dump, db: cli.db.clone(), cache_dir: cli.cache_dir.clone() }, headless)
    };
    match cli.command {
        None => {
            let baseline = cli.baseline.as_deref().map(crate::core::baseline::Baseline::read).transpose()?;
            let opts = crate::tui::TuiOptions { no_mouse: cli.no_mouse, baseline, ..Default::default() };
            match cli.dump {
                Some(path) => crate::tui::run(&read(Some(path), false)?.dump, &opts).map(|_| 0),
                None if cli.db.is_some() || cli.cache_dir.is_some() => {
                    crate::tui::run(&locate(None)?, &opts).map(|_| 0)
                }
                None => crate::tui::run_demo(&opts).map(|_| 0),
            }
        }
        Some(Command::Inspect { dump, baseline }) => {
            let baseline = baseline.as_deref().map(crate::core::baseline::Baseline::read).transpose()?;
            let opts = crate::tui::TuiOptions { no_mouse: cli.no_mouse, baseline, ..Default::default() };
            match dump {
                Some(path) => crate::tui::run(&read(Some(path), false)?.dump, &opts).map(|_| 0),
                None => crate::tui::run_demo(&opts).map(|_| 0),
            }
        }
        Some(Command::Check { dump, format, deep, baseline }) => {
            check::run(&read(dump, true)?.dump, format, Options { deep }, baseline.as_deref())
        }
        Some(Command::Diff { old, new, format }) => {
            if cli.db.is_some() || cli.cache_dir.is_some() {
                return Err(Error::bad_input(
                    "--db and --cache-dir do not apply to diff, which finds each side on its own; pass each dump folder or database path",
                ));
            }
            diff::run(&old, &new, format)
        }
        Some(Command::Plan { dump, select, format, deep }) => {
            plan::run(&read(dump, true)?.dump, &select, format, Options { deep })
        }
        Some(Command::Apply { dump, select, yes, allow_mass_change, deep }) => {
            apply::run(&locate(dump)?, &select, yes, allow_mass_change, Options { deep })
        }
        Some(Command::History { dump, format }) => history::run(&read(dump, true)?.dump, format),
        Some(Command::Undo { dump, batch }) => undo::run(&locate(dump)?, batch),
        Some(Command::Recover { dump }) => recover::run(&locate(dump)?),
        Some(Command::Demo { dir, keys, seed }) => demo::run(&dir, keys, seed),
        Some(Command::Extract { archive, dir }) => extract::run(&archive, &dir),
        Some(Command::Pull { from }) => pull::run(from),
    }
}

/// Refuses an inspection that cannot be trusted as a whole view of the dump:
/// an interrupted batch, or commits SQLite cannot read from the `-wal`.
pub(crate) fn usable(ins: &crate::core::Inspection) -> Result<(), Error> {
    use crate::core::ErrorKind;
    if let Some(why) = &ins.interrupted {
        return Err(Error::new(ErrorKind::Interrupted, why.clone()));
    }
    if let Some(why) = &ins.wal_unread {
        return Err(Error::new(ErrorKind::BadInput, why.clone()));
    }
    Ok(())
}

/// Writes to stdout, treating a closed pipe (`| head`) as success.
pub(crate) fn emit(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io(format!("could not write the output: {e}"))),
    }
}
