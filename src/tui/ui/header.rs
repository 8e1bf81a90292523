//! The header: paths, counts, mode, alerts and the interrupted-apply banner.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::words::{kind_short, kind_shortest, severity_symbol};
use crate::core::Kind;
use crate::core::fmt::{escaped, group, size};
use crate::tui::app::{App, Busy};

/// The core's alerts (the seed's thresholds), and unreadable paths.
pub fn alerts(app: &App) -> Vec<String> {
    let Some(ins) = &app.ins else { return vec![] };
    let mut out = crate::core::alerts::alerts(&app.counts, ins.scan.files.len());
    if ins.unknown_keys > 0 {
        out.push(format!(
            "‽ UNREADABLE: {} path(s) could not be read; {} key(s) left unjudged",
            ins.unreadable().len(),
            ins.unknown_keys
        ));
    }
    out
}

pub fn height(app: &App, width: u16) -> u16 {
    let banner = (banner_lines(app, width).len() + note_lines(app, width).len()) as u16;
    let alerts = !alerts(app).is_empty() as u16;
    let counts = app.ins.as_ref().map_or(1, |_| count_lines(app, width).len()) as u16;
    2 + counts + banner + alerts + baseline_line(app).is_some() as u16
}

/// The per-kind counts, each a symbol, a number and a word: roomy when they
/// fit on one line, then compact, then with shorter words (eight kinds at
/// 80 columns), and on as many lines as they need when even those do not
/// fit: a count is never cut from its word.
fn count_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    if app.ins.as_ref().is_none_or(|ins| ins.found.is_empty()) {
        return vec![Line::from(Span::styled(" ✓ no discrepancies: disk and database agree", t.good()))];
    }
    let width = width as usize;
    // Symbol, number, word and gap: 5 columns more than number and word roomy, 2 compact.
    let line_width = |extra: usize, word: fn(Kind) -> &'static str| -> usize {
        1 + app.counts.iter().map(|(k, n)| word(*k).len() + group(*n as u64).len() + extra).sum::<usize>()
    };
    let compact = line_width(5, kind_short) > width;
    let word = if compact && line_width(3, kind_short) > width { kind_shortest } else { kind_short };
    let gap = if compact { " " } else { "  " };
    let mut lines = vec![vec![Span::raw(" ")]];
    let mut used = 1;
    for &(kind, n) in &app.counts {
        let style = if n == 0 { t.dim() } else { t.severity(kind.severity()) };
        // Nothing of a kind is done, not an error: ✓.
        let sym = if n == 0 { "✓" } else { severity_symbol(kind.severity()) };
        let space = if compact { "" } else { " " };
        let text = format!("{sym}{space}{} {}", group(n as u64), word(kind));
        let w = super::width(&text);
        if used > 1 && used + w > width {
            lines.push(vec![Span::raw(" ")]);
            used = 1;
        }
        let line = lines.last_mut().expect("one line at least");
        line.push(Span::styled(text, style));
        line.push(Span::raw(gap));
        used += w + gap.len();
    }
    lines.into_iter().map(Line::from).collect()
}

/// With `--baseline`: " + 3 new, 71 known (baseline before.json)".
fn baseline_line(app: &App) -> Option<Line<'static>> {
    let b = app.baseline.as_ref().filter(|_| app.ins.is_some())?;
    let t = &app.theme;
    let style = if b.new > 0 { t.alert() } else { t.good() };
    Some(Line::from(vec![
        Span::styled(" + ", style),
        Span::styled(b.summary(), style),
        Span::styled("; new ones are marked +, the + key shows only them", t.dim()),
    ]))
}

/// The interrupted-apply banner, wrapped to the screen's width (never cut
/// before the command it names), with the key that recovers here.
fn banner_lines(app: &App, width: u16) -> Vec<String> {
    let Some(why) = app.ins.as_ref().and_then(|i| i.interrupted.as_ref()) else { return vec![] };
    let text = format!("⚠ INTERRUPTED APPLY: {why} — or press R here (asks first).");
    super::words::wrap(&text, (width as usize).saturating_sub(2).max(20)).into_iter().map(|l| format!(" {l}")).collect()
}

/// What the archive leaves out (adb backup: `cache/`), wrapped.
fn note_lines(app: &App, width: u16) -> Vec<String> {
    let room = (width as usize).saturating_sub(2).max(20);
    let wrapped = app.notes.iter().flat_map(|n| super::words::wrap(&format!("⚠ {}", crate::core::fmt::clean(n)), room));
    wrapped.map(|l| format!(" {l}")).collect()
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let busy = matches!(app.busy, Some(Busy::Applying | Busy::Undoing));
    // The mode first: a long dump path must never push it off screen.
    let mode = format!("[{}]", app.mode());
    let room = (area.width as usize).saturating_sub(mode.chars().count() + 20);
    let mut lines = vec![Line::from(vec![
        Span::styled(" cachescope ", Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(mode, t.mode(busy)),
        Span::styled("  dump ", t.dim()),
        Span::raw(super::fit(&app.root_label, room)),
    ])];
    let Some(ins) = &app.ins else {
        lines.push(Line::from(" reading the dump…"));
        f.render_widget(Paragraph::new(lines), area);
        return;
    };
    let rel = |p: &std::path::Path| escaped(&ins.dump.display_rel(p));
    lines.push(Line::from(vec![
        Span::styled(" db ", t.dim()),
        Span::raw(format!("{} ({} rows)", rel(&ins.dump.db), group(ins.rows.len() as u64))),
        Span::styled("  cache ", t.dim()),
        Span::raw(format!(
            "{} ({} files, {})",
            rel(&ins.dump.cache_dir),
            group(ins.scan.files.len() as u64),
            size(ins.scan.bytes)
        )),
    ]));
    lines.extend(count_lines(app, area.width));
    lines.extend(baseline_line(app));
    for l in note_lines(app, area.width) {
        lines.push(Line::styled(super::pad(&l, area.width as usize), t.alert()));
    }
    for l in banner_lines(app, area.width) {
        lines.push(Line::styled(super::pad(&l, area.width as usize), t.banner()));
    }
    let alerts = alerts(app);
    if !alerts.is_empty() {
        lines.push(Line::styled(format!(" ⚠ {}", alerts.join("  ⚠ ")), t.alert()));
    }
    f.render_widget(Paragraph::new(lines), area);
}
