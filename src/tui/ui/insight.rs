//! The insight view: a timeline of discrepancies per kind beside (or, on
//! narrow screens, above) the findings as sentences. Reads the data the
//! worker computed; records where it drew (for the mouse and the cursors).
//! Kinds are told apart by their word and symbol, bar heights by block
//! characters, the cursor by reverse video: never by colour alone.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::words::kind_short;
use super::{fit, pad, width as cols};
use crate::core::Kind;
use crate::tui::app::App;
use crate::tui::group::GroupSource;
use crate::tui::insight::{Chart, ChartGeom, InsightData, Part};
use crate::tui::theme::Theme;

/// From this width on, the chart and the findings sit side by side.
const BESIDE: u16 = 120;
/// Cursor, symbol, word: "▶◆ orphaned   ".
const LABEL_W: u16 = 14;
/// The count at the end of a line.
const TOTAL_W: u16 = 6;
/// Bar heights, lowest to full.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A symbol per kind, shared by the chart's lines and the findings.
pub fn kind_symbol(k: Kind) -> &'static str {
    match k {
        Kind::OrphanedFile => "◆",
        Kind::GhostEntry => "◇",
        Kind::CompressionStateMismatch => "■",
        Kind::SizeMismatch => "□",
        Kind::DurationMismatch => "▲",
        Kind::RedundantFile => "△",
        Kind::IncompleteFile => "●",
        Kind::StrayFile => "○",
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App, topmost: bool) {
    f.render_widget(Clear, area);
    app.insight.list_hits.clear();
    app.insight.geom = ChartGeom::default();
    let (chart_area, list_area) = if area.width >= BESIDE {
        let [a, b] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
        (a, b)
    } else {
        let kinds = app.insight.current_chart().map_or(0, |c| c.timeline.kinds.len()) as u16;
        let want = kinds + 1 + 1 + 2; // every kind, the kinds, the axis, borders
        let h = want.min(area.height.saturating_sub(5)).max(3);
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(area);
        (a, b)
    };
    let t = app.theme;
    let Some(data) = app.insight.data.clone() else {
        let block = Block::bordered().title(" Insight: why it drifted ");
        let msg = if app.ins.is_some() { "Looking for patterns…" } else { "Scanning the dump…" };
        f.render_widget(Paragraph::new(Line::styled(msg, t.dim())).block(block), area);
        return;
    };
    draw_chart(f, chart_area, app, &data, topmost);
    draw_findings(f, list_area, app, &data, topmost);
}

fn part_block(t: &Theme, title: String, focused: bool) -> Block<'static> {
    let (border_type, border_style) = t.border(focused);
    Block::bordered().border_type(border_type).border_style(border_style).title(Span::styled(title, t.title(focused)))
}

/// The finest chart whose bars fit `w` columns (else the coarsest).
fn pick(data: &InsightData, w: u16) -> usize {
    let fits = |c: &Chart| c.timeline.starts.len() <= w as usize;
    data.charts.iter().position(fits).unwrap_or(data.charts.len().saturating_sub(1))
}

fn draw_chart(f: &mut Frame, area: Rect, app: &mut App, data: &InsightData, topmost: bool) {
    let t = app.theme;
    let focused = topmost && app.insight.part == Part::Chart;
    let bars_w = area.width.saturating_sub(2 + LABEL_W + TOTAL_W);
    let chosen = pick(data, bars_w);
    app.insight.chart = chosen;
    let Some(chart) = data.charts.get(chosen) else {
        let block = part_block(&t, " Timeline ".into(), focused);
        let msg = if app.ins.as_ref().is_some_and(|i| i.found.is_empty()) {
            "✓ no discrepancies: nothing to chart"
        } else {
            "No times in this dump (no created_at, no mtimes): nothing to chart."
        };
        f.render_widget(Paragraph::new(Line::styled(msg, t.dim())).block(block), area);
        return;
    };
    let tl = &chart.timeline;
    let n = tl.starts.len();
    let v = &mut app.insight;
    v.bucket = v.bucket.min(n.saturating_sub(1));
    v.row = v.row.min(tl.kinds.len());
    let (bucket, row) = (v.bucket, v.row);
    let untimed: u32 = tl.kinds.iter().map(|l| l.untimed).sum();
    let mut title = format!(" Timeline: discrepancies per {} (UTC) ", tl.step.name());
    if untimed > 0 {
        title.push_str(&format!("· {untimed} without a time "));
    }
    // The bar under the cursor, in words.
    let (what, count) = match row.checked_sub(1).and_then(|r| tl.kinds.get(r)) {
        Some(line) => (kind_short(line.kind), line.counts[bucket]),
        None => ("every kind", chart.all[bucket]),
    };
    let bottom = format!(" ▲ {} from {} · {what}: {count} · Enter filters ", tl.step.name(), tl.long_label(bucket));
    let bottom_style = if focused { t.key() } else { t.dim() };
    let bottom = Span::styled(fit(&bottom, (area.width as usize).saturating_sub(2)), bottom_style);
    let block = part_block(&t, title, focused).title_bottom(bottom);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 2 || inner.width < LABEL_W + TOTAL_W + 4 {
        return;
    }
    let cell_w = (bars_w / n.max(1) as u16).max(1);
    let gap = u16::from(cell_w >= 2);
    // Every kind first, then each kind; the cursor's line stays in view.
    let lines_h = (inner.height - 1) as usize;
    let total_rows = tl.kinds.len() + 1;
    let first = (row + 1).saturating_sub(lines_h).min(total_rows.saturating_sub(lines_h));
    let mut lines: Vec<Line> = Vec::new();
    for r in (first..total_rows).take(lines_h) {
        let (sym, word, counts, total, style) = match r.checked_sub(1).map(|k| &tl.kinds[k]) {
            Some(l) => {
                let total: u32 = l.counts.iter().sum::<u32>() + l.untimed;
                (kind_symbol(l.kind), kind_short(l.kind), &l.counts, total, t.severity(l.kind.severity()))
            }
            None => ("Σ", "every kind", &chart.all, chart.all.iter().sum(), Style::new()),
        };
        let cur = if r == row && app.insight.part == Part::Chart { "▶" } else { " " };
        let mut spans = vec![Span::styled(format!("{cur}{sym} {}", pad(word, (LABEL_W - 3) as usize)), style)];
        let max = counts.iter().copied().max().unwrap_or(0).max(1);
        for (b, &c) in counts.iter().enumerate() {
            let cell = if c == 0 {
                format!("·{}", " ".repeat((cell_w - 1) as usize))
            } else {
                let level = ((c as u64 * 8).div_ceil(max as u64)).clamp(1, 8) as usize;
                let bar: String = std::iter::repeat_n(LEVELS[level - 1], (cell_w - gap) as usize).collect();
                format!("{bar}{}", " ".repeat(gap as usize))
            };
            let mut s = style;
            if b == bucket {
                s = s.add_modifier(if r == row && focused {
                    Modifier::REVERSED
                } else if r == row {
                    Modifier::BOLD | Modifier::UNDERLINED
                } else {
                    Modifier::UNDERLINED
                });
            }
            spans.push(Span::styled(cell, s));
        }
        let used: usize = spans.iter().map(|s| cols(&s.content)).sum();
        let room = (inner.width as usize).saturating_sub(used);
        spans.push(Span::raw(format!("{total:>room$}")));
        lines.push(Line::from(spans));
    }
    lines.push(axis(chart, LABEL_W, cell_w, bars_w, t));
    f.render_widget(Paragraph::new(lines), inner);
    app.insight.geom = ChartGeom {
        cells: Rect {
            x: inner.x + LABEL_W,
            y: inner.y,
            width: (cell_w * n as u16).min(bars_w),
            height: (total_rows - first).min(lines_h) as u16,
        },
        cell_w,
        buckets: n,
    };
    // Rows below the chart: the selected bar's counts per kind (wide screens).
    let spare = inner.height.saturating_sub(lines_h.min(total_rows) as u16 + 1);
    if spare >= 3 && first == 0 {
        let mut more =
            vec![Line::from(""), Line::styled(format!("{} from {}:", tl.step.name(), tl.long_label(bucket)), t.dim())];
        for l in &tl.kinds {
            more.push(Line::from(vec![
                Span::styled(
                    format!("  {} {:<11}", kind_symbol(l.kind), kind_short(l.kind)),
                    t.severity(l.kind.severity()),
                ),
                Span::raw(format!("{:>6}", l.counts[bucket])),
            ]));
        }
        let y = inner.y + total_rows as u16 + 1;
        let r = Rect { y, height: inner.bottom().saturating_sub(y), ..inner };
        f.render_widget(Paragraph::new(more), r);
    }
}

/// The time axis: labels where they fit, from the core's timeline.
fn axis(chart: &Chart, label_w: u16, cell_w: u16, bars_w: u16, t: Theme) -> Line<'static> {
    let tl = &chart.timeline;
    let mut out = pad(&format!(" per {}", tl.step.name()), label_w as usize);
    let mut next_free = 0usize;
    let mut at = 0usize;
    for b in 0..tl.starts.len() {
        let x = b * cell_w as usize;
        let label = tl.label(b);
        if x < next_free || x + cols(&label) > bars_w as usize {
            continue;
        }
        out.push_str(&" ".repeat(x - at));
        out.push_str(&label);
        at = x + cols(&label);
        next_free = at + 1;
    }
    Line::styled(out, t.dim())
}

fn draw_findings(f: &mut Frame, area: Rect, app: &mut App, data: &InsightData, topmost: bool) {
    let t = app.theme;
    let focused = topmost && app.insight.part == Part::Findings;
    let title = format!(" Findings ({}) · why it drifted ", data.findings.len());
    let block = part_block(&t, title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if data.findings.is_empty() {
        let msg = if app.ins.as_ref().is_some_and(|i| i.found.is_empty()) {
            "✓ no discrepancies: nothing to explain."
        } else {
            "No finding: no kind has 80 % of its discrepancies in a short time window or one value."
        };
        f.render_widget(
            Paragraph::new(wrap(msg, inner.width as usize).into_iter().map(Line::raw).collect::<Vec<_>>()),
            inner,
        );
        return;
    }
    let v = &mut app.insight;
    v.finding = v.finding.min(data.findings.len() - 1);
    let wide = area.width >= 60 && inner.height as usize >= 2 * data.findings.len();
    let text_w = (inner.width as usize).saturating_sub(3);
    // Each finding: one line, or all of its sentence for the cursor's (and
    // for every one when there is room).
    let in_force = app.group.as_ref().filter(|g| g.source == GroupSource::Finding).map(|g| g.label.as_str());
    let blocks: Vec<Vec<String>> = data
        .findings
        .iter()
        .enumerate()
        .map(
            |(i, fd)| {
                if wide || i == v.finding { wrap(&fd.sentence, text_w) } else { vec![fit(&fd.sentence, text_w)] }
            },
        )
        .collect();
    let h = inner.height as usize;
    if v.finding < v.list_offset {
        v.list_offset = v.finding;
    }
    while v.list_offset < v.finding && blocks[v.list_offset..=v.finding].iter().map(Vec::len).sum::<usize>() > h {
        v.list_offset += 1;
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut y = inner.y;
    for (i, fd) in data.findings.iter().enumerate().skip(v.list_offset) {
        if lines.len() >= h {
            break;
        }
        let cursor = i == v.finding;
        let on = in_force.is_some_and(|l| l.strip_prefix("finding: ") == Some(fd.sentence.trim_end_matches('.')));
        let style = if cursor { t.cursor(focused) } else { Style::new() };
        let take = blocks[i].len().min(h - lines.len());
        for (n, text) in blocks[i].iter().take(take).enumerate() {
            let head = match (n, cursor, on) {
                (0, true, _) => format!("▶{}", kind_symbol(fd.kind)),
                (0, false, true) => format!("●{}", kind_symbol(fd.kind)),
                (0, false, false) => format!(" {}", kind_symbol(fd.kind)),
                _ => "  ".to_string(),
            };
            let text = pad(text, text_w);
            lines.push(Line::from(vec![
                Span::styled(head, t.severity(fd.kind.severity()).patch(style)),
                Span::styled(format!(" {text}"), style),
            ]));
        }
        v.list_hits.push((Rect { x: inner.x, y, width: inner.width, height: take as u16 }, i));
        y += take as u16;
    }
    if lines.len() + 2 <= h {
        lines.push(Line::from(""));
        let hint = match in_force {
            Some(_) => "● is the filter in force. Enter filters the panes to exactly a finding's keys.",
            None => "Enter filters the panes to exactly its keys; then a, p previews their fix.",
        };
        lines.extend(wrap(hint, inner.width as usize).into_iter().map(|l| Line::styled(l, t.dim())));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Greedy word wrap to `w` columns (a word longer than a line is cut).
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let need = if line.is_empty() { cols(word) } else { cols(&line) + 1 + cols(word) };
        if need > w && !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        if cols(&line) > w {
            out.push(fit(&line, w));
            line.clear();
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_whole_and_lines_within_the_width() {
        assert_eq!(wrap("4 of 5 orphaned files were written", 12), vec!["4 of 5", "orphaned", "files were", "written"]);
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(wrap("abcdefghijkl x", 5), vec!["abcd…", "x"]);
    }
}
