//! WAV (RIFF and RF64) as real encoders write it (SPEC §3): sizes from `ds64`
//! in RF64, headers a streaming writer never finalised, and the duration of
//! non-PCM codecs from the `fact` chunk.

use std::io;

use super::{MAX_ENTRIES, Probe, ReadAt, fourcc, le16, le32, le64, millis};
use crate::core::fmt::group;

/// The size SoX and espeak-ng write into a header when they stream to a pipe
/// and cannot come back to fix it (`0x7FFFF000`); anything at least this
/// large that runs past the end of the file is such a placeholder.
const PLACEHOLDER: u64 = 0x7FFF_F000;

/// WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT and WAVE_FORMAT_EXTENSIBLE.
const PCM: u16 = 1;
const FLOAT: u16 = 3;
const EXTENSIBLE: u16 = 0xFFFE;

/// What the `fmt ` chunk says about the audio.
#[derive(Clone, Copy)]
struct Format {
    /// The codec: the format tag, or an extensible file's sub-format.
    codec: u16,
    sample_rate: u32,
    byte_rate: u32,
}

impl Format {
    /// PCM and float: the byte rate gives the duration exactly; other codecs
    /// (ADPCM, GSM, µ-law, …) need the `fact` chunk's sample count.
    fn is_plain(self) -> bool {
        matches!(self.codec, PCM | FLOAT)
    }
}

/// RIFF/WAVE or RF64/WAVE: a `fmt ` chunk and a `data` chunk whose declared
/// size fits. Reads chunk headers only, never the audio.
pub fn probe_wav(r: &impl ReadAt) -> io::Result<Probe> {
    let len = r.size();
    let mut head = [0u8; 12];
    if !r.read_exact_at(&mut head, 0)? || &head[8..12] != b"WAVE" {
        return Ok(Probe::incomplete("no RIFF/WAVE header"));
    }
    let rf64 = match &head[0..4] {
        b"RIFF" => false,
        b"RF64" | b"BW64" => true,
        _ => return Ok(Probe::incomplete("no RIFF/WAVE header")),
    };
    // ds64: (data size, sample count), the 64-bit sizes of an RF64 file.
    let mut ds64: Option<(u64, u64)> = None;
    let mut format: Option<Format> = None;
    let mut fact: Option<u32> = None;
    // The data chunk: its size, once it is known to fit.
    let mut data: Option<u64> = None;
    let mut offset = 12u64;
    for _ in 0..MAX_ENTRIES {
        let done = data.is_some() && format.is_some_and(|f| f.is_plain() || fact.is_some());
        let mut ch = [0u8; 8];
        if done || !r.read_exact_at(&mut ch, offset)? {
            break;
        }
        let size = u64::from(le32(&ch[4..8]));
        let body = offset + 8;
        match &ch[0..4] {
            b"ds64" if rf64 && ds64.is_none() => {
                let mut b = [0u8; 24];
                if size < 24 || !r.read_exact_at(&mut b, body)? {
                    return Ok(Probe::incomplete("ds64 chunk is cut short"));
                }
                ds64 = Some((le64(&b[8..16]), le64(&b[16..24])));
            }
            b"fmt " if format.is_none() => {
                let mut b = [0u8; 26];
                let want = if size >= 26 { 26 } else { 16 };
                if size < 16 || !r.read_exact_at(&mut b[..want], body)? {
                    return Ok(Probe::incomplete("fmt chunk is cut short"));
                }
                let tag = le16(&b[0..2]);
                // WAVE_FORMAT_EXTENSIBLE: the codec is the sub-format GUID's
                // first two bytes (…-0000-0010-8000-00aa00389b71).
                let codec = if tag == EXTENSIBLE && want == 26 { le16(&b[24..26]) } else { tag };
                format = Some(Format { codec, sample_rate: le32(&b[4..8]), byte_rate: le32(&b[8..12]) });
            }
            b"fact" if fact.is_none() && size >= 4 => {
                let mut b = [0u8; 4];
                if r.read_exact_at(&mut b, body)? {
                    fact = Some(le32(&b));
                }
            }
            b"data" if data.is_none() => {
                let after = len - body.min(len);
                let declared = match ds64 {
                    Some((size64, _)) if rf64 && size == u64::from(u32::MAX) => size64,
                    _ => size,
                };
                if let Some(reason) = unfinalised(rf64, size, declared, after) {
                    return Ok(Probe::incomplete(reason));
                }
                if declared > after {
                    return Ok(Probe::incomplete(format!(
                        "data chunk declares {} bytes, file has {}",
                        group(declared),
                        group(after)
                    )));
                }
                if declared == 0 {
                    return Ok(Probe::incomplete("no audio: the data chunk is empty"));
                }
                data = Some(declared);
                // The audio may be the last thing in the file, its pad byte
                // left out; a fact chunk after it is read when there is one.
                offset = body + declared + (declared & 1);
                continue;
            }
            _ => {}
        }
        offset = body + size + (size & 1);
        if offset > len {
            if data.is_some() {
                break; // a chunk after the audio is cut: the audio is whole
            }
            return Ok(Probe::incomplete(format!(
                "chunk '{}' declares {} bytes, past the end of the file",
                fourcc(&ch[0..4]),
                group(size)
            )));
        }
    }
    let (Some(format), Some(data)) = (format, data) else {
        return Ok(Probe::incomplete(if format.is_none() {
            "no fmt chunk before the end of the file"
        } else {
            "no data chunk before the end of the file"
        }));
    };
    // RF64 keeps a sample count too large for `fact` in ds64.
    let samples = match (fact, ds64) {
        (Some(u32::MAX), Some((_, count))) if rf64 => Some(count),
        (Some(count), _) => Some(u64::from(count)),
        (None, _) => None,
    };
    let duration_ms = match samples {
        Some(count) if !format.is_plain() && format.sample_rate > 0 => millis(count, u64::from(format.sample_rate)),
        _ => millis(data, u64::from(format.byte_rate)),
    };
    Ok(Probe::Complete { duration_ms })
}

/// The reason a data chunk's size shows a header that was never finalised:
/// the writer streamed to a pipe, or was killed before it came back to it.
/// `field` is the 32-bit size field, `declared` the size it stands for.
fn unfinalised(rf64: bool, field: u64, declared: u64, after: u64) -> Option<String> {
    if after == 0 {
        return None;
    }
    let follow = group(after);
    if rf64 && field == u64::from(u32::MAX) && declared == 0 {
        return Some(format!("RF64 header was never finalised: its ds64 sizes are 0, {follow} bytes follow"));
    }
    if field == 0 || (!rf64 && field == u64::from(u32::MAX)) {
        let shown = if field == 0 { "0" } else { "0xFFFFFFFF" };
        return Some(format!("data chunk size was never finalised ({shown}), {follow} bytes follow"));
    }
    if declared >= PLACEHOLDER && declared > after {
        return Some(format!(
            "header was never finalised: the data chunk keeps a streaming placeholder of {} bytes, {follow} follow",
            group(declared)
        ));
    }
    None
}
