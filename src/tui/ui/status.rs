//! The status line (progress gauge, filter input, last message), the footer
//! of key hints from the key table, and the log pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph};
use tui_logger::{TuiLoggerLevelOutput, TuiLoggerWidget};

use super::fit;
use crate::tui::app::{App, Busy, Layer};
use crate::tui::keys::{Action, CONFIRM_FOOTER, DETAIL_FOOTER, INSIGHT_FOOTER, PLAN_FOOTER, Scope, hints, hints_of};

pub fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some(line) = group_line(app, area.width as usize) {
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    if matches!(app.top(), Some(Layer::Filter)) || !app.filter.text.is_empty() {
        let editing = matches!(app.top(), Some(Layer::Filter));
        let cursor = if editing { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled(" filter / ", t.key()),
            Span::styled(format!("{}{cursor}", app.filter.text), Style::new().add_modifier(Modifier::UNDERLINED)),
            Span::styled(
                match (app.filter.pending(), editing) {
                    (true, _) => "  filtering…",
                    (false, true) => "  (key, kind or path)",
                    (false, false) => "  (Esc clears)",
                },
                t.dim(),
            ),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(busy) = app.busy {
        let what = match busy {
            Busy::Scanning => "scanning",
            Busy::Applying => "applying",
            Busy::Undoing => "undoing",
            Busy::Recovering => "recovering",
        };
        let (ratio, label) = match &app.progress {
            Some((p, rate)) => {
                let ratio = p.total.map_or(0.0, |t| if t == 0 { 1.0 } else { p.done as f64 / t as f64 });
                let of = p.total.map_or(String::new(), |t| format!("/{t}"));
                let item = match (busy, p.phase) {
                    (Busy::Applying, crate::core::Phase::Apply) => {
                        app.applying.get(p.done.saturating_sub(1) as usize).map(|id| format!(" · {id}"))
                    }
                    _ => None,
                };
                let label = format!(" {what}: {} {}{of} · {:.0}/s{} ", p.phase.label(), p.done, rate, {
                    item.unwrap_or_default()
                });
                (ratio, fit(&label, area.width as usize))
            }
            None => (0.0, format!(" {what}… ")),
        };
        let g = LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label)
            .filled_style(t.key())
            .unfilled_style(t.dim());
        f.render_widget(g, area);
        return;
    }
    f.render_widget(Paragraph::new(Line::from(format!(" {}", fit(&app.status, area.width as usize - 1)))), area);
}

pub fn draw_footer(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let pairs: Vec<(String, String)> = match app.top() {
        Some(Layer::Filter) => {
            vec![("type".into(), "filter".into()), ("Enter".into(), "keep".into()), { ("Esc".into(), "clear".into()) }]
        }
        Some(Layer::Typed { .. }) => vec![("yes+Enter".into(), "apply".into()), ("Esc".into(), "cancel".into())],
        Some(Layer::Help) => {
            vec![("type".into(), "search".into()), ("↑↓".into(), "scroll".into()), ("Esc".into(), "close".into())]
        }
        Some(Layer::Palette) => vec![
            ("type".into(), "narrow".into()),
            ("↑↓".into(), "choose".into()),
            ("Enter".into(), "run".into()),
            ("Esc".into(), "close".into()),
        ],
        Some(Layer::Result(_)) => vec![("any key".into(), "close".into()), ("q".into(), "quit".into())],
        // Dialogs and views: the keys they handle, named from the key table.
        Some(Layer::Confirm(_)) => owned(hints_of(CONFIRM_FOOTER, &[Scope::Confirm])),
        Some(Layer::Plan) => owned(hints_of(PLAN_FOOTER, &[Scope::Plan, Scope::Panes])),
        Some(Layer::Detail) => owned(hints_of(DETAIL_FOOTER, &[Scope::Panes, Scope::Disc])),
        Some(Layer::Insight) => {
            let mut pairs = hints_of(INSIGHT_FOOTER, &[Scope::Insight]);
            pairs.extend(hints_of(&[Action::Back, Action::Help, Action::Quit, Action::Copy], &[Scope::Panes]));
            owned(pairs)
        }
        None => owned(hints(&app.scopes())),
    };
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (k, h) in pairs {
        let w = k.chars().count() + h.chars().count() + 3;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw_log(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let w = TuiLoggerWidget::default()
        .block(Block::bordered().title(" Log (L hides) "))
        .output_separator(' ')
        .output_timestamp(Some("%H:%M:%S".into()))
        .output_level(Some(TuiLoggerLevelOutput::Abbreviated))
        .output_target(false)
        .output_file(false)
        .output_line(false)
        .style_error(t.severity(crate::core::Severity::Error))
        .style_warn(t.severity(crate::core::Severity::Warning));
    f.render_widget(w, area);
}

fn owned(pairs: Vec<(&str, &str)>) -> Vec<(String, String)> {
    pairs.into_iter().map(|(k, h)| (k.to_string(), h.to_string())).collect()
}

/// The group filter in force (a finding, a bar, new only) and the text
/// filter typed within it, on one line; the progress gauge wins while busy.
fn group_line(app: &App, width: usize) -> Option<Line<'static>> {
    let g = app.group.as_ref().filter(|_| app.busy.is_none())?;
    let t = &app.theme;
    let editing = matches!(app.top(), Some(Layer::Filter));
    let mut spans = vec![Span::styled(" ◆ ", t.key())];
    let text = app.filter.text.clone();
    let tail = if editing || !text.is_empty() {
        let cursor = if editing { "▏" } else { "" };
        vec![
            Span::styled(" │ / ", t.key()),
            Span::styled(format!("{text}{cursor}"), Style::new().add_modifier(Modifier::UNDERLINED)),
            Span::styled(if app.filter.pending() { "  filtering…" } else { "  (Esc clears the text)" }, t.dim()),
        ]
    } else {
        vec![Span::styled("  (Esc clears)", t.dim())]
    };
    let tail_w: usize = tail.iter().map(|s| super::width(&s.content)).sum();
    let room = width.saturating_sub(3 + tail_w);
    spans.push(Span::styled(fit(&g.label, room), Style::new().add_modifier(Modifier::BOLD)));
    spans.extend(tail);
    Some(Line::from(spans))
}
