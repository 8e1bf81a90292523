//! Detection from literals: one case per row of SPEC §4's table and per
//! note under it. No dump on disk: facts and rows are written out.

use super::*;
use crate::core::model::{FileFacts, Identity, Probe};

fn id(size: u64) -> Identity {
    Identity { dev: 1, ino: size, size, mtime_ns: 1_700_000_000_000_000_000 }
}

fn complete(path: &str, ms: Option<u64>) -> FileFacts {
    let encoding = if path.ends_with(".wav") { Encoding::Wav } else { Encoding::M4a };
    FileFacts::new(path, id(100), FileKind::Cache { encoding, probe: Probe::Complete { duration_ms: ms } })
}

fn cut(path: &str) -> FileFacts {
    let encoding = if path.ends_with(".wav") { Encoding::Wav } else { Encoding::M4a };
    FileFacts::new(path, id(50), FileKind::Cache { encoding, probe: Probe::incomplete("cut short") })
}

fn row(key: &str, state: &str, size: Option<i64>, ms: Option<i64>) -> Row {
    Row::new(key, Some(state)).sized(size, ms)
}

/// (kind, key, file) of every discrepancy, in detection's order.
fn found(
    files: Vec<FileFacts>,
    rows: &[Row],
    shape: TableShape,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let scan = DiskScan::from_files(files);
    let mut rows = rows.to_vec();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    detect(&scan, &rows, shape)
        .into_iter()
        .map(|d| (d.kind.as_str(), d.key, d.file.map(|i| scan.files[i].path().to_string_lossy().into_owned())))
        .collect()
}

fn f(kind: &'static str, key: Option<&str>, file: Option<&str>) -> (&'static str, Option<String>, Option<String>) {
    (kind, key.map(String::from), file.map(String::from))
}

#[test]
fn each_row_of_the_table() {
    let all = TableShape::default();
    let cases: Vec<(&str, Vec<FileFacts>, Vec<Row>, Vec<_>)> = vec![
        ("consistent m4a", vec![complete("k.m4a", Some(1000))], vec![row("k", "m4a", Some(100), Some(1000))], vec![]),
        ("orphaned_file", vec![complete("k.m4a", None)], vec![], vec![f("orphaned_file", Some("k"), Some("k.m4a"))]),
        (
            "orphan prefers the m4a; the wav is redundant",
            vec![complete("k.wav", None), complete("k.m4a", None)],
            vec![],
            vec![f("orphaned_file", Some("k"), Some("k.m4a")), f("redundant_file", Some("k"), Some("k.wav"))],
        ),
        ("ghost_entry", vec![], vec![row("k", "m4a", Some(1), None)], vec![f("ghost_entry", Some("k"), None)]),
        ("a failed row without a file is consistent", vec![], vec![row("k", "failed", None, None)], vec![]),
        (
            "a ghost whose only file is truncated",
            vec![cut("k.wav")],
            vec![row("k", "wav", Some(1), None)],
            vec![f("ghost_entry", Some("k"), None), f("incomplete_file", Some("k"), Some("k.wav"))],
        ),
        (
            "compression_state_mismatch: m4a expected",
            vec![complete("k.m4a", None)],
            vec![row("k", "wav", Some(100), None)],
            vec![f("compression_state_mismatch", Some("k"), Some("k.m4a"))],
        ),
        (
            "compression_state_mismatch: compressing with only a wav",
            vec![complete("k.wav", None)],
            vec![row("k", "compressing", Some(100), None)],
            vec![f("compression_state_mismatch", Some("k"), Some("k.wav"))],
        ),
        (
            "an unknown state is data",
            vec![complete("k.wav", None)],
            vec![row("k", "mp3?", Some(100), None)],
            vec![f("compression_state_mismatch", Some("k"), Some("k.wav"))],
        ),
        (
            "size_mismatch",
            vec![complete("k.m4a", None)],
            vec![row("k", "m4a", Some(101), None)],
            vec![f("size_mismatch", Some("k"), Some("k.m4a"))],
        ),
        (
            "a NULL size counts",
            vec![complete("k.m4a", None)],
            vec![row("k", "m4a", None, None)],
            vec![f("size_mismatch", Some("k"), Some("k.m4a"))],
        ),
        (
            "duration_mismatch: over 500 ms apart",
            vec![complete("k.m4a", Some(4600))],
            vec![row("k", "m4a", Some(100), Some(10_000))],
            vec![f("duration_mismatch", Some("k"), Some("k.m4a"))],
        ),
        (
            "exactly 500 ms apart agrees",
            vec![complete("k.m4a", Some(1500))],
            vec![row("k", "m4a", Some(100), Some(1000))],
            vec![],
        ),
        (
            "an unknown duration never disagrees",
            vec![complete("k.m4a", None)],
            vec![row("k", "m4a", Some(100), Some(1000))],
            vec![],
        ),
        (
            "size and duration can both be wrong",
            vec![complete("k.m4a", Some(1000))],
            vec![row("k", "m4a", Some(7), Some(9000))],
            vec![f("size_mismatch", Some("k"), Some("k.m4a")), f("duration_mismatch", Some("k"), Some("k.m4a"))],
        ),
        (
            "redundant_file with a row",
            vec![complete("k.wav", None), complete("k.m4a", None)],
            vec![row("k", "m4a", Some(100), None)],
            vec![f("redundant_file", Some("k"), Some("k.wav"))],
        ),
        (
            "incomplete_file: a partial-write name",
            vec![FileFacts::new("k.m4a.tmp", id(3), FileKind::Partial), complete("k.m4a", None)],
            vec![row("k", "m4a", Some(100), None)],
            vec![f("incomplete_file", Some("k"), Some("k.m4a.tmp"))],
        ),
        (
            "a failed row with a partial file: only the file",
            vec![FileFacts::new("k.m4a.download", id(3), FileKind::Partial)],
            vec![row("k", "failed", None, None)],
            vec![f("incomplete_file", Some("k"), Some("k.m4a.download"))],
        ),
        (
            "stray_file has no key",
            vec![FileFacts::new("notes.txt", id(3), FileKind::Stray { why: "not a cache file name" })],
            vec![],
            vec![f("stray_file", None, Some("notes.txt"))],
        ),
        (
            "the same name in another folder is a stray",
            vec![complete("k.m4a", None), complete("zz/k.m4a", None)],
            vec![row("k", "m4a", Some(100), None)],
            vec![f("stray_file", None, Some("zz/k.m4a"))],
        ),
    ];
    for (what, files, rows, want) in cases {
        assert_eq!(found(files, &rows, all), want, "{what}");
    }
}

#[test]
fn a_table_without_size_or_duration_columns_has_nothing_to_disagree_with() {
    let shape = TableShape { has_size: false, has_duration: false };
    assert!(found(vec![complete("k.m4a", Some(9000))], &[row("k", "m4a", None, Some(1))], shape).is_empty());
}

#[test]
fn an_unreadable_file_leaves_its_key_without_a_verdict() {
    let unreadable =
        FileFacts::new("k.m4a", id(100), FileKind::Unreadable { encoding: Encoding::M4a, why: "denied".into() });
    let scan = DiskScan::from_files(vec![unreadable, cut("j.wav")]);
    let rows = vec![row("j", "wav", Some(1), None), row("k", "m4a", Some(100), None)];
    let (out, unknown) = detect_with_unknown(&scan, &rows, TableShape::default());
    let kinds: Vec<_> = out.iter().map(|d| (d.kind.as_str(), d.key.clone())).collect();
    assert_eq!(kinds, [("ghost_entry", Some("j".into())), ("incomplete_file", Some("j".into()))]);
    assert_eq!(unknown, 1);
}

#[test]
fn ids_are_stable_and_name_kind_key_and_file() {
    let scan = DiskScan::from_files(vec![cut("k.wav"), FileFacts::new("x.txt", id(1), FileKind::Stray { why: "w" })]);
    let ids: Vec<String> =
        detect(&scan, &[row("k", "wav", None, None)], TableShape::default()).into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["ghost_entry:k", "incomplete_file:k:k.wav", "stray_file::x.txt"]);
}

mod pieces {
    use super::*;
    use proptest::prelude::*;

    /// Short keys that share prefixes, some in another order by path than
    /// by key; each with maybe a wav, an m4a (complete or cut) and a row.
    fn dump() -> impl Strategy<Value = (Vec<FileFacts>, Vec<Row>)> {
        let key = (any::<u8>(), any::<u8>(), any::<u8>(), proptest::option::of((0u8..4, 0i64..200)));
        proptest::collection::vec(key, 0..60).prop_map(|keys| {
            let (mut files, mut rows) = (Vec::new(), Vec::new());
            for (n, (wav, m4a, dup, has_row)) in keys.into_iter().enumerate() {
                // "k1-x.wav" comes before "k1.wav" by path, after it by key.
                let k = format!("k{}{}", n % 30, if dup % 3 == 0 { "-x" } else { "" });
                for (shape, ext) in [(wav, "wav"), (m4a, "m4a")] {
                    match shape % 3 {
                        0 => {}
                        1 => files.push(complete(&format!("{k}.{ext}"), Some(u64::from(shape) * 10))),
                        _ => files.push(cut(&format!("{k}.{ext}"))),
                    }
                }
                if let Some((state, size)) = has_row {
                    let state = ["wav", "m4a", "failed", "compressing"][usize::from(state)];
                    rows.push(row(&k, state, Some(size), Some(size * 10)));
                }
            }
            files.sort_by(|a, b| a.path().cmp(&b.path()));
            files.dedup_by(|a, b| a.path() == b.path());
            rows.sort_by(|a, b| a.key.cmp(&b.key));
            rows.dedup_by(|a, b| a.key == b.key);
            (files, rows)
        })
    }

    proptest! {
        /// The join cut into pieces finds exactly what one piece finds.
        #[test]
        fn any_number_of_pieces_finds_the_same((files, rows) in dump(), pieces in 2usize..6) {
            let scan = DiskScan::from_files(files);
            let one = detect_in_pieces(&scan, &rows, TableShape::default(), 1);
            prop_assert_eq!(detect_in_pieces(&scan, &rows, TableShape::default(), pieces), one);
        }
    }
}
