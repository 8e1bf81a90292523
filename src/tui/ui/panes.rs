//! The three linked panes. Only the visible slice of each list is turned into
//! lines; the offset follows the cursor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::words::{file_state, fit_keep_ext, kind_short, row_state, severity_symbol};
use super::{fit, pad, width as cols};
use crate::core::fmt::{clean, escaped, size, size_i64};
use crate::tui::app::{App, Pane};

pub fn draw(f: &mut Frame, area: Rect, app: &mut App, pane: Pane) {
    let p = pane as usize;
    let focused = app.focus == pane;
    let t = app.theme;
    let (border_type, border_style) = t.border(focused);
    let total = match app.inspection() {
        Some(ins) => [ins.scan.files.len(), ins.rows.len(), ins.found.len()][p],
        None => 0,
    };
    let shown = app.panes[pane].visible.len();
    let count = if shown == total { format!("{total}") } else { format!("{shown}/{total}") };
    let marker = if focused { "▶" } else { " " };
    let mut title = format!("{marker}{} {} ({count})", p + 1, pane.title());
    if pane == Pane::Disc
        && let Some((kind, at, of)) = group_position(app)
    {
        title.push_str(&format!(" · {} {at}/{of}", kind.as_str()));
    }
    if let Some(sorted) = crate::tui::sort::title(pane, app.panes[pane].sort) {
        title.push_str(&format!(" · {sorted}"));
    }
    if focused {
        title.push_str(" ◀");
    }
    let block = Block::bordered()
        .border_type(border_type)
        .border_style(border_style)
        .title(Span::styled(format!(" {title} "), t.title(focused)));
    let inner = block.inner(area);
    f.render_widget(block, area);

    let view = &mut app.panes[pane];
    let miss = view.miss;
    let height = (inner.height as usize).saturating_sub(miss as usize);
    view.page = height.max(1);
    view.area = area;
    let (offset, pos) = (view.scroll_to_cursor(height), view.pos);

    let Some(ins) = app.inspection() else { return };
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(height + 1);
    if miss {
        let what = match pane {
            Pane::Disk => "no file",
            Pane::Db => "no row",
            Pane::Disc => "no discrepancy",
        };
        let note = if app.filtered() { " (or filtered out)" } else { "" };
        let text = match app.focused_link().and_then(|l| l.key) {
            Some(key) => format!("∅ {what} for {}{note}", clean(&key)),
            None => format!("∅ {what}: a stray file has no key{note}"),
        };
        lines.push(Line::styled(fit(&text, width), t.dim()));
    } else if shown == 0 {
        let msg = match (pane, !app.filtered()) {
            (Pane::Disc, true) => "✓ nothing to fix: disk and database agree",
            (_, true) => "(empty)",
            (_, false) => "(nothing matches the filter)",
        };
        lines.push(Line::styled(msg, t.dim()));
    }
    for (n, &i) in app.panes[pane].visible.iter().enumerate().skip(offset).take(height) {
        let cursor = !miss && n == pos;
        let cur = if cursor { "▶" } else { " " };
        let mut spans: Vec<Span> = match pane {
            Pane::Disk => {
                let file = &ins.scan.files[i];
                let (sym, word) = file_state(file);
                let style = if file.is_complete() { t.good() } else { t.severity(crate::core::Severity::Error) };
                let head = format!("{cur}{sym} {word:<10} {:>9} ", size(file.id.size));
                let rest = width.saturating_sub(cols(&head));
                // Cut in the key, never the encoding (`.wav`, `.m4a`).
                vec![Span::styled(head, style), Span::raw(fit_keep_ext(&escaped(&file.path()), rest))]
            }
            Pane::Db => {
                let row = &ins.rows[i];
                let (sym, word) = row_state(row);
                let sz = row.size().map_or("NULL".into(), size_i64);
                let head = format!("{cur}{sym} {word:<11} {sz:>9} ");
                let rest = width.saturating_sub(cols(&head));
                vec![Span::raw(head), Span::raw(fit(&clean(&row.key.as_str()), rest))]
            }
            Pane::Disc => {
                let d = &ins.found[i];
                let chosen = app.choices.chosen.get(&d.id);
                let sel = if chosen.is_some() { "[x]" } else { "[ ]" };
                let fix = app.choices.fix_shown(&d.id, d.kind).map_or("no fix".into(), |f| f.to_string());
                let what = match (&d.key, ins.file_of(d)) {
                    (Some(k), _) => clean(k).into_owned(),
                    (None, Some(file)) => escaped(&file.path()),
                    (None, None) => String::new(),
                };
                let new = new_mark(app, i);
                let head = if width >= 90 {
                    format!("{cur}{sel}{new}{} {:<26} ", severity_symbol(d.severity()), d.kind.as_str())
                } else {
                    format!("{cur}{sel}{new}{} {:<10} ", severity_symbol(d.severity()), kind_short(d.kind))
                };
                let tail = format!(" → {fix}");
                let rest = width.saturating_sub(cols(&head) + cols(&tail));
                let sel_style = if chosen.is_some() { t.chosen() } else { Style::new() };
                vec![
                    Span::styled(head, t.severity(d.severity())),
                    Span::raw(pad(&what, rest)),
                    Span::styled(tail, sel_style),
                ]
            }
        };
        if cursor {
            let style = t.cursor(focused);
            spans = spans.into_iter().map(|s| s.patch_style(style)).collect();
            let used: usize = spans.iter().map(|s| cols(&s.content)).sum();
            if used < width {
                spans.push(Span::styled(" ".repeat(width - used), style));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The kind under the Discrepancies cursor, its place in that kind's group
/// and the group's size (in its own order the list is sorted by kind: a
/// binary search; other orders have no groups).
fn group_position(app: &App) -> Option<(crate::core::Kind, usize, usize)> {
    let ins = app.inspection()?;
    let st = &app.panes[Pane::Disc];
    if !st.sort.is_natural() {
        return None;
    }
    let vis = &st.visible;
    let kind = ins.found[st.current()?].kind;
    let start = vis.partition_point(|&i| ins.found[i].kind < kind);
    let end = vis.partition_point(|&i| ins.found[i].kind <= kind);
    Some((kind, st.pos - start + 1, end - start))
}

/// `+` before a discrepancy new since the baseline (a space otherwise).
fn new_mark(app: &App, i: usize) -> &'static str {
    if app.is_new(i) == Some(true) { "+" } else { " " }
}
