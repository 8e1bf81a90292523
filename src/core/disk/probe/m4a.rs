//! M4A (ISO-BMFF) as real encoders write it (SPEC §3): whole when `ftyp`
//! comes first, every top-level box fits, and a `moov` and an `mdat` exist;
//! with no audio when no track has a sample; the duration from `mvhd`, else
//! (fragmented files) from `mehd` or the fragments' runs.

use std::io;

use super::bmff::{self, Budget, Movie, Track};
use super::{Probe, ReadAt, fourcc, millis};
use super::{fragments, tables};
use crate::core::fmt::group;

/// Top-level boxes walked at most: a fragmented file has two per fragment.
const MAX_TOP: usize = 1 << 20;

/// ISO-BMFF: `ftyp` first, every top-level box fits, `moov` and `mdat` exist,
/// and the movie holds audio. Reads box headers and the `moov` (and, only for
/// a fragmented file that needs them, the `moof`s), never the samples.
pub fn probe_m4a(r: &impl ReadAt) -> io::Result<Probe> {
    let len = r.size();
    let mut offset = 0u64;
    let mut moov = None::<(u64, u64)>;
    let (mut mdats, mut mdat_bytes) = (0usize, 0u64);
    let mut moofs = Vec::new();
    for index in 0.. {
        if offset == len {
            break;
        }
        if index == MAX_TOP {
            return Ok(Probe::incomplete("too many top-level boxes"));
        }
        let Some((b, size)) = bmff::header(r, offset, len)? else {
            return Ok(Probe::incomplete(format!("box header at offset {} is cut short", group(offset))));
        };
        if index == 0 && &b.name != b"ftyp" {
            return Ok(Probe::incomplete("first box is not 'ftyp'"));
        }
        if size < b.body - b.start {
            return Ok(Probe::incomplete(format!(
                "box '{}' at offset {} declares an impossible size {}",
                fourcc(&b.name),
                group(offset),
                size
            )));
        }
        if size > len - offset {
            return Ok(Probe::incomplete(format!(
                "box '{}' declares {} bytes, file has {} from its start",
                fourcc(&b.name),
                group(size),
                group(len - offset)
            )));
        }
        match &b.name {
            b"moov" if moov.is_none() => moov = Some((b.body, b.end)),
            b"mdat" => {
                mdats += 1;
                mdat_bytes = mdat_bytes.saturating_add(b.end - b.body);
            }
            b"moof" => moofs.push((b.body, b.end)),
            _ => {}
        }
        offset = b.end;
    }
    let Some((start, end)) = moov else { return Ok(Probe::incomplete("no 'moov' box")) };
    if mdats == 0 {
        return Ok(Probe::incomplete("no 'mdat' box"));
    }
    let movie = bmff::read_moov(r, start, end, &mut Budget::new())?;
    if let Some(reason) = no_audio(r, &movie, &moofs, mdat_bytes)? {
        return Ok(Probe::incomplete(reason));
    }
    Ok(Probe::Complete { duration_ms: duration(r, &movie, &moofs)? })
}

/// Why a whole container holds no audio, if it does not: its tracks have no
/// samples and no fragment adds any. A movie with no track at all (the
/// minimal layout of earlier synthetic dumps) holds audio unless it also has
/// no duration and empty `mdat`s, as ffmpeg leaves a file it wrote no sample to.
fn no_audio(r: &impl ReadAt, movie: &Movie, moofs: &[(u64, u64)], mdat_bytes: u64) -> io::Result<Option<String>> {
    if movie.tracks.is_empty() {
        let empty = moofs.is_empty() && mdat_bytes == 0 && movie.duration.unwrap_or(0) == 0;
        return Ok(empty.then(|| "no audio: the movie has no track, no duration and an empty mdat".to_string()));
    }
    if !movie.tracks.iter().all(Track::is_empty) {
        return Ok(None);
    }
    if !moofs.is_empty() {
        let fragments = fragments::read_fragments(r, moofs, movie, None, true)?;
        if fragments.samples > 0 || fragments.malformed {
            return Ok(None);
        }
    }
    Ok(Some("no audio: no track has samples".to_string()))
}

/// SPEC §3's duration: `mvhd`; when that is 0 (or unknown) and the file is
/// fragmented, `mehd`, else the audio track's fragment runs; when it is 0 in
/// a plain file, the audio track's own (`mdhd`, else `stts`). Never `Some(0)`.
fn duration(r: &impl ReadAt, movie: &Movie, moofs: &[(u64, u64)]) -> io::Result<Option<u64>> {
    let ms = |units: Option<u64>, scale: u32| units.and_then(|u| millis(u, u64::from(scale))).filter(|ms| *ms > 0);
    if let Some(ms) = ms(movie.duration, movie.timescale) {
        return Ok(Some(ms));
    }
    let audio = movie.audio_track();
    if movie.fragmented || !moofs.is_empty() {
        if let Some(ms) = ms(movie.mehd, movie.timescale) {
            return Ok(Some(ms));
        }
        let Some(track) = audio.filter(|_| !moofs.is_empty()) else { return Ok(None) };
        let runs = fragments::read_fragments(r, moofs, movie, Some(track.id), false)?;
        return Ok(ms(runs.duration, track.timescale));
    }
    let Some(track) = audio else { return Ok(None) };
    match ms(track.duration, track.timescale) {
        Some(ms) => Ok(Some(ms)),
        None => Ok(ms(track.stts_total(r)?, track.timescale)),
    }
}

/// What a decoder needs to know about an M4A beyond what it reads itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M4aFacts {
    /// The audio track's sample entry type (`mp4a`, `alac`, …).
    pub codec: Option<[u8; 4]>,
    /// Where the presentation starts, in ms: the priming samples an AAC
    /// encoder puts first and an edit list tells players to skip. Only an
    /// edit with a duration counts (a fragmented file's edit of duration 0
    /// is left alone, as ffprobe does).
    pub priming_ms: Option<u64>,
    /// A box or sample table in the `moov` whose size lies: a decoder that
    /// trusts it could ask for gigabytes.
    pub lying_table: Option<String>,
}

/// The facts of an M4A's `moov` (None when there is no readable `moov`).
pub fn m4a_facts(r: &impl ReadAt) -> io::Result<Option<M4aFacts>> {
    let len = r.size();
    let mut offset = 0u64;
    for _ in 0..MAX_TOP {
        let Some((b, size)) = bmff::header(r, offset, len)? else { return Ok(None) };
        if size < b.body - b.start || size > len - offset {
            return Ok(None);
        }
        if &b.name == b"moov" {
            let movie = bmff::read_moov(r, b.body, b.end, &mut Budget::new())?;
            let track = movie.audio_track();
            return Ok(Some(M4aFacts {
                codec: track.and_then(|t| t.codec),
                priming_ms: track.and_then(|t| match t.edit {
                    Some((duration, media)) if duration > 0 => millis(media, u64::from(t.timescale)),
                    _ => None,
                }),
                lying_table: tables::lying_table(r, b.body, b.end)?,
            }));
        }
        offset = b.end;
    }
    Ok(None)
}
