//! A check of the `moov` that a decoder trusts blindly: symphonia 0.5 sizes
//! its sample tables from their entry counts before reading them, so a count
//! that lies (a bit flip in `stco`) asks for gigabytes and aborts the
//! process. Run before handing a file to the decoder.

use std::io;

use super::bmff::{BoxAt, header};
use super::{ReadAt, Window, be32, fourcc};

/// Boxes whose children are boxes, down to the sample tables.
const CONTAINERS: [&[u8; 4]; 8] = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex"];

/// What is wrong with the `moov` body `[start, end)`, if anything: a box that
/// does not fit its parent, or a table whose count does not fit its box.
pub(super) fn lying_table(r: &impl ReadAt, start: u64, end: u64) -> io::Result<Option<String>> {
    let w = Window::new(r, start, end)?;
    let mut budget = super::MAX_ENTRIES * 4;
    walk(&w, start, end, 0, &mut budget)
}

fn walk(r: &impl ReadAt, start: u64, end: u64, depth: usize, budget: &mut usize) -> io::Result<Option<String>> {
    let mut offset = start;
    while offset < end {
        if *budget == 0 || depth > 8 {
            return Ok(Some("too many boxes in the moov".into()));
        }
        *budget -= 1;
        let Some((b, size)) = header(r, offset, end)? else {
            return Ok(Some(format!("a box header in the moov is cut short at offset {offset}")));
        };
        if size < b.body - b.start || b.end > end {
            return Ok(Some(format!("box '{}' does not fit in its parent", fourcc(&b.name))));
        }
        if CONTAINERS.contains(&&b.name) {
            if let Some(why) = walk(r, b.body, b.end, depth + 1, budget)? {
                return Ok(Some(why));
            }
        } else if let Some(why) = table(r, b)? {
            return Ok(Some(why));
        }
        offset = b.end;
    }
    Ok(None)
}

/// A sample table whose entries do not fit in its box.
fn table(r: &impl ReadAt, b: BoxAt) -> io::Result<Option<String>> {
    // (bytes before the count, bytes per entry)
    let (skip, entry): (u64, u64) = match &b.name {
        b"stts" | b"ctts" | b"co64" => (4, 8),
        b"stsc" => (4, 12),
        b"stco" | b"stss" => (4, 4),
        b"stsz" => (8, 4),
        _ => return Ok(None),
    };
    let mut h = [0u8; 12];
    let body = b.end - b.body;
    if body < skip + 4 || !r.read_exact_at(&mut h[..(skip + 4) as usize], b.body)? {
        return Ok(Some(format!("table '{}' is cut short", fourcc(&b.name))));
    }
    let count = u64::from(be32(&h[skip as usize..skip as usize + 4]));
    // stsz lists sizes only when its uniform sample size is 0
    let entries = if &b.name == b"stsz" && be32(&h[4..8]) != 0 { 0 } else { count };
    if entries * entry > body - skip - 4 {
        return Ok(Some(format!("table '{}' claims {} entries in {} bytes", fourcc(&b.name), count, body - skip - 4)));
    }
    Ok(None)
}
