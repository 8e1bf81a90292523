//! A file's loudness picture for the detail view: one column per slice of
//! its audio, a time axis, and the verdict in words ("silent", a cut), so a
//! silent, clipped or cut clip is seen at a glance. Block heights, not
//! colour, carry it (NO_COLOR draws the same).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::core::disk::clock;
use crate::core::disk::decode::{Decoded, Envelope, SILENCE_DBFS};
use crate::tui::app::{App, Picture};

/// Rows the picture takes, borders included.
pub const HEIGHT: u16 = 6;

const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The levels resampled to `width` columns, each the loudest slice it
/// covers, as `rows` lines of block characters (top line first) from
/// silence (-60 dBFS) to full scale.
pub fn bars(levels: &[f32], width: usize, rows: usize) -> Vec<String> {
    if levels.is_empty() || width == 0 {
        return vec![String::new(); rows];
    }
    let steps = 8 * rows;
    let heights: Vec<usize> = (0..width)
        .map(|c| {
            let from = c * levels.len() / width;
            let to = ((c + 1) * levels.len() / width).max(from + 1).min(levels.len());
            let db = levels[from..to].iter().copied().fold(f32::MIN, f32::max);
            ((db - SILENCE_DBFS) / -SILENCE_DBFS * steps as f32).round().clamp(0.0, steps as f32) as usize
        })
        .collect();
    (0..rows).rev().map(|row| heights.iter().map(|h| BARS[h.saturating_sub(row * 8).min(8)]).collect()).collect()
}

/// What the picture says in words.
pub fn verdict(e: &Envelope) -> String {
    let cut = match &e.decoded {
        Decoded::Failed { reason, at_ms } => format!("; decoding stopped at {}: {reason}", clock(*at_ms)),
        Decoded::Unsupported { what } => format!("; not decoded: {what}"),
        Decoded::Whole { .. } => String::new(),
    };
    if e.silent {
        format!("silent: below {SILENCE_DBFS:.0} dBFS throughout{cut}")
    } else {
        format!("peak {:.1} dBFS{cut}", e.peak_dbfs)
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, path: &std::path::Path) {
    let t = &app.theme;
    let block = Block::bordered().title(" Loudness ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let w = inner.width as usize;
    let lines: Vec<Line> = match app.envelopes.get(path) {
        None | Some(Picture::Pending) => vec![Line::styled("decoding…", t.dim())],
        Some(Picture::Failed(why)) => vec![Line::styled(format!("no picture: {why}"), t.dim())],
        Some(Picture::Ready(e)) if e.levels_dbfs.is_empty() => vec![Line::from(verdict(e))],
        Some(Picture::Ready(e)) => {
            let end = clock(e.duration_ms);
            let axis = format!("0:00{}{end}", " ".repeat(w.saturating_sub(4 + end.chars().count())));
            let mut lines: Vec<Line> = bars(&e.levels_dbfs, w, 2).into_iter().map(Line::from).collect();
            lines.push(Line::styled(axis, t.dim()));
            lines.push(Line::from(Span::raw(verdict(e))));
            lines
        }
    };
    f.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_become_block_heights_by_the_loudest_slice() {
        assert_eq!(bars(&[-120.0, -60.0, -30.0, 0.0], 4, 1), ["  ▄█"]);
        assert_eq!(bars(&[-120.0, 0.0], 1, 1), ["█"]);
        assert_eq!(bars(&[-30.0, 0.0, -45.0], 3, 2), [" █ ", "██▄"]);
        assert_eq!(bars(&[0.0; 10], 3, 1)[0].chars().count(), 3);
        assert_eq!(bars(&[], 5, 2), ["", ""]);
    }
}
