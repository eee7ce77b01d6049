//! Giving freed memory back to the system during a long batch.
//!
//! Each worker thread allocates from its own glibc arena. Rendering a report allocates buffers of
//! tens to hundreds of KB (content streams, the PDF being written, font subsets) between small
//! allocations that outlive the report (the shaped-word cache, result rows); once glibc has raised
//! its mmap threshold (it does when a large mapped block is freed), those buffers come from the
//! arena too, and the arena can only shrink from its top: its free pages stay resident. At 2,000
//! customers that was 190 MB of RSS for under 30 MB of live heap (docs/performance.md, issue #18).
//! `malloc_trim(0)` returns every whole free page of every arena to the system (`MADV_DONTNEED`)
//! and leaves the allocations in place; doing it after every [`TRIM_EVERY`] customers keeps the
//! resident size near the live heap for a fraction of a percent of the run's time.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Customers between two trims (of all threads together).
pub const TRIM_EVERY: usize = 16;

/// Counts finished customers and trims after every [`TRIM_EVERY`].
#[derive(Default)]
pub struct Trimmer {
    done: AtomicUsize,
}

impl Trimmer {
    /// Notes a finished customer; every [`TRIM_EVERY`]th gives free memory back ([`trim`]).
    pub fn customer_done(&self) {
        if (self.done.fetch_add(1, Ordering::Relaxed) + 1) % TRIM_EVERY == 0 {
            trim();
        }
    }
}

/// Returns the whole free pages of the allocator's heaps to the system (glibc); nothing elsewhere.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim takes the arenas' locks itself, may be called from any thread at any
        // time, and frees or moves no allocation; it only releases pages no allocation uses.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_allocations_survive_trims() {
        let trimmer = Trimmer::default();
        let kept: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 200_000 + i]).collect();
        for i in 0..(3 * TRIM_EVERY) {
            // Large blocks freed between the kept ones: pages for the trim to give back.
            drop(vec![0u8; 300_000 + i]);
            trimmer.customer_done();
        }
        assert_eq!(trimmer.done.load(Ordering::Relaxed), 3 * TRIM_EVERY);
        for (i, block) in kept.iter().enumerate() {
            assert_eq!(block.len(), 200_000 + i);
            assert!(block.iter().all(|&b| b == i as u8));
        }
    }
}
