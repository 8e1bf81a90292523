//! Drawing: pure functions of the app state into a frame. Each pane or
//! dialog has its own file; this one lays them out.

mod detail;
mod dialogs;
mod header;
mod help;
pub mod insight;
mod panes;
mod plan;
mod status;
mod wave;
pub mod words;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::{App, Layer, Pane};

/// The smallest terminal the layout works in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;
/// From this width on, the three panes sit side by side.
const WIDE: u16 = 150;
/// From this height on, the log pane fits below the panes (and is shown
/// unless `L` hid it from this width on).
const TALL: u16 = 30;
const ROOMY: (u16, u16) = (150, 40);
/// From this width on, the detail of the focused key sits beside the panes.
const DETAIL_BESIDE: u16 = 200;

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        for p in Pane::ALL {
            app.panes[p].area = Rect::default();
        }
        too_small(f, area);
        return;
    }
    let header_h = header::height(app, area.width);
    let [head, body, status, footer] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Min(6),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(f, head, app);
    status::draw_status(f, status, app);
    status::draw_footer(f, footer, app);

    app.roomy = area.width >= ROOMY.0 && area.height >= ROOMY.1;
    let show_log = app.log_visible();
    let (panes_area, log_area) = if show_log && area.height >= TALL {
        let [a, b] = Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(body);
        (a, Some(b))
    } else {
        (body, None)
    };
    match (&app.ins, &app.load_error) {
        (_, Some(err)) if app.ins.is_none() => {
            let p = Paragraph::new(vec![
                Line::from("Could not open the dump:"),
                Line::from(err.as_str()),
                Line::from(""),
                Line::from("Fix the cause and press r to rescan, or q to quit."),
            ])
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Error "));
            f.render_widget(p, panes_area);
        }
        (None, _) => {
            let p = Paragraph::new("Scanning the dump…").block(Block::bordered());
            f.render_widget(p, panes_area);
        }
        (Some(_), _) => {
            app.detail_beside = area.width >= DETAIL_BESIDE;
            let panes_area = if area.width >= DETAIL_BESIDE && !app.layers.contains(&Layer::Detail) {
                let [a, b] =
                    Layout::horizontal([Constraint::Percentage(68), Constraint::Percentage(32)]).areas(panes_area);
                detail::draw(f, b, app, false);
                a
            } else {
                panes_area
            };
            let rects = pane_rects(panes_area);
            for pane in Pane::ALL {
                panes::draw(f, rects[pane as usize], app, pane);
            }
        }
    }
    match log_area {
        Some(a) => status::draw_log(f, a, app),
        None if show_log => {
            let a = Rect { y: body.y + body.height.saturating_sub(8), height: body.height.min(8), ..body };
            f.render_widget(Clear, a);
            status::draw_log(f, a, app);
        }
        None => {}
    }

    for (i, layer) in app.layers.clone().iter().enumerate() {
        let topmost = i + 1 == app.layers.len();
        match layer {
            Layer::Filter => {}
            Layer::Detail => detail::draw(f, body, app, true),
            Layer::Plan => plan::draw(f, body, app, topmost),
            Layer::Insight => insight::draw(f, body, app, topmost),
            Layer::Help => help::help(f, area, app),
            Layer::Palette => help::palette(f, area, app),
            Layer::Confirm(c) => dialogs::confirm(f, area, app, c),
            Layer::Typed { why, input } => dialogs::typed(f, area, app, why, input),
            Layer::Result(lines) => dialogs::result(f, area, app, lines),
        }
    }
}

/// Narrow screens: Discrepancies on top, Disk | DB below; wide: three columns.
fn pane_rects(area: Rect) -> [Rect; 3] {
    if area.width >= WIDE {
        let [a, b, c] =
            Layout::horizontal([Constraint::Percentage(34), Constraint::Percentage(30), Constraint::Percentage(36)])
                .areas(area);
        [a, b, c]
    } else {
        let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
        [a, b, top]
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let lines = vec![
        Line::from("Terminal too small"),
        Line::from(format!("{}×{} now;", area.width, area.height)),
        Line::from(format!("needs {MIN_WIDTH}×{MIN_HEIGHT}.")),
        Line::from("Enlarge the window."),
        Line::from("q quits."),
    ];
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let p = Paragraph::new(lines).centered().wrap(Wrap { trim: true });
    f.render_widget(p, Rect { y, height: h, ..area });
}

/// A rectangle of at most `w`×`h`, centered in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Cuts `s` to `w` terminal columns (wide characters count twice), ending
/// with `…` when cut.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut or padded with spaces to exactly `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = fit(s, w);
    let have = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(have)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_pad_count_terminal_columns() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("日本語のファイル", 7), "日本語…");
        assert_eq!(width(&pad("日本語のファイル", 8)), 8);
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(fit("abc", 0), "");
    }
}
