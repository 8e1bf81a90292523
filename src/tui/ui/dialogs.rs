//! Dialogs above everything: confirmations, results (the help and the
//! palette are in `help.rs`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::centered;
use crate::core::fmt::plural;
use crate::tui::app::{App, Confirm};

fn frame(f: &mut Frame, area: Rect, title: String, app: &App) -> Rect {
    f.render_widget(Clear, area);
    let block = Block::bordered().border_type(BorderType::Double).title(Span::styled(title, app.theme.title(true)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

pub fn confirm(f: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let t = &app.theme;
    let root = &app.root_label;
    let mut lines = match (c, &app.plan) {
        (Confirm::Apply, Some(pv)) => {
            let counts: Vec<String> = pv.plan.counts().iter().map(|(f, n)| format!("{f} ×{n}")).collect();
            vec![
                Line::from(format!("Apply {} to {root}?", plural(pv.plan.items.len(), "fix", "fixes"))),
                Line::from(format!(
                    "{} in one transaction, {} to quarantine.",
                    plural(pv.plan.sql_count(), "SQL statement", "SQL statements"),
                    plural(pv.plan.move_count(), "file move", "file moves")
                )),
                Line::from(counts.join(", ")),
                Line::from("The database is backed up first; u undoes the batch."),
            ]
        }
        (Confirm::Recover, _) => {
            let why = app.ins.as_ref().and_then(|i| i.interrupted.clone()).unwrap_or_default();
            vec![
                Line::from(format!("Recover the interrupted apply of {root}?")),
                Line::from(why),
                Line::from(
                    "This finishes or rolls back that batch, as `cachescope recover` does: the dump ends as if the \
                     batch ran whole or not at all. Then the dump is rescanned.",
                ),
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
        Confirm::Recover => " Recover? ",
    };
    // Long lines wrap: count the rows they take in the 74 columns inside.
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(74)).sum();
    let h = rows as u16 + 4;
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
    let rows: usize = ls.iter().map(|l| l.width().max(1).div_ceil(74)).sum();
    let h = rows as u16 + 4;
    let inner = frame(f, centered(area, 76, h), " Result — any key closes ".into(), app);
    f.render_widget(Paragraph::new(ls).wrap(Wrap { trim: false }), inner);
}
