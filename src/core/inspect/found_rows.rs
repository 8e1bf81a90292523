//! Each discrepancy's row in one forward pass: the JSON report, the
//! findings and the TUI's filter all ask for tens of thousands of them, and
//! as many binary searches through a million rows, each step a cache miss,
//! took 100–300 ms.

use super::Inspection;
use crate::core::key::Key;
use crate::core::rows::Row;

impl Inspection {
    /// Each discrepancy's row, in the order of `found`: its own, or else
    /// its key's (an incomplete or redundant file's key may have one).
    ///
    /// The keys without a row of their own are looked up in key order, each
    /// search starting where the last one ended, so it stays near memory it
    /// has touched.
    pub fn found_rows(&self) -> Vec<Option<u32>> {
        let mut out: Vec<Option<u32>> = self.found.iter().map(|d| d.row.map(|r| r as u32)).collect();
        let mut wanted: Vec<(Key, usize)> = (self.found.iter().enumerate())
            .filter(|(_, d)| d.row.is_none())
            .filter_map(|(i, d)| Some((Key::new(d.key.as_deref()?), i)))
            .collect();
        wanted.sort_unstable();
        let mut at = 0;
        for (key, disc) in wanted {
            at = first_not_below(&self.rows, at, &key);
            if self.rows.get(at).is_some_and(|r| r.key == key) {
                out[disc] = Some(at as u32);
            }
        }
        out
    }
}

/// The first position at or after `from` whose row's key is not below
/// `key`: a galloping search (steps 1, 2, 4, … then a binary search in the
/// last step), so a key near the last one costs a few nearby reads.
fn first_not_below(rows: &[Row], from: usize, key: &Key) -> usize {
    let rest = &rows[from..];
    let mut step = 1;
    while step < rest.len() && rest[step - 1].key < *key {
        step *= 2;
    }
    let start = step / 2;
    from + start + rest[start..step.min(rest.len())].partition_point(|r| r.key < *key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::dump::Dump;
    use crate::core::model::{DiskScan, Encoding, FileFacts, FileKind, Identity, Probe};
    use crate::core::schema::Columns;

    /// Every discrepancy's row, as a binary search per key finds it.
    #[test]
    fn found_rows_match_a_search_per_key() {
        let keys: Vec<String> = (0..200).map(|i| format!("{:064x}", i * 7)).collect();
        // Every third key has a row; every key has an incomplete file.
        let rows: Vec<Row> = keys.iter().step_by(3).map(|k| Row::new(k, Some("m4a"))).collect();
        let files = keys
            .iter()
            .map(|k| {
                let kind = FileKind::Cache { encoding: Encoding::M4a, probe: Probe::incomplete("cut short") };
                FileFacts::new(format!("{k}.m4a"), Identity::default(), kind)
            })
            .collect();
        let dump = Dump { root: "/d".into(), db: "/d/app.db".into(), cache_dir: "/d/audio".into(), archive: None };
        let ins = Inspection::from_parts(dump, Columns::reference(), rows, DiskScan::from_files(files));
        let got = ins.found_rows();
        assert_eq!(got.len(), ins.found.len());
        let mut with_row = 0;
        for (d, row) in ins.found.iter().zip(&got) {
            let want = d.row.or_else(|| ins.row_index(d.key.as_deref()?));
            assert_eq!(row.map(|r| r as usize), want, "{}", d.id);
            with_row += usize::from(row.is_some());
        }
        assert!(with_row > 60, "most of the keys' rows are found: {with_row}");
    }
}
