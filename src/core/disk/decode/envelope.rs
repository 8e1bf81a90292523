//! The loudness envelope of decoded audio: RMS per slice of time in dBFS,
//! and whether the whole file is silent, for the TUI's picture of a clip.

use super::Decoded;

/// Below this peak level (dBFS) a whole file counts as silent.
pub const SILENCE_DBFS: f32 = -60.0;

/// The level shown for digital silence.
pub const FLOOR_DBFS: f32 = -120.0;

/// A decoded file's loudness.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// How the decode ended; the levels cover the audio decoded up to then.
    pub decoded: Decoded,
    /// RMS level of each equal slice of the decoded audio, first to last, in
    /// dBFS (at least [`FLOOR_DBFS`]); empty when nothing was decoded.
    pub levels_dbfs: Vec<f32>,
    /// The loudest sample, in dBFS.
    pub peak_dbfs: f32,
    /// How long the decoded audio is, in ms (the decoded duration, or where
    /// the decode failed).
    pub duration_ms: u64,
    /// Audio was decoded and none of it reaches [`SILENCE_DBFS`].
    pub silent: bool,
}

/// Accumulates mean squares over 10 ms windows while the decode runs.
#[derive(Default)]
pub(super) struct Meter {
    window: usize,
    rate: u32,
    /// Frames still to skip (the encoder's priming).
    skip: u64,
    sum: f64,
    n: usize,
    windows: Vec<f32>,
    frames: u64,
    peak: f32,
    /// When set, every frame (channels averaged) is kept here too.
    pub(super) keep: Option<Vec<f32>>,
}

impl Meter {
    /// The decoded rate in frames per second.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn start(&mut self, rate: u32, priming_ms: u64) {
        self.rate = rate.max(1);
        self.window = (self.rate as usize / 100).max(1);
        self.skip = priming_ms * u64::from(self.rate) / 1000;
    }

    /// Interleaved samples of `channels` channels.
    pub fn add(&mut self, samples: &[f32], channels: usize) {
        for frame in samples.chunks_exact(channels) {
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            let mut sq = 0.0f32;
            for s in frame {
                sq += s * s;
                self.peak = self.peak.max(s.abs());
            }
            if let Some(keep) = &mut self.keep {
                keep.push(frame.iter().sum::<f32>() / channels as f32);
            }
            self.sum += f64::from(sq / channels as f32);
            self.n += 1;
            self.frames += 1;
            if self.n == self.window {
                self.windows.push((self.sum / self.n as f64) as f32);
                (self.sum, self.n) = (0.0, 0);
            }
        }
    }

    pub fn finish(mut self, decoded: Decoded, buckets: usize) -> Envelope {
        if self.n > 0 {
            self.windows.push((self.sum / self.n as f64) as f32);
        }
        let w = self.windows.len();
        let levels = if w == 0 {
            Vec::new()
        } else {
            (0..buckets)
                .map(|i| {
                    let start = i * w / buckets;
                    let end = ((i + 1) * w / buckets).max(start + 1).min(w);
                    let slice = &self.windows[start.min(w - 1)..end.max(start.min(w - 1) + 1)];
                    let mean = slice.iter().map(|m| f64::from(*m)).sum::<f64>() / slice.len() as f64;
                    db(10.0 * mean.log10())
                })
                .collect()
        };
        let duration_ms = match decoded {
            Decoded::Whole { duration_ms } => duration_ms,
            Decoded::Failed { at_ms, .. } => at_ms,
            Decoded::Unsupported { .. } => self.frames * 1000 / u64::from(self.rate.max(1)),
        };
        let peak_dbfs = db(20.0 * f64::from(self.peak).log10());
        Envelope {
            decoded,
            levels_dbfs: levels,
            peak_dbfs,
            duration_ms,
            silent: self.frames > 0 && peak_dbfs < SILENCE_DBFS,
        }
    }
}

fn db(v: f64) -> f32 {
    if v.is_finite() { (v as f32).max(FLOOR_DBFS) } else { FLOOR_DBFS }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter(samples: &[f32], buckets: usize) -> Envelope {
        let mut m = Meter::default();
        m.start(1000, 0);
        m.add(samples, 1);
        m.finish(Decoded::Unsupported { what: String::new() }, buckets)
    }

    #[test]
    fn levels_follow_the_audio_and_silence_is_named() {
        // 1 s at 1 kHz: half a second of full-scale square wave, then silence
        let mut s: Vec<f32> = (0..500).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        s.extend(std::iter::repeat_n(0.0, 500));
        let e = meter(&s, 4);
        assert_eq!(e.levels_dbfs.len(), 4);
        assert!(e.levels_dbfs[0].abs() < 0.01 && e.levels_dbfs[1].abs() < 0.01, "{:?}", e.levels_dbfs);
        assert_eq!(&e.levels_dbfs[2..], &[FLOOR_DBFS, FLOOR_DBFS]);
        assert!(!e.silent);
        assert_eq!(e.duration_ms, 1000);
        let quiet = meter(&[0.0005; 100], 3);
        assert!(quiet.silent && quiet.peak_dbfs < SILENCE_DBFS);
        // more buckets than 10 ms windows: each still shows a level
        assert_eq!(meter(&[0.5; 30], 8).levels_dbfs.len(), 8);
        assert!(meter(&[], 8).levels_dbfs.is_empty() && !meter(&[], 8).silent);
    }
}
