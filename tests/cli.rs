//! The command line itself: one dispatch path for the inspector, usage
//! errors that keep clap's whole message in one line, completions and man.

mod common;

use common::*;

#[test]
fn inspect_and_no_subcommand_take_the_same_flags() {
    // A database that does not exist: both must try to open it (and say
    // so), not fall back to the bundled demo.
    for args in [vec!["--db", "/nonexistent/app.db"], vec!["inspect", "--db", "/nonexistent/app.db"]] {
        let out = cachescope(&args);
        let line = out.one_line_error();
        assert!(line.contains("/nonexistent/app.db") && line.contains("does not exist"), "{args:?}: {line}");
        assert!(line.contains("check the path given to --db"), "names the flag: {line}");
    }
    let line = cachescope(["check", "assets/demo", "--cache-dir", "/nonexistent/audio"]).one_line_error().to_string();
    assert!(line.contains("/nonexistent/audio does not exist; check the path given to --cache-dir"), "{line}");
}

#[test]
fn usage_errors_keep_the_names_the_values_and_a_suggestion() {
    let out = cachescope(["demo"]);
    assert!(out.one_line_error().contains("required arguments were not provided: <DIR>"), "{out:?}");
    let out = cachescope(["check", "x", "--format", "yaml"]);
    assert!(out.one_line_error().contains("[possible values: text, json, markdown]"), "{out:?}");
    let out = cachescope(["chekc", "assets/demo"]);
    assert!(out.one_line_error().contains("did you mean `cachescope check`?"), "{out:?}");
    let out = cachescope(["check", "x", "--no-mouse"]);
    assert!(
        out.one_line_error().contains("unexpected argument '--no-mouse'"),
        "the TUI's flag is not check's: {out:?}"
    );
    // The usage's second form joins the sentence as usage, not as words of it.
    let line = cachescope(["--bogus"]).one_line_error().to_string();
    assert!(line.contains("usage: cachescope [OPTIONS] [DUMP] | cachescope <COMMAND>;"), "{line}");
    // An unknown word followed by more: named as the unknown command it is.
    let line = cachescope(["bogus-cmd", "assets/demo"]).one_line_error().to_string();
    assert!(line.starts_with("cachescope: 'bogus-cmd' is not a command"), "{line}");
    // A value with control characters is shown escaped, not emptied.
    let line = cachescope(["check", "x", "--format", "\u{1b}[2J"]).one_line_error().to_string();
    assert!(line.contains(r"invalid value '\u{1b}[2J' for '--format <FORMAT>'"), "{line}");
    // A command group without its command is a usage error, help on stderr.
    let out = cachescope(["pull"]);
    assert!(out.code == 2 && out.stdout.is_empty() && out.stderr.contains("android"), "{out:?}");
}

#[test]
fn help_says_what_a_dump_may_be_and_keeps_tui_flags_off_headless_commands() {
    let out = cachescope(["help", "check"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("[DUMP]  The dump: a folder pulled from a device, its database file, or an archive"));
    assert!(!out.stdout.contains("--no-mouse"), "{}", out.stdout);
    let out = cachescope(["--help"]);
    assert!(out.stdout.contains("--no-mouse"));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = cachescope(["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {out:?}");
        assert!(out.stdout.contains("cachescope") && out.stdout.contains("diff"), "{shell}");
    }
    let out = cachescope(["man"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with(".ie") && out.stdout.contains(".TH cachescope 1"));
    assert!(out.stdout.contains("check") && out.stdout.contains("apply"));
}
