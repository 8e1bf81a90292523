//! The plan preview: the core's plan text, exactly as `cachescope plan`
//! prints it; only the visible window of lines is laid out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::tui::app::App;

pub fn draw(f: &mut Frame, area: Rect, app: &mut App, topmost: bool) {
    let t = app.theme;
    let Some(pv) = &app.plan else { return };
    f.render_widget(Clear, area);
    let title = format!(
        " Plan preview (dry run): {} fixes, {} SQL, {} file moves — Enter applies… ",
        pv.plan.items.len(),
        pv.plan.sql_count(),
        pv.plan.move_count()
    );
    let block = Block::bordered()
        .border_type(if topmost { BorderType::Double } else { BorderType::Plain })
        .title(Span::styled(title, t.title(topmost)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines: Vec<Line> = vec![];
    if let Some(why) = &pv.mass {
        lines.push(Line::styled(format!("⚠ mass change: {why}; applying asks you to type yes."), t.alert()));
    }
    if let Some(why) = app.ins.as_ref().and_then(|i| i.interrupted.as_ref()) {
        lines.push(Line::styled(format!("⚠ {why}; applying from here finishes or rolls it back first."), t.alert()));
    }
    let h = inner.height as usize;
    lines.extend(pv.lines.iter().skip(pv.scroll).take(h).map(|l| Line::raw(l.clone())));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    app.plan_page = h.max(1);
}
