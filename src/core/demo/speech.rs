//! Real speech for the speech-sized demo: eight short clips that espeak-ng
//! and ffmpeg made (`assets/speech/README.md`). The demo's m4a files are
//! these clips as the encoder wrote them, and its WAV files hold the same
//! speech decoded to 16-bit PCM, so both decode with `--deep` and the
//! detail view draws a real loudness picture of them.

use std::io::Cursor;
use std::sync::OnceLock;

use super::containers;
use crate::core::disk::decode::mono_samples;
use crate::core::disk::probe::probe;
use crate::core::model::{Encoding, Probe};

/// One clip in both of the app's encodings, with each file's duration as
/// the container states it (what the app would write into its row).
pub struct Clip {
    pub m4a: &'static [u8],
    pub m4a_ms: i64,
    pub wav: Vec<u8>,
    pub wav_ms: i64,
}

const M4A: [&[u8]; 8] = [
    include_bytes!("../../../assets/speech/clip-0.m4a"),
    include_bytes!("../../../assets/speech/clip-1.m4a"),
    include_bytes!("../../../assets/speech/clip-2.m4a"),
    include_bytes!("../../../assets/speech/clip-3.m4a"),
    include_bytes!("../../../assets/speech/clip-4.m4a"),
    include_bytes!("../../../assets/speech/clip-5.m4a"),
    include_bytes!("../../../assets/speech/clip-6.m4a"),
    include_bytes!("../../../assets/speech/clip-7.m4a"),
];

/// The clips, decoded once per process.
pub fn clips() -> &'static [Clip] {
    static CLIPS: OnceLock<Vec<Clip>> = OnceLock::new();
    CLIPS.get_or_init(|| M4A.iter().map(|m4a| clip(m4a)).collect())
}

/// The shortest clip: a writer killed early leaves about this much.
pub fn shortest() -> &'static Clip {
    clips().iter().min_by_key(|c| c.m4a_ms).unwrap_or(&clips()[0])
}

fn clip(m4a: &'static [u8]) -> Clip {
    // The bytes are this program's own: a clip that does not decode is a
    // broken build, not bad input.
    let (rate, samples) = mono_samples(Cursor::new(m4a), Encoding::M4a).expect("a bundled speech clip decodes");
    assert_eq!(rate * 2, containers::BYTE_RATE, "the speech clips are 16 kHz mono");
    let pcm: Vec<u8> =
        samples.iter().flat_map(|s| ((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16).to_le_bytes()).collect();
    let wav_ms = pcm.len() as i64 * 1000 / i64::from(containers::BYTE_RATE);
    let m4a_ms = match probe(Encoding::M4a, &m4a) {
        Ok(Probe::Complete { duration_ms: Some(ms) }) => ms as i64,
        _ => wav_ms,
    };
    Clip { m4a, m4a_ms, wav: containers::wav_of(&pcm), wav_ms }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clip_decodes_and_both_encodings_last_as_long() {
        assert_eq!(clips().len(), 8);
        for c in clips() {
            assert!((1_000..12_000).contains(&c.m4a_ms), "{}", c.m4a_ms);
            assert!((c.m4a_ms - c.wav_ms).abs() < 100, "{} vs {}", c.m4a_ms, c.wav_ms);
            assert_eq!(
                probe(Encoding::Wav, &c.wav.as_slice()).unwrap(),
                Probe::Complete { duration_ms: Some(c.wav_ms as u64) }
            );
        }
        assert!(shortest().m4a_ms < 2_000);
    }
}
