//! The app team's alert thresholds (the seed's design notes): domain policy,
//! so it lives in the core; the TUI header shows these sentences.

use super::kinds::Kind;

/// Orphaned files over this share of the cache's files is an alert.
pub const ORPHAN_SHARE_PERCENT: usize = 10;
/// More ghost entries than this is an alert.
pub const GHOST_LIMIT: usize = 5;

/// The alerts for these per-kind counts over a cache of `files` files,
/// one sentence each.
pub fn alerts(counts: &[(Kind, usize)], files: usize) -> Vec<String> {
    let n = |k: Kind| counts.iter().find(|(c, _)| *c == k).map_or(0, |(_, n)| *n);
    let (orphans, ghosts) = (n(Kind::OrphanedFile), n(Kind::GhostEntry));
    let mut out = vec![];
    if files > 0 && orphans * 100 > files * ORPHAN_SHARE_PERCENT {
        out.push(format!("ALERT orphaned files: {orphans} of {files} cache files (over {ORPHAN_SHARE_PERCENT} %)"));
    }
    if ghosts > GHOST_LIMIT {
        out.push(format!("ALERT ghost entries: {ghosts} (over {GHOST_LIMIT})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_strictly_over() {
        assert!(alerts(&[(Kind::OrphanedFile, 10), (Kind::GhostEntry, 5)], 100).is_empty());
        assert_eq!(
            alerts(&[(Kind::OrphanedFile, 11), (Kind::GhostEntry, 6)], 100),
            ["ALERT orphaned files: 11 of 100 cache files (over 10 %)", "ALERT ghost entries: 6 (over 5)"]
        );
        assert!(alerts(&[(Kind::OrphanedFile, 3)], 0).is_empty());
    }
}
