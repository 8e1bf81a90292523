//! `R`: finish or roll back an interrupted apply from the inspector, as
//! `cachescope recover` does — after a confirmation that defaults to No,
//! on a worker, followed by a rescan.

use super::app::{App, Busy, Confirm, Effect, Layer};
use crate::core::Error;

impl App {
    /// `R`: asks first, and only when there is something to recover.
    pub(super) fn ask_recover(&mut self) {
        if !self.may_write("recover") {
            return;
        }
        if self.inspection().is_some_and(|i| i.interrupted.is_none()) {
            self.status = "nothing to recover: no interrupted apply was found".into();
        } else {
            self.layers.push(Layer::Confirm(Confirm::Recover));
        }
    }

    pub(super) fn start_recover(&mut self) -> Vec<Effect> {
        self.busy = Some(Busy::Recovering);
        self.progress = None;
        self.status = "recovering the interrupted apply…".into();
        log::info!("recovery of an interrupted apply requested");
        vec![Effect::Recover]
    }

    /// The worker recovered (or could not); a rescan follows.
    pub(super) fn on_recovered(&mut self, res: Result<Option<String>, Error>) {
        self.busy = Some(Busy::Scanning);
        self.progress = None;
        let lines = match res {
            Ok(Some(done)) => {
                log::info!("recovered: {done}");
                self.status = format!("recovered: {done}");
                vec![format!("Recovered: {done}."), "The lists were rescanned.".into()]
            }
            Ok(None) => {
                self.status = "nothing to recover: no interrupted apply".into();
                vec!["Nothing to recover: no interrupted apply.".into()]
            }
            Err(e) => {
                log::error!("recovery failed: {e}");
                self.status = format!("recovery failed: {e}");
                vec!["Recovery failed.".into(), e.message]
            }
        };
        self.show_result(lines);
    }
}
