//! `cachescope pull ios-sim`: the booted simulator's data container for an
//! app (`xcrun simctl get_app_container booted BUNDLE_ID data`), copied with
//! links kept as links and mtimes kept. Only on macOS; real iPhones go
//! through Xcode's "Download Container…", whose `.xcappdata` opens as is.

use std::path::PathBuf;

use super::Pulled;
use crate::core::control::Control;
use crate::core::error::{Error, Result};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub bundle_id: String,
    pub out: Option<PathBuf>,
}

/// The sentence for machines without Xcode.
pub const NEEDS_MACOS: &str = "pull ios-sim needs macOS with Xcode (it runs `xcrun simctl`); for a real iPhone, open Xcode's Devices and Simulators window, select the app, choose \"Download Container…\", and open the .xcappdata it saves with `cachescope check APP.xcappdata`";

#[cfg(not(target_os = "macos"))]
pub fn pull(_req: &Request, _ctl: &Control) -> Result<Pulled> {
    Err(Error::bad_input(NEEDS_MACOS))
}

#[cfg(target_os = "macos")]
pub fn pull(req: &Request, ctl: &Control) -> Result<Pulled> {
    use super::{default_out, finish, now_utc, space_hint, staging_for};
    use crate::core::fmt::escaped_bytes;
    use std::process::{Command, Stdio};

    let id = req.bundle_id.as_str();
    let out = req.out.clone().unwrap_or_else(|| default_out(id));
    crate::core::archive::new_folder(&out)?;
    let res = Command::new("xcrun")
        .args(["simctl", "get_app_container", "booted", id, "data"])
        .stdin(Stdio::null())
        .output()
        .map_err(|_| Error::bad_input(NEEDS_MACOS))?;
    let said = String::from_utf8_lossy(&res.stderr).lines().next().unwrap_or("").trim().to_string();
    if !res.status.success() {
        return Err(Error::bad_input(format!(
            "the booted simulator has no app {} ({}); boot a simulator with the app installed (`xcrun simctl list devices booted`) and check the bundle id",
            escaped_bytes(id.as_bytes()),
            escaped_bytes(said.as_bytes())
        )));
    }
    let src = PathBuf::from(String::from_utf8_lossy(&res.stdout).trim());
    let staging = staging_for(&out)?;
    let stats = super::copy::copy_tree(&src, staging.path(), space_hint(&out), ctl)?;
    let info = serde_json::json!({
        "source": "ios-sim",
        "device": "booted",
        "bundle_id": id,
        "container": src.to_string_lossy(),
        "pulled_at": now_utc(),
        "cachescope": env!("CARGO_PKG_VERSION"),
    });
    finish(staging, &out, &info)?;
    Ok(Pulled { out, stats, info })
}
