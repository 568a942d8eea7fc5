//! A page's reads stop once the page is left. A Leptos resource's read runs
//! to its end even when its page is gone, and the next page's reads wait
//! behind its chunks (docs/perf.md, "What is left: the Home page's dashboard
//! read"). The page sets its [`ReadStop`] when it is left; the repository
//! handle that carries it checks it before each read and between the chunks
//! of a long one, and refuses with [`StorageError::Cancelled`], which nobody
//! shows: the page that asked is gone.
//!
//! The same flag is a bulk commit's Cancel (`IdbRepository::cancelled_by`):
//! the commit checks it at each progress step.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::error::{StorageError, StorageResult};

/// Shared by a page and the reads it started. (An `Arc`, not an `Rc`: the
/// page's clean-up callback must be `Send`; the app has one thread.)
#[derive(Debug, Clone, Default)]
pub struct ReadStop(Arc<AtomicBool>);

impl ReadStop {
    pub fn new() -> ReadStop {
        ReadStop::default()
    }

    /// The page was left: its reads stop at their next check.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once stopped.
    pub fn check(&self) -> StorageResult<()> {
        if self.is_stopped() {
            Err(StorageError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_is_seen_by_every_clone() {
        let page = ReadStop::new();
        let read = page.clone();
        assert_eq!(read.check(), Ok(()));
        page.stop();
        assert!(read.is_stopped());
        assert_eq!(read.check(), Err(StorageError::Cancelled));
    }
}
