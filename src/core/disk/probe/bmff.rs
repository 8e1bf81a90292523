//! ISO-BMFF boxes inside an M4A: what the `moov` says about its tracks, and
//! what the `moof` fragments add. Only box headers and the few small boxes
//! that carry counts and durations are read, never the samples.

use std::io;

use super::{ReadAt, Window, be32, be64};

/// A box: its type, and where its body starts and ends.
#[derive(Clone, Copy)]
pub(super) struct BoxAt {
    pub name: [u8; 4],
    pub start: u64,
    pub body: u64,
    pub end: u64,
}

/// Reads a box header at `offset` within a parent ending at `limit`: None when
/// the header is cut short. The size may still lie; callers check it.
pub(super) fn header(r: &impl ReadAt, offset: u64, limit: u64) -> io::Result<Option<(BoxAt, u64)>> {
    let mut h = [0u8; 16];
    if limit.saturating_sub(offset) < 8 || !r.read_exact_at(&mut h[..8], offset)? {
        return Ok(None);
    }
    let name = [h[4], h[5], h[6], h[7]];
    let (header, size) = match be32(&h[0..4]) {
        0 => (8, limit - offset),
        1 => {
            if limit - offset < 16 || !r.read_exact_at(&mut h[8..16], offset + 8)? {
                return Ok(None);
            }
            (16, be64(&h[8..16]))
        }
        n => (8, u64::from(n)),
    };
    let at = BoxAt { name, start: offset, body: offset + header, end: offset.saturating_add(size) };
    Ok(Some((at, size)))
}

/// Shared bound on the boxes one probe visits below the top level.
pub(super) struct Budget(usize);

impl Budget {
    pub fn new() -> Budget {
        Budget(super::MAX_ENTRIES * 4)
    }
    fn take(&mut self) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 > 0
    }
}

/// The well-formed children of the body `[start, end)`, up to the first
/// child whose size does not fit its parent.
pub(super) fn list(r: &impl ReadAt, start: u64, end: u64, budget: &mut Budget) -> io::Result<Vec<BoxAt>> {
    let mut out = Vec::new();
    let mut offset = start;
    while offset < end && budget.take() {
        let Some((child, size)) = header(r, offset, end)? else { break };
        if size < child.body - child.start || child.end > end {
            break;
        }
        out.push(child);
        offset = child.end;
    }
    Ok(out)
}

/// The children of `parent` named `name`.
fn named(r: &impl ReadAt, parent: BoxAt, name: &[u8; 4], budget: &mut Budget) -> io::Result<Vec<BoxAt>> {
    let mut all = list(r, parent.body, parent.end, budget)?;
    all.retain(|b| &b.name == name);
    Ok(all)
}

/// Reads up to `N` bytes of a box body (fewer when the box is shorter).
pub(super) fn body<const N: usize>(r: &impl ReadAt, b: BoxAt) -> io::Result<Option<[u8; N]>> {
    let mut buf = [0u8; N];
    let n = (b.end - b.body).min(N as u64) as usize;
    Ok(r.read_exact_at(&mut buf[..n], b.body)?.then_some(buf))
}

/// `(timescale, duration)` of an `mvhd` or `mdhd` (version 0 or 1); an
/// all-ones duration means "unknown".
fn header_duration(r: &impl ReadAt, b: BoxAt) -> io::Result<Option<(u32, Option<u64>)>> {
    let Some(h) = body::<32>(r, b)? else { return Ok(None) };
    let size = b.end - b.body;
    Ok(match h[0] {
        1 if size >= 32 => {
            let d = be64(&h[24..32]);
            Some((be32(&h[20..24]), (d != u64::MAX).then_some(d)))
        }
        0 if size >= 20 => {
            let d = be32(&h[16..20]);
            Some((be32(&h[12..16]), (d != u32::MAX).then_some(u64::from(d))))
        }
        _ => None,
    })
}

/// One `trak`, as far as its boxes could be read.
#[derive(Default, Clone)]
pub(super) struct Track {
    pub id: u32,
    pub audio: bool,
    pub timescale: u32,
    pub duration: Option<u64>,
    /// Sample count from `stsz`/`stz2`.
    pub samples: Option<u64>,
    /// The `stts` box, for its entry count and (when needed) its total.
    stts: Option<BoxAt>,
    pub stts_entries: Option<u32>,
    /// The first edit that shows media (`edts/elst`): its duration in the
    /// movie timescale and where it starts in the track's (the encoder's
    /// priming samples, which players skip).
    pub edit: Option<(u64, u64)>,
    /// The first sample entry's type (`mp4a`, `alac`, …).
    pub codec: Option<[u8; 4]>,
}

impl Track {
    /// Known to hold no sample: a sample count of 0, or an empty `stts`.
    pub fn is_empty(&self) -> bool {
        self.samples == Some(0) || self.stts_entries == Some(0)
    }
    /// The sum of the `stts` sample durations, in the track's timescale.
    pub fn stts_total(&self, r: &impl ReadAt) -> io::Result<Option<u64>> {
        const MAX_STTS: u64 = 1 << 16;
        let (Some(b), Some(n)) = (self.stts, self.stts_entries) else { return Ok(None) };
        let n = u64::from(n);
        if n == 0 || n > MAX_STTS || 8 + n * 8 > b.end - b.body {
            return Ok(None);
        }
        let mut table = vec![0u8; (n * 8) as usize];
        if !r.read_exact_at(&mut table, b.body + 8)? {
            return Ok(None);
        }
        let total = table
            .chunks_exact(8)
            .fold(0u64, |t, e| t.saturating_add(u64::from(be32(&e[0..4])) * u64::from(be32(&e[4..8]))));
        Ok(Some(total))
    }
}

/// What a `moov` says about the movie.
#[derive(Default)]
pub(super) struct Movie {
    pub timescale: u32,
    pub duration: Option<u64>,
    pub tracks: Vec<Track>,
    /// `mvex` present: the file is meant to carry `moof` fragments.
    pub fragmented: bool,
    pub mehd: Option<u64>,
    /// `trex`: (track id, default sample duration).
    pub trex: Vec<(u32, u32)>,
}

/// Tracks beyond this many are not looked at (an audio file has one).
const MAX_TRACKS: usize = 64;

impl Movie {
    /// The track whose fragments give the duration: the first sound track,
    /// else the first track.
    pub fn audio_track(&self) -> Option<&Track> {
        self.tracks.iter().find(|t| t.audio).or(self.tracks.first())
    }
    pub fn default_duration(&self, track: u32) -> Option<u32> {
        self.trex.iter().find(|(id, _)| *id == track).map(|(_, d)| *d)
    }
}

/// Reads the `moov` body `[start, end)` with one read when it is small.
pub(super) fn read_moov(r: &impl ReadAt, start: u64, end: u64, budget: &mut Budget) -> io::Result<Movie> {
    let w = Window::new(r, start, end)?;
    let mut movie = Movie::default();
    for b in list(&w, start, end, budget)? {
        match &b.name {
            b"mvhd" => {
                if let Some((scale, duration)) = header_duration(&w, b)? {
                    (movie.timescale, movie.duration) = (scale, duration);
                }
            }
            b"trak" if movie.tracks.len() < MAX_TRACKS => movie.tracks.push(read_trak(&w, b, budget)?),
            b"mvex" => {
                movie.fragmented = true;
                read_mvex(&w, b, &mut movie, budget)?;
            }
            _ => {}
        }
    }
    Ok(movie)
}

fn read_trak(r: &impl ReadAt, trak: BoxAt, budget: &mut Budget) -> io::Result<Track> {
    let mut t = Track::default();
    let mut minf = Vec::new();
    for b in list(r, trak.body, trak.end, budget)? {
        match &b.name {
            b"tkhd" => {
                if let Some(h) = body::<24>(r, b)? {
                    // track_ID follows the creation and modification times.
                    t.id = if h[0] == 1 { be32(&h[20..24]) } else { be32(&h[12..16]) };
                }
            }
            b"edts" => {
                for elst in named(r, b, b"elst", budget)? {
                    t.edit = first_edit(r, elst)?;
                }
            }
            b"mdia" => {
                for m in list(r, b.body, b.end, budget)? {
                    match &m.name {
                        b"mdhd" => {
                            if let Some((scale, duration)) = header_duration(r, m)? {
                                (t.timescale, t.duration) = (scale, duration);
                            }
                        }
                        b"hdlr" => t.audio = body::<12>(r, m)?.is_some_and(|h| &h[8..12] == b"soun"),
                        b"minf" => minf.push(m),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for m in minf {
        for stbl in named(r, m, b"stbl", budget)? {
            for b in list(r, stbl.body, stbl.end, budget)? {
                match &b.name {
                    // version/flags, sample_size (stsz) or field size (stz2), sample_count
                    b"stsz" | b"stz2" => t.samples = body::<12>(r, b)?.map(|h| u64::from(be32(&h[8..12]))),
                    // version/flags, entry count, then the first entry's size and type
                    b"stsd" => t.codec = body::<16>(r, b)?.map(|h| [h[12], h[13], h[14], h[15]]),
                    b"stts" => {
                        t.stts = Some(b);
                        t.stts_entries = body::<8>(r, b)?.map(|h| be32(&h[4..8]));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(t)
}

/// The first entry of an `elst` whose media time is not -1 (an empty edit).
fn first_edit(r: &impl ReadAt, elst: BoxAt) -> io::Result<Option<(u64, u64)>> {
    let Some(h) = body::<8>(r, elst)? else { return Ok(None) };
    let (version, count) = (h[0], be32(&h[4..8]));
    let entry: u64 = if version == 1 { 20 } else { 12 };
    for i in 0..u64::from(count.min(4)) {
        let at = elst.body + 8 + i * entry;
        let mut e = [0u8; 16];
        let n = if version == 1 { 16 } else { 8 };
        if at + entry > elst.end || !r.read_exact_at(&mut e[..n], at)? {
            return Ok(None);
        }
        let (duration, media) = if version == 1 {
            (be64(&e[0..8]), be64(&e[8..16]) as i64)
        } else {
            (u64::from(be32(&e[0..4])), i64::from(be32(&e[4..8]) as i32))
        };
        if media >= 0 {
            return Ok(Some((duration, media as u64)));
        }
    }
    Ok(None)
}

fn read_mvex(r: &impl ReadAt, mvex: BoxAt, movie: &mut Movie, budget: &mut Budget) -> io::Result<()> {
    for b in list(r, mvex.body, mvex.end, budget)? {
        match &b.name {
            b"mehd" => {
                movie.mehd = body::<12>(r, b)?.and_then(|h| match h[0] {
                    1 if b.end - b.body >= 12 => Some(be64(&h[4..12])),
                    0 if b.end - b.body >= 8 => Some(u64::from(be32(&h[4..8]))),
                    _ => None,
                });
            }
            // version/flags, track_ID, default_sample_description_index, default_sample_duration
            b"trex" if movie.trex.len() < MAX_TRACKS => {
                if b.end - b.body >= 16
                    && let Some(h) = body::<16>(r, b)?
                {
                    movie.trex.push((be32(&h[4..8]), be32(&h[12..16])));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
