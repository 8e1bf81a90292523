//! Fewer malloc arenas. glibc gives threads arenas of their own, up to eight
//! per core, and memory freed in one arena is not reused by the others. A
//! scan's probe threads, the database reader, detection's threads and the
//! report's row reader each fill one: at a million files and rows `check`
//! peaked at 355–360 MiB with glibc's default and 337–340 MiB with four
//! arenas, in the same time. (One arena: 310 MiB, but 20 % slower, every
//! thread queuing for its lock.)

/// Arenas at most, for the whole process.
const ARENAS: i32 = 4;

/// Caps the arenas; call before the first thread starts.
pub fn limit() {
    // SAFETY: a plain setting of the C allocator; it allocates nothing.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS)
    };
}
