//! `cachescope pull`: an app's data copied off a device into a new dump
//! folder. Everything is written into a hidden temp folder beside OUT
//! through the archive module's safe writer and renamed to OUT only once
//! complete, with `.cachescope/pulled.json` saying where it came from.

pub mod android;
pub mod copy;
pub mod ios_sim;

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::archive::{Stats, new_folder};
use super::dump::STATE_DIR;
use super::error::{Error, Result};
use super::fmt::escaped;

/// What a pull wrote.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub out: PathBuf,
    pub stats: Stats,
    /// The content of `.cachescope/pulled.json`.
    pub info: serde_json::Value,
}

/// `NAME-20260129-143000` in the current folder: the default OUT.
pub fn default_out(name: &str) -> PathBuf {
    let safe: String = name.chars().map(|c| if c == '/' || c.is_control() { '_' } else { c }).collect();
    PathBuf::from(format!("{safe}-{}", jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")))
}

/// A hidden folder beside `out` to write into (removed unless [`finish`]ed).
pub fn staging_for(out: &Path) -> Result<TempDir> {
    let (parent, name) = new_folder(out)?;
    tempfile::Builder::new()
        .prefix(&format!(".{}.cachescope-pull-", name.to_string_lossy()))
        .tempdir_in(&parent)
        .map_err(|e| Error::io_at("create a folder in", &parent, &e))
}

/// Writes `pulled.json`, then renames the staging folder to `out`.
pub fn finish(staging: TempDir, out: &Path, info: &serde_json::Value) -> Result<()> {
    let state = staging.path().join(STATE_DIR);
    std::fs::create_dir_all(&state).map_err(|e| Error::io_at("create", &state, &e))?;
    let file = state.join("pulled.json");
    let text = serde_json::to_string_pretty(info).map_err(|e| Error::io(e.to_string()))? + "\n";
    std::fs::write(&file, text).map_err(|e| Error::io_at("write", &file, &e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755));
    }
    // rename(2) replaces only a missing or empty folder, never a full one.
    std::fs::rename(staging.path(), out).map_err(|e| Error::io_at("move the pulled dump to", out, &e))?;
    let _ = staging.keep();
    Ok(())
}

/// The time of a pull, in UTC, as written in `pulled.json`.
pub fn now_utc() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Where a new dump's bytes go, for the "disk is full" hint.
pub fn space_hint(out: &Path) -> String {
    format!("free some space beside {}", escaped(out))
}
