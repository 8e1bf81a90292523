//! What symphonia does not say about a file but a user should hear: which
//! codec it could not decode, and whether an AAC stream signals HE-AAC.

use std::io;

use crate::core::disk::probe::{ReadAt, m4a_facts};
use crate::core::fmt::escaped_bytes;
use crate::core::model::Encoding;

/// The container facts read before decoding.
pub(super) struct Header {
    rf64: bool,
    /// WAV: the `fmt ` format tag (and an extensible file's sub-format).
    wav_format: Option<(u16, Option<u16>)>,
    /// M4A: the audio sample entry's type.
    m4a_codec: Option<[u8; 4]>,
    pub priming_ms: u64,
    /// A size in the container that would make the decoder ask for far
    /// more memory than the file holds.
    pub hazard: Option<String>,
}

impl Header {
    pub fn read(r: &impl ReadAt, encoding: Encoding) -> io::Result<Header> {
        let mut h = Header { rf64: false, wav_format: None, m4a_codec: None, priming_ms: 0, hazard: None };
        match encoding {
            Encoding::Wav => {
                let mut head = [0u8; 12];
                if r.read_exact_at(&mut head, 0)? {
                    h.rf64 = matches!(&head[0..4], b"RF64" | b"BW64");
                }
                (h.wav_format, h.hazard) = wav_format(r)?;
            }
            Encoding::M4a => {
                if let Some(m) = m4a_facts(r)? {
                    h.m4a_codec = m.codec;
                    h.priming_ms = m.priming_ms.unwrap_or(0);
                    h.hazard = m.lying_table.map(|why| format!("malformed container: {why}"));
                }
            }
        }
        Ok(h)
    }

    /// What the decoder lacks, for a user: the container or codec by name,
    /// then symphonia's own words.
    pub fn unsupported(&self, why: &str) -> String {
        let what = if self.rf64 {
            "RF64 (64-bit WAV) files".to_string()
        } else if let Some((tag, sub)) = self.wav_format {
            let name = |t: u16| wav_codec(t).map_or_else(|| format!("WAV format tag 0x{t:04X}"), str::to_string);
            match sub {
                Some(s) => format!("{} (extensible WAV)", name(s)),
                None => name(tag),
            }
        } else if let Some(codec) = self.m4a_codec {
            format!("'{}' audio in MP4", escaped_bytes(&codec))
        } else {
            "this file's codec".to_string()
        };
        format!("the decoder does not support {what} ({why})")
    }
}

/// The `fmt ` chunk's format tag, and a chunk before the audio that runs
/// past the end of the file (the decoder would allocate all it declares).
#[allow(clippy::type_complexity)]
fn wav_format(r: &impl ReadAt) -> io::Result<(Option<(u16, Option<u16>)>, Option<String>)> {
    let mut format = None;
    let mut offset = 12u64;
    for _ in 0..64 {
        let mut ch = [0u8; 8];
        if !r.read_exact_at(&mut ch, offset)? || &ch[0..4] == b"data" {
            break;
        }
        let size = u64::from(u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]));
        if offset + 8 + size > r.size() {
            let name = escaped_bytes(&ch[0..4]);
            return Ok((format, Some(format!("malformed container: chunk '{name}' runs past the end of the file"))));
        }
        if &ch[0..4] == b"fmt " && format.is_none() {
            let mut b = [0u8; 26];
            let n = if size >= 26 { 26 } else { 2 };
            if !r.read_exact_at(&mut b[..n], offset + 8)? {
                break;
            }
            let tag = u16::from_le_bytes([b[0], b[1]]);
            let sub = (tag == 0xFFFE && n == 26).then(|| u16::from_le_bytes([b[24], b[25]]));
            format = Some((tag, sub));
        }
        offset += 8 + size + (size & 1);
    }
    Ok((format, None))
}

fn wav_codec(tag: u16) -> Option<&'static str> {
    Some(match tag {
        0x0001 => "PCM",
        0x0002 => "MS-ADPCM",
        0x0003 => "float PCM",
        0x0006 => "A-law",
        0x0007 => "µ-law",
        0x0011 => "IMA-ADPCM",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        _ => return None,
    })
}

/// Whether an AAC AudioSpecificConfig signals SBR or PS (HE-AAC v1/v2),
/// explicitly (object type 5 or 29) or through the backward-compatible sync
/// extension (ISO/IEC 14496-3 1.6.5.2). symphonia 0.5 decodes only the
/// AAC-LC core of such a stream, at half its rate and without its upper band.
pub fn signals_sbr(asc: &[u8]) -> bool {
    let mut bits = Bits { data: asc, at: 0 };
    let object_type = |b: &mut Bits| match b.take(5) {
        Some(31) => b.take(6).map(|t| t + 32),
        t => t,
    };
    let frequency = |b: &mut Bits| match b.take(4) {
        Some(15) => b.take(24),
        f => f,
    };
    let Some(aot) = object_type(&mut bits) else { return false };
    if matches!(aot, 5 | 29) {
        return true;
    }
    if frequency(&mut bits).is_none() || bits.take(4).is_none() || aot != 2 {
        return false;
    }
    // GASpecificConfig of AAC-LC (no program config element): 3 bits.
    if bits.take(3).is_none() {
        return false;
    }
    if bits.take(11) != Some(0x2b7) {
        return false;
    }
    bits.take(5) == Some(5) && bits.take(1) == Some(1)
}

/// Big-endian bit reader over a byte slice.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn take(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.data.get(self.at / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.at % 8)) & 1);
            self.at += 1;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::signals_sbr;

    #[test]
    fn recognises_he_aac_signalling() {
        // ffmpeg's AAC-LC, 16 kHz mono, sync extension with sbrPresentFlag 0
        assert!(!signals_sbr(&[0x14, 0x08, 0x56, 0xe5, 0x00]));
        // the same with sbrPresentFlag 1 (backward-compatible HE-AAC)
        assert!(signals_sbr(&[0x14, 0x08, 0x56, 0xe5, 0xa8]));
        // explicit hierarchical: object type 5 first
        assert!(signals_sbr(&[0x2c, 0x0a, 0x88, 0x00, 0x00]));
        // plain LC, 44.1 kHz stereo
        assert!(!signals_sbr(&[0x12, 0x10]));
        assert!(!signals_sbr(&[]));
    }
}
