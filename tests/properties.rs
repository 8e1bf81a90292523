//! Property tests: the container probes on arbitrary bytes, and the whole
//! check → apply → check → undo cycle over random dumps.
//! `PROPTEST_CASES=N` runs more cases than the quick default.

mod common;

use std::cell::Cell;
use std::io;

use cachescope::core::disk::probe::{Probe, ReadAt, probe_m4a, probe_wav};
use cachescope::core::{ApplyOptions, Control, Dump, Inspection, Locate, Selection, Session, apply, plan, undo};
use common::*;
use proptest::prelude::*;

/// Counts the bytes a probe reads.
struct Counting<'a> {
    bytes: &'a [u8],
    read: Cell<u64>,
}

impl ReadAt for Counting<'_> {
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let n = (&self.bytes).read_at(buf, offset)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

fn cases(default: u32) -> ProptestConfig {
    ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn probes_never_panic_and_read_only_headers(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for probe in [|r: &Counting| probe_wav(r), |r: &Counting| probe_m4a(r)] {
            let r = Counting { bytes: &bytes, read: Cell::new(0) };
            let _ = probe(&r).unwrap();
            // at most a header per chunk or box walked, never the payload
            prop_assert!(r.read.get() <= 16 * 4096 + 64, "read {} bytes", r.read.get());
        }
    }

    #[test]
    fn valid_containers_are_complete_and_cut_ones_are_not(data in 2u32..5000, cut in 1usize..200) {
        // (An empty data chunk is "no audio": see the probe's own tests.)
        let w = wav(data & !1);
        let m = m4a(1234, data);
        prop_assert_eq!(probe_wav(&w.as_slice()).unwrap(), Probe::Complete { duration_ms: Some(u64::from(data & !1) * 1000 / 32000) });
        prop_assert_eq!(probe_m4a(&m.as_slice()).unwrap(), Probe::Complete { duration_ms: Some(1234) });
        if (data & !1) > 0 && cut <= (data & !1) as usize {
            prop_assert!(!probe_wav(&&w[..w.len() - cut]).unwrap().is_complete());
        }
        if cut < m.len() {
            prop_assert!(!probe_m4a(&&m[..m.len() - cut]).unwrap().is_complete());
        }
    }
}

#[test]
fn probes_read_only_a_few_bytes_of_a_large_file() {
    let big = wav(10_000_000);
    let r = Counting { bytes: &big, read: Cell::new(0) };
    assert!(probe_wav(&r).unwrap().is_complete());
    assert!(r.read.get() <= 64, "read {}", r.read.get());
    let big = m4a(1, 10_000_000);
    let r = Counting { bytes: &big, read: Cell::new(0) };
    assert!(probe_m4a(&r).unwrap().is_complete());
    // box headers and the moov (one audio trak: about 450 bytes), never the mdat
    assert!(r.read.get() <= 600, "read {}", r.read.get());
}

/// One key of a random dump.
#[derive(Debug, Clone)]
struct KeySpec {
    row: Option<(&'static str, Option<i64>)>,
    wav: u8,
    m4a: u8,
    partial: bool,
    /// 0: the app's lower-case hex; 1: upper-case hex; 2: a short key.
    /// Mixed in one dump, they exercise the compact and the text keys side by side.
    style: u8,
}

fn key_spec() -> impl Strategy<Value = KeySpec> {
    let state = prop_oneof![Just("wav"), Just("m4a"), Just("compressing"), Just("failed"), Just("mp3")];
    let row = proptest::option::of((state, proptest::option::of(0i64..3000)));
    (row, 0u8..4, 0u8..4, any::<bool>(), 0u8..3).prop_map(|(row, wav, m4a, partial, style)| KeySpec {
        row,
        wav,
        m4a,
        partial,
        style,
    })
}

fn write(d: &TestDump, n: u32, k: &KeySpec, exact: bool) {
    let key = match k.style {
        0 => key(n),
        1 => key(n).to_uppercase(),
        _ => format!("Key_{n}"),
    };
    let mut sizes = (None, None);
    // 0 = none, 1 = complete, 2 = truncated, 3 = zero bytes
    for (enc, shape) in [("wav", k.wav), ("m4a", k.m4a)] {
        let bytes = match (enc, shape) {
            (_, 0) => continue,
            ("wav", 1) => wav(64 + n),
            ("wav", 2) => wav_declaring(5000, 10),
            ("m4a", 1) => m4a(n, 32),
            ("m4a", 2) => m4a(n, 32)[..40].to_vec(),
            _ => Vec::new(),
        };
        if shape == 1 {
            if enc == "wav" { sizes.0 = Some(bytes.len() as i64) } else { sizes.1 = Some(bytes.len() as i64) }
        }
        d.file(&format!("{key}.{enc}"), &bytes);
    }
    if k.partial {
        d.file(&format!("{key}.m4a.tmp"), b"partial");
    }
    if let Some((state, size)) = k.row {
        let size = if exact { sizes.1.or(sizes.0).or(size) } else { size };
        d.row(&key, state, size, None);
    }
}

proptest! {
    #![proptest_config(cases(12))]

    #[test]
    fn check_apply_check_undo_over_random_dumps(
        specs in proptest::collection::vec((key_spec(), any::<bool>()), 1..14),
        strays in 0usize..3,
        sharded in any::<bool>(),
    ) {
        let d = TestDump::new(if sharded { Layout::Sharded } else { Layout::Android });
        for (n, (k, exact)) in specs.iter().enumerate() {
            write(&d, n as u32, k, *exact);
        }
        for s in 0..strays {
            d.raw_file(std::path::Path::new(&format!("stray-{s}.txt")), b"x");
        }
        let files_before = tree(&d.cache);
        let rows_before = rows(&d.db);
        let dump = Dump::locate(&Locate { path: Some(d.root().to_path_buf()), ..Default::default() }).unwrap();

        let ins = Inspection::open(&dump, &Control::none()).unwrap();
        let p = plan(&ins, &Selection::default());
        let session = Session::begin(&dump).unwrap();
        let opts = ApplyOptions { allow_mass_change: true };
        let report = apply(&session, &p, &opts, &Control::none()).unwrap();
        prop_assert_eq!(report.applied(), p.items.len(), "nothing is stale in a still dump");

        let again = Inspection::open(&dump, &Control::none()).unwrap();
        prop_assert!(!again.has_problems(), "left: {:?}", again.found);
        let second = plan(&again, &Selection::default());
        prop_assert!(second.is_empty(), "a second apply would change {:?}", second.items);

        if report.batch.is_some() {
            undo(&session, None).unwrap();
        }
        prop_assert_eq!(rows(&d.db), rows_before);
        prop_assert_eq!(tree(&d.cache), files_before);
    }
}
