//! The command line, validated once: raw flags (`args.rs`) become a
//! [`Config`] of core types, and every command reads that. A bad flag value
//! fails here, before any dump is touched.

use std::path::PathBuf;

use super::args::{Cli, Command, DumpArgs, PlanFormat, PlanOutput, PullFrom, ReportFormat, ThemeArg, TuiArgs};
pub use super::select::selection;
use crate::core::select::Items;
use crate::core::{Error, ErrorKind, Locate, Options, Selection};
use crate::tui::TuiOptions;
use crate::tui::theme::ThemeName;

/// What to run, validated.
#[derive(Debug)]
pub enum Config {
    /// The inspector: on a dump, or (None) on a temp copy of the bundled demo.
    Tui {
        locate: Option<Locate>,
        tui: TuiOptions,
    },
    Check {
        locate: Locate,
        format: ReportFormat,
        opts: Options,
        baseline: Option<PathBuf>,
        /// `--key`, `--id` and their lists.
        items: Items,
    },
    Plan {
        locate: Locate,
        selection: Selection,
        /// `--key`, `--id`, `--fix ID=FIX`: matched after the inspection.
        items: Items,
        format: PlanOutput,
        opts: Options,
    },
    Apply {
        locate: Locate,
        selection: Selection,
        items: Items,
        allow_mass_change: bool,
        opts: Options,
    },
    History {
        locate: Locate,
        format: PlanFormat,
    },
    Undo {
        locate: Locate,
        batch: Option<i64>,
    },
    Recover {
        locate: Locate,
    },
    Diff {
        old: PathBuf,
        new: PathBuf,
        format: ReportFormat,
    },
    Demo {
        dir: PathBuf,
        keys: u64,
        seed: u64,
        clips: crate::core::demo::Clips,
    },
    Extract {
        archive: PathBuf,
        dir: PathBuf,
    },
    Pull(PullFrom),
    Completions(clap_complete::Shell),
    Man,
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, Error> {
        Ok(match cli.command {
            // One path for the inspector, with or without `inspect`.
            None => tui(cli.dump, cli.tui)?,
            Some(Command::Inspect { dump, tui: t }) => tui(dump, t)?,
            Some(Command::Check { dump, format, deep, baseline, items }) => Config::Check {
                locate: locate(dump),
                format,
                opts: Options { deep: deep.deep, in_place: true },
                baseline,
                items: super::select::items(&items)?,
            },
            Some(Command::Plan { dump, select, format, deep }) => {
                let (selection, items) = selection(&select)?;
                Config::Plan {
                    locate: locate(dump),
                    selection,
                    items,
                    format,
                    opts: Options { deep: deep.deep, in_place: false },
                }
            }
            Some(Command::Apply { dump, select, yes, allow_mass_change, deep }) => {
                let (selection, items) = selection(&select)?;
                let locate = locate(dump);
                if !yes {
                    let shown = locate.path.as_ref().map_or("DUMP".into(), |p| crate::core::fmt::escaped(p));
                    return Err(Error::new(
                        ErrorKind::Refused,
                        format!(
                            "apply changes the dump; preview it with `cachescope plan {shown}`, then add --yes to apply"
                        ),
                    ));
                }
                Config::Apply {
                    locate,
                    selection,
                    items,
                    allow_mass_change,
                    opts: Options { deep: deep.deep, in_place: false },
                }
            }
            Some(Command::History { dump, format }) => Config::History { locate: locate(dump), format },
            Some(Command::Undo { dump, batch }) => Config::Undo { locate: locate(dump), batch },
            Some(Command::Recover { dump }) => Config::Recover { locate: locate(dump) },
            Some(Command::Diff { old, new, format }) => Config::Diff { old, new, format },
            Some(Command::Demo { dir, keys, seed, tiny }) => {
                let clips = if tiny { crate::core::demo::Clips::Tiny } else { crate::core::demo::Clips::Speech };
                Config::Demo { dir, keys, seed, clips }
            }
            Some(Command::Extract { archive, dir }) => Config::Extract { archive, dir },
            Some(Command::Pull { from }) => Config::Pull(from),
            Some(Command::Completions { shell }) => Config::Completions(shell),
            Some(Command::Man) => Config::Man,
        })
    }
}

fn locate(d: DumpArgs) -> Locate {
    Locate { path: d.dump, db: d.db, cache_dir: d.cache_dir }
}

/// No dump named at all: the bundled demo. A baseline is read here, so a
/// bad one fails before the terminal is taken over.
fn tui(d: DumpArgs, t: TuiArgs) -> Result<Config, Error> {
    let named = d.dump.is_some() || d.db.is_some() || d.cache_dir.is_some();
    let baseline = t.baseline.as_deref().map(crate::core::baseline::Baseline::read).transpose()?;
    let theme = t.theme.map(|t| match t {
        ThemeArg::Dark => ThemeName::Dark,
        ThemeArg::Light => ThemeName::Light,
        ThemeArg::HighContrast => ThemeName::HighContrast,
    });
    let tui = TuiOptions { no_mouse: t.no_mouse, deep: t.deep, baseline, theme, notes: vec![] };
    Ok(Config::Tui { locate: named.then(|| locate(d)), tui })
}
