//! Sorting a million records by text keys: first by a number that orders
//! like the text's first eight bytes (fast, cache-friendly comparisons of
//! small pairs), ties settled by the full comparison, then the records moved
//! into place once, without a second copy of them.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, given `prefix` that never disagrees with it: when
/// `prefix(a) < prefix(b)` then `cmp(a, b)` is `Less`.
pub fn sort_by_prefix<T>(v: &mut [T], prefix: impl Fn(&T) -> u64, cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<(u64, u32)> = v.iter().enumerate().map(|(i, x)| (prefix(x), i as u32)).collect();
    // A radix sort: a few passes over the pairs, no comparisons. Stable, so
    // equal prefixes keep their index order, as a plain sort of the pairs.
    radsort::sort_by_key(&mut order, |o| o.0);
    let mut start = 0;
    while start < order.len() {
        let end = start + order[start..].iter().take_while(|o| o.0 == order[start].0).count();
        if end - start > 1 {
            order[start..end].sort_by(|a, b| cmp(&v[a.1 as usize], &v[b.1 as usize]));
        }
        start = end;
    }
    let mut from: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
    permute(v, &mut from);
}

/// Puts `v[from[i]]` at `i` for every `i`, following each cycle once.
fn permute<T>(v: &mut [T], from: &mut [u32]) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let src = from[at] as usize;
            from[at] = at as u32;
            if src == start || src == at {
                break;
            }
            v.swap(at, src);
            at = src;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_a_plain_sort(mut v in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 0..200)) {
            let mut want = v.clone();
            want.sort();
            sort_by_prefix(&mut v, |b| crate::core::key::prefix_of(b), |a, b| a.cmp(b));
            prop_assert_eq!(v, want);
        }
    }
}
