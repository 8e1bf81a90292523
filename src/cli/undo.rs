//! `cachescope undo`: revert a batch (the newest by default).

use crate::core::{Dump, Error, Session, undo};

pub fn run(dump: &Dump, batch: Option<i64>) -> Result<u8, Error> {
    let session = Session::begin(dump)?;
    if let Some(done) = session.recover()? {
        println!("Recovered first: {done}.");
    }
    let report = undo(&session, batch)?;
    println!(
        "Undid batch {} (as batch {}): {} rows restored, {} files moved back from quarantine.",
        report.undone, report.batch, report.rows_restored, report.files_restored
    );
    for c in &report.conflicts {
        println!("  not restored: {c}");
    }
    Ok(0)
}
