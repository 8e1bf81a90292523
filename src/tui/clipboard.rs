//! Copy (`y`, `Y`): what the topmost view shows, as plain text, to the
//! clipboard with OSC 52 — the terminal sets its clipboard from an escape
//! sequence, which also works through SSH and tmux (the way k9s does it).
//! `update()` only decides the text; the event loop writes the sequence.

use base64::Engine;

use super::app::{App, Effect, Layer};
use super::pane::Pane;
use super::ui::words::{file_state, row_state};
use crate::core::fmt::{clean, escaped};
use crate::core::report::readable_value;

/// What to tell a user whose terminal ignores the sequence.
pub const ALLOW: &str = "the terminal must allow OSC 52 (tmux: set -g set-clipboard on)";

/// Above this, some terminals drop the whole sequence.
const LARGE: usize = 100_000;

/// The OSC 52 sequence that puts `text` on the system clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode(text))
}

/// Discrepancy ids as `apply --ids-from` reads them: one a line, sorted.
/// An id with a line break cannot be written so; it is counted instead.
pub fn id_lines<'a>(ids: impl Iterator<Item = &'a String>) -> (Vec<String>, usize) {
    let mut lines: Vec<String> = vec![];
    let mut left_out = 0;
    for id in ids {
        if id.contains(['\n', '\r']) {
            left_out += 1;
        } else {
            lines.push(id.clone());
        }
    }
    lines.sort();
    (lines, left_out)
}

impl App {
    /// The focused item as text: what it is, its key, file and message.
    /// The first value names it for the status line.
    pub fn item_text(&self) -> Option<(String, String)> {
        let ins = self.inspection()?;
        let mut out = vec![];
        let disc = match self.focus {
            Pane::Disc => self.focused_disc(),
            Pane::Disk => {
                let i = self.panes[Pane::Disk].current()?;
                let f = &ins.scan.files[i];
                let (_, state) = file_state(f);
                out.push(format!("file: {}", escaped(&f.path())));
                if let Some(k) = f.key() {
                    out.push(format!("key: {}", clean(&k.to_string())));
                }
                out.push(format!("{state}, {} bytes, mtime {} ms", f.id.size, f.id.mtime_ms()));
                self.index.disc_of_file(i).or_else(|| self.index.disc_of_key(ins, &f.key()?.to_string()))
            }
            Pane::Db => {
                let i = self.panes[Pane::Db].current()?;
                let r = &ins.rows[i];
                let (_, state) = row_state(r);
                out.push(format!("key: {}", clean(&r.key.to_string())));
                out.push(format!(
                    "row: compression_state {state}, size_bytes {}, duration_ms {}",
                    readable_value(&r.size_bytes.value()),
                    readable_value(&r.duration_ms.value())
                ));
                self.index.disc_of_key(ins, &r.key.to_string())
            }
        };
        let mut name = out.first().cloned().unwrap_or_default();
        if let Some(d) = disc.map(|i| &ins.found[i]) {
            let what = d.key.as_deref().map(|k| clean(k).into_owned());
            let what = what.or_else(|| ins.file_of(d).map(|f| escaped(&f.path()))).unwrap_or_default();
            if self.focus == Pane::Disc {
                name = format!("{} {}", d.kind, super::ui::fit(&what, 12));
                out.push(format!("{} ({}): {what}", d.kind, d.severity().as_str()));
                if let Some(f) = ins.file_of(d) {
                    out.push(format!("file: {}", escaped(&f.path())));
                }
            } else {
                out.push(format!("{} ({})", d.kind, d.severity().as_str()));
            }
            out.push(format!("id: {}", clean(&d.id)));
            out.push(clean(&d.message).into_owned());
            let fixes: Vec<&str> = d.fixes().iter().map(|f| f.as_str()).collect();
            match self.choices.fix_shown(&d.id, d.kind) {
                Some(fix) if self.choices.chosen.contains_key(&d.id) => {
                    out.push(format!("fix: {fix}, selected (of {})", fixes.join(", ")))
                }
                Some(fix) => out.push(format!("fix: {fix} (of {})", fixes.join(", "))),
                None => out.push("fix: none".into()),
            }
        }
        (!out.is_empty()).then(|| (name, out.join("\n") + "\n"))
    }

    /// What `y` copies: the plan in the preview, the findings in the
    /// insight view, else the focused item.
    pub fn copy_text(&self) -> Option<(String, String)> {
        match (self.layers.iter().rev().find(|l| !matches!(l, Layer::Help | Layer::Palette)), &self.plan) {
            (Some(Layer::Plan), Some(pv)) => {
                let form = if pv.show_sql { "the plan's SQL" } else { "the plan" };
                Some((form.to_string(), pv.shown().join("\n") + "\n"))
            }
            (Some(Layer::Insight), _) => {
                let data = self.insight.data.as_ref()?;
                let lines: Vec<String> = data.findings.iter().map(|f| clean(&f.sentence).into_owned()).collect();
                let what = format!("{} findings", lines.len());
                (!lines.is_empty()).then(|| (what, lines.join("\n") + "\n"))
            }
            _ => self.item_text(),
        }
    }

    pub(super) fn copy(&mut self) -> Vec<Effect> {
        match self.copy_text() {
            Some((what, text)) => self.put_on_clipboard(&what, text),
            None => {
                self.status = "nothing to copy here".into();
                vec![]
            }
        }
    }

    /// `Y`: the selection's discrepancy ids, one a line.
    pub(super) fn copy_selection(&mut self) -> Vec<Effect> {
        if self.choices.chosen.is_empty() {
            self.status = "nothing selected to copy (Space, a select)".into();
            return vec![];
        }
        let (lines, _) = id_lines(self.choices.chosen.keys());
        let what = format!("{} selected ids", lines.len());
        self.put_on_clipboard(&what, lines.join("\n") + "\n")
    }

    fn put_on_clipboard(&mut self, what: &str, text: String) -> Vec<Effect> {
        let big = if text.len() > LARGE { " — large: some terminals drop over 100 kB" } else { "" };
        self.status = format!("copied {what} ({} bytes){big} — {ALLOW}", text.len());
        log::info!("copied {what} ({} bytes) to the clipboard with OSC 52", text.len());
        vec![Effect::Clipboard(text)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_the_escape_with_base64_text() {
        assert_eq!(osc52("hi\n"), "\x1b]52;c;aGkK\x07");
        let (lines, out) = id_lines(["b".to_string(), "a\nb".to_string(), "a".to_string()].iter());
        assert_eq!((lines, out), (vec!["a".to_string(), "b".to_string()], 1));
    }
}
