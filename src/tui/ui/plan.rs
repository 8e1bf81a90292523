//! The plan preview: the core's plan, readable (as `cachescope plan`
//! prints it) or, with `s`, the exact SQL and moves (`--format sql`); only
//! the visible window of lines is laid out, long lines wrapped under their
//! own indent.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::tui::app::App;

pub fn draw(f: &mut Frame, area: Rect, app: &mut App, topmost: bool) {
    let t = app.theme;
    let Some(pv) = &app.plan else { return };
    f.render_widget(Clear, area);
    let form = if pv.show_sql { "the exact SQL; s: readable" } else { "s: the exact SQL" };
    let title = format!(" Plan preview (dry run) — Enter applies…, {form} ");
    let block = Block::bordered()
        .border_type(if topmost { BorderType::Double } else { BorderType::Plain })
        .title(Span::styled(title, t.title(topmost)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut notes: Vec<Line> = vec![];
    if let Some(why) = &pv.mass {
        notes.push(Line::styled(format!("⚠ mass change: {why}; applying asks you to type yes."), t.alert()));
    }
    if let Some(why) = app.ins.as_ref().and_then(|i| i.interrupted.as_ref()) {
        notes.push(Line::styled(format!("⚠ {why}; applying from here finishes or rolls it back first."), t.alert()));
    }
    let note_rows = notes.iter().map(|l| l.width().max(1).div_ceil(inner.width.max(1) as usize)).sum::<usize>();
    f.render_widget(Paragraph::new(notes).wrap(Wrap { trim: false }), inner);
    let h = (inner.height as usize).saturating_sub(note_rows);
    let w = inner.width as usize;
    // Each line wraps under its own indent (plus two), so items stay apart.
    let mut rows: Vec<Line> = Vec::with_capacity(h);
    for l in pv.shown().iter().skip(pv.scroll) {
        if rows.len() >= h {
            break;
        }
        let indent = l.len() - l.trim_start().len() + 2;
        let parts = hanging(l, w, indent.min(w / 3));
        rows.extend(parts.into_iter().map(Line::raw));
    }
    rows.truncate(h);
    let body = Rect { y: inner.y + note_rows as u16, height: h as u16, ..inner };
    f.render_widget(Paragraph::new(rows), body);
    app.plan_page = h.max(1);
}

/// `s` in rows of `w` columns, broken at spaces (a longer word is cut), the
/// rows after the first indented by `indent`.
fn hanging(s: &str, w: usize, indent: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut out = vec![];
    let mut rest = s;
    if rest.trim().is_empty() {
        return vec![String::new()];
    }
    while !rest.is_empty() {
        let pad = if out.is_empty() { String::new() } else { " ".repeat(indent.min(w.saturating_sub(8))) };
        let room = w.saturating_sub(pad.len()).max(1);
        if super::width(rest) <= room {
            out.push(format!("{pad}{rest}"));
            break;
        }
        let (mut used, mut end, mut space) = (0, rest.len(), None);
        for (i, c) in rest.char_indices() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room {
                end = i;
                break;
            }
            if c == ' ' && !rest[..i].trim().is_empty() {
                space = Some(i);
            }
            used += cw;
        }
        let at = space.unwrap_or(end).max(rest.chars().next().map_or(1, char::len_utf8));
        out.push(format!("{pad}{}", rest[..at].trim_end()));
        rest = rest[at..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hanging;

    #[test]
    fn long_lines_wrap_under_their_indent() {
        let rows = hanging("  ~ abcdef  size_bytes: 1 → 2, duration_ms: 3 → 4", 24, 4);
        assert_eq!(rows, vec!["  ~ abcdef  size_bytes:", "    1 → 2, duration_ms:", "    3 → 4"]);
        assert_eq!(hanging("short", 24, 4), vec!["short"]);
    }
}
