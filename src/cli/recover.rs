//! `cachescope recover`: finish or roll back an interrupted batch.

use crate::core::{Dump, Error, Session};

pub fn run(dump: &Dump) -> Result<u8, Error> {
    let session = Session::begin(dump)?;
    match session.recover()? {
        Some(done) => println!("Recovered: {done}."),
        None => println!("Nothing to recover: no interrupted apply."),
    }
    Ok(0)
}
