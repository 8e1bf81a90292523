//! The `moof` fragments of a fragmented M4A: how many samples they add and
//! how long the audio track's runs last. Each `moof` is read with one read;
//! the `mdat`s between them are never touched.

use std::io;

use super::bmff::{BoxAt, Budget, Movie, body, list};
use super::{ReadAt, Window, be32};

/// What the fragments hold: samples of any track, and the audio track's
/// total sample duration (None when a run's durations cannot be known).
pub(super) struct Fragments {
    pub samples: u64,
    pub duration: Option<u64>,
    /// A run could not be read: its samples are unknown.
    pub malformed: bool,
}

/// Walks the `moof` boxes (each read with one read; the `mdat`s between them
/// are never touched), summing `trun` sample counts and, for `track`, their
/// durations with defaults from `tfhd` and `trex`. With `until_samples`, stops
/// at the first fragment that holds a sample.
pub(super) fn read_fragments(
    r: &impl ReadAt,
    moofs: &[(u64, u64)],
    movie: &Movie,
    track: Option<u32>,
    until_samples: bool,
) -> io::Result<Fragments> {
    let mut out = Fragments { samples: 0, duration: Some(0), malformed: false };
    for &(start, end) in moofs {
        // Each fragment has its own bound: a long file has many.
        let budget = &mut Budget::new();
        let w = Window::new(r, start, end)?;
        for traf in list(&w, start, end, budget)?.into_iter().filter(|b| &b.name == b"traf") {
            read_traf(&w, traf, movie, track, &mut out, budget)?;
        }
        if until_samples && (out.samples > 0 || out.malformed) {
            break;
        }
    }
    Ok(out)
}

fn read_traf(
    r: &impl ReadAt,
    traf: BoxAt,
    movie: &Movie,
    track: Option<u32>,
    out: &mut Fragments,
    budget: &mut Budget,
) -> io::Result<()> {
    // (track id, default sample duration) from tfhd, which comes first.
    let mut tfhd: Option<(u32, Option<u32>)> = None;
    for b in list(r, traf.body, traf.end, budget)? {
        match &b.name {
            b"tfhd" => {
                let Some(h) = body::<24>(r, b)? else { continue };
                let flags = be32(&h[0..4]) & 0x00FF_FFFF;
                // base-data-offset (8 bytes) and sample-description-index (4) precede it
                let at = 8 + if flags & 0x1 != 0 { 8 } else { 0 } + if flags & 0x2 != 0 { 4 } else { 0 };
                let default = (flags & 0x8 != 0 && b.end - b.body >= at as u64 + 4).then(|| be32(&h[at..at + 4]));
                tfhd = Some((be32(&h[4..8]), default));
            }
            b"trun" => {
                let Some((id, default)) = tfhd else { continue };
                let Some((count, listed)) = read_trun(r, b)? else {
                    (out.duration, out.malformed) = (None, true);
                    continue;
                };
                out.samples = out.samples.saturating_add(count);
                if Some(id) == track && count > 0 {
                    let per_sample = default.or_else(|| movie.default_duration(id)).filter(|d| *d > 0);
                    let run = listed.or_else(|| per_sample.map(|d| count * u64::from(d)));
                    out.duration = out.duration.zip(run).map(|(sum, run)| sum.saturating_add(run));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A `trun`'s sample count and, when it lists them, the sum of its sample
/// durations. None when the box is malformed.
fn read_trun(r: &impl ReadAt, b: BoxAt) -> io::Result<Option<(u64, Option<u64>)>> {
    let Some(h) = body::<8>(r, b)? else { return Ok(None) };
    if b.end - b.body < 8 {
        return Ok(None);
    }
    let flags = be32(&h[0..4]) & 0x00FF_FFFF;
    let count = u64::from(be32(&h[4..8]));
    // data offset, first sample flags: 4 bytes each when present
    let at = b.body + 8 + if flags & 0x1 != 0 { 4 } else { 0 } + if flags & 0x4 != 0 { 4 } else { 0 };
    // duration, size, flags, composition offset: 4 bytes each when present
    let entry = 4 * u64::from((flags & 0xF00).count_ones());
    if at > b.end || count.saturating_mul(entry) > b.end - at {
        return Ok(None);
    }
    if flags & 0x100 == 0 {
        return Ok(Some((count, None)));
    }
    // The durations are the first field of each entry; read in slices so a
    // huge (hostile) run never needs a huge buffer.
    let per_read = (16 * 1024 / entry).max(1);
    let mut total = 0u64;
    let mut done = 0u64;
    let mut buf = vec![0u8; (per_read.min(count) * entry) as usize];
    while done < count {
        let n = per_read.min(count - done);
        let slice = &mut buf[..(n * entry) as usize];
        if !r.read_exact_at(slice, at + done * entry)? {
            return Ok(None);
        }
        total = slice.chunks_exact(entry as usize).fold(total, |t, e| t.saturating_add(u64::from(be32(&e[0..4]))));
        done += n;
    }
    Ok(Some((count, Some(total))))
}
