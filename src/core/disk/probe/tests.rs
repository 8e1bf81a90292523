//! One test per rule of SPEC §3, on synthetic containers (the real-encoder
//! corpus is in `tests/encoders.rs`).

use super::*;
use crate::core::demo::containers::{
    RunDurations, TrackSpec, bmff_box, m4a, m4a_fragmented, mvhd, rf64, trak, wav, wav_declaring, wav_extensible,
    wav_with_fact,
};

fn p(bytes: &[u8], enc: Encoding) -> Probe {
    probe(enc, &bytes).unwrap()
}

fn complete(ms: u64) -> Probe {
    Probe::Complete { duration_ms: Some(ms) }
}

#[track_caller]
fn incomplete_with(got: Probe, words: &str) {
    match got {
        Probe::Incomplete { reason } => assert!(reason.contains(words), "{reason:?} lacks {words:?}"),
        other => panic!("{other:?} is not incomplete ({words})"),
    }
}

#[test]
fn wav_rules() {
    assert_eq!(p(&wav(32000), Encoding::Wav), complete(1000));
    assert_eq!(
        p(&wav_declaring(81920, 40960), Encoding::Wav),
        Probe::Incomplete { reason: "data chunk declares 81 920 bytes, file has 40 960".into() }
    );
    assert!(!p(b"", Encoding::Wav).is_complete());
    assert!(!p(b"RIFF\0\0\0\0WAVE", Encoding::Wav).is_complete());
    assert!(!p(b"RIFX\0\0\0\0WAVE", Encoding::Wav).is_complete());
}

#[test]
fn wav_headers_never_finalised() {
    incomplete_with(p(&wav_declaring(0, 10), Encoding::Wav), "never finalised");
    incomplete_with(p(&wav_declaring(u32::MAX, 10), Encoding::Wav), "never finalised");
    // SoX and espeak-ng streaming to a pipe
    incomplete_with(p(&wav_declaring(0x7FFF_F000, 12_826), Encoding::Wav), "never finalised");
    incomplete_with(p(&wav_declaring(0x7FFF_FFF0, 100), Encoding::Wav), "never finalised");
    // below the placeholder: a plain cut file
    incomplete_with(p(&wav_declaring(0x7FFE_0000, 100), Encoding::Wav), "declares");
}

#[test]
fn a_wav_with_an_empty_data_chunk_has_no_audio() {
    incomplete_with(p(&wav_declaring(0, 0), Encoding::Wav), "no audio");
    incomplete_with(p(&wav(0), Encoding::Wav), "no audio");
}

#[test]
fn wav_with_data_before_fmt_is_whole() {
    let w = wav(3200);
    // RIFF header, then the data chunk, then the fmt chunk.
    let mut moved = w[..12].to_vec();
    moved.extend_from_slice(&w[36..]);
    moved.extend_from_slice(&w[12..36]);
    assert_eq!(p(&moved, Encoding::Wav), complete(100));
    assert!(!p(&moved[..moved.len() - 10], Encoding::Wav).is_complete(), "fmt cut short");
}

#[test]
fn rf64_sizes_come_from_ds64() {
    assert_eq!(p(&rf64(32_000, true), Encoding::Wav), complete(1000));
    incomplete_with(p(&rf64(32_000, false), Encoding::Wav), "never finalised");
    let whole = rf64(32_000, true);
    incomplete_with(p(&whole[..whole.len() - 100], Encoding::Wav), "declares 32 000 bytes");
    // An RF64 whose data chunk has a real 32-bit size uses it.
    let mut small = whole.clone();
    let data = small.windows(4).position(|w| w == b"data").unwrap();
    small[data + 4..data + 8].copy_from_slice(&16_000u32.to_le_bytes());
    assert_eq!(p(&small, Encoding::Wav), complete(500));
}

#[test]
fn non_pcm_durations_come_from_fact_before_or_after_the_data() {
    // 16 000 samples at 16 kHz; the byte rate (8 000) alone would say 500 ms.
    assert_eq!(p(&wav_with_fact(16_000, 4_000, false), Encoding::Wav), complete(1000));
    assert_eq!(p(&wav_with_fact(16_000, 4_000, true), Encoding::Wav), complete(1000));
    // A fact chunk cut off after the audio: the audio is whole, byte rate it is.
    let w = wav_with_fact(16_000, 4_000, true);
    assert_eq!(p(&w[..w.len() - 6], Encoding::Wav), complete(500));
}

#[test]
fn extensible_wavs_use_their_sub_format() {
    assert_eq!(p(&wav_extensible(1, None, 32_000), Encoding::Wav), complete(1000));
    // float: the byte rate is exact, fact is not needed
    assert_eq!(p(&wav_extensible(3, Some(1), 32_000), Encoding::Wav), complete(1000));
    // an ADPCM sub-format: fact wins
    assert_eq!(p(&wav_extensible(0x11, Some(8_000), 32_000), Encoding::Wav), complete(500));
}

#[test]
fn m4a_rules() {
    assert_eq!(p(&m4a(1234, 10), Encoding::M4a), complete(1234));
    let whole = m4a(5, 10);
    assert!(!p(&whole[..whole.len() - 1], Encoding::M4a).is_complete());
    // size 0 = to the end of the file
    let mut open_ended = whole.clone();
    let mdat = open_ended.len() - 18;
    open_ended[mdat..mdat + 4].copy_from_slice(&0u32.to_be_bytes());
    assert_eq!(p(&open_ended, Encoding::M4a), complete(5));
    // 64-bit size
    let mut big = whole[..whole.len() - 18].to_vec();
    big.extend_from_slice(&1u32.to_be_bytes());
    big.extend_from_slice(b"mdat");
    big.extend_from_slice(&(16u64 + 10).to_be_bytes());
    big.extend_from_slice(&[0u8; 10]);
    assert_eq!(p(&big, Encoding::M4a), complete(5));
    big.pop();
    incomplete_with(p(&big, Encoding::M4a), "declares 26 bytes");
    assert!(!p(&whole[8..], Encoding::M4a).is_complete(), "ftyp must come first");
}

#[test]
fn a_demo_m4a_is_a_real_shaped_audio_file_that_fits_the_first_read() {
    let m = m4a(125, 500);
    assert!(m.len() - 500 <= 512, "header of {} bytes", m.len() - 500);
    for name in [&b"trak"[..], b"tkhd", b"mdhd", b"hdlr", b"soun", b"stsd", b"stts", b"stsc", b"stsz", b"stco"] {
        assert!(m.windows(4).any(|w| w == name), "no {}", String::from_utf8_lossy(name));
    }
}

/// The layout of the first round's synthetic dumps: `ftyp`, `moov/mvhd`, `mdat`.
fn legacy(duration_ms: u32, mdat: &[u8]) -> Vec<u8> {
    [bmff_box(b"ftyp", b"M4A \0\0\0\0"), bmff_box(b"moov", &mvhd(1000, duration_ms)), bmff_box(b"mdat", mdat)].concat()
}

#[test]
fn a_moov_without_tracks_stays_complete_with_its_mvhd_duration() {
    assert_eq!(p(&legacy(1234, &[1; 10]), Encoding::M4a), complete(1234));
    assert_eq!(p(&legacy(0, &[1; 10]), Encoding::M4a), Probe::Complete { duration_ms: None });
    assert_eq!(p(&legacy(1234, &[]), Encoding::M4a), complete(1234));
    // ffmpeg's file with no sample: no trak, mvhd 0 and an empty mdat
    incomplete_with(p(&legacy(0, &[]), Encoding::M4a), "no audio");
}

fn track(timescale: u32, duration: u32, stts: [(u32, u32); 2], samples: u32) -> TrackSpec {
    TrackSpec { id: 1, timescale, duration, stts, samples, sample_size: 4, chunk_offset: 0 }
}

fn movie(mvhd_ms: u32, t: &TrackSpec) -> Vec<u8> {
    let moov = [mvhd(1000, mvhd_ms), trak(t)].concat();
    [bmff_box(b"ftyp", b"M4A \0\0\0\0"), bmff_box(b"moov", &moov), bmff_box(b"mdat", &[1; 40])].concat()
}

#[test]
fn tracks_without_samples_and_no_fragments_hold_no_audio() {
    incomplete_with(p(&movie(1000, &track(16_000, 0, [(0, 0); 2], 0)), Encoding::M4a), "no audio");
    // an empty stts alone says it too
    incomplete_with(p(&movie(1000, &track(16_000, 0, [(0, 0); 2], 3)), Encoding::M4a), "no audio");
    // an empty moov, an empty mdat and no fragment
    let mut f = m4a_fragmented(&[], 16_000, 1024, RunDurations::InTrun, None);
    f.extend_from_slice(&bmff_box(b"mdat", &[]));
    incomplete_with(p(&f, Encoding::M4a), "no audio");
    // fragments with no sample in them
    let empty = m4a_fragmented(&[0, 0], 16_000, 1024, RunDurations::InTrun, None);
    incomplete_with(p(&empty, Encoding::M4a), "no audio");
}

#[test]
fn a_plain_file_whose_mvhd_says_0_takes_its_track_duration() {
    let t = track(16_000, 32_000, [(31, 1024), (1, 256)], 32);
    assert_eq!(p(&movie(0, &t), Encoding::M4a), complete(2000));
    // mdhd 0 too: the stts total (15 × 1024 + 256 ticks)
    let t = track(16_000, 0, [(15, 1024), (1, 256)], 16);
    assert_eq!(p(&movie(0, &t), Encoding::M4a), complete(976));
    // nothing known: null, never 0
    let t = track(16_000, 0, [(1, 0), (0, 0)], 1);
    assert_eq!(p(&movie(0, &t), Encoding::M4a), Probe::Complete { duration_ms: None });
}

#[test]
fn fragmented_durations_come_from_the_runs() {
    // 36 samples of 1 024 ticks at 16 kHz = 2 304 ms, however the runs say it
    for how in [RunDurations::InTrun, RunDurations::TfhdDefault, RunDurations::TrexDefault] {
        let f = m4a_fragmented(&[16, 16, 4], 16_000, 1024, how, None);
        assert_eq!(p(&f, Encoding::M4a), complete(2304), "{how:?}");
    }
    let unknown = m4a_fragmented(&[16, 16, 4], 16_000, 1024, RunDurations::Unknown, None);
    assert_eq!(p(&unknown, Encoding::M4a), Probe::Complete { duration_ms: None });
}

#[test]
fn mehd_gives_a_fragmented_duration_when_present() {
    let f = m4a_fragmented(&[16, 16, 4], 16_000, 1024, RunDurations::InTrun, Some(5000));
    assert_eq!(p(&f, Encoding::M4a), complete(5000));
    // an mehd of 0 says nothing
    let f = m4a_fragmented(&[16], 16_000, 1024, RunDurations::InTrun, Some(0));
    assert_eq!(p(&f, Encoding::M4a), complete(1024));
}

#[test]
fn fragments_cut_at_a_boundary_are_whole_and_shorter() {
    let f = m4a_fragmented(&[16, 16, 16, 16], 16_000, 1024, RunDurations::TfhdDefault, None);
    let moofs: Vec<usize> = f.windows(4).enumerate().filter(|(_, w)| *w == b"moof").map(|(i, _)| i - 4).collect();
    assert_eq!(p(&f[..moofs[2]], Encoding::M4a), complete(2048));
    incomplete_with(p(&f[..moofs[2] - 3], Encoding::M4a), "declares");
}

#[test]
fn fragment_walks_read_only_the_moofs() {
    use std::cell::Cell;
    struct Counting<'a>(&'a [u8], Cell<u64>);
    impl ReadAt for Counting<'_> {
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
        fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
            let n = (&self.0).read_at(buf, offset)?;
            self.1.set(self.1.get() + n as u64);
            Ok(n)
        }
    }
    let f = m4a_fragmented(&[4000; 8], 16_000, 1024, RunDurations::TfhdDefault, None);
    let r = Counting(&f, Cell::new(0));
    assert_eq!(probe_m4a(&r).unwrap(), complete(8 * 4000 * 64));
    // the moov, each moof (the first twice), box headers: never an mdat's payload
    let payload = 8 * 4000 * 4;
    let moof = f.windows(4).position(|w| w == b"mdat").unwrap() - f.windows(4).position(|w| w == b"moof").unwrap();
    let most = (f.len() - payload + moof + 1024) as u64;
    assert!(r.1.get() <= most, "read {} of {}, at most {most}", r.1.get(), f.len());
}

#[test]
fn lying_boxes_inside_a_whole_file_neither_panic_nor_hang() {
    // a trun claiming 4 billion samples in a few bytes
    let mut f = m4a_fragmented(&[2], 16_000, 1024, RunDurations::InTrun, None);
    let trun = f.windows(4).position(|w| w == b"trun").unwrap();
    f[trun + 8..trun + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(p(&f, Encoding::M4a), Probe::Complete { duration_ms: None });
    // a moov child larger than the moov
    let mut m = m4a(1000, 100);
    let tkhd = m.windows(4).position(|w| w == b"trak").unwrap();
    m[tkhd - 4..tkhd].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(p(&m, Encoding::M4a), complete(1000));
}
