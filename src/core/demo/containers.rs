//! Minimal but valid WAV and M4A bytes, for demo dumps and tests.

/// Bytes per second of the demo audio: 16 kHz, mono, 16-bit PCM.
pub const BYTE_RATE: u32 = 32_000;

/// A PCM WAV with `data_len` bytes of (quiet) audio.
pub fn wav(data_len: u32) -> Vec<u8> {
    wav_declaring(data_len, data_len)
}

/// A WAV whose data chunk declares `declared` bytes but holds `actual`.
pub fn wav_declaring(declared: u32, actual: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(44 + actual as usize);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36u32.wrapping_add(declared)).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&16_000u32.to_le_bytes());
    v.extend_from_slice(&BYTE_RATE.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&16u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&declared.to_le_bytes());
    v.extend((0..actual).map(|i| (i % 7) as u8));
    v
}

fn push_box(v: &mut Vec<u8>, name: &[u8; 4], body: &[u8]) {
    v.extend_from_slice(&(8 + body.len() as u32).to_be_bytes());
    v.extend_from_slice(name);
    v.extend_from_slice(body);
}

/// An M4A (ISO-BMFF) with `ftyp`, `moov/mvhd` saying `duration_ms`, and an
/// `mdat` of `mdat_len` bytes.
pub fn m4a(duration_ms: u32, mdat_len: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(256 + mdat_len as usize);
    push_box(&mut v, b"ftyp", b"M4A \0\0\0\0M4A isom");
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes()); // timescale: ms
    mvhd[16..20].copy_from_slice(&duration_ms.to_be_bytes());
    mvhd[20..24].copy_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    let mut moov = Vec::new();
    push_box(&mut moov, b"mvhd", &mvhd);
    push_box(&mut v, b"moov", &moov);
    let payload: Vec<u8> = (0..mdat_len).map(|i| (i % 11) as u8).collect();
    push_box(&mut v, b"mdat", &payload);
    v
}
