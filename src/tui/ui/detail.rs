//! Detail of the focused key: the row's columns beside the file's facts, the
//! discrepancies with their fixes (the chosen one marked).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use serde_json::Value as Json;

use super::wave;
use super::words::{file_state, severity_symbol};
use crate::core::disk::{FileFacts, FileKind};
use crate::core::fmt::{clean, escaped, group, size};
use crate::tui::app::App;

pub fn draw(f: &mut Frame, area: Rect, app: &App, overlay: bool) {
    let (Some(ins), Some(link)) = (app.inspection(), app.focused_link()) else { return };
    let t = &app.theme;
    f.render_widget(Clear, area);
    let what = link
        .key
        .as_deref()
        .map(|k| clean(k).into_owned())
        .or_else(|| link.file.map(|i| escaped(&ins.scan.files[i].path())))
        .unwrap_or_default();
    let (border, title) = if overlay {
        (ratatui::widgets::BorderType::Double, format!(" Detail: {what} (Esc closes) "))
    } else {
        (ratatui::widgets::BorderType::Plain, format!(" Detail: {what} "))
    };
    let outer = Block::bordered().border_type(border).title(Span::styled(title, t.title(overlay)));
    let inner = outer.inner(area);
    f.render_widget(outer, area);

    // The discrepancies of this key (or of this stray file).
    let discs = app.index.discs_of(ins, &link);
    let mut dl: Vec<Line> = vec![];
    for &i in &discs {
        let d = &ins.found[i];
        let new = match app.is_new(i) {
            Some(true) => "+ new since the baseline · ",
            Some(false) => "known (in the baseline) · ",
            None => "",
        };
        dl.push(Line::from(vec![
            Span::styled(format!("{} {}", severity_symbol(d.severity()), d.kind.as_str()), t.severity(d.severity())),
            Span::raw(format!(": {new}{}", d.message)),
        ]));
        let shown = app.choices.fix_shown(&d.id, d.kind);
        let chosen = app.choices.chosen.get(&d.id);
        let mut spans = vec![Span::raw("   fixes: ")];
        for fix in d.fixes() {
            let mark = if Some(fix) == chosen {
                "[x]"
            } else if Some(*fix) == shown {
                "(•)"
            } else {
                "( )"
            };
            let style = if Some(fix) == chosen { t.chosen() } else { ratatui::style::Style::new() };
            spans.push(Span::styled(format!("{mark} {fix}  "), style));
        }
        spans.push(Span::styled(
            if chosen.is_some() { "— selected for the plan" } else { "— not selected (Space)" },
            t.dim(),
        ));
        dl.push(Line::from(spans));
    }
    if dl.is_empty() {
        dl.push(Line::styled("✓ no discrepancy for this key", t.good()));
    }
    let disc_h = (dl.len() as u16 + 2).min(inner.height / 2).max(3);
    let [top, bottom] = Layout::vertical([Constraint::Min(3), Constraint::Length(disc_h)]).areas(inner);
    let [left, right] = if top.width >= 100 {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top)
    } else if overlay {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(top)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top)
    };

    // The row, every column in table order.
    let mut rl: Vec<Line> = vec![];
    match link.key.as_deref().and_then(|k| ins.full_row(k)) {
        Some(row) => {
            let w = row.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            for (k, v) in row {
                let v = match v {
                    Json::Null => "NULL".to_string(),
                    Json::String(s) => clean(&s).into_owned(),
                    Json::Number(n) if k.ends_with("_at") && n.as_i64().is_some() => {
                        format!("{n} ({})", when(n.as_i64().unwrap_or_default()))
                    }
                    other => other.to_string(),
                };
                rl.push(Line::from(vec![Span::styled(format!("{:<w$} ", clean(&k)), t.dim()), Span::raw(v)]));
            }
        }
        None => rl.push(Line::styled("∅ no row in cache_entries for this key", t.dim())),
    }
    let rb = Block::bordered().title(" DB row (cache_entries) ");
    f.render_widget(Paragraph::new(rl).wrap(Wrap { trim: false }).block(rb), left);

    // The files of the key.
    let files: Vec<usize> = match (&link.key, link.file) {
        (Some(k), _) => app.index.files_of_key(ins, k),
        (None, Some(i)) => vec![i],
        _ => vec![],
    };
    let mut fl: Vec<Line> = vec![];
    for i in files {
        if !fl.is_empty() {
            fl.push(Line::from(""));
        }
        facts(&mut fl, &ins.scan.files[i], app);
    }
    if fl.is_empty() {
        fl.push(Line::styled("∅ no file on disk for this key", t.dim()));
    }
    // The loudness of the focused complete file, under its facts.
    let pictured = app
        .focused_file()
        .map(|i| &ins.scan.files[i])
        .filter(|f| f.is_complete() && app.envelopes.contains_key(&ins.dump.cache_dir.join(f.path())));
    // Only where the facts still fit whole beside it (wrapped, in their box):
    // container, size, mtime and duration come first at 80×24.
    let inner_w = right.width.saturating_sub(2).max(1) as usize;
    let facts_h = fl.iter().map(|l| l.width().div_ceil(inner_w).max(1) as u16).sum::<u16>() + 2;
    let right = match pictured {
        Some(file) if right.height >= wave::HEIGHT + facts_h => {
            let [facts_area, wave_area] =
                Layout::vertical([Constraint::Min(facts_h), Constraint::Length(wave::HEIGHT)]).areas(right);
            wave::draw(f, wave_area, app, &ins.dump.cache_dir.join(file.path()));
            facts_area
        }
        _ => right,
    };
    let fb = Block::bordered().title(" Disk file(s) ");
    f.render_widget(Paragraph::new(fl).wrap(Wrap { trim: false }).block(fb), right);

    let db = Block::bordered().title(format!(" Discrepancies ({}) ", discs.len()));
    f.render_widget(Paragraph::new(dl).wrap(Wrap { trim: false }).block(db), bottom);
}

fn facts(out: &mut Vec<Line<'static>>, file: &FileFacts, app: &App) {
    let t = &app.theme;
    let (sym, word) = file_state(file);
    let kv = |k: &str, v: String| Line::from(vec![Span::styled(format!("{k:<10}"), t.dim()), Span::raw(v)]);
    out.push(kv("path", escaped(&file.path())));
    let state = match file.incomplete_reason() {
        Some(why) => format!("{sym} {word}: {why}"),
        None => format!("{sym} {word}"),
    };
    out.push(kv("state", state));
    let container = match &file.kind {
        FileKind::Cache { encoding, .. } => encoding.as_str().to_string(),
        FileKind::Partial => "partial write".to_string(),
        FileKind::Stray { why } => format!("stray: {why}"),
        FileKind::Unreadable { encoding, .. } => format!("{} (not readable)", encoding.as_str()),
    };
    out.push(kv("container", container));
    out.push(kv("size", format!("{} ({} bytes)", size(file.id.size), group(file.id.size))));
    out.push(kv("mtime", when(file.id.mtime_ms())));
    let dur = match file.duration_ms() {
        Some(ms) => format!("{}:{:02}.{:03} (from the header)", ms / 60_000, ms / 1000 % 60, ms % 1000),
        None => "unknown".into(),
    };
    out.push(kv("duration", dur));
}

/// Unix epoch milliseconds as a UTC date and time.
fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| "?".into())
}
