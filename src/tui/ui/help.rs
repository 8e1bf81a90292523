//! The searchable help (`?`) and the command palette (`:`): both list the
//! one key table, narrowed by what was typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, fit, pad, width};
use crate::tui::app::App;
use crate::tui::keys::BINDINGS;
use crate::tui::palette::{entries, help_sections};

fn frame(f: &mut Frame, area: Rect, title: &str, app: &App) -> Rect {
    f.render_widget(Clear, area);
    let block =
        Block::bordered().border_type(BorderType::Double).title(Span::styled(title.to_string(), app.theme.title(true)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The query line: what was typed, with a cursor, and how much matches.
fn query_line(app: &App, prompt: &str, count: String) -> Line<'static> {
    let t = &app.theme;
    Line::from(vec![
        Span::styled(prompt.to_string(), t.key()),
        Span::styled(format!("{}▏", app.finder.query), Style::new().add_modifier(Modifier::UNDERLINED)),
        Span::styled(format!("  {count}"), t.dim()),
    ])
}

/// Every key, from the same table as the footer; typing narrows it.
pub fn help(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let sections = help_sections(&app.finder.query);
    // The label column fits the longest label, and a space after it.
    let lw = BINDINGS.iter().map(|b| width(b.label)).max().unwrap_or(6) + 2;
    let mut lines: Vec<Line> = vec![];
    for (heading, list) in &sections {
        lines.push(Line::styled(*heading, Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)));
        for b in list {
            lines.push(Line::from(vec![Span::styled(format!(" {}", pad(b.label, lw)), t.key()), Span::raw(b.help)]));
        }
    }
    let n: usize = sections.iter().map(|(_, l)| l.len()).sum();
    if lines.is_empty() {
        lines.push(Line::styled("Nothing matches: Backspace widens the search.", t.dim()));
    }
    // The status line and the footer stay in view (they say how to close).
    let area = Rect { height: area.height.saturating_sub(2), ..area };
    let rows = lines.len() as u16;
    // One column when it fits; two halves side by side on a wide screen;
    // else one column that scrolls.
    let two = rows + 3 > area.height && area.width >= 120;
    let col_h = if two { rows.div_ceil(2) } else { rows };
    let w = if two { area.width.min(150) } else { area.width.min(80) };
    let inner = frame(
        f,
        centered(area, w, (col_h + 3).min(area.height)),
        " Help — type to search, ↑↓ scroll, Esc closes ",
        app,
    );
    if inner.height < 2 {
        return;
    }
    let count =
        if app.finder.query.is_empty() { format!("{n} keys") } else { format!("{n} of {} keys", BINDINGS.len()) };
    f.render_widget(Paragraph::new(query_line(app, " Search: ", count)), Rect { height: 1, ..inner });
    let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let h = body.height as usize;
    let skip = app.finder.pos.min(lines.len().saturating_sub(1));
    let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
    let more = shown.len() > h * (1 + two as usize);
    if !two {
        let mut ls: Vec<Line> = shown.into_iter().take(h).collect();
        if more && let Some(last) = ls.last_mut() {
            *last = Line::styled("↓ more: ↓ or PgDn scrolls, typing narrows", t.dim());
        }
        f.render_widget(Paragraph::new(ls), body);
        return;
    }
    let half = body.width / 2;
    let cut = |ls: Vec<Line<'static>>, w: u16| -> Vec<Line<'static>> {
        ls.into_iter()
            .map(|l| {
                let spans: Vec<Span> =
                    l.spans.iter().map(|s| Span::styled(fit(&s.content, w as usize), s.style)).collect();
                Line::from(spans).style(l.style)
            })
            .collect()
    };
    let mut it = shown.into_iter();
    let a: Vec<Line> = it.by_ref().take(h.min(col_h as usize)).collect();
    let b: Vec<Line> = it.take(h).collect();
    f.render_widget(Paragraph::new(cut(a, half - 1)), Rect { width: half, ..body });
    f.render_widget(Paragraph::new(cut(b, half)), Rect { x: body.x + half, width: body.width - half, ..body });
}

/// The command palette: every action by name with its keys; Enter runs
/// the one under the cursor.
pub fn palette(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let list = entries(&app.finder.query);
    let w = area.width.saturating_sub(4).min(84);
    let h = (list.len() as u16 + 3).clamp(4, area.height.saturating_sub(2).max(4));
    let mut rect = centered(area, w, h);
    rect.y = area.y + (area.height.saturating_sub(h)) / 4;
    let inner = frame(f, rect, " Commands — type to narrow, ↑↓ choose, Enter runs, Esc closes ", app);
    if inner.height == 0 {
        return;
    }
    let count = format!("{} of {} actions", list.len(), entries("").len());
    f.render_widget(Paragraph::new(query_line(app, " : ", count)), Rect { height: 1, ..inner });
    let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let h = body.height as usize;
    let pos = app.finder.pos.min(list.len().saturating_sub(1));
    let offset = (pos + 1).saturating_sub(h);
    let cols = body.width as usize;
    let mut lines: Vec<Line> = vec![];
    if list.is_empty() {
        lines.push(Line::styled("No action matches: Backspace widens the search.", t.dim()));
    }
    for (n, e) in list.iter().enumerate().skip(offset).take(h) {
        let on = n == pos;
        let keys = format!(" {} ", e.keys);
        let name_w = cols.saturating_sub(width(&keys) + 1);
        let name = format!("{}{}", if on { "▶" } else { " " }, pad(e.name, name_w));
        let mut spans = vec![Span::raw(name), Span::styled(keys, t.key())];
        if on {
            spans = spans.into_iter().map(|s| s.patch_style(t.cursor(true))).collect();
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), body);
}
