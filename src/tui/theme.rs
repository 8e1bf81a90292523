//! Themes: a small palette each (dark, light, high contrast for
//! projectors), or none (`NO_COLOR` always wins). Focus and selection never
//! rely on colour alone — borders, markers, bold and reverse carry them in
//! every theme.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::core::Severity;

/// The themes `--theme` and `CACHESCOPE_THEME` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

impl ThemeName {
    pub const ALL: [ThemeName; 3] = [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast];
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::HighContrast => "high-contrast",
        }
    }
    pub fn parse(s: &str) -> Option<ThemeName> {
        ThemeName::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
    /// The next theme, for the key that cycles them.
    pub fn next(self) -> ThemeName {
        ThemeName::ALL[(self as usize + 1) % ThemeName::ALL.len()]
    }
}

/// One theme's colours.
struct Palette {
    accent: Color,
    /// Secondary text; None keeps the terminal's own colour (high contrast).
    dim: Option<Color>,
    good: Color,
    error: Color,
    warning: Color,
    info: Color,
    busy: Color,
    banner: (Color, Color),
    /// Bold on every coloured word (projectors wash thin strokes out).
    bold: bool,
}

const DARK: Palette = Palette {
    accent: Color::Cyan,
    dim: Some(Color::DarkGray),
    good: Color::Green,
    error: Color::Red,
    warning: Color::Yellow,
    info: Color::Blue,
    busy: Color::Magenta,
    banner: (Color::White, Color::Red),
    bold: false,
};

/// Dark strokes for a light background: no yellow, no light grey.
const LIGHT: Palette = Palette {
    accent: Color::Indexed(25),
    dim: Some(Color::Indexed(242)),
    good: Color::Indexed(28),
    error: Color::Indexed(160),
    warning: Color::Indexed(130),
    info: Color::Indexed(25),
    busy: Color::Indexed(90),
    banner: (Color::White, Color::Indexed(160)),
    bold: false,
};

/// Bright, bold, nothing dimmed: legible on a projector.
const HIGH_CONTRAST: Palette = Palette {
    accent: Color::LightCyan,
    dim: None,
    good: Color::LightGreen,
    error: Color::LightRed,
    warning: Color::LightYellow,
    info: Color::LightBlue,
    busy: Color::LightMagenta,
    banner: (Color::Black, Color::LightYellow),
    bold: true,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    /// False: monochrome (`NO_COLOR`), whatever the name.
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to something non-empty; the theme
    /// `--theme` named, else `CACHESCOPE_THEME`'s, else dark.
    pub fn choose(flag: Option<ThemeName>) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let env = std::env::var("CACHESCOPE_THEME").ok().filter(|v| !v.trim().is_empty());
        let from_env = env.as_deref().and_then(|v| {
            let t = ThemeName::parse(v);
            if t.is_none() {
                log::warn!("CACHESCOPE_THEME={v} is not a theme (dark, light, high-contrast); using dark");
            }
            t
        });
        Theme { name: flag.or(from_env).unwrap_or_default(), color: !no_color }
    }
    /// Colour unless `NO_COLOR` (dark, or `CACHESCOPE_THEME`).
    pub fn from_env() -> Theme {
        Theme::choose(None)
    }
    pub fn dark() -> Theme {
        Theme { name: ThemeName::Dark, color: true }
    }
    pub fn light() -> Theme {
        Theme { name: ThemeName::Light, color: true }
    }
    pub fn high_contrast() -> Theme {
        Theme { name: ThemeName::HighContrast, color: true }
    }
    pub fn mono() -> Theme {
        Theme { name: ThemeName::Dark, color: false }
    }
    /// What the status line calls it.
    pub fn label(&self) -> &'static str {
        if self.color { self.name.as_str() } else { "monochrome (NO_COLOR)" }
    }
    fn palette(&self) -> &'static Palette {
        match self.name {
            ThemeName::Dark => &DARK,
            ThemeName::Light => &LIGHT,
            ThemeName::HighContrast => &HIGH_CONTRAST,
        }
    }
    fn fg(&self, c: Color) -> Style {
        if !self.color {
            return Style::new();
        }
        let s = Style::new().fg(c);
        if self.palette().bold { s.add_modifier(Modifier::BOLD) } else { s }
    }
    fn accent(&self) -> Style {
        self.fg(self.palette().accent)
    }
    pub fn border(&self, focused: bool) -> (BorderType, Style) {
        if focused {
            (BorderType::Double, self.accent().add_modifier(Modifier::BOLD))
        } else {
            (BorderType::Plain, self.dim())
        }
    }
    pub fn title(&self, focused: bool) -> Style {
        if focused { self.accent().add_modifier(Modifier::BOLD) } else { Style::new() }
    }
    /// The cursor row of the focused pane.
    pub fn cursor(&self, focused: bool) -> Style {
        match (focused, self.color && self.palette().bold) {
            (true, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::REVERSED),
            (false, _) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
    /// Items chosen for the plan.
    pub fn chosen(&self) -> Style {
        self.fg(self.palette().good).add_modifier(Modifier::BOLD)
    }
    pub fn severity(&self, s: Severity) -> Style {
        let p = self.palette();
        match s {
            Severity::Error => self.fg(p.error),
            Severity::Warning => self.fg(p.warning),
            Severity::Info => self.fg(p.info),
        }
    }
    pub fn good(&self) -> Style {
        self.fg(self.palette().good)
    }
    pub fn dim(&self) -> Style {
        match (self.color, self.palette().dim) {
            (true, Some(c)) => Style::new().fg(c),
            _ => Style::new(),
        }
    }
    pub fn alert(&self) -> Style {
        self.fg(self.palette().error).add_modifier(Modifier::BOLD)
    }
    pub fn banner(&self) -> Style {
        if self.color {
            let (fg, bg) = self.palette().banner;
            Style::new().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }
    pub fn key(&self) -> Style {
        self.accent().add_modifier(Modifier::BOLD)
    }
    pub fn mode(&self, busy: bool) -> Style {
        if busy {
            self.fg(self.palette().busy).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_cycle() {
        assert_eq!(ThemeName::parse("High-Contrast"), Some(ThemeName::HighContrast));
        assert_eq!(ThemeName::parse("sepia"), None);
        assert_eq!(ThemeName::Dark.next().next().next(), ThemeName::Dark);
        assert_eq!(Theme::mono().severity(Severity::Error), Style::new());
        assert!(Theme::high_contrast().severity(Severity::Info).add_modifier.contains(Modifier::BOLD));
    }
}
