//! `cachescope pull`: copy an app's data off a device into a new dump folder.

use super::args::PullFrom;
use crate::core::Error;

pub fn run(_from: PullFrom) -> Result<u8, Error> {
    Err(Error::bad_input("pull is not ready yet"))
}
