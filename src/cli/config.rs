//! The command line, validated once: raw flags (`args.rs`) become a
//! [`Config`] of core types, and every command reads that. A bad flag value
//! fails here, before any dump is touched.

use std::collections::HashMap;
use std::path::PathBuf;

use super::args::{
    Cli, Command, DumpArgs, PlanFormat, PlanOutput, PullFrom, ReportFormat, SelectArgs, ThemeArg, TuiArgs,
};
use crate::core::{Error, ErrorKind, Fix, Kind, Locate, Options, Selection};
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
    },
    Plan {
        locate: Locate,
        selection: Selection,
        format: PlanOutput,
        opts: Options,
    },
    Apply {
        locate: Locate,
        selection: Selection,
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
            None => tui(cli.dump, cli.tui),
            Some(Command::Inspect { dump, tui: t }) => tui(dump, t),
            Some(Command::Check { dump, format, deep, baseline }) => {
                Config::Check { locate: locate(dump), format, opts: Options { deep: deep.deep }, baseline }
            }
            Some(Command::Plan { dump, select, format, deep }) => Config::Plan {
                locate: locate(dump),
                selection: selection(&select)?,
                format,
                opts: Options { deep: deep.deep },
            },
            Some(Command::Apply { dump, select, yes, allow_mass_change, deep }) => {
                let selection = selection(&select)?;
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
                Config::Apply { locate, selection, allow_mass_change, opts: Options { deep: deep.deep } }
            }
            Some(Command::History { dump, format }) => Config::History { locate: locate(dump), format },
            Some(Command::Undo { dump, batch }) => Config::Undo { locate: locate(dump), batch },
            Some(Command::Recover { dump }) => Config::Recover { locate: locate(dump) },
            Some(Command::Diff { old, new, format }) => Config::Diff { old, new, format },
            Some(Command::Demo { dir, keys, seed }) => Config::Demo { dir, keys, seed },
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

/// No dump named at all: the bundled demo.
fn tui(d: DumpArgs, t: TuiArgs) -> Config {
    let named = d.dump.is_some() || d.db.is_some() || d.cache_dir.is_some();
    let theme = t.theme.map(|t| match t {
        ThemeArg::Dark => ThemeName::Dark,
        ThemeArg::Light => ThemeName::Light,
        ThemeArg::HighContrast => ThemeName::HighContrast,
    });
    Config::Tui { locate: named.then(|| locate(d)), tui: TuiOptions { no_mouse: t.no_mouse, deep: t.deep, theme } }
}

/// `--only` and `--fix` into a validated [`Selection`].
pub fn selection(args: &SelectArgs) -> Result<Selection, Error> {
    let kind =
        |s: &str| s.trim().parse::<Kind>().map_err(|e| Error::bad_input(format!("{e}; see `cachescope plan --help`")));
    let only = if args.only.is_empty() {
        None
    } else {
        Some(args.only.iter().filter(|s| !s.trim().is_empty()).map(|s| kind(s)).collect::<Result<Vec<_>, _>>()?)
    };
    let mut per_kind = HashMap::new();
    for spec in &args.fix {
        let Some((k, f)) = spec.split_once('=') else {
            return Err(Error::bad_input(format!(
                "--fix {spec} is not KIND=FIX (e.g. --fix ghost_entry=delete_entry)"
            )));
        };
        let k = kind(k)?;
        let f: Fix = f.trim().parse().map_err(|e| Error::bad_input(format!("{e}; see `cachescope plan --help`")))?;
        if !k.fixes().contains(&f) {
            let allowed: Vec<&str> = k.fixes().iter().map(|f| f.as_str()).collect();
            return Err(Error::bad_input(format!("{f} is not a fix for {k}; choose one of: {}", allowed.join(", "))));
        }
        per_kind.insert(k, f);
    }
    Ok(Selection { only, per_kind, per_item: HashMap::new() })
}
