//! `cachescope pull android`: `adb exec-out run-as PKG tar cf - …` streamed
//! straight into a new dump folder (never buffered whole), with one clear
//! sentence for each way adb and run-as fail.
//!
//! `exec-out` carries the device's stderr on stdout and does not pass on
//! exit codes, so run-as's own words ("run-as: package not debuggable: PKG")
//! arrive where the tar should start: the first block is checked to be a
//! tar header before anything is written.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::json;

use super::{Pulled, default_out, finish, now_utc, space_hint, staging_for};
use crate::core::archive::{tar_in::is_tar_header, unpack_tar_stream};
use crate::core::control::Control;
use crate::core::error::{Error, Result};
use crate::core::fmt::escaped;

/// The app folders worth pulling: `databases/` (with `-wal`/`-shm`),
/// `cache/` (the audio), `files/`, `app_flutter/`, `no_backup/`; not
/// `code_cache/` (compiled code, no evidence).
pub const FOLDERS: [&str; 5] = ["databases", "cache", "files", "app_flutter", "no_backup"];

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub package: String,
    pub out: Option<PathBuf>,
    pub serial: Option<String>,
}

/// Finds `adb` on PATH, else in the SDK's `platform-tools`.
pub fn find_adb() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let in_sdk = ["ANDROID_HOME", "ANDROID_SDK_ROOT"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|home| PathBuf::from(home).join("platform-tools"));
    on_path.chain(in_sdk).map(|dir| dir.join("adb")).find(|p| is_executable(p)).ok_or_else(|| {
        Error::bad_input(
            "adb was not found on PATH or in $ANDROID_HOME/platform-tools ($ANDROID_SDK_ROOT/platform-tools); install Android SDK Platform-Tools and put adb on PATH",
        )
    })
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

struct Adb {
    path: PathBuf,
    serial: String,
}

impl Adb {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.path);
        cmd.arg("-s").arg(&self.serial).args(args).stdin(Stdio::null());
        cmd
    }

    /// Runs a short command; stdout and stderr together (exec-out mixes them anyway).
    fn text(&self, args: &[&str]) -> Result<String> {
        let out = self.command(args).output().map_err(|e| spawn_failed(&self.path, &e))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(text)
    }
}

fn spawn_failed(adb: &Path, e: &std::io::Error) -> Error {
    Error::io(format!("could not run {}: {}", escaped(adb), crate::core::error::plain_io(e)))
}

/// Picks the device: `--serial` (or `$ANDROID_SERIAL`), else the only one.
fn pick_device(adb: &Path, wanted: Option<&str>) -> Result<String> {
    let out = Command::new(adb).arg("devices").stdin(Stdio::null()).output().map_err(|e| spawn_failed(adb, &e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let devices: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.starts_with("List of devices") && !l.starts_with('*') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t').map(|(s, st)| (s.trim().to_string(), st.trim().to_string())))
        .collect();
    let listed = || devices.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(", ");
    let env_serial = std::env::var("ANDROID_SERIAL").ok().filter(|s| !s.is_empty());
    let chosen = match wanted.map(str::to_string).or(env_serial) {
        Some(s) => match devices.iter().find(|(d, _)| *d == s) {
            Some(d) => d.clone(),
            None if devices.is_empty() => return Err(no_device()),
            None => {
                return Err(Error::bad_input(format!(
                    "no device {} is connected (connected: {}); check --serial against `adb devices`",
                    escaped_str(&s),
                    listed()
                )));
            }
        },
        None => {
            let ready: Vec<&(String, String)> = devices.iter().filter(|(_, st)| st == "device").collect();
            match (ready.as_slice(), devices.as_slice()) {
                ([one], _) => (*one).clone(),
                ([], []) => return Err(no_device()),
                ([], [first, ..]) => first.clone(),
                (several, _) => {
                    let names: Vec<&str> = several.iter().map(|(s, _)| s.as_str()).collect();
                    return Err(Error::bad_input(format!(
                        "several Android devices are connected ({}); choose one with --serial",
                        names.join(", ")
                    )));
                }
            }
        }
    };
    let (serial, state) = chosen;
    match state.as_str() {
        "device" => Ok(serial),
        "unauthorized" => Err(unauthorized(&serial)),
        "offline" => Err(Error::bad_input(format!(
            "the device {} is offline; reconnect it (or run `adb reconnect`) and try again",
            escaped_str(&serial)
        ))),
        other => Err(Error::bad_input(format!(
            "the device {} is in state \"{}\", not ready; reconnect it with USB debugging on and try again",
            escaped_str(&serial),
            escaped_str(other)
        ))),
    }
}

fn escaped_str(s: &str) -> String {
    crate::core::fmt::escaped_bytes(s.as_bytes())
}

fn no_device() -> Error {
    Error::bad_input(
        "no Android device is connected (`adb devices` lists none); connect one with USB debugging on, or start an emulator",
    )
}

fn unauthorized(serial: &str) -> Error {
    Error::bad_input(format!(
        "the device {} has not authorized this computer; unlock it, accept the \"Allow USB debugging\" prompt on the phone, and try again",
        escaped_str(serial)
    ))
}

/// The sentence for what adb or run-as printed, when it is a known failure.
fn known_failure(text: &str, pkg: &str, serial: &str) -> Option<Error> {
    let (p, s) = (escaped_str(pkg), escaped_str(serial));
    let line = text.lines().find(|l| l.contains("run-as:") || l.contains("adb:") || l.contains("error:")).unwrap_or("");
    let quoted = escaped_str(line.trim());
    if text.contains("package not debuggable") {
        Some(Error::bad_input(format!(
            "{p} on {s} is not a debuggable build, so run-as cannot read its data ({quoted}); install a debug build of the app and pull again"
        )))
    } else if text.contains("unknown package") || (text.contains("run-as:") && text.contains("is unknown")) {
        Some(Error::bad_input(format!(
            "{p} is not installed on {s} ({quoted}); check the name with `adb -s {s} shell pm list packages`"
        )))
    } else if text.contains("device unauthorized") {
        Some(unauthorized(serial))
    } else if text.contains("no devices/emulators found") || text.contains("device offline") {
        Some(Error::bad_input(format!("the device {s} went away ({quoted}); reconnect it and pull again")))
    } else if text.contains("more than one device/emulator") {
        Some(Error::bad_input("several Android devices are connected; choose one with --serial"))
    } else if text.contains("run-as:") {
        Some(Error::bad_input(format!("run-as refused to read {p} on {s} ({quoted}); pull again with a debug build")))
    } else {
        None
    }
}

/// Pulls the app's data into a new folder (default `PACKAGE-<UTC time>`).
pub fn pull(req: &Request, ctl: &Control) -> Result<Pulled> {
    let pkg = req.package.as_str();
    if pkg.is_empty() || !pkg.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
        return Err(Error::bad_input(format!(
            "{} is not an Android package name (like com.example.books); check it with `adb shell pm list packages`",
            escaped_str(pkg)
        )));
    }
    let out = req.out.clone().unwrap_or_else(|| default_out(pkg));
    crate::core::archive::new_folder(&out)?;
    let adb_path = find_adb()?;
    let serial = pick_device(&adb_path, req.serial.as_deref())?;
    let adb = Adb { path: adb_path, serial };
    let getprop = |name: &str| -> Result<String> { Ok(adb.text(&["shell", "getprop", name])?.trim().to_string()) };
    let model = getprop("ro.product.model")?;
    let android = getprop("ro.build.version.release")?;
    if let Some(e) = known_failure(&model, pkg, &adb.serial) {
        return Err(e);
    }
    let dumpsys = adb.text(&["shell", "dumpsys", "package", pkg])?;
    let version = dumpsys.lines().find_map(|l| l.trim().strip_prefix("versionName=")).map(|v| v.trim().to_string());
    let listing = adb.text(&["exec-out", "run-as", pkg, "ls"])?;
    if let Some(e) = known_failure(&listing, pkg, &adb.serial) {
        return Err(e);
    }
    let present: Vec<&str> = FOLDERS.iter().copied().filter(|f| listing.lines().any(|l| l.trim() == *f)).collect();
    if present.is_empty() {
        return Err(Error::bad_input(format!(
            "{} on {} has none of {} in its data folder; is it the right app?",
            escaped_str(pkg),
            escaped_str(&adb.serial),
            FOLDERS.join(", ")
        )));
    }
    let staging = staging_for(&out)?;
    let mut args = vec!["exec-out", "run-as", pkg, "tar", "cf", "-"];
    args.extend(&present);
    let mut child = adb
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_failed(&adb.path, &e))?;
    let stats = stream(&mut child, pkg, &adb.serial, &staging, &out, ctl);
    let stats = match stats {
        Ok(s) => s,
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    };
    let info = json!({
        "source": "android",
        "serial": adb.serial,
        "model": model,
        "android_version": android,
        "package": pkg,
        "package_version": version,
        "folders": present,
        "pulled_at": now_utc(),
        "cachescope": env!("CARGO_PKG_VERSION"),
    });
    finish(staging, &out, &info)?;
    Ok(Pulled { out, stats, info })
}

/// Streams the tar from `child` into the staging folder, then waits for it.
fn stream(
    child: &mut Child,
    pkg: &str,
    serial: &str,
    staging: &tempfile::TempDir,
    out: &Path,
    ctl: &Control,
) -> Result<crate::core::archive::Stats> {
    let mut stdout = child.stdout.take().ok_or_else(|| Error::io("adb gave no output stream"))?;
    let mut stderr = child.stderr.take().ok_or_else(|| Error::io("adb gave no error stream"))?;
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut text);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&text).into_owned()
    });
    let mut head = Vec::with_capacity(512);
    let _ = (&mut stdout).take(512).read_to_end(&mut head);
    let (p, s) = (escaped_str(pkg), escaped_str(serial));
    let fail_with = |text: String, fallback: Error| -> Error { known_failure(&text, pkg, serial).unwrap_or(fallback) };
    if !is_tar_header(&head) {
        let _ = child.kill();
        let mut text = String::from_utf8_lossy(&head).into_owned();
        text.push_str(&errors.join().unwrap_or_default());
        let first = escaped_str(text.lines().next().unwrap_or("nothing").trim());
        return Err(fail_with(
            text,
            Error::bad_input(format!(
                "tar on {s} did not send {p}'s data ({first}); nothing was written, pull again with the app closed"
            )),
        ));
    }
    let label = format!("the tar stream of {p} from {s}");
    let unpacked = unpack_tar_stream(Cursor::new(head).chain(stdout), staging.path(), label, space_hint(out), ctl);
    let status = child.wait().map_err(|e| Error::io(format!("adb did not finish: {e}")))?;
    let text = errors.join().unwrap_or_default();
    let tar_line = text.lines().find(|l| l.trim_start().starts_with("tar:"));
    match (unpacked, tar_line) {
        (Err(e), _) => Err(fail_with(text, e)),
        (Ok(_), Some(line)) => Err(Error::bad_input(format!(
            "tar on {s} failed while copying {p} ({}); nothing was written, pull again with the app closed",
            escaped_str(line.trim())
        ))),
        (Ok(_), None) if !status.success() => Err(fail_with(
            text.clone(),
            Error::bad_input(format!(
                "adb failed while copying {p} from {s} ({}); nothing was written, pull again",
                escaped_str(text.lines().next().unwrap_or("no message").trim())
            )),
        )),
        (Ok(stats), None) => Ok(stats),
    }
}
