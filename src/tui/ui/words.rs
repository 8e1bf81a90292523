//! Symbols and words for states and kinds: never colour alone.

use crate::core::disk::{FileFacts, FileKind};
use crate::core::rows::Row;
use crate::core::{Kind, Severity};

pub fn severity_symbol(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "·",
    }
}

/// A short word for a kind, for the header counts.
pub fn kind_short(k: Kind) -> &'static str {
    match k {
        Kind::OrphanedFile => "orphaned",
        Kind::GhostEntry => "ghost",
        Kind::CompressionStateMismatch => "state",
        Kind::SizeMismatch => "size",
        Kind::DurationMismatch => "duration",
        Kind::RedundantFile => "redundant",
        Kind::IncompleteFile => "incomplete",
        Kind::StrayFile => "stray",
    }
}

/// A shorter word still, for the header counts at 80 columns, where all
/// eight kinds do not fit with [`kind_short`].
pub fn kind_shortest(k: Kind) -> &'static str {
    match k {
        Kind::OrphanedFile => "orphan",
        Kind::DurationMismatch => "dur",
        Kind::RedundantFile => "redund",
        Kind::IncompleteFile => "incompl",
        other => kind_short(other),
    }
}

/// Symbol and word of a file's state.
pub fn file_state(f: &FileFacts) -> (&'static str, &'static str) {
    match &f.kind {
        FileKind::Cache { .. } if f.is_complete() => ("✓", "complete"),
        FileKind::Cache { .. } => ("✗", "incomplete"),
        FileKind::Partial => ("◐", "partial"),
        FileKind::Stray { .. } => ("?", "stray"),
        FileKind::Unreadable { .. } => ("‽", "unreadable"),
    }
}

/// Symbol and word of a row's `compression_state`.
pub fn row_state(r: &Row) -> (&'static str, String) {
    match r.state.as_deref() {
        Some("m4a") => ("●", "m4a".into()),
        Some("wav") => ("○", "wav".into()),
        Some("compressing") => ("◌", "compressing".into()),
        Some("failed") => ("⊘", "failed".into()),
        Some(other) => ("?", other.to_string()),
        None => ("?", "NULL".into()),
    }
}

/// Words of `s` in lines of at most `w` columns (a longer word gets a line
/// of its own, cut).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    for word in s.split(' ').filter(|x| !x.is_empty()) {
        let need = super::width(&cur) + usize::from(!cur.is_empty()) + super::width(word);
        if !cur.is_empty() && need > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines.into_iter().map(|l| super::fit(&l, w)).collect()
}

/// A file name cut to `w` columns in the middle of its key, so that the
/// encoding (`.wav`, `.m4a`, `.m4a.tmp`) stays in view.
pub fn fit_keep_ext(name: &str, w: usize) -> String {
    if super::width(name) <= w {
        return name.to_string();
    }
    // The extension: from the first dot of the last path part, when short.
    let base = name.rfind('/').map_or(0, |i| i + 1);
    let ext = name[base..].find('.').map(|i| &name[base + i..]).filter(|e| super::width(e) <= 10 && e.len() > 1);
    match ext {
        Some(ext) if w > super::width(ext) + 4 => {
            let head = &name[..name.len() - ext.len()];
            let keep = w - super::width(ext);
            // The key's last characters too, when there is room for them.
            let tail: String = if keep >= 14 {
                let chars: Vec<char> = head.chars().collect();
                chars[chars.len().saturating_sub(4)..].iter().collect()
            } else {
                String::new()
            };
            format!("{}{tail}{ext}", super::fit(head, keep - super::width(&tail)))
        }
        _ => super::fit(name, w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_fit_keeps_the_extension() {
        assert_eq!(wrap("run `cachescope recover /a/b` now", 12), vec!["run", "`cachescope", "recover", "/a/b` now"]);
        assert_eq!(wrap("", 5), vec![""]);
        let name = format!("{}.m4a.tmp", "ab".repeat(32));
        let cut = fit_keep_ext(&name, 24);
        assert_eq!(cut, "abababababa…abab.m4a.tmp");
        assert_eq!(super::super::width(&fit_keep_ext(&name, 24)), 24);
        assert_eq!(fit_keep_ext(&name, 14), "ababa….m4a.tmp");
        assert_eq!(fit_keep_ext("short.wav", 24), "short.wav");
        assert_eq!(fit_keep_ext(".DS_Store-but-a-long-name", 10), ".DS_Store…");
    }
}
