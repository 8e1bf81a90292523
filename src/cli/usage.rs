//! Usage errors as one sentence that keeps all of clap's message (what is
//! missing, the possible values, the usage line), and a "did you mean" for
//! a mistyped command, which clap cannot give because a bare word may be a
//! DUMP path.

use clap::CommandFactory;

use super::args::Cli;

/// clap's whole message, folded into one line.
pub fn one_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if let (Some(u), true) = (usage.as_mut(), line.starts_with("cachescope ")) {
            // The usage's other forms, on lines of their own.
            u.push_str(" | ");
            u.push_str(line);
        } else if line.starts_with("For more information") {
            continue;
        } else {
            parts.push(line.trim_start_matches("error: ").to_string());
        }
    }
    let mut out = parts.join(" ").trim_end_matches('.').to_string();
    if let Some(u) = usage {
        out.push_str(&format!("; usage: {u}"));
    }
    out
}

/// A first argument that is neither a command nor a path that exists, with
/// the command it probably meant: when there is one, or when more
/// arguments follow (a lone word is a DUMP path that is not there, which
/// the dump's own error says better).
pub fn mistyped_command(args: &[std::ffi::OsString]) -> Option<(String, Option<String>)> {
    let first = args.get(1)?.to_str()?;
    if first.starts_with('-') || std::path::Path::new(first).exists() {
        return None;
    }
    let cmd = Cli::command();
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    // `help` is clap's own command, not among the defined ones.
    if first == "help" || names.iter().any(|n| n == first) || first.contains('/') || first.contains('.') {
        return None;
    }
    let meant = names
        .into_iter()
        .map(|n| (strsim::jaro(first, &n), n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n);
    (meant.is_some() || args.len() > 2).then(|| (first.to_string(), meant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_command_gets_a_suggestion_and_a_path_does_not() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(
            mistyped_command(&args(&["cachescope", "chekc", "x"])),
            Some(("chekc".into(), Some("check".into())))
        );
        assert_eq!(mistyped_command(&args(&["cachescope", "bogus-cmd", "x"])), Some(("bogus-cmd".into(), None)));
        assert_eq!(mistyped_command(&args(&["cachescope", "check"])), None);
        assert_eq!(mistyped_command(&args(&["cachescope", "help", "check"])), None);
        assert_eq!(mistyped_command(&args(&["cachescope", "./dump"])), None);
        assert_eq!(mistyped_command(&args(&["cachescope", "zzzzzz"])), None);
    }
}
