//! The command line (SPEC §7): clap parses raw flags, each command turns them
//! into core calls, and every failure becomes one sentence and exit code 2.

/// `println!` for the report lines of a command: a reader that went away
/// (`| head -1`) ends the output quietly instead of panicking, so a batch
/// that already committed still exits with its own status. Gives
/// `Result<(), Error>`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::emit(|out| writeln!(out, $($arg)*))
    };
}

mod apply;
mod args;
mod check;
pub mod config;
mod demo;
mod diff;
mod extract;
mod history;
mod manual;
pub mod open;
mod plan;
mod progress;
mod pull;
mod recover;
mod select;
mod undo;
mod usage;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, PullFrom};
pub use config::Config;

use crate::core::{Dump, Error, Locate};

/// Parses the command line, validates it once, and runs it; returns the
/// process exit code.
pub fn main() -> ExitCode {
    crate::malloc_arenas::limit();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some((typed, meant)) = usage::mistyped_command(&argv) {
        let meant = meant.map(|m| format!("did you mean `cachescope {m}`? ")).unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "cachescope: '{}' is not a command and no such file or folder exists; {meant}see `cachescope --help`",
            crate::core::fmt::clean(&typed)
        );
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match Config::from_cli(cli).and_then(run) {
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

/// Help and version go to stdout; a usage error becomes one line that keeps
/// all of clap's message.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // `cachescope pull` without its subcommand: the help, as a usage error.
    if e.kind() == K::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = e.print();
        return ExitCode::from(2);
    }
    let sentence = control_value_error(&e).unwrap_or_else(|| usage::one_line(&e));
    let _ = writeln!(std::io::stderr(), "cachescope: {sentence}; see `cachescope --help`");
    ExitCode::from(2)
}

/// clap's sentence for a value with control characters drops them as if
/// they were its own colours ("invalid value ''"): say it escaped instead.
fn control_value_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue) else { return None };
    if !value.chars().any(char::is_control) {
        return None;
    }
    let arg = e.get(ContextKind::InvalidArg).map(ToString::to_string).unwrap_or_default();
    let valid = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(v)) => format!(" [possible values: {}]", v.join(", ")),
        _ => String::new(),
    };
    Some(format!("invalid value '{}' for '{arg}'{valid}", crate::core::fmt::clean(value)))
}

/// Runs a validated command line.
pub fn run(config: Config) -> Result<u8, Error> {
    // Commands that write need a folder; reading ones also take an archive,
    // unpacked privately (kept alive until they return).
    let locate = |loc: Locate| -> Result<Dump, Error> {
        open::refuse_archive(loc.path.as_deref())?;
        Dump::locate(&loc)
    };
    match config {
        Config::Tui { locate: None, tui } => crate::tui::run_demo(&tui).map(|_| 0),
        Config::Tui { locate: Some(loc), mut tui } => {
            let opened = open::read(loc, false)?;
            tui.notes = opened.notes().to_vec();
            crate::tui::run(&opened.dump, &tui).map(|_| 0)
        }
        Config::Check { locate, format, opts, baseline, items } => {
            check::run(&open::read(locate, true)?.dump, format, opts, baseline.as_deref(), &items)
        }
        Config::Plan { locate, selection, items, format, opts } => {
            plan::run(&open::read(locate, true)?.dump, &selection, &items, format, opts)
        }
        Config::Apply { locate: loc, selection, items, allow_mass_change, opts } => {
            apply::run(&locate(loc)?, &selection, &items, allow_mass_change, opts)
        }
        Config::History { locate, format } => history::run(&open::read(locate, true)?.dump, format),
        Config::Undo { locate: loc, batch } => undo::run(&locate(loc)?, batch),
        Config::Recover { locate: loc } => recover::run(&locate(loc)?),
        Config::Diff { old, new, format } => diff::run(&old, &new, format),
        Config::Demo { dir, keys, seed, clips } => demo::run(&dir, keys, seed, clips),
        Config::Extract { archive, dir } => extract::run(&archive, &dir),
        Config::Pull(from) => pull::run(from),
        Config::Completions(shell) => manual::completions(shell),
        Config::Man => manual::man(),
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
