//! Property: whatever the dump, every finding keeps the rules of SPEC §9,
//! and the timeline counts every discrepancy once.

use proptest::prelude::*;

use super::*;
use crate::core::kinds::Kind;

type RowSeed = (Option<i64>, usize, usize);
type ItemSeed = (usize, bool, Option<i64>, usize, usize, usize);

/// A random dump: a population of rows and files, then discrepancies
/// with their own row and file, often in one cluster of time and value.
fn facts() -> impl Strategy<Value = Facts> {
    let pop = (proptest::option::of(0i64..1000), 0usize..2, 0usize..2);
    let item = (0usize..3, any::<bool>(), proptest::option::of(0i64..1000), 0usize..3, 0usize..3, 0usize..3);
    (proptest::collection::vec(pop, 1..60), proptest::collection::vec(item, 0..30)).prop_map(
        |(pop, items): (Vec<RowSeed>, Vec<ItemSeed>)| {
            let mut f = Facts::default();
            let voices = ["a", "b", "rare"];
            let states = ["m4a", "wav", "failed"];
            let folders = ["", "ab", "cd"];
            for (t, v, s) in &pop {
                let t = t.map(|t| t * 60_000);
                f.row(t, Some(voices[*v]), None, Some(states[*s]));
                f.file(t, Some(["m4a", "wav"][*s]), Some(folders[*v]));
            }
            for (k, clustered, t, v, s, d) in items {
                let t = if clustered { Some(500 * 60_000 + t.unwrap_or(0)) } else { t.map(|t| t * 60_000) };
                let voice = if clustered && v > 0 { "rare" } else { voices[v] };
                let book = (v == 1).then_some("book");
                let row = f.row(t, Some(voice), book, Some(states[s]));
                let file = f.file(t, if s == 2 { None } else { Some(["m4a", "wav"][s]) }, Some(folders[d]));
                f.item(Kind::ALL[k], Some(row), Some(file));
            }
            f
        },
    )
}

proptest! {
    // Past failures are kept beside this file (`properties.regressions`),
    // not in a folder at the top of the repository.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]
    #[test]
    fn every_finding_keeps_the_rules(f in facts()) {
        let (lo, hi) = f.span().unwrap_or((0, 0));
        for x in findings(&f) {
            let of_kind: Vec<u32> =
                (0..f.items.len() as u32).filter(|i| f.items[*i as usize].kind == x.kind).collect();
            prop_assert!(of_kind.len() >= MIN_ITEMS);
            prop_assert_eq!(x.of, of_kind.len());
            prop_assert_eq!(x.count, x.items.len());
            prop_assert!(x.count * 5 >= x.of * 4, "{x:?}");
            prop_assert!(x.items.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(x.items.iter().all(|i| of_kind.contains(i)));
            match x.window {
                Some((from, to)) => {
                    prop_assert_eq!(x.by, By::Time);
                    prop_assert!(hi > lo);
                    for i in &of_kind {
                        let t = f.item_time(&f.items[*i as usize]);
                        prop_assert_eq!(t.is_some_and(|t| (from..=to).contains(&t)), x.items.contains(i));
                    }
                }
                None => {
                    prop_assert!(x.by != By::Time);
                    let named = |s: Option<Sym>| s.is_some_and(|s| f.values.name(s) == x.value);
                    let (holders, total) = match x.by {
                        By::Voice => (f.rows.iter().filter(|r| named(r.voice)).count(), f.rows.len()),
                        By::Book => (f.rows.iter().filter(|r| named(r.book)).count(), f.rows.len()),
                        By::State => (f.rows.iter().filter(|r| named(r.state)).count(), f.rows.len()),
                        By::Encoding => (f.files.iter().filter(|x| named(x.encoding)).count(), f.files.len()),
                        _ => (f.files.iter().filter(|x| named(x.folder)).count(), f.files.len()),
                    };
                    prop_assert!(2 * holders < total, "{x:?}");
                    for i in &of_kind {
                        let v = f.item_value(&f.items[*i as usize], x.by);
                        prop_assert_eq!(named(v), x.items.contains(i));
                    }
                }
            }
        }
        if let Some(t) = timeline(&f, 30) {
            prop_assert!(t.starts.len() <= 30 && !t.starts.is_empty());
            prop_assert!(t.starts.windows(2).all(|w| w[0] < w[1]));
            let total: u32 = t.kinds.iter().map(|k| k.counts.iter().sum::<u32>() + k.untimed).sum();
            prop_assert_eq!(total as usize, f.items.len());
        }
    }
}
