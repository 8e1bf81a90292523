//! The apply row: the database work of applying `n` size fixes through the
//! core, on a dump built for it (one SQL fix per key).

use std::path::Path;
use std::time::Duration;

/// A dump of `n` size mismatches (one SQL fix each), applied through the core.
pub fn database_work(dir: &Path, n: u64) -> Duration {
    use cachescope::core::demo::containers::m4a;
    use cachescope::core::{ApplyOptions, Control, Dump, Inspection, Locate, Selection, Session, apply, plan};
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("audio")).unwrap();
    let conn = rusqlite::Connection::open(dir.join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE cache_entries (cache_key TEXT PRIMARY KEY NOT NULL, compression_state TEXT NOT NULL, size_bytes INTEGER, duration_ms INTEGER, created_at INTEGER NOT NULL);",
    )
    .unwrap();
    let bytes = m4a(10, 16);
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..n {
        let key = format!("{i:064x}");
        std::fs::write(dir.join("audio").join(format!("{key}.m4a")), &bytes).unwrap();
        tx.execute("INSERT INTO cache_entries VALUES (?1, 'm4a', 1, 10, 0)", [&key]).unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    let dump = Dump::locate(&Locate { path: Some(dir.to_path_buf()), ..Default::default() }).unwrap();
    let ins = Inspection::open(&dump, &Control::none()).unwrap();
    let p = plan(&ins, &Selection::default());
    assert_eq!(p.items.len() as u64, n);
    let session = Session::begin(&dump).unwrap();
    let report = apply(&session, &p, &ApplyOptions::default(), &Control::none()).unwrap();
    assert_eq!(report.applied() as u64, n);
    report.timings.database
}
