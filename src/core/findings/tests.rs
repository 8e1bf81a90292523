//! The rules of SPEC §9 on hand-written facts: edges, ties, missing
//! columns, noise; and the timeline's buckets.

use super::*;
use crate::core::kinds::Kind;

/// 2026-02-01 00:00 UTC.
const FEB1: i64 = 1_769_904_000_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

fn at(day: i64, hour: i64, minute: i64) -> i64 {
    FEB1 + day * DAY + hour * HOUR + minute * MIN
}

/// A dump of `n` consistent keys spread evenly over 30 days, voices round
/// robin over four, books over ten: the population behind the items.
fn population(n: i64) -> Facts {
    let mut f = Facts::default();
    let voices = ["v-amy", "v-brian", "v-katja", "v-denise"];
    for i in 0..n {
        let t = FEB1 + i * 30 * DAY / n;
        let book = format!("book-{}", i % 10);
        f.row(Some(t), Some(voices[(i % 4) as usize]), Some(&book), Some(if i % 3 == 0 { "wav" } else { "m4a" }));
        f.file(Some(t), Some(if i % 3 == 0 { "wav" } else { "m4a" }), None);
    }
    f
}

/// Files from 0 to `end` ms, none between 300 and 500 ms.
fn spread_files(end: i64) -> Facts {
    let mut f = Facts::default();
    for t in [0, 50, 150, 250, 550, 650, 750, 850, 950, end] {
        f.file(Some(t), Some("m4a"), None);
    }
    f
}

/// An orphaned file written at `t` (a file, no row).
fn orphan(f: &mut Facts, t: i64) -> u32 {
    let file = f.file(Some(t), Some("m4a"), None);
    f.item(Kind::OrphanedFile, None, Some(file))
}

/// A ghost row created at `t` with this voice.
fn ghost(f: &mut Facts, t: i64, voice: &str) -> u32 {
    let row = f.row(Some(t), Some(voice), Some("book-x"), Some("m4a"));
    f.item(Kind::GhostEntry, Some(row), None)
}

#[test]
fn a_burst_of_orphans_is_one_time_finding_with_exactly_its_items() {
    let mut f = population(200);
    let burst: Vec<u32> = (0..8).map(|i| orphan(&mut f, at(12, 10, 2) + i * 20_000)).collect();
    orphan(&mut f, at(3, 8, 0));
    orphan(&mut f, at(25, 17, 30));
    let found = findings(&f);
    assert_eq!(found.len(), 1, "{found:#?}");
    let t = &found[0];
    assert_eq!((t.kind, t.by, t.count, t.of), (Kind::OrphanedFile, By::Time, 8, 10));
    // Stated as the sentence words it: whole minutes, 10:02:00 to 10:04:59.999.
    assert_eq!(t.window, Some((at(12, 10, 2), at(12, 10, 5) - 1)));
    assert_eq!(t.items, burst);
    assert_eq!(t.sentence, "8 of 10 orphaned files were written between 10:02 and 10:04 UTC on 2026-02-13.");
    assert_eq!(t.value, "2026-02-13T10:02:00Z/2026-02-13T10:04:59.999Z");
    let json = serde_json::to_value(t).unwrap();
    assert_eq!(json["from"], at(12, 10, 2));
    assert_eq!(json["by"], "time");
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["kind", "by", "value", "count", "of", "from", "to", "sentence"]
    );
}

#[test]
fn exactly_80_percent_is_enough_and_just_under_is_not() {
    // 4 of 5 = 80 %.
    let mut f = population(100);
    for i in 0..4 {
        orphan(&mut f, at(10, 9, i));
    }
    orphan(&mut f, at(20, 9, 0));
    assert_eq!(findings(&f).iter().map(|x| (x.count, x.of)).collect::<Vec<_>>(), [(4, 5)]);
    // 7 of 10 = 70 %: the window must take an 8th item, far away.
    let mut f = population(100);
    for i in 0..7 {
        orphan(&mut f, at(10, 9, i));
    }
    for d in [2, 18, 27] {
        orphan(&mut f, at(d, 9, 0));
    }
    assert!(findings(&f).is_empty());
    assert_eq!(at_least_80_percent(3), 3);
    assert_eq!(at_least_80_percent(4), 4);
    assert_eq!(at_least_80_percent(5), 4);
    assert_eq!(at_least_80_percent(10), 8);
    assert_eq!(at_least_80_percent(11), 9);
}

#[test]
fn a_window_of_exactly_a_tenth_of_the_span_is_no_finding() {
    // Span 0..1000 ms (files at the ends and between), items 100 ms apart: not under a tenth.
    let mut f = spread_files(1000);
    for t in [400, 450, 500] {
        orphan(&mut f, t);
    }
    assert!(findings(&f).is_empty());
    // 99 ms is under a tenth.
    let mut f = spread_files(1000);
    for t in [400, 450, 499] {
        orphan(&mut f, t);
    }
    let found = findings(&f);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].window, Some((0, 999)), "the whole second the sentence names");
    assert_eq!(found[0].sentence, "3 of 3 orphaned files were written at 00:00:00 UTC on 1970-01-01.");
}

#[test]
fn two_items_are_too_few_and_equal_times_have_no_span() {
    let mut f = population(100);
    orphan(&mut f, at(10, 9, 0));
    orphan(&mut f, at(10, 9, 1));
    assert!(findings(&f).is_empty(), "2 items: no finding");
    // Every time equal: span 0, no window is under a tenth of it.
    let mut f = Facts::default();
    for _ in 0..5 {
        f.row(Some(FEB1), Some("v"), None, Some("m4a"));
    }
    for _ in 0..4 {
        orphan(&mut f, FEB1);
    }
    assert!(findings(&f).is_empty());
    assert_eq!(f.span(), Some((FEB1, FEB1)));
}

#[test]
fn a_minute_most_files_share_is_no_finding() {
    // Every file copied at once (an `adb pull` without -a), rows spread over a month.
    let mut f = Facts::default();
    for i in 0..100 {
        f.row(Some(at(i % 30, 0, 0)), None, None, None);
        f.file(Some(at(40, 9, 0) + i * 600), Some("m4a"), None);
    }
    for i in [0, 25, 50, 75, 99] {
        orphan(&mut f, at(40, 9, 0) + i * 600);
    }
    assert!(findings(&f).is_empty(), "{:#?}", findings(&f));
}

#[test]
fn a_single_key_dump_has_no_finding() {
    // One key, one row, three partial files of it: every value is all the keys.
    let mut f = Facts::default();
    let row = f.row(Some(at(1, 0, 0)), Some("v-amy"), Some("b"), Some("m4a"));
    for m in 0..3 {
        let file = f.file(Some(at(1, 0, m)), None, None);
        f.item(Kind::IncompleteFile, Some(row), Some(file));
    }
    assert!(findings(&f).is_empty());
}

#[test]
fn the_earliest_of_equally_short_windows_wins() {
    let mut f = population(100);
    for t in [at(5, 1, 0), at(5, 1, 1), at(5, 1, 2), at(20, 1, 0), at(20, 1, 1), at(20, 1, 2)] {
        orphan(&mut f, t);
    }
    // 6 items need 5: [5d 1:00 .. 20d 1:01] and [5d 1:01 .. 20d 1:02] are both far too wide.
    assert!(findings(&f).is_empty());
    let mut f = population(100);
    for t in [at(5, 1, 0), at(5, 1, 1), at(5, 1, 2), at(5, 1, 3), at(5, 1, 4)] {
        orphan(&mut f, t);
    }
    orphan(&mut f, at(5, 1, 10));
    // 6 items need 5: [1:00, 1:04] is the shortest; 1:10 is farther away
    // than the window is wide, so it stays out.
    let found = findings(&f);
    assert_eq!(found[0].window, Some((at(5, 1, 0), at(5, 1, 5) - 1)));
    assert_eq!(found[0].count, 5);
    // A tie: minutes [0, 103] and [100, 203] hold 5 of 6 each; the
    // earliest wins (items 0–4, not 1–5).
    let mut f = population(100);
    for m in [0, 100, 101, 102, 103, 203] {
        orphan(&mut f, at(5, 0, m));
    }
    let found = findings(&f);
    assert_eq!(found[0].window, Some((at(5, 0, 0), at(5, 0, 104) - 1)));
    assert_eq!(found[0].items, [0, 1, 2, 3, 4]);
}

#[test]
fn a_value_must_hold_80_percent_of_the_kind_and_under_half_of_all_rows() {
    let mut f = population(200);
    let days = [1, 5, 9, 13, 17, 21, 25, 29];
    let amy: Vec<u32> = days.iter().map(|d| ghost(&mut f, at(*d, 3, 0), "v-rare")).collect();
    ghost(&mut f, at(3, 3, 0), "v-amy");
    ghost(&mut f, at(27, 3, 0), "v-brian");
    let found = findings(&f);
    let voice: Vec<&Finding> = found.iter().filter(|x| x.by == By::Voice).collect();
    assert_eq!(voice.len(), 1, "{found:#?}");
    assert_eq!((voice[0].count, voice[0].of, voice[0].value.as_str()), (8, 10, "v-rare"));
    assert_eq!(voice[0].items, amy);
    assert_eq!(voice[0].sentence, "8 of 10 ghost entries are of voice v-rare.");
    // The same share by a voice half of the rows hold says nothing.
    let mut f = Facts::default();
    for i in 0..10 {
        f.row(Some(at(i, 0, 0)), Some(if i < 5 { "common" } else { "other" }), None, None);
    }
    for d in [1, 9, 17, 25] {
        ghost(&mut f, at(d, 0, 0), "common");
    }
    // 'common' now holds 9 of 14 rows: not under half.
    assert!(findings(&f).iter().all(|x| x.by != By::Voice));
}

#[test]
fn exactly_half_of_all_keys_is_not_under_half() {
    // 4 rows, 2 of them 'x'; the three ghosts hold 'x' → x is 5 of 7: no.
    // Build instead: 10 rows of which 5 are 'x' once the items are added.
    let mut f = Facts::default();
    for i in 0..7 {
        f.row(Some(at(i * 4, 0, 0)), Some("y"), None, None);
    }
    for d in [2, 14, 26] {
        ghost(&mut f, at(d, 0, 0), "x");
    }
    // x: 3 of 10 rows → a finding.
    assert!(findings(&f).iter().any(|x| x.by == By::Voice && x.value == "x"));
    f.row(Some(at(1, 0, 0)), Some("x"), None, None);
    f.row(Some(at(5, 0, 0)), Some("x"), None, None);
    // x: 5 of 12 rows → still one.
    assert!(findings(&f).iter().any(|x| x.by == By::Voice));
    // Replace two 'y' rows' voice: x holds 6 of 12, exactly half → none.
    f.rows[0].voice = Some(f.values.intern("x"));
    assert!(findings(&f).iter().all(|x| x.by != By::Voice), "6 of 12 is not under half");
}

#[test]
fn missing_columns_and_top_level_files_are_skipped() {
    // No voice, no created_at: ghosts have nothing to group by but their state.
    let mut f = Facts::default();
    for _ in 0..20 {
        f.row(None, None, None, Some("m4a"));
        f.file(Some(at(1, 0, 0)), Some("m4a"), None);
    }
    f.file(Some(at(29, 0, 0)), Some("m4a"), None);
    for _ in 0..5 {
        let r = f.row(None, None, None, Some("wav"));
        f.item(Kind::GhostEntry, Some(r), None);
    }
    let found = findings(&f);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].by, found[0].value.as_str()), (By::State, "wav"));
    assert_eq!(found[0].sentence, "5 of 5 ghost entries have row state wav.");
    // A sub-folder is a value; the top of the cache dir is none.
    let mut f = population(100);
    for d in [2, 12, 22] {
        let file = f.file(Some(at(d, 0, 0)), None, Some("ab"));
        f.item(Kind::StrayFile, None, Some(file));
    }
    let found = findings(&f);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].sentence, "3 of 3 stray files are files in sub-folder ab.");
    let mut f = population(100);
    for d in [2, 12, 22] {
        let file = f.file(Some(at(d, 0, 0)), None, Some(""));
        f.item(Kind::StrayFile, None, Some(file));
    }
    assert!(findings(&f).is_empty());
}

#[test]
fn redundant_files_being_wav_is_no_finding() {
    let mut f = population(90);
    for d in [2, 12, 22] {
        let file = f.file(Some(at(d, 0, 0)), Some("wav"), None);
        f.item(Kind::RedundantFile, None, Some(file));
    }
    assert!(findings(&f).is_empty());
}

#[test]
fn time_and_value_read_as_one_sentence_but_stay_two_findings() {
    let mut f = population(200);
    for i in 0..9 {
        let row = f.row(Some(at(3, 0, 0)), Some(if i < 8 { "en-US-3" } else { "v-amy" }), Some("b"), Some("wav"));
        let file = f.file(Some(at(12, 10, 2) + i * 20_000), None, None);
        f.item(Kind::IncompleteFile, Some(row), Some(file));
    }
    let file = f.file(Some(at(20, 0, 0)), None, None);
    let row = f.row(Some(at(3, 0, 0)), Some("en-US-3"), Some("b"), Some("wav"));
    f.item(Kind::IncompleteFile, Some(row), Some(file));
    let found = findings(&f);
    let bys: Vec<By> = found.iter().map(|x| x.by).collect();
    // Time first; then voice (9) and book (10) and state (10): by count, then facet order.
    assert_eq!(bys, [By::Time, By::Book, By::State, By::Voice], "{found:#?}");
    assert_eq!(found[3].count, 9);
    let lines = headlines(&found);
    assert_eq!(
        lines[0],
        "9 of 10 incomplete files were written between 10:02 and 10:04 UTC on 2026-02-13; all 10 are of book b."
    );
    assert_eq!(lines[1], "10 of 10 incomplete files have row state wav.");
    assert_eq!(lines[2], "9 of 10 incomplete files are of voice en-US-3.");
    assert_eq!(lines.len(), 3);
}

#[test]
fn values_are_escaped_in_sentences() {
    let mut f = population(100);
    for d in [2, 12, 22] {
        ghost(&mut f, at(d, 0, 0), "evil\u{1b}[31m");
    }
    let found = findings(&f);
    assert_eq!(found[0].value, "evil\u{1b}[31m", "the JSON keeps the value");
    assert!(found[0].sentence.contains("evil\\u{1b}[31m"), "{}", found[0].sentence);
}

#[test]
fn evenly_spread_noise_yields_nothing() {
    for n in [3, 4, 7, 12, 40] {
        let mut f = population(400);
        let voices = ["v-amy", "v-brian", "v-katja", "v-denise"];
        for i in 0..n {
            // Golden-ratio spacing over 30 days; voices and books round robin.
            let frac = (i as f64 * 0.618_033_988_7).fract();
            let t = FEB1 + (frac * 30.0 * DAY as f64) as i64;
            let row = f.row(Some(t), Some(voices[i % 4]), Some(&format!("book-{}", i % 10)), Some("m4a"));
            f.item(Kind::GhostEntry, Some(row), None);
        }
        assert!(findings(&f).is_empty(), "{n} ghosts: {:#?}", findings(&f));
    }
}

#[test]
fn row_level_kinds_are_timed_by_created_at_and_say_created() {
    let mut f = population(100);
    f.row(Some(at(59, 0, 0)), None, None, None);
    for i in 0..5 {
        let created = if i < 4 { at(18, 0, 0) + i * DAY } else { at(40, 0, 0) };
        let row = f.row(Some(created), Some(["a", "b", "c", "d", "e"][i as usize]), None, Some("wav"));
        let file = f.file(Some(at(1, 0, 0) + i * 5 * DAY), Some("m4a"), None);
        f.item(Kind::CompressionStateMismatch, Some(row), Some(file));
    }
    let found = findings(&f);
    assert_eq!(found[0].by, By::Time, "{found:#?}");
    assert_eq!(found[0].window, Some((at(18, 0, 0), at(22, 0, 0) - 1)), "whole UTC days");
    assert_eq!(
        found[0].sentence,
        "4 of 5 compression state mismatches were created between 2026-02-19 and 2026-02-22 (UTC dates)."
    );
}

#[test]
fn window_words() {
    assert_eq!(utc_window(at(1, 10, 2), at(1, 10, 2)), "at 10:02:00 UTC on 2026-02-02");
    assert_eq!(utc_window(at(1, 23, 50), at(2, 0, 10)), "between 2026-02-02 23:50 and 2026-02-03 00:10 UTC");
    // The grain is the window's as found, not as rounded out: 119.5 s is said in seconds.
    assert_eq!(utc_window(at(1, 10, 2), at(1, 10, 3) + 59_500), "between 10:02:00 and 10:03:59 UTC on 2026-02-02");
    assert_eq!(utc_window(at(1, 10, 2), at(1, 10, 2) + 1), "at 10:02:00 UTC on 2026-02-02");
}

#[test]
fn timeline_buckets_read_well() {
    // A day-long span: hours.
    let mut f = Facts::default();
    f.file(Some(at(1, 0, 0)), None, None);
    f.file(Some(at(1, 23, 59)), None, None);
    orphan(&mut f, at(1, 10, 2));
    orphan(&mut f, at(1, 10, 59));
    orphan(&mut f, at(1, 11, 0));
    let t = timeline(&f, 60).unwrap();
    assert_eq!(t.step, Step { unit: Unit::Hour, n: 1 });
    assert_eq!(t.starts.len(), 24);
    assert_eq!(t.label(0), "02-02");
    assert_eq!(t.label(10), "10:00");
    assert_eq!(t.long_label(10), "2026-02-02 10:00 UTC");
    assert_eq!(t.kinds.len(), 1);
    assert_eq!(t.kinds[0].counts[10], 2);
    assert_eq!(t.kinds[0].counts[11], 1);
    assert_eq!(t.items_in(&f, Some(Kind::OrphanedFile), 10), [0, 1]);
    assert_eq!(t.items_in(&f, None, 11), [2]);
    // A month: days.
    let mut f = population(100);
    orphan(&mut f, at(12, 10, 2));
    let t = timeline(&f, 80).unwrap();
    assert_eq!(t.step, Step { unit: Unit::Day, n: 1 });
    assert_eq!(t.label(12), "02-13");
    assert_eq!(t.kinds[0].counts.iter().sum::<u32>(), 1);
    assert_eq!(t.bucket_of(at(12, 10, 2)), Some(12));
    // Three months: Monday weeks. 2026-02-01 is a Sunday.
    let mut f = Facts::default();
    f.file(Some(at(0, 12, 0)), None, None);
    f.file(Some(at(89, 0, 0)), None, None);
    let t = timeline(&f, 40).unwrap();
    assert_eq!(t.step.unit, Unit::Week);
    assert_eq!(t.long_label(0), "2026-01-26 00:00 UTC");
    assert!(t.kinds.is_empty());
    // Years: months, then quarters.
    let mut f = Facts::default();
    f.file(Some(at(0, 0, 0)), None, None);
    f.file(Some(at(600, 0, 0)), None, None);
    let t = timeline(&f, 40).unwrap();
    assert_eq!(t.step, Step { unit: Unit::Month, n: 1 });
    assert_eq!(t.label(0), "2026-02");
    assert_eq!(t.starts.len(), 20);
    let t = timeline(&f, 10).unwrap();
    assert_eq!(t.step, Step { unit: Unit::Month, n: 3 });
    assert_eq!(t.label(0), "2026-01");
    // One instant: one minute bucket; nothing at all: none.
    let mut f = Facts::default();
    orphan(&mut f, at(1, 10, 2));
    let t = timeline(&f, 40).unwrap();
    assert_eq!((t.step.unit, t.starts.len(), t.kinds[0].counts.clone()), (Unit::Minute, 1, vec![1]));
    assert!(timeline(&Facts::default(), 40).is_none());
}

#[test]
fn timeline_survives_absurd_times() {
    let mut f = Facts::default();
    f.file(Some(i64::MIN), None, None);
    f.file(Some(i64::MAX), None, None);
    orphan(&mut f, 0);
    let t = timeline(&f, 48).unwrap();
    assert!(t.starts.len() <= 48);
    assert_eq!(t.kinds[0].counts.iter().sum::<u32>() + t.kinds[0].untimed, 1);
    // Findings over the whole i64 range do not overflow.
    let mut g = f.clone();
    for t in [i64::MIN, i64::MIN + 1, 5, 6, i64::MAX] {
        orphan(&mut g, t);
    }
    let found = findings(&g);
    assert!(found.iter().all(|x| x.by == By::Time || x.by == By::Encoding), "{found:#?}");
}

/// A million keys: `cargo test --release --lib findings::tests::a_million -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn a_million_keys_is_fast() {
    let mut f = Facts::default();
    let voices = ["v-amy", "v-brian", "v-katja", "v-denise"];
    let mut rng = fastrand::Rng::with_seed(1);
    for i in 0..1_000_000u32 {
        let t = FEB1 + rng.i64(0..30 * DAY);
        let book = format!("book-{}", rng.u32(0..5000));
        let r = f.row(Some(t), Some(voices[rng.usize(0..4)]), Some(&book), Some("m4a"));
        let file = f.file(Some(t), Some("m4a"), None);
        if i % 20 == 0 {
            f.item(Kind::GhostEntry, Some(r), None);
        }
        if i % 30 == 0 {
            f.item(Kind::OrphanedFile, None, Some(file));
        }
    }
    let start = std::time::Instant::now();
    let found = findings(&f);
    let t_findings = start.elapsed();
    let start = std::time::Instant::now();
    let t = timeline(&f, 48).unwrap();
    let t_timeline = start.elapsed();
    eprintln!("findings {t_findings:?}, timeline {t_timeline:?} ({} buckets)", t.starts.len());
    assert!(found.is_empty());
    assert!(t_findings < std::time::Duration::from_secs(1));
}
