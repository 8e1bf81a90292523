//! The container probes on files written by real encoders (ffmpeg, SoX,
//! espeak-ng, Python's `wave`): `tests/fixtures/encoders/`, whose README says
//! how each was made. Every verdict, reason keyword and duration must match
//! `expected.tsv` (SPEC §3; durations within 60 ms of the figure there).

use std::path::{Path, PathBuf};

use cachescope::core::disk::Encoding;
use cachescope::core::disk::probe::{Probe, probe};
use proptest::prelude::*;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoders")
}

/// One line of `expected.tsv`.
struct Expected {
    file: String,
    complete: bool,
    reason: Option<String>,
    duration_ms: Option<u64>,
}

fn expected() -> Vec<Expected> {
    let text = std::fs::read_to_string(corpus().join("expected.tsv")).unwrap();
    let dash = |s: &str| (s != "-").then(|| s.to_string());
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert!(f.len() >= 4, "malformed line {line:?}");
            assert!(matches!(f[1], "complete" | "incomplete"), "{line:?}");
            Expected {
                file: f[0].to_string(),
                complete: f[1] == "complete",
                reason: dash(f[2]),
                duration_ms: dash(f[3]).map(|d| d.parse().unwrap()),
            }
        })
        .collect()
}

fn encoding(file: &str) -> Encoding {
    if file.ends_with(".wav") { Encoding::Wav } else { Encoding::M4a }
}

fn bytes(file: &str) -> Vec<u8> {
    std::fs::read(corpus().join(file)).unwrap()
}

#[test]
fn every_corpus_file_gets_the_verdict_reason_and_duration_of_spec_3() {
    let all = expected();
    assert!(all.len() >= 40, "the corpus lost files: {}", all.len());
    let mut wrong = Vec::new();
    for e in &all {
        let b = bytes(&e.file);
        let got = probe(encoding(&e.file), &b.as_slice()).unwrap();
        let ok = match (&got, e.complete) {
            (Probe::Complete { duration_ms }, true) => match (duration_ms, e.duration_ms) {
                (Some(got), Some(want)) => got.abs_diff(want) <= 60,
                (got, want) => *got == want,
            },
            (Probe::Incomplete { reason }, false) => e.reason.as_deref().is_none_or(|k| reason.contains(k)),
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{}: got {got:?}, want {} {:?} {:?}",
                e.file,
                if e.complete { "complete" } else { "incomplete" },
                e.reason,
                e.duration_ms
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of {} wrong:\n{}", wrong.len(), all.len(), wrong.join("\n"));
}

#[test]
fn every_corpus_file_is_listed_in_expected_tsv() {
    let listed: Vec<String> = expected().into_iter().map(|e| e.file).collect();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".wav") || name.ends_with(".m4a") {
            assert!(listed.contains(&name), "{name} has no line in expected.tsv");
        }
    }
}

/// Every cut of a whole file is incomplete or complete, never a panic; a cut
/// inside the audio of a plain (not fragmented) file is never complete.
#[test]
fn cutting_real_files_anywhere_never_panics() {
    for e in expected().iter().filter(|e| e.complete) {
        let b = bytes(&e.file);
        for cut in 0..b.len() {
            let got = probe(encoding(&e.file), &&b[..cut]).unwrap();
            if e.file.ends_with(".wav") && cut < b.len() - 64 && got.is_complete() {
                // A WAV's audio is its last chunk but for trailing metadata.
                let whole = probe(Encoding::Wav, &b.as_slice()).unwrap();
                assert_ne!(got, whole, "{} cut at {cut} of {}", e.file, b.len());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)))]

    /// Real files with random bytes overwritten, cut and extended: the
    /// probes answer, they never panic or run away.
    #[test]
    fn mutated_real_files_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
        cut in any::<prop::sample::Index>(),
        tail in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let all = expected();
        let e = pick.get(&all);
        let mut b = bytes(&e.file);
        for (at, value) in &edits {
            let i = at.index(b.len());
            b[i] = *value;
        }
        b.truncate(cut.index(b.len() + 1));
        b.extend_from_slice(&tail);
        for enc in [Encoding::Wav, Encoding::M4a] {
            let _ = probe(enc, &b.as_slice()).unwrap();
        }
    }
}
