//! Big arrays on huge pages. A million files and a million rows are two
//! 120 MB arrays that `check` walks a few times and the TUI walks on every
//! filter keystroke. On 4 KiB pages, the first walk after a pause pays an
//! address translation per page: measured on a 2-core virtual machine, a
//! 120 MB walk took 200 ms after one second idle and 20 ms right after
//! another walk. On 2 MiB pages (transparent huge pages, which the kernel
//! gives to memory advised with `MADV_HUGEPAGE`) the same walk took 20 ms
//! either way. So once [`enable`]d, every allocation big enough to hold a
//! huge page is advised; smaller ones, and systems without transparent huge
//! pages, are as before.
//!
//! The TUI enables it: its arrays live as long as it runs and are walked
//! after every pause. A one-shot `check` walks them once, right after
//! building them, and measured 3–6 % slower with it (fresh huge pages are
//! zeroed 2 MiB at a time), so it keeps the system allocator's way.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// From now on, big blocks go onto huge pages (see the module docs).
pub fn enable() {
    if !ENABLED.swap(true, Ordering::Relaxed) {
        map_big_blocks_fresh();
    }
}

/// The system allocator, advising big blocks onto huge pages.
pub struct HugePagesForBig;

const HUGE_PAGE: usize = 2 << 20;
/// From this size on, a block is advised (a million 8-byte indices is 8 MB).
const BIG: usize = HUGE_PAGE;

// SAFETY: every block comes from `System` and goes back to it with the same
// layout; the advice changes how pages are backed, never their contents.
unsafe impl GlobalAlloc for HugePagesForBig {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A small block growing big: the system allocator would copy it
        // into a fresh mapping before the advice could reach it, putting
        // the copied part on small pages. So: a new, advised block first.
        if new_size >= BIG && layout.size() < BIG && ENABLED.load(Ordering::Relaxed) {
            // SAFETY: as for `GlobalAlloc::realloc`: `new_size` with the
            // old alignment is a valid layout, and the old block holds
            // `layout.size()` bytes that fit into the new one.
            let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            let q = unsafe { self.alloc(new) };
            if !q.is_null() {
                unsafe {
                    std::ptr::copy_nonoverlapping(p, q, layout.size());
                    System.dealloc(p, layout);
                }
            }
            return q;
        }
        let q = unsafe { System.realloc(p, layout, new_size) };
        advise(q, new_size);
        q
    }
}

/// Advises the whole huge pages inside a big block. A block the system
/// allocator maps fresh has no pages backed yet, so the first touch of each
/// of them gets a huge page. (The block's first, partial 2 MiB stays on
/// small pages: the allocator writes its header there before this runs.)
fn advise(p: *mut u8, size: usize) {
    if p.is_null() || size < BIG || !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let start = (p as usize).next_multiple_of(HUGE_PAGE);
    let end = (p as usize + size) / HUGE_PAGE * HUGE_PAGE;
    // SAFETY: the range lies inside the block; the advice is a hint (an
    // error only means "no huge pages").
    #[cfg(target_os = "linux")]
    if end > start {
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, end);
}

/// glibc maps blocks from 128 KiB on fresh, but raises that bar (up to
/// 32 MiB) each time a bigger mapped block is freed, and then carves more
/// big blocks out of memory it already holds, on small pages. A fixed bar
/// at the huge page size keeps most big blocks fresh (one can still come
/// from free memory the allocator holds) and gives them back to the
/// system when freed.
fn map_big_blocks_fresh() {
    // SAFETY: a plain setting of the C allocator; it allocates nothing.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, BIG as libc::c_int)
    };
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The `VmFlags` of the mapping that holds `p`, from `/proc/self/smaps`.
    fn flags_at(p: *const u8) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = (lo..hi).contains(&(p as usize));
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.to_string();
            }
        }
        panic!("no mapping holds {p:?}");
    }

    fn advised(p: *const u8) -> bool {
        flags_at(p).split_whitespace().any(|f| f == "hg")
    }

    /// Whether the page at `p` is part of a transparent huge page, from
    /// `/proc/self/pagemap` and `/proc/kpageflags`; None where the system
    /// does not say (no huge pages, or not allowed to read page frames).
    fn on_huge_page(p: *const u8) -> Option<bool> {
        use std::os::unix::fs::FileExt;
        let thp = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?;
        if thp.contains("[never]") {
            return None;
        }
        let mut entry = [0u8; 8];
        let pagemap = std::fs::File::open("/proc/self/pagemap").ok()?;
        pagemap.read_exact_at(&mut entry, (p as u64 / 4096) * 8).ok()?;
        let frame = u64::from_le_bytes(entry) & ((1 << 55) - 1);
        if frame == 0 {
            return None;
        }
        let flags = std::fs::File::open("/proc/kpageflags").ok()?;
        flags.read_exact_at(&mut entry, frame * 8).ok()?;
        Some(u64::from_le_bytes(entry) & (1 << 22) != 0)
    }

    #[test]
    fn big_blocks_are_advised_onto_huge_pages() {
        super::enable();
        let big: Vec<u64> = Vec::with_capacity(1 << 20);
        assert!(advised(big.as_ptr().wrapping_add(big.capacity() / 2).cast()), "an 8 MiB block");
        // A list that grows past the bar is advised where it now lies.
        let mut grown: Vec<u64> = Vec::new();
        grown.extend(0..(1u64 << 20));
        assert!(advised(grown.as_ptr().wrapping_add(grown.len() / 2).cast()), "a grown list");
        let zeroed = vec![0u8; 8 << 20];
        assert!(advised(zeroed.as_ptr().wrapping_add(4 << 20)), "a zeroed block");
    }

    /// A small block that grows big is copied into a block advised before
    /// the copy touches it: the copied bytes lie on a huge page too.
    #[test]
    fn a_small_block_grown_big_is_copied_onto_huge_pages() {
        super::enable();
        let copied = super::BIG - 1;
        let mut grown = vec![1u8; copied];
        grown.reserve(16 << 20);
        // The first whole huge page inside the block: the copy reaches it
        // (the block's header takes less than the one byte short of 2 MiB).
        let p = grown.as_ptr() as usize;
        let first = p.next_multiple_of(super::HUGE_PAGE);
        assert!(first < p + copied);
        match on_huge_page(first as *const u8) {
            Some(huge) => assert!(huge, "copied bytes at {first:#x} are on a huge page"),
            None => eprintln!("skipped: this system does not tell which pages are huge (it needs root)"),
        }
        assert!(grown.iter().all(|&b| b == 1), "the bytes were copied");
    }
}
