//! Raw command-line flags (clap derive). `config.rs` validates them once
//! into the [`Config`](super::config::Config) every command reads.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Inspect and repair an audiobook app's audio cache dump.

With no arguments, opens the interactive inspector on a fresh copy of the bundled demo dump. With a DUMP (a folder, its database file, or an archive: .tar, .tar.gz, .zip, adb backup .ab), opens it.

Exit codes of check: 0 nothing of severity warning or error, 1 discrepancies found, 2 could not inspect.";

#[derive(Debug, Parser)]
#[command(name = "cachescope", version, about = "Inspect and repair an audiobook app's audio cache dump", long_about = ABOUT, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub dump: DumpArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// Where the dump is: what every command that reads or writes one takes.
#[derive(Debug, Args, Clone, Default)]
pub struct DumpArgs {
    /// The dump: a folder pulled from a device, its database file, or an
    /// archive of it (.tar, .tar.gz, .zip, adb backup .ab; read-only).
    #[arg(value_name = "DUMP")]
    pub dump: Option<PathBuf>,
    /// The database file, when discovery cannot tell.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The folder holding the audio files, when discovery cannot tell.
    #[arg(long, value_name = "PATH")]
    pub cache_dir: Option<PathBuf>,
}

/// Options of the interactive inspector only.
#[derive(Debug, Args, Clone, Default)]
pub struct TuiArgs {
    /// Leave the mouse to the terminal (text selection while screen-sharing).
    #[arg(long)]
    pub no_mouse: bool,
    /// Start with the deep check on (the `d` key toggles it).
    #[arg(long)]
    pub deep: bool,
    /// A saved `check --format json` report: discrepancies not in it are marked new (+).
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Colours: dark, light (light backgrounds) or high-contrast
    /// (projectors); default: $CACHESCOPE_THEME, else dark. NO_COLOR wins.
    #[arg(long, value_enum, value_name = "THEME")]
    pub theme: Option<ThemeArg>,
}

/// `--theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    Dark,
    Light,
    HighContrast,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interactive inspector (the default command).
    Inspect {
        #[command(flatten)]
        dump: DumpArgs,
        #[command(flatten)]
        tui: TuiArgs,
    },
    /// Report every discrepancy and the findings that explain them; exit 0 =
    /// clean, 1 = found, 2 = could not inspect.
    Check {
        #[command(flatten)]
        dump: DumpArgs,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        deep: DeepArg,
        /// A saved `check --format json` report: its discrepancies are known,
        /// only new ones (warning or error) make the exit code 1.
        #[arg(long, value_name = "REPORT")]
        baseline: Option<PathBuf>,
        #[command(flatten)]
        items: ItemArgs,
    },
    /// Show exactly what apply would do (SQL and file moves); changes nothing.
    Plan {
        #[command(flatten)]
        dump: DumpArgs,
        #[command(flatten)]
        select: SelectArgs,
        /// text: readable, grouped by fix; sql: the exact statements and moves.
        #[arg(long, value_enum, default_value_t = PlanOutput::Text)]
        format: PlanOutput,
        #[command(flatten)]
        deep: DeepArg,
    },
    /// Apply the plan: backup, one transaction with audit rows, quarantine.
    Apply {
        #[command(flatten)]
        dump: DumpArgs,
        #[command(flatten)]
        select: SelectArgs,
        /// Required: confirms that the dump may be changed.
        #[arg(long)]
        yes: bool,
        /// Let a plan through that marks failed or deletes over half the rows,
        /// or that runs against a cache dir with no audio at all.
        #[arg(long)]
        allow_mass_change: bool,
        #[command(flatten)]
        deep: DeepArg,
    },
    /// List the batches recorded in cache_audit.
    History {
        #[command(flatten)]
        dump: DumpArgs,
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Undo a batch (the newest apply by default); undoing an undo re-applies it.
    Undo {
        #[command(flatten)]
        dump: DumpArgs,
        #[arg(long, value_name = "ID")]
        batch: Option<i64>,
    },
    /// Finish or roll back an interrupted apply.
    Recover {
        #[command(flatten)]
        dump: DumpArgs,
    },
    /// Compare two dumps or saved JSON reports: new, resolved, persisting.
    #[command(long_about = DIFF_HELP)]
    Diff {
        /// The earlier side: a dump folder, its database, an archive, or a saved
        /// `check --format json` report.
        old: PathBuf,
        /// The later side, the same way.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Write a synthetic dump with every kind of discrepancy.
    Demo {
        /// The new (or empty) folder to write the dump into.
        dir: PathBuf,
        /// How many keys (8 or more for every kind of discrepancy).
        #[arg(long, default_value_t = 300)]
        keys: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tiny files (a few hundred bytes) instead of speech-sized clips
        /// (1.5–14 s, tens of kB per m4a): for benchmarks with a million keys.
        #[arg(long)]
        tiny: bool,
    },
    /// Unpack an archived dump (.tar, .tar.gz, .zip, adb backup .ab) safely into a new folder.
    Extract { archive: PathBuf, dir: PathBuf },
    /// Copy an app's data off a phone or simulator into a new dump folder.
    Pull {
        #[command(subcommand)]
        from: PullFrom,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum PullFrom {
    /// From an Android device over adb (the app must be a debuggable build).
    Android {
        /// The app's package name, e.g. com.example.audiobooks.
        package: String,
        /// The new folder to write (default: PACKAGE-YYYYMMDD-HHMMSS, the time in UTC).
        out: Option<PathBuf>,
        /// The device to use when several are connected (see `adb devices`).
        #[arg(long, value_name = "S")]
        serial: Option<String>,
    },
    /// From the booted iOS simulator (macOS with Xcode).
    IosSim {
        /// The app's bundle identifier, e.g. com.example.audiobooks.
        bundle_id: String,
        /// The new folder to write (default: BUNDLE_ID-YYYYMMDD-HHMMSS, the time in UTC).
        out: Option<PathBuf>,
    },
}

const DIFF_HELP: &str = "Compare two dumps or saved JSON reports: new, resolved, persisting.

Each side is a dump folder, its database file, an archive, or a report saved with `cachescope check DUMP --format json > FILE` (recognised by its content). Discrepancies are matched by their stable id; persisting ones are shown as they are in NEW.

Rows and files added and removed are exact when both sides are dumps (row keys and file paths are compared). A saved report holds counts, not key lists: against one, only the net change of the counts is known, and added/removed are reported as unknown (null in JSON).

The text and markdown forms list new and resolved discrepancies and count persisting ones; `--format json` (`cachescope.diff/1`) lists all three.

Exit 0 when nothing is new, 1 when something is new (any severity), 2 on error.";

/// `--deep`, shared by check, plan and apply.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct DeepArg {
    /// Also decode every complete file to its end (slower): cut or corrupt
    /// audio becomes incomplete, durations come from the audio itself.
    #[arg(long)]
    pub deep: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Only these kinds, comma-separated (e.g. orphaned_file,ghost_entry);
    /// with --key or --id, only those of their discrepancies.
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Choose another fix for a kind (KIND=FIX, e.g. ghost_entry=delete_entry)
    /// or for one discrepancy (ID=FIX, its id as `check --format json` prints
    /// it); repeatable. ID=FIX must name a selected discrepancy (exit 2 if not).
    #[arg(long, value_name = "KIND=FIX|ID=FIX")]
    pub fix: Vec<String>,
    #[command(flatten)]
    pub items: ItemArgs,
}

/// Item selectors (issue 16), shared by check, plan and apply: keys and
/// discrepancy ids, on the command line or one a line in a file.
#[derive(Debug, Args, Clone, Default)]
pub struct ItemArgs {
    /// Only this key's discrepancies (its row and its files); repeatable.
    /// With only keys, check reads only their rows and files where the cache
    /// dir's layout allows (flat or sharded). A key with no row and no file
    /// is an error (exit 2).
    #[arg(long, value_name = "KEY")]
    pub key: Vec<String>,
    /// Keys from a file, one a line (`-` reads stdin); repeatable.
    #[arg(long, value_name = "FILE")]
    pub keys_from: Vec<PathBuf>,
    /// Only this discrepancy, by its id as `check --format json` prints it
    /// (e.g. ghost_entry:KEY); repeatable. An id that matches no discrepancy
    /// is an error (exit 2).
    #[arg(long, value_name = "ID")]
    pub id: Vec<String>,
    /// Ids from a file, one a line, UTF-8 (`-` reads stdin; the TUI's `e`
    /// writes such a file); repeatable.
    #[arg(long, value_name = "FILE")]
    pub ids_from: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

/// How `plan` prints the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanOutput {
    /// Readable: grouped by fix, each change as `column: before → after`.
    Text,
    /// The exact SQL statements and file moves apply runs.
    Sql,
    Json,
}
