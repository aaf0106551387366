//! A counting global allocator: live and peak heap bytes, as the program asked for them (not as the OS charged
//! them: compare with RSS for that). The `lab` binary installs it; counting costs two relaxed atomics per call.
//! Underneath it is glibc's malloc, or mimalloc when the process starts with `LAB_ALLOCATOR=mimalloc`: the choice
//! is made at the first allocation and never changes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

/// 0: not chosen yet, 1: the system allocator, 2: mimalloc.
static CHOICE: AtomicU8 = AtomicU8::new(0);

fn use_mimalloc() -> bool {
    let mut c = CHOICE.load(Ordering::Relaxed);
    if c == 0 {
        // getenv does not allocate, so it is safe to call from inside the allocator.
        // SAFETY: a NUL-terminated name; the result is only read.
        let v = unsafe { libc::getenv(c"LAB_ALLOCATOR".as_ptr()) };
        let mi = !v.is_null() && unsafe { std::ffi::CStr::from_ptr(v) } == c"mimalloc";
        c = if mi { 2 } else { 1 };
        CHOICE.store(c, Ordering::Relaxed);
    }
    c == 2
}

/// The allocator under the counter in this process.
pub fn allocator_name() -> &'static str {
    if use_mimalloc() {
        "mimalloc"
    } else {
        "glibc malloc"
    }
}

static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// Wraps the system allocator and counts. Install with `#[global_allocator]`.
pub struct CountingAlloc;

fn grow(n: u64) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to one allocator, the same for the life of the process; only
// counters are added.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = if use_mimalloc() { mimalloc::MiMalloc.alloc(layout) } else { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size() as u64);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = if use_mimalloc() { mimalloc::MiMalloc.alloc_zeroed(layout) } else { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size() as u64);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if use_mimalloc() {
            mimalloc::MiMalloc.dealloc(ptr, layout)
        } else {
            System.dealloc(ptr, layout)
        }
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = if use_mimalloc() {
            mimalloc::MiMalloc.realloc(ptr, layout, new_size)
        } else {
            System.realloc(ptr, layout, new_size)
        };
        if !p.is_null() {
            if new_size >= layout.size() {
                grow((new_size - layout.size()) as u64);
            } else {
                LIVE.fetch_sub((layout.size() - new_size) as u64, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Heap bytes live now (0 unless `CountingAlloc` is the global allocator).
pub fn live_bytes() -> u64 {
    LIVE.load(Ordering::Relaxed)
}

/// Peak live heap bytes since start or the last `reset_peak`.
pub fn peak_bytes() -> u64 {
    PEAK.load(Ordering::Relaxed)
}

/// Allocations made so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Starts a new peak from the current live bytes.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}
