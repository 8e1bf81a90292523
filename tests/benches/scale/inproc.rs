//! The first round's TUI rows, in process: frames drawn into ratatui's
//! `TestBackend` 200×50 with the data already loaded (1 000 keys and the
//! large dump), the first frame of an app that has no data yet, and a
//! key-substring filter at the large size. The pty rows (`pty.rs`) measure
//! the program a person starts; these isolate drawing and filtering.

use std::path::Path;
use std::time::{Duration, Instant};

use super::measure::{Row, demo, median};

/// Median time of `f` over `n` calls.
fn median_of(n: usize, mut f: impl FnMut()) -> Duration {
    median((0..n).map(|_| {
        let t = Instant::now();
        f();
        t.elapsed()
    }))
}

pub fn rows(rows: &mut Vec<Row>, root: &Path, large: &Path, big: u64) {
    use cachescope::core::{Control, Dump, Inspection, Locate};
    use cachescope::tui::app::{App, Msg, run_inline};
    use cachescope::tui::theme::Theme;
    use cachescope::tui::ui;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    // As the program does: the TUI keeps its big arrays on huge pages.
    cachescope::huge_pages::enable();
    let open = |dir: &Path| {
        let dump = Dump::locate(&Locate { path: Some(dir.to_path_buf()), ..Default::default() }).unwrap();
        Inspection::open(&dump, &Control::none()).unwrap()
    };
    // Filtering and sorting are worker jobs in the program; here they run
    // on this thread, so a key's time includes its whole effect.
    let key = |app: &mut App, c: KeyCode| {
        let effects = app.update(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)));
        run_inline(app, effects);
    };
    let frame = |dir: &Path| {
        let mut app = App::with_inspection(open(dir), "DUMP".into(), Theme::mono());
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        term.draw(|f| ui::draw(f, &mut app)).unwrap();
        median_of(50, || {
            key(&mut app, KeyCode::Char('j'));
            term.draw(|f| ui::draw(f, &mut app)).unwrap();
        })
    };
    let tiny = root.join("tiny");
    demo(&tiny, 1000);
    let (f_small, f_big) = (frame(&tiny), frame(large));
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    rows.push(Row::new(
        format!("TUI frame 200x50, {big} keys"),
        ms(f_big),
        "2 ms".into(),
        f_big.as_secs_f64() * 1e3 / 2.0,
        1.0,
    ));
    rows.push(Row::new(
        format!("TUI frame flat: {big} keys ÷ 1 000 keys"),
        ms(f_big),
        ms(f_small),
        f_big.as_secs_f64() / f_small.as_secs_f64(),
        1.5,
    ));

    let start = Instant::now();
    let mut app = App::new("DUMP".into(), Theme::mono(), false);
    let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    let first = start.elapsed();
    rows.push(Row::new(
        "TUI first frame (before the scan ends)",
        ms(first),
        "200 ms".into(),
        first.as_secs_f64() * 1e3 / 200.0,
        1.0,
    ));

    let mut app = App::with_inspection(open(large), "DUMP".into(), Theme::mono());
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    key(&mut app, KeyCode::Char('/'));
    let mut worst = Duration::ZERO;
    for c in "ff00".chars() {
        let t = Instant::now();
        key(&mut app, KeyCode::Char(c));
        term.draw(|f| ui::draw(f, &mut app)).unwrap();
        worst = worst.max(t.elapsed());
    }
    rows.push(Row::new(
        format!("TUI filter by key substring, {big} keys (worst key)"),
        format!("{:.1} ms", worst.as_secs_f64() * 1e3),
        "150 ms".into(),
        worst.as_secs_f64() * 1e3 / 150.0,
        1.0,
    ));

    // Sorting: once per key press (`o`); frames and moves in a sorted pane
    // stay as fast as in the pane's own order.
    let mut app = App::with_inspection(open(large), "DUMP".into(), Theme::mono());
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    key(&mut app, KeyCode::Char('1'));
    let t = Instant::now();
    key(&mut app, KeyCode::Char('o'));
    let sort = t.elapsed();
    rows.push(Row::new(
        format!("TUI sort Disk files by the next column (o), {big} keys"),
        format!("{:.1} ms", sort.as_secs_f64() * 1e3),
        "300 ms".into(),
        sort.as_secs_f64() * 1e3 / 300.0,
        1.0,
    ));
    term.draw(|f| ui::draw(f, &mut app)).unwrap();
    let sorted = median_of(50, || {
        key(&mut app, KeyCode::Char('j'));
        term.draw(|f| ui::draw(f, &mut app)).unwrap();
    });
    rows.push(Row::new(
        format!("TUI frame 200x50, sorted, {big} keys"),
        ms(sorted),
        "2 ms".into(),
        sorted.as_secs_f64() * 1e3 / 2.0,
        1.0,
    ));
}
