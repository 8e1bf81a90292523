//! Deep check (SPEC §3 `--deep`): decode a whole file with symphonia, a
//! pure-Rust decoder (WAV PCM/ADPCM, AAC-LC, ALAC in MP4), to learn whether
//! its audio plays to the end and how long it really is; and the loudness
//! envelope the TUI draws. The container probes stay the fast default.

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_AAC, CodecParameters, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::default::formats::{IsoMp4Reader, WavReader};

use super::probe::ReadAt;
use crate::core::control::Control;
use crate::core::error::{Error, ErrorKind, Result, plain_io};
use crate::core::fmt::escaped;
use crate::core::model::Encoding;

mod envelope;
mod header;

pub use envelope::{Envelope, FLOOR_DBFS, SILENCE_DBFS};
pub use header::signals_sbr;

/// What a full decode found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Every packet decoded, to the end the container promises.
    Whole { duration_ms: u64 },
    /// The decoder stopped: why, and how far into the audio.
    Failed { reason: String, at_ms: u64 },
    /// The decoder cannot vouch for this file (a codec or container it does
    /// not know, named in `what`): the container verdict stands.
    Unsupported { what: String },
}

/// Decodes the file at `path` to its end. Errors (one sentence naming the
/// path) only for files that cannot be read, and for cancellation.
pub fn decode_file(path: &Path, encoding: Encoding, ctl: &Control) -> Result<Decoded> {
    let file = crate::core::fsops::open_untouched(path).map_err(|e| Error::io_at("open", path, &e))?;
    decode(file, encoding, ctl).map_err(|e| at_path(e, path))
}

/// Decodes `source` to its end, as the container `encoding` names.
pub fn decode<S: Read + Seek + Send + Sync + 'static>(source: S, encoding: Encoding, ctl: &Control) -> Result<Decoded> {
    run(source, encoding, ctl, None)
}

/// Decodes the file at `path` and measures its loudness in `buckets` equal
/// slices of its duration.
pub fn envelope_file(path: &Path, encoding: Encoding, buckets: usize, ctl: &Control) -> Result<Envelope> {
    let file = crate::core::fsops::open_untouched(path).map_err(|e| Error::io_at("open", path, &e))?;
    envelope(file, encoding, buckets, ctl).map_err(|e| at_path(e, path))
}

/// Decodes `source` and measures its loudness in `buckets` equal slices.
pub fn envelope<S: Read + Seek + Send + Sync + 'static>(
    source: S,
    encoding: Encoding,
    buckets: usize,
    ctl: &Control,
) -> Result<Envelope> {
    let mut meter = envelope::Meter::default();
    let decoded = run(source, encoding, ctl, Some(&mut meter))?;
    Ok(meter.finish(decoded, buckets.max(1)))
}

/// Decodes `source` to mono samples (channels averaged, the encoder's
/// priming skipped) and their rate; errors if it does not decode whole.
/// The demo makes its WAV files of real speech from its AAC clips so.
pub fn mono_samples<S: Read + Seek + Send + Sync + 'static>(source: S, encoding: Encoding) -> Result<(u32, Vec<f32>)> {
    let mut meter = envelope::Meter::default();
    meter.keep = Some(Vec::new());
    match run(source, encoding, &Control::none(), Some(&mut meter))? {
        Decoded::Whole { .. } => Ok((meter.rate(), meter.keep.take().unwrap_or_default())),
        Decoded::Failed { reason, .. } => Err(Error::bad_input(format!("the audio does not decode: {reason}"))),
        Decoded::Unsupported { what } => Err(Error::bad_input(format!("the audio cannot be decoded: {what}"))),
    }
}

fn at_path(e: Error, path: &Path) -> Error {
    match e.kind {
        ErrorKind::Cancelled => e,
        _ => Error::new(e.kind, format!("could not read the audio of {}: {}", escaped(path), e.message)),
    }
}

/// A seekable source with its length, as symphonia wants it.
struct Source<S> {
    inner: S,
    len: Option<u64>,
}

impl<S: Read> Read for Source<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
impl<S: Seek> Seek for Source<S> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}
impl<S: Read + Seek + Send + Sync> MediaSource for Source<S> {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}

/// Positional reads through a `Read + Seek`, for the container helpers.
struct Seeking<'a, S>(RefCell<&'a mut S>, u64);

impl<S: Read + Seek> ReadAt for Seeking<'_, S> {
    fn size(&self) -> u64 {
        self.1
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut s = self.0.borrow_mut();
        s.seek(SeekFrom::Start(offset))?;
        s.read(buf)
    }
}

fn io_error(e: &io::Error) -> Error {
    Error::io(format!("reading failed: {}", plain_io(e)))
}

/// Milliseconds of `ts` in the track's time base (or at `rate` frames/s).
struct Clock {
    numer: u128,
    denom: u128,
    /// Priming skipped at the start (M4A edit list), in ms.
    priming_ms: u64,
}

impl Clock {
    fn new(params: &CodecParameters, priming_ms: u64) -> Clock {
        match (params.time_base, params.sample_rate) {
            (Some(tb), _) if tb.numer > 0 && tb.denom > 0 => {
                Clock { numer: u128::from(tb.numer), denom: u128::from(tb.denom), priming_ms }
            }
            (_, Some(rate)) if rate > 0 => Clock { numer: 1, denom: u128::from(rate), priming_ms },
            _ => Clock { numer: 1, denom: 1000, priming_ms },
        }
    }
    /// `frames` at `rate` frames/s, in ticks of the time base.
    fn ticks(&self, frames: u64, rate: u64) -> u64 {
        if rate == 0 {
            return frames;
        }
        (u128::from(frames) * self.denom / (self.numer * u128::from(rate))).min(u128::from(u64::MAX)) as u64
    }
    fn ms(&self, ts: u64) -> u64 {
        let ms = (u128::from(ts) * self.numer * 1000 / self.denom).min(u128::from(u64::MAX)) as u64;
        ms.saturating_sub(self.priming_ms)
    }
}

/// The decode loop shared by [`decode`] and [`envelope`]: packets are
/// decoded into symphonia's own buffer; samples are converted only when a
/// meter wants them.
fn run<S: Read + Seek + Send + Sync + 'static>(
    mut source: S,
    encoding: Encoding,
    ctl: &Control,
    meter: Option<&mut envelope::Meter>,
) -> Result<Decoded> {
    let len = source.seek(SeekFrom::End(0)).map_err(|e| io_error(&e))?;
    let header = header::Header::read(&Seeking(RefCell::new(&mut source), len), encoding).map_err(|e| io_error(&e))?;
    if let Some(why) = header.hazard.clone() {
        return Ok(Decoded::Failed { reason: why, at_ms: 0 });
    }
    source.seek(SeekFrom::Start(0)).map_err(|e| io_error(&e))?;
    let stream = MediaSourceStream::new(Box::new(Source { inner: source, len: Some(len) }), Default::default());
    // A decoder bug on a damaged file must not take the scan down with it.
    let decoded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_stream(stream, encoding, &header, ctl, meter)));
    decoded.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Ok(Decoded::Failed { reason: format!("the decoder crashed on this file ({why})"), at_ms: 0 })
    })
}

/// Opens the container's reader and decodes every packet of its audio track.
fn decode_stream(
    stream: MediaSourceStream,
    encoding: Encoding,
    header: &header::Header,
    ctl: &Control,
    mut meter: Option<&mut envelope::Meter>,
) -> Result<Decoded> {
    let priming_ms = header.priming_ms;
    // The reader the extension names, not symphonia's probe: it would scan a
    // damaged file for any known marker and read what it finds as another format.
    let options = FormatOptions::default();
    let opened = match encoding {
        Encoding::Wav => WavReader::try_new(stream, &options).map(|r| Box::new(r) as Box<dyn FormatReader>),
        Encoding::M4a => IsoMp4Reader::try_new(stream, &options).map(|r| Box::new(r) as Box<dyn FormatReader>),
    };
    let mut format = match opened {
        Ok(format) => format,
        Err(SymError::Unsupported(why)) => return Ok(Decoded::Unsupported { what: header.unsupported(why) }),
        Err(e) => return failed(e, 0),
    };
    let Some(track) = format.default_track().cloned() else {
        return Ok(Decoded::Failed { reason: "no audio track".into(), at_ms: 0 });
    };
    let mut decoder: Box<dyn Decoder> =
        match symphonia::default::get_codecs().make(&track.codec_params, &DecoderOptions::default()) {
            Ok(d) => d,
            Err(SymError::Unsupported(why)) => {
                return Ok(Decoded::Unsupported { what: header.unsupported(why) });
            }
            Err(e) => return failed(e, 0),
        };
    let clock = Clock::new(&track.codec_params, priming_ms);
    let rate = u64::from(track.codec_params.sample_rate.unwrap_or(0));
    if let Some(m) = meter.as_deref_mut() {
        m.start(track.codec_params.sample_rate.unwrap_or(0), priming_ms);
    }
    // Where the decoded audio ends, in the track's time base.
    let mut end = track.codec_params.start_ts;
    let mut decoded_frames = 0u64;
    let mut samples: Option<SampleBuffer<f32>> = None;
    let stopped = loop {
        if ctl.cancelled() {
            return Err(Error::new(ErrorKind::Cancelled, "the decode was cancelled"));
        }
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => break None,
            Err(SymError::IoError(e)) if e.raw_os_error().is_some() => return Err(io_error(&e)),
            Err(e) => break Some(reason(&e)),
        };
        if packet.track_id() != track.id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(audio) => {
                // The packet's duration, less what the decoder could not fill
                // (a block cut by the end of the file).
                let frames = audio.frames() as u64;
                let filled = clock.ticks(frames, rate);
                let dur = if packet.dur() == 0 { filled } else { packet.dur().min(filled) };
                end = end.max(packet.ts().saturating_add(dur));
                decoded_frames += frames;
                if let Some(m) = meter.as_deref_mut() {
                    let buf = samples.get_or_insert_with(|| SampleBuffer::new(audio.capacity() as u64, *audio.spec()));
                    if buf.capacity() < audio.capacity() * audio.spec().channels.count() {
                        *buf = SampleBuffer::new(audio.capacity() as u64, *audio.spec());
                    }
                    buf.copy_interleaved_ref(audio);
                    m.add(buf.samples(), track.codec_params.channels.map_or(1, |c| c.count()).max(1));
                }
            }
            // The decoder reads the packet in memory: every error is the audio's.
            Err(e) => break Some(reason(&e)),
        }
    };
    let at_ms = clock.ms(end);
    if let Some(why) = stopped {
        return Ok(Decoded::Failed { reason: why, at_ms });
    }
    if decoded_frames == 0 {
        return Ok(Decoded::Failed { reason: "no audio: nothing to decode".into(), at_ms: 0 });
    }
    // A container that promises more than could be read: the audio is cut.
    // (All ones is a duration left unknown, as in Smooth Streaming files.)
    let promised = track.codec_params.n_frames.filter(|n| *n != u64::MAX && *n != u64::from(u32::MAX));
    if let Some(frames) = promised {
        let promised = track.codec_params.start_ts.saturating_add(frames);
        if end < promised {
            let reason = format!("the audio ends early, at {} of {} ms", at_ms, clock.ms(promised));
            return Ok(Decoded::Failed { reason, at_ms });
        }
    }
    // HE-AAC: the core decoded to its end, but without its SBR layer the
    // decoder cannot vouch for the whole stream.
    let asc = track.codec_params.extra_data.as_deref().unwrap_or_default();
    if track.codec_params.codec == CODEC_TYPE_AAC && signals_sbr(asc) {
        let what = "HE-AAC (SBR): the decoder checks only its AAC-LC core".to_string();
        return Ok(Decoded::Unsupported { what });
    }
    Ok(Decoded::Whole { duration_ms: at_ms })
}

/// A failure before any audio was decoded, or a read error underneath.
fn failed(e: SymError, at_ms: u64) -> Result<Decoded> {
    match e {
        SymError::IoError(e) if e.raw_os_error().is_some() => Err(io_error(&e)),
        e => Ok(Decoded::Failed { reason: reason(&e), at_ms }),
    }
}

/// The decoder's reason, as a phrase.
fn reason(e: &SymError) -> String {
    match e {
        SymError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            "the file ends before the audio the container describes".into()
        }
        SymError::DecodeError(why) => format!("malformed audio ({why})"),
        SymError::IoError(e) => format!("malformed audio ({e})"),
        SymError::LimitError(why) => format!("a limit was reached ({why})"),
        SymError::ResetRequired => "the stream changed its format mid-way".into(),
        other => other.to_string(),
    }
}
