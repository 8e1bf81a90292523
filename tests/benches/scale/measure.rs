//! Measuring tools every group shares: timed child processes (wall time and
//! peak RSS from `wait4`), interleaved runs, medians, the page-cache drop, the
//! generated dumps, and the table row each figure ends up in.

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_cachescope");

/// A progress line on stderr, with the time since the first one: the full
/// run is long and otherwise silent.
pub fn step(what: &str) {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let t = START.get_or_init(Instant::now).elapsed().as_secs();
    eprintln!("[{:02}:{:02}] {what}", t / 60, t % 60);
}

pub fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One finished run of a child process.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident set size in bytes (`ru_maxrss`).
    pub rss: u64,
    /// Percent of all the machine's CPU time during the run that the rest
    /// of the machine used: other programs and the kernel's own threads
    /// (busy time in `/proc/stat` less the run's own).
    pub others: u64,
    /// Percent of it the hypervisor took (`steal` in `/proc/stat`).
    pub steal: u64,
}

/// A program to time, with the exit codes that count as a successful run
/// (`check` exits 1 when it finds discrepancies, which the demo dumps have).
pub struct Subject<'a> {
    pub name: &'static str,
    make: Box<dyn Fn() -> Command + 'a>,
    ok: &'static [i32],
}

impl<'a> Subject<'a> {
    pub fn new(name: &'static str, ok: &'static [i32], make: impl Fn() -> Command + 'a) -> Self {
        Subject { name, make: Box::new(make), ok }
    }
    pub fn command(&self) -> Command {
        (self.make)()
    }
    pub fn run(&self) -> Sample {
        measure(&mut self.command(), self.name, self.ok)
    }
}

/// `find -printf` with a size and a name per file: the floor for "walk the
/// folder and stat every file".
pub fn find(cache: &Path) -> Subject<'_> {
    Subject::new("find -printf", &[0], move || {
        let mut c = Command::new("find");
        c.arg(cache).args(["-type", "f", "-printf", "%s %f\n"]);
        c
    })
}

pub fn check(dump: &Path) -> Subject<'_> {
    Subject::new("check --format json", &[0, 1], move || {
        let mut c = Command::new(BIN);
        c.arg("check").arg(dump).args(["--format", "json"]);
        c
    })
}

/// The first argument that turns this benchmark binary into the launcher
/// `measure` runs every program through (see `launcher`).
pub const LAUNCH: &str = "--cachescope-bench-launch";

/// Launcher mode: runs `args` (program, then its arguments) with stdout
/// discarded and stderr inherited, and prints "wall_ns peak_rss_bytes exit
/// others_percent steal_percent" (see [`Sample`]).
///
/// Why a launcher: Linux records a process's parent's resident high-water
/// mark as the child's `ru_maxrss` when the child `exec`s (a spawned child
/// shares or copies the parent's memory until then). After the in-process
/// TUI rows this benchmark holds ~500 MiB, and every program it spawned
/// directly would report at least that. The launcher is a fresh small
/// process, so what it reports is the program's own peak.
pub fn launcher(args: &[std::ffi::OsString]) -> ! {
    let (program, rest) = args.split_first().expect("a program to launch");
    let before = cpu_ticks();
    let start = Instant::now();
    let child = Command::new(program).args(rest).stdout(Stdio::null()).spawn();
    let child = child.unwrap_or_else(|e| {
        eprintln!("could not start {}: {e}", program.to_string_lossy());
        std::process::exit(3);
    });
    let (wall, rss, code, own) = wait4(child, start);
    let after = cpu_ticks();
    let (others, steal) = match (before, after) {
        (Some(b), Some(a)) => {
            let ticks = |d: Duration| d.as_secs_f64() * a.hz;
            let all = ticks(wall) * a.cpus;
            let busy = (a.busy - b.busy) as f64 - ticks(own);
            let pct = |t: f64| (100.0 * t / all).clamp(0.0, 100.0).round() as u64;
            (pct(busy), pct((a.steal - b.steal) as f64))
        }
        _ => (0, 0),
    };
    println!("{} {rss} {code} {others} {steal}", wall.as_nanos());
    std::process::exit(0);
}

/// The machine's CPU time so far, from the first line of `/proc/stat`.
struct Ticks {
    /// Busy time of all CPUs: not idle, not waiting on I/O, not stolen.
    busy: u64,
    steal: u64,
    cpus: f64,
    /// Ticks per second (`USER_HZ`).
    hz: f64,
}

fn cpu_ticks() -> Option<Ticks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal
    let (idle, iowait, steal) = (*v.get(3)?, *v.get(4)?, *v.get(7)?);
    let busy = v.iter().take(8).sum::<u64>() - idle - iowait - steal;
    let cpus = stat.lines().filter(|l| l.starts_with("cpu") && !l.starts_with("cpu ")).count() as f64;
    // SAFETY: sysconf only reads a setting.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(Ticks { busy, steal, cpus, hz })
}

/// Waits for a child with `wait4`: time since `start` (taken just before
/// the spawn), peak RSS in bytes, exit code (minus the signal number when
/// killed by one), and the CPU time it and its children used. (`wait4` reaps the child, which clippy cannot see.)
#[allow(clippy::zombie_processes)]
fn wait4(child: std::process::Child, start: Instant) -> (Duration, u64, i32, Duration) {
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; both out-pointers are valid.
    let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert!(rc > 0, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -libc::WTERMSIG(status) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (wall, usage.ru_maxrss as u64 * 1024, code, time(usage.ru_utime) + time(usage.ru_stime))
}

/// Runs a command to completion through the launcher; returns its wall time
/// and peak RSS. A run that fails (an exit code not in `ok`, or a signal)
/// stops the benchmark with the program's stderr: a failed run must never be
/// timed as a fast one.
pub fn measure(cmd: &mut Command, name: &str, ok: &[i32]) -> Sample {
    let mut err = tempfile::tempfile().expect("a temp file for stderr");
    let stderr = err.try_clone().expect("a second handle on the stderr file");
    let mut launch = Command::new(std::env::current_exe().expect("the benchmark's own path"));
    launch.arg(LAUNCH).arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => launch.env(k, v),
            None => launch.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        launch.current_dir(dir);
    }
    let out = launch.stderr(stderr).output().unwrap_or_else(|e| panic!("could not start the launcher for {name}: {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<i64> = report.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let code = if fields.len() == 5 { fields[2] as i32 } else { i32::MIN };
    if !ok.contains(&code) {
        let mut text = String::new();
        let _ = err.rewind();
        let _ = err.read_to_string(&mut text);
        panic!("{name} failed (exit {code}): {}", text.trim());
    }
    Sample {
        wall: Duration::from_nanos(fields[0] as u64),
        rss: fields[1] as u64,
        others: fields[3] as u64,
        steal: fields[4] as u64,
    }
}

/// Values with a midpoint, so that the median of an even count (the pty
/// rows' two runs) is not simply the larger one.
pub trait Mid: Ord + Copy {
    fn mid(a: Self, b: Self) -> Self;
}

impl Mid for Duration {
    fn mid(a: Self, b: Self) -> Self {
        (a + b) / 2
    }
}

impl Mid for u64 {
    fn mid(a: Self, b: Self) -> Self {
        a / 2 + b / 2 + (a % 2 + b % 2) / 2
    }
}

pub fn median<T: Mid>(v: impl IntoIterator<Item = T>) -> T {
    let mut v: Vec<T> = v.into_iter().collect();
    v.sort();
    let n = v.len();
    if n.is_multiple_of(2) { T::mid(v[n / 2 - 1], v[n / 2]) } else { v[n / 2] }
}

pub fn walls(samples: &[Sample]) -> Duration {
    median(samples.iter().map(|s| s.wall))
}

/// `runs` rounds of every subject in turn, `before` each run (dropping the
/// page cache for the cold rows), so the machine's noise hits all alike.
/// One list of samples per subject.
pub fn interleave(runs: u64, subjects: &[&Subject], before: impl Fn()) -> Vec<Vec<Sample>> {
    let mut out = vec![vec![]; subjects.len()];
    for _ in 0..runs {
        for (s, samples) in subjects.iter().zip(&mut out) {
            before();
            samples.push(s.run());
        }
    }
    for (s, samples) in subjects.iter().zip(&out) {
        let each: Vec<_> = samples.iter().map(|x| format!("{:.2}", x.wall.as_secs_f64())).collect();
        let rss: Vec<_> = samples.iter().map(|x| (x.rss >> 20).to_string()).collect();
        let others: Vec<_> = samples.iter().map(|x| x.others.to_string()).collect();
        let steal: Vec<_> = samples.iter().map(|x| x.steal.to_string()).collect();
        eprintln!(
            "        {}: {} s; peak {} MiB; the rest of the machine {} %, the host {} % of the CPUs",
            s.name,
            each.join(" "),
            rss.join(" "),
            others.join(" "),
            steal.join(" ")
        );
    }
    out
}

/// `sync; echo 3 > /proc/sys/vm/drop_caches`: page cache, dentries and inodes.
pub fn drop_caches() -> Result<(), String> {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3")
        .map_err(|e| format!("writing 3 to /proc/sys/vm/drop_caches failed: {e}"))
}

/// The 1-, 5- and 15-minute load averages: how busy the shared machine was.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

pub fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// One line of the table: a figure, its baseline, their ratio and the target
/// the ratio must not exceed (with an optional stretch goal).
pub struct Row {
    pub what: String,
    pub value: String,
    pub baseline: String,
    pub ratio: f64,
    pub target: f64,
    pub stretch: Option<f64>,
}

impl Row {
    pub fn new(what: impl Into<String>, value: String, baseline: String, ratio: f64, target: f64) -> Row {
        Row { what: what.into(), value, baseline, ratio, target, stretch: None }
    }
    pub fn met(&self) -> bool {
        self.ratio <= self.target
    }
    pub fn verdict(&self) -> &'static str {
        match self.stretch {
            _ if !self.met() => "not met",
            Some(s) if self.ratio <= s => "met (stretch too)",
            Some(_) => "met (stretch not)",
            None => "met",
        }
    }
    pub fn target_text(&self) -> String {
        match self.stretch {
            Some(s) => format!("≤ {} (≤ {s})", self.target),
            None => format!("≤ {}", self.target),
        }
    }
}

/// Writes a demo dump unless one is already there; returns how long it took
/// (zero when reused).
pub fn demo(dir: &Path, keys: u64) -> Duration {
    if dir.join("databases/app.db").exists() {
        return Duration::ZERO;
    }
    let mut cmd = Command::new(BIN);
    cmd.arg("demo").arg(dir).args(["--tiny", "--keys", &keys.to_string(), "--seed", "1"]);
    let s = measure(&mut cmd, "cachescope demo", &[0]);
    assert!(dir.join("databases/app.db").exists(), "demo failed");
    s.wall
}

/// Time to create `n` small files in a fresh folder with a bare loop: the
/// file system's own cost, which bounds how fast `demo` can be.
pub fn create_floor(dir: &Path, n: usize) -> Duration {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let bytes = vec![0u8; 2048];
    let start = Instant::now();
    for i in 0..n {
        std::fs::write(dir.join(format!("{i:064x}.wav")), &bytes).unwrap();
    }
    let t = start.elapsed();
    let _ = std::fs::remove_dir_all(dir);
    t
}
