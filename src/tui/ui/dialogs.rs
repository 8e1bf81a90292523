//! Dialogs above everything: help, confirmations, results.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::{centered, fit};
use crate::tui::app::{App, Confirm};
use crate::tui::keys::{BINDINGS, Scope};

fn frame(f: &mut Frame, area: Rect, title: String, app: &App) -> Rect {
    f.render_widget(Clear, area);
    let block = Block::bordered().border_type(BorderType::Double).title(Span::styled(title, app.theme.title(true)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// Every key, from the same table as the footer.
pub fn help(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut lines: Vec<Line> = vec![];
    for (scope, heading) in [
        (Scope::Panes, "In the panes"),
        (Scope::Disc, "In Discrepancies"),
        (Scope::Plan, "In the plan preview"),
        (Scope::Insight, "In the insight view (i)"),
        (Scope::Confirm, "In a confirmation"),
        (Scope::Global, "Everywhere"),
    ] {
        lines.push(Line::styled(heading, Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)));
        for b in BINDINGS.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![Span::styled(format!(" {:<6}", b.label), t.key()), Span::raw(b.help)]));
        }
    }
    let rows = lines.len() as u16;
    let area = if area.height >= rows + 2 {
        centered(area, 72, rows + 2)
    } else {
        centered(area, 120, (rows / 2 + 3).min(area.height))
    };
    let inner = frame(f, area, " Help — any key closes ".into(), app);
    if inner.height as usize >= lines.len() {
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // Two columns when one does not fit.
    let half = inner.width / 2;
    let h = inner.height as usize;
    let (a, b): (Vec<Line>, Vec<Line>) = {
        let mut it = lines.into_iter();
        (it.by_ref().take(h).collect(), it.collect())
    };
    let cut = |ls: Vec<Line<'static>>, w: u16| -> Vec<Line<'static>> {
        ls.into_iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                let style = l.spans.first().map(|s| s.style).unwrap_or_default();
                let cut = fit(&text, w as usize - 1);
                let (k, rest) = cut.split_at(cut.char_indices().nth(7).map_or(cut.len(), |(i, _)| i));
                Line::from(vec![Span::styled(k.to_string(), style), Span::raw(rest.to_string())])
            })
            .collect()
    };
    f.render_widget(Paragraph::new(cut(a, half)), Rect { width: half, ..inner });
    f.render_widget(Paragraph::new(cut(b, half)), Rect { x: inner.x + half, width: inner.width - half, ..inner });
}

pub fn confirm(f: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let t = &app.theme;
    let root = &app.root_label;
    let mut lines = match (c, &app.plan) {
        (Confirm::Apply, Some(pv)) => {
            let counts: Vec<String> = pv.plan.counts().iter().map(|(f, n)| format!("{f} ×{n}")).collect();
            vec![
                Line::from(format!("Apply {} fixes to {root}?", pv.plan.items.len())),
                Line::from(format!(
                    "{} SQL statements in one transaction, {} file moves to quarantine.",
                    pv.plan.sql_count(),
                    pv.plan.move_count()
                )),
                Line::from(counts.join(", ")),
                Line::from("The database is backed up first; u undoes the batch."),
            ]
        }
        _ => vec![
            Line::from(format!("Undo the last applied batch of {root}?")),
            Line::from("Rows return to their values before it; quarantined files move back."),
        ],
    };
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(" y ", t.key().add_modifier(Modifier::REVERSED)),
        Span::raw(" yes    "),
        Span::styled(" N ", t.key().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)),
        Span::raw(" no (default: Enter, Esc or any other key)"),
    ]));
    let title = match c {
        Confirm::Apply => " Apply? ",
        Confirm::Undo => " Undo? ",
    };
    let h = lines.len() as u16 + 4;
    let inner = frame(f, centered(area, 76, h), title.into(), app);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn typed(f: &mut Frame, area: Rect, app: &App, why: &str, input: &str) {
    let t = &app.theme;
    let lines = vec![
        Line::styled("⚠ Blast-radius guard", t.alert()),
        Line::from(format!("This plan is a mass change: {why}.")),
        Line::from("Type yes and press Enter to apply it anyway; Esc cancels."),
        Line::from(""),
        Line::from(vec![
            Span::raw("> "),
            Span::styled(format!("{input}▏"), Style::new().add_modifier(Modifier::UNDERLINED)),
        ]),
    ];
    let inner = frame(f, centered(area, 76, 9), " Type yes to confirm ".into(), app);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn result(f: &mut Frame, area: Rect, app: &App, lines: &[String]) {
    let ls: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
    let h = ls.len() as u16 + 4;
    let inner = frame(f, centered(area, 76, h), " Result — any key closes ".into(), app);
    f.render_widget(Paragraph::new(ls).wrap(Wrap { trim: false }), inner);
}
