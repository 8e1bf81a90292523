//! Minimal but valid WAV and M4A bytes, for demo dumps and tests, shaped like
//! what real encoders write (SPEC §3) while staying small: the demo writes a
//! million of them, and a demo M4A's header fits in the probe's first read.

/// Bytes per second of the demo audio: 16 kHz, mono, 16-bit PCM.
pub const BYTE_RATE: u32 = 32_000;

/// A PCM WAV with `data_len` bytes of (quiet) audio.
pub fn wav(data_len: u32) -> Vec<u8> {
    wav_declaring(data_len, data_len)
}

/// A whole 16 kHz mono 16-bit WAV holding `pcm`.
pub fn wav_of(pcm: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(44 + pcm.len());
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + pcm.len() as u32).to_le_bytes());
    v.extend_from_slice(b"WAVE");
    chunk(&mut v, b"fmt ", &fmt(1, BYTE_RATE, 2));
    chunk(&mut v, b"data", pcm);
    v
}

/// A WAV whose data chunk declares `declared` bytes but holds `actual`:
/// `declared` 0, 0xFFFFFFFF or 0x7FFFF000 make a header never finalised.
pub fn wav_declaring(declared: u32, actual: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(44 + actual as usize);
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36u32.wrapping_add(declared)).to_le_bytes());
    v.extend_from_slice(b"WAVE");
    chunk(&mut v, b"fmt ", &fmt(1, BYTE_RATE, 2));
    v.extend_from_slice(b"data");
    v.extend_from_slice(&declared.to_le_bytes());
    v.extend((0..actual).map(|i| (i % 7) as u8));
    v
}

/// A 16 kHz mono `fmt ` body: format tag, byte rate, block align.
fn fmt(tag: u16, byte_rate: u32, align: u16) -> Vec<u8> {
    let mut f = Vec::with_capacity(16);
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes()); // mono
    f.extend_from_slice(&16_000u32.to_le_bytes());
    f.extend_from_slice(&byte_rate.to_le_bytes());
    f.extend_from_slice(&align.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    f
}

fn chunk(v: &mut Vec<u8>, name: &[u8; 4], body: &[u8]) {
    v.extend_from_slice(name);
    v.extend_from_slice(&(body.len() as u32).to_le_bytes());
    v.extend_from_slice(body);
    if body.len() % 2 == 1 {
        v.push(0);
    }
}

/// An RF64 file (ffmpeg `-rf64 always`): 32-bit sizes all 0xFFFFFFFF, the
/// real ones in `ds64`. `finalised = false` leaves the `ds64` sizes at 0, as
/// a writer streaming to a pipe does.
pub fn rf64(data_len: u32, finalised: bool) -> Vec<u8> {
    let mut v = b"RF64\xff\xff\xff\xffWAVE".to_vec();
    let mut ds64 = vec![0u8; 28];
    if finalised {
        ds64[0..8].copy_from_slice(&(4 + 36 + 24 + 8 + u64::from(data_len)).to_le_bytes());
        ds64[8..16].copy_from_slice(&u64::from(data_len).to_le_bytes());
        ds64[16..24].copy_from_slice(&u64::from(data_len / 2).to_le_bytes());
    }
    chunk(&mut v, b"ds64", &ds64);
    chunk(&mut v, b"fmt ", &fmt(1, BYTE_RATE, 2));
    v.extend_from_slice(b"data\xff\xff\xff\xff");
    v.extend((0..data_len).map(|i| (i % 5) as u8));
    v
}

/// A non-PCM WAV (IMA-ADPCM's tag, whose byte rate is only approximate) with
/// a `fact` chunk of `samples` at 16 kHz, before or after the data chunk.
pub fn wav_with_fact(samples: u32, data_len: u32, fact_after_data: bool) -> Vec<u8> {
    let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
    chunk(&mut v, b"fmt ", &fmt(0x11, 8_000, 256));
    let data: Vec<u8> = (0..data_len).map(|i| (i % 3) as u8).collect();
    let fact = samples.to_le_bytes();
    if fact_after_data {
        chunk(&mut v, b"data", &data);
        chunk(&mut v, b"fact", &fact);
    } else {
        chunk(&mut v, b"fact", &fact);
        chunk(&mut v, b"data", &data);
    }
    let riff = (v.len() - 8) as u32;
    v[4..8].copy_from_slice(&riff.to_le_bytes());
    v
}

/// A WAVE_FORMAT_EXTENSIBLE file whose sub-format is `codec` (1 PCM, 3 float,
/// 0x11 IMA-ADPCM, …), with an optional `fact` chunk.
pub fn wav_extensible(codec: u16, fact: Option<u32>, data_len: u32) -> Vec<u8> {
    let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
    let mut f = fmt(0xFFFE, BYTE_RATE, 2);
    f.extend_from_slice(&22u16.to_le_bytes()); // cbSize
    f.extend_from_slice(&16u16.to_le_bytes()); // valid bits
    f.extend_from_slice(&4u32.to_le_bytes()); // channel mask
    f.extend_from_slice(&codec.to_le_bytes());
    f.extend_from_slice(b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71");
    chunk(&mut v, b"fmt ", &f);
    if let Some(samples) = fact {
        chunk(&mut v, b"fact", &samples.to_le_bytes());
    }
    chunk(&mut v, b"data", &vec![1u8; data_len as usize]);
    let riff = (v.len() - 8) as u32;
    v[4..8].copy_from_slice(&riff.to_le_bytes());
    v
}

/// An ISO-BMFF box.
pub fn bmff_box(name: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + body.len());
    v.extend_from_slice(&(8 + body.len() as u32).to_be_bytes());
    v.extend_from_slice(name);
    v.extend_from_slice(body);
    v
}

/// A full box: version, flags, then `body`.
fn full(name: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + body.len());
    b.push(version);
    b.extend_from_slice(&flags.to_be_bytes()[1..]);
    b.extend_from_slice(body);
    bmff_box(name, &b)
}

fn be(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// Writes nested boxes into one buffer and fills in each size when the box
/// closes: the demo builds a million headers, one allocation each.
struct Writer {
    v: Vec<u8>,
    open: [usize; 8],
    depth: usize,
}

impl Writer {
    fn new(capacity: usize) -> Writer {
        Writer { v: Vec::with_capacity(capacity), open: [0; 8], depth: 0 }
    }
    fn open(&mut self, name: &[u8; 4]) {
        self.open[self.depth] = self.v.len();
        self.depth += 1;
        self.v.extend_from_slice(&[0; 4]);
        self.v.extend_from_slice(name);
    }
    fn open_full(&mut self, name: &[u8; 4], flags: u32) {
        self.open(name);
        self.v.extend_from_slice(&flags.to_be_bytes()); // version 0
    }
    fn close(&mut self) {
        self.depth -= 1;
        let at = self.open[self.depth];
        let size = (self.v.len() - at) as u32;
        self.v[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    fn u32s(&mut self, values: &[u32]) {
        values.iter().for_each(|v| self.v.extend_from_slice(&v.to_be_bytes()));
    }
    fn zeros(&mut self, n: usize) {
        self.v.resize(self.v.len() + n, 0);
    }
    fn mvhd(&mut self, timescale: u32, duration: u32) {
        self.open_full(b"mvhd", 0);
        self.u32s(&[0, 0, timescale, duration, 0x0001_0000]);
        self.zeros(76);
        self.close();
    }
    /// A trak; returns where its one chunk offset (`stco`) is written.
    fn trak(&mut self, t: &TrackSpec) -> usize {
        self.open(b"trak");
        self.open_full(b"tkhd", 3);
        self.u32s(&[0, 0, t.id, 0, t.duration]);
        self.zeros(60);
        self.close();
        self.open(b"mdia");
        self.open_full(b"mdhd", 0);
        self.u32s(&[0, 0, t.timescale, t.duration, 0x55c4_0000]);
        self.close();
        self.open_full(b"hdlr", 0);
        self.v.extend_from_slice(b"\0\0\0\0soun\0\0\0\0\0\0\0\0\0\0\0\0\0");
        self.close();
        self.open(b"minf");
        self.open(b"stbl");
        self.open_full(b"stsd", 0);
        self.u32s(&[1]);
        self.open(b"mp4a");
        // reserved, data reference index 1, reserved, 1 channel, 16 bits, rate
        self.u32s(&[0, 1, 0, 0, 0x0001_0010, 0, t.timescale << 16]);
        self.close();
        self.close();
        self.open_full(b"stts", 0);
        let entries = t.stts.iter().filter(|(n, _)| *n > 0);
        self.u32s(&[entries.clone().count() as u32]);
        entries.for_each(|(n, d)| self.u32s(&[*n, *d]));
        self.close();
        self.open_full(b"stsc", 0);
        self.u32s(&[1, 1, t.samples, 1]);
        self.close();
        self.open_full(b"stsz", 0);
        self.u32s(&[t.sample_size, t.samples]);
        self.close();
        self.open_full(b"stco", 0);
        self.u32s(&[1]);
        let offset = self.v.len();
        self.u32s(&[t.chunk_offset]);
        for _ in 0..5 {
            self.close(); // stco, stbl, minf, mdia, trak
        }
        offset
    }
}

const FTYP: &[u8] = b"M4A \0\0\0\0M4A isom";

/// `mvhd` version 0: timescale and duration.
pub fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
    let mut w = Writer::new(108);
    w.mvhd(timescale, duration);
    w.v
}

/// How one audio track of a movie looks.
#[derive(Debug, Clone, Copy)]
pub struct TrackSpec {
    pub id: u32,
    pub timescale: u32,
    /// `mdhd` duration (0 in a fragmented file's empty moov).
    pub duration: u32,
    /// `stts` entries: (sample count, sample delta).
    pub stts: [(u32, u32); 2],
    /// `stsz` sample count and the size of each sample.
    pub samples: u32,
    pub sample_size: u32,
    /// Where the one chunk of samples starts.
    pub chunk_offset: u32,
}

/// A `trak` with `tkhd`, `mdia/mdhd`, `hdlr` soun and `minf/stbl` (`stsd`,
/// `stts`, `stsc`, `stsz`, `stco`), and nothing a probe does not need.
pub fn trak(t: &TrackSpec) -> Vec<u8> {
    let mut w = Writer::new(512);
    w.trak(t);
    w.v
}

/// An M4A (ISO-BMFF, `moov` first) holding one AAC-like audio track:
/// `moov/mvhd` says `duration_ms`, the track has 16 kHz samples of 1 024
/// frames over that duration, all in an `mdat` of `mdat_len` bytes.
pub fn m4a(duration_ms: u32, mdat_len: u32) -> Vec<u8> {
    let total = duration_ms.saturating_mul(16);
    let samples = total.div_ceil(1024).max(1);
    let spec = TrackSpec {
        id: 1,
        timescale: 16_000,
        duration: total,
        stts: [(samples - 1, 1024), (1, total - (samples - 1).min(total / 1024) * 1024)],
        samples,
        sample_size: (mdat_len / samples).max(1),
        chunk_offset: 0,
    };
    let mut w = Writer::new(512 + mdat_len as usize);
    w.open(b"ftyp");
    w.v.extend_from_slice(FTYP);
    w.close();
    w.open(b"moov");
    w.mvhd(1000, duration_ms);
    let stco = w.trak(&spec);
    w.close();
    let payload = (w.v.len() + 8) as u32;
    w.v[stco..stco + 4].copy_from_slice(&payload.to_be_bytes());
    w.open(b"mdat");
    w.v.extend((0..mdat_len).map(|i| (i % 11) as u8));
    w.close();
    w.v
}

/// Where a fragmented file's runs get their sample durations from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunDurations {
    /// Listed per sample in each `trun` (ffmpeg's default).
    InTrun,
    /// `tfhd`'s default sample duration (ffmpeg `default_base_moof`).
    TfhdDefault,
    /// `trex`'s default sample duration, nothing in the fragments.
    TrexDefault,
    /// No duration anywhere: the duration cannot be known.
    Unknown,
}

/// A fragmented M4A as a streaming writer leaves it (ffmpeg
/// `-movflags frag_keyframe+empty_moov`): an empty `moov` (mvhd 0, a track
/// with no samples, `mvex/trex`, optionally `mehd` in ms), then one
/// `moof`+`mdat` per entry of `fragments` (its sample count), every sample
/// `delta` ticks of the track's `timescale`.
pub fn m4a_fragmented(
    fragments: &[u32],
    timescale: u32,
    delta: u32,
    durations: RunDurations,
    mehd_ms: Option<u32>,
) -> Vec<u8> {
    let spec =
        TrackSpec { id: 1, timescale, duration: 0, stts: [(0, 0); 2], samples: 0, sample_size: 0, chunk_offset: 0 };
    let trex_default = if durations == RunDurations::TrexDefault { delta } else { 0 };
    let mut mvex = Vec::new();
    if let Some(ms) = mehd_ms {
        mvex.extend_from_slice(&full(b"mehd", 0, 0, &be(&[ms])));
    }
    mvex.extend_from_slice(&full(b"trex", 0, 0, &be(&[1, 1, trex_default, 0, 0])));
    let moov = [mvhd(1000, 0), trak(&spec), bmff_box(b"mvex", &mvex)].concat();
    let mut v = bmff_box(b"ftyp", b"iso5\0\0\x02\0iso5iso6mp41");
    v.extend_from_slice(&bmff_box(b"moov", &moov));
    for (n, &count) in fragments.iter().enumerate() {
        let (tfhd_flags, tfhd_body) = match durations {
            RunDurations::TfhdDefault => (0x02_0008, be(&[1, delta])),
            _ => (0x02_0000, be(&[1])),
        };
        let (trun_flags, mut trun) =
            if durations == RunDurations::InTrun { (0x301, Vec::new()) } else { (0x201, Vec::new()) };
        trun.extend_from_slice(&be(&[count, 0]));
        for _ in 0..count {
            if durations == RunDurations::InTrun {
                trun.extend_from_slice(&be(&[delta]));
            }
            trun.extend_from_slice(&be(&[4]));
        }
        let traf = [
            full(b"tfhd", 0, tfhd_flags, &tfhd_body),
            full(b"tfdt", 0, 0, &be(&[0])),
            full(b"trun", 0, trun_flags, &trun),
        ]
        .concat();
        let moof = [full(b"mfhd", 0, 0, &be(&[n as u32 + 1])), bmff_box(b"traf", &traf)].concat();
        v.extend_from_slice(&bmff_box(b"moof", &moof));
        v.extend_from_slice(&bmff_box(b"mdat", &vec![7u8; 4 * count as usize]));
    }
    v
}
