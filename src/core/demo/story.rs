//! The causes planted in a demo dump, so that it tells a story (SPEC §9):
//!
//! * **A crash burst.** Voice [`BURST_VOICE`]'s synthesis crashed over and
//!   over between 10:02 and 10:05 UTC on 2026-02-13: files written then
//!   whose registration never ran (orphans), WAVs cut mid-write and partial
//!   `.m4a.tmp` files, whose rows all say that voice.
//! * **A compression week.** From Monday 2026-03-16 for a week, the
//!   compression service wrote m4a files but never updated the table: those
//!   rows still say `wav`.
//! * **Noise.** Ghost rows, size mismatches and redundant files are spread
//!   evenly over the dump's 90 days and over the voices: no finding.
//!
//! One in ten of the burst's and the week's keys lies outside them (the
//! 10th, 20th, … of each shape), so a finding says "36 of 40", not always
//! "all". Everything is derived from values already drawn: no extra random
//! draws, so a seed gives the same dump on every machine.

use super::Shape;

/// 2026-01-29 00:00 UTC, the day of the app team's design notes, in epoch ms.
pub const BASE_MS: i64 = 1_769_644_800_000;
/// The dump covers about a quarter: 90 days from [`BASE_MS`].
pub const SPAN_MS: i64 = 90 * DAY;
pub const VOICES: [&str; 4] = ["en-US-amy", "en-GB-brian", "de-DE-katja", "fr-FR-denise"];

const DAY: i64 = 86_400_000;
/// 2026-02-13 10:02 UTC, for three minutes.
pub const BURST_MS: i64 = BASE_MS + 15 * DAY + (10 * 60 + 2) * 60_000;
pub const BURST_LEN_MS: i64 = 3 * 60_000;
pub const BURST_VOICE: &str = VOICES[0];
/// Monday 2026-03-16 00:00 UTC, for seven days.
pub const WEEK_MS: i64 = BASE_MS + 46 * DAY;
pub const WEEK_LEN_MS: i64 = 7 * DAY;

/// One key as the story places it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// `created_at` of the row, and the mtime of the key's files.
    pub time: i64,
    pub voice: &'static str,
    /// For a state mismatch: what the row says.
    pub mismatch_state: &'static str,
}

/// Counts each shape's keys, to tell the cause's keys from the stray tenth
/// and to spread the noise evenly.
#[derive(Debug, Default)]
pub(super) struct Story {
    seen: [u64; super::SHAPES],
}

/// Golden-ratio steps: any n of them are spread evenly over [0, 1).
fn spread(n: u64, offset: f64) -> f64 {
    (offset + n as f64 * 0.618_033_988_749_895).fract()
}

impl Story {
    /// Where a key of `shape` goes, from its randomly drawn time and voice.
    pub(super) fn place(&mut self, shape: Shape, time: i64, voice: &'static str) -> Placed {
        let n = self.seen[shape as usize];
        self.seen[shape as usize] += 1;
        let offset = time - BASE_MS;
        let outside = n % 10 == 9;
        let mut placed = Placed { time, voice, mismatch_state: "compressing" };
        match shape {
            Shape::Orphan | Shape::Truncated | Shape::Partial if !outside => {
                placed.time = BURST_MS + offset.rem_euclid(BURST_LEN_MS);
                placed.voice = BURST_VOICE;
            }
            Shape::StateMismatch if !outside => {
                placed.time = WEEK_MS + offset.rem_euclid(WEEK_LEN_MS);
                placed.mismatch_state = "wav";
            }
            Shape::Ghost | Shape::SizeMismatch | Shape::Redundant => {
                let lane = shape as u64;
                placed.time = BASE_MS + (spread(n, lane as f64 * 0.29) * SPAN_MS as f64) as i64;
                // Ghosts share their kind with the burst's cut WAVs (rows
                // without a complete file): they keep off the burst's voice.
                placed.voice = if shape == Shape::Ghost {
                    VOICES[1 + (n % 3) as usize]
                } else {
                    VOICES[((n + lane) % 4) as usize]
                };
            }
            _ => {}
        }
        placed
    }
}
