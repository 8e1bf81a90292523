//! The deep decode (SPEC §3 `--deep`) and the loudness envelope on the files
//! of real encoders in `tests/fixtures/encoders/` (see its README).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cachescope::core::Control;
use cachescope::core::disk::Encoding;
use cachescope::core::disk::decode::{Decoded, SILENCE_DBFS, decode, decode_file, envelope_file};
use cachescope::core::error::ErrorKind;

fn corpus(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoders").join(file)
}

fn encoding(file: &str) -> Encoding {
    if file.ends_with(".wav") { Encoding::Wav } else { Encoding::M4a }
}

fn decoded(file: &str) -> Decoded {
    decode_file(&corpus(file), encoding(file), &Control::none()).unwrap()
}

/// The complete files of `expected.tsv` with ffprobe's duration of each.
fn complete_files() -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(corpus("expected.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            (f[1] == "complete").then(|| (f[0].to_string(), f[4].parse().unwrap()))
        })
        .collect()
}

/// Files the decoder cannot vouch for, and the word that says why.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("ffmpeg_rf64.wav", "RF64"),
    ("ffmpeg_gsm_ms.wav", "GSM 6.10"),
    ("sox_gsm.wav", "GSM 6.10"),
    ("he_aac_patched.m4a", "HE-AAC"),
];

#[test]
fn every_complete_file_decodes_to_ffprobes_duration_or_says_why_not() {
    let mut wrong = Vec::new();
    let files = complete_files();
    assert!(files.len() >= 30);
    for (file, ffprobe_ms) in &files {
        let got = decoded(file);
        let ok = match (&got, UNSUPPORTED.iter().find(|(f, _)| f == file)) {
            (Decoded::Unsupported { what }, Some((_, word))) => what.contains(word),
            (Decoded::Failed { .. }, None) => file == "ffmpeg_aac_corrupt.m4a",
            (Decoded::Whole { duration_ms }, None) => duration_ms.abs_diff(*ffprobe_ms) <= 60,
            _ => false,
        };
        if !ok {
            wrong.push(format!("{file}: {got:?} (ffprobe {ffprobe_ms} ms)"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn cut_and_corrupt_audio_fails_with_a_reason_and_a_time() {
    for (file, from, to) in [
        ("ffmpeg_pcm16_cut.wav", 150, 200),
        ("ffmpeg_adpcm_ms_cut.wav", 200, 300),
        ("ffmpeg_aac_corrupt.m4a", 100, 1900),
    ] {
        match decoded(file) {
            Decoded::Failed { reason, at_ms } => {
                assert!(!reason.is_empty());
                assert!((from..=to).contains(&at_ms), "{file}: failed at {at_ms} ms ({reason})");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn a_fragmented_file_cut_at_a_fragment_boundary_decodes_to_its_shorter_audio() {
    assert_eq!(decoded("ffmpeg_aac_frag_cut.m4a"), Decoded::Whole { duration_ms: 3072 });
    // mvhd says only the first fragment (512 ms); the decode finds all of it
    let Decoded::Whole { duration_ms } = decoded("ffmpeg_aac_frag_moov.m4a") else { panic!() };
    assert!(duration_ms.abs_diff(2064) <= 60, "{duration_ms}");
}

#[test]
fn silence_is_named_and_a_tone_is_not_silent() {
    for file in ["ffmpeg_silence.wav", "sox_silence.wav", "ffmpeg_aac_silence.m4a"] {
        let e = envelope_file(&corpus(file), encoding(file), 40, &Control::none()).unwrap();
        assert!(e.silent, "{file}: peak {} dBFS", e.peak_dbfs);
        assert!(e.levels_dbfs.iter().all(|l| *l < SILENCE_DBFS), "{file}: {:?}", e.levels_dbfs);
        assert!(matches!(e.decoded, Decoded::Whole { .. }));
    }
    for file in ["ffmpeg_pcm16.wav", "ffmpeg_adpcm_ms.wav", "ffmpeg_aac.m4a", "ffmpeg_alac.m4a", "espeak_aac.m4a"] {
        let e = envelope_file(&corpus(file), encoding(file), 40, &Control::none()).unwrap();
        assert!(!e.silent && e.peak_dbfs > -30.0, "{file}: peak {} dBFS", e.peak_dbfs);
        assert_eq!(e.levels_dbfs.len(), 40);
    }
    // a steady tone is level; speech rises and falls
    let tone = envelope_file(&corpus("ffmpeg_pcm16.wav"), Encoding::Wav, 20, &Control::none()).unwrap();
    let spread = |l: &[f32]| l.iter().cloned().fold(f32::MIN, f32::max) - l.iter().cloned().fold(f32::MAX, f32::min);
    assert!(spread(&tone.levels_dbfs) < 3.0, "{:?}", tone.levels_dbfs);
    let speech = envelope_file(&corpus("espeak_file.wav"), Encoding::Wav, 20, &Control::none()).unwrap();
    assert!(spread(&speech.levels_dbfs) > 20.0, "{:?}", speech.levels_dbfs);
    assert_eq!(speech.duration_ms, 290);
}

#[test]
fn a_cut_files_envelope_covers_the_audio_up_to_the_cut() {
    let e = envelope_file(&corpus("ffmpeg_pcm16_cut.wav"), Encoding::Wav, 10, &Control::none()).unwrap();
    assert!(matches!(e.decoded, Decoded::Failed { at_ms: 182, .. }), "{:?}", e.decoded);
    assert_eq!(e.duration_ms, 182);
    assert_eq!(e.levels_dbfs.len(), 10);
}

#[test]
fn decodes_any_seekable_source_and_stops_when_cancelled() {
    let bytes = std::fs::read(corpus("ffmpeg_aac_frag_dbm.m4a")).unwrap();
    let got = decode(Cursor::new(bytes.clone()), Encoding::M4a, &Control::none()).unwrap();
    assert_eq!(got, decoded("ffmpeg_aac_frag_dbm.m4a"));
    let cancel = AtomicBool::new(true);
    let err = decode(Cursor::new(bytes), Encoding::M4a, &Control::new(None, Some(&cancel))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Cancelled);
}

#[test]
fn a_missing_file_is_one_sentence_naming_it() {
    let err = decode_file(Path::new("/nonexistent/x.wav"), Encoding::Wav, &Control::none()).unwrap_err();
    assert!(err.message.contains("/nonexistent/x.wav"), "{}", err.message);
}

#[test]
fn sizes_that_lie_fail_before_the_decoder_trusts_them() {
    // symphonia 0.5 sizes its tables from their counts: a flipped count in
    // stco would ask for gigabytes and abort the process
    let mut m = std::fs::read(corpus("ffmpeg_aac_faststart.m4a")).unwrap();
    let stco = m.windows(4).position(|w| w == b"stco").unwrap();
    m[stco + 8..stco + 12].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    match decode(Cursor::new(m), Encoding::M4a, &Control::none()).unwrap() {
        Decoded::Failed { reason, at_ms: 0 } => assert!(reason.contains("'stco'"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // a WAV chunk before the audio declaring 2 GB
    let mut w = std::fs::read(corpus("ffmpeg_pcm16.wav")).unwrap();
    let list = w.windows(4).position(|w| w == b"LIST").unwrap();
    w[list + 4..list + 8].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    match decode(Cursor::new(w), Encoding::Wav, &Control::none()).unwrap() {
        Decoded::Failed { reason, .. } => assert!(reason.contains("'LIST'"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn randomly_damaged_files_never_take_the_process_down() {
    let files =
        ["ffmpeg_aac.m4a", "ffmpeg_aac_frag_dbm.m4a", "ffmpeg_alac.m4a", "ffmpeg_adpcm_ms.wav", "sox_ima_adpcm.wav"];
    let mut rng = fastrand::Rng::with_seed(11);
    for _ in 0..300 {
        let file = files[rng.usize(..files.len())];
        let mut b = std::fs::read(corpus(file)).unwrap();
        for _ in 0..rng.usize(1..20) {
            let at = rng.usize(..b.len());
            b[at] = rng.u8(..);
        }
        if rng.bool() {
            b.truncate(rng.usize(..b.len()));
        }
        // symphonia panics on some damage; the decode reports it as a failure
        let _ = decode(Cursor::new(b), encoding(file), &Control::none()).unwrap();
    }
}

#[test]
fn garbage_never_panics() {
    for file in ["ffmpeg_aac.m4a", "ffmpeg_adpcm_ima.wav", "ffmpeg_alac.m4a", "ffmpeg_aac_frag.m4a"] {
        let bytes = std::fs::read(corpus(file)).unwrap();
        for step in [7usize, 61, 499] {
            let mut b = bytes.clone();
            for i in (0..b.len()).step_by(step) {
                b[i] ^= 0x5a;
            }
            let _ = decode(Cursor::new(b), encoding(file), &Control::none());
        }
    }
}
