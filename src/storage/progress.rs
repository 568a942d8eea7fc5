//! How far a long commit has got, for a progress bar.
//!
//! A bulk commit (demo load, reset, import, restore, bulk apply) is still one
//! transaction: all of it is written or none. Inside a transaction the
//! browser completes requests in order, so when the n-th write has succeeded
//! the n writes before it have too; the commit awaits every
//! [`PROGRESS_STEP`]-th write and reports the count. Awaiting also hands the
//! page back to the browser between steps, so it keeps painting.

use std::rc::Rc;

/// Records written of a commit's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn new(done: usize, total: usize) -> Progress {
        Progress {
            done: done.min(total),
            total,
        }
    }
}

/// Called with the progress of each commit of a bulk handle (see
/// `IdbRepository::bulk`): first `0 / total`, last `total / total`.
pub type ProgressSink = Rc<dyn Fn(Progress)>;

/// How many writes a bulk commit issues between two reports. Small enough
/// that the page repaints several times a second at a few thousand records
/// a second, large enough that awaiting costs nothing measurable.
pub const PROGRESS_STEP: usize = 2_000;

/// Whether a commit of `total` writes reports after its `written`-th
/// write: every [`PROGRESS_STEP`], and the last one.
pub fn is_report_point(written: usize, total: usize) -> bool {
    written > 0 && (written.is_multiple_of(PROGRESS_STEP) || written == total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_step_and_the_last_write_once() {
        let points = |total: usize| {
            (1..=total)
                .filter(|&n| is_report_point(n, total))
                .collect::<Vec<_>>()
        };
        assert!(points(0).is_empty());
        assert_eq!(points(1), vec![1]);
        assert_eq!(points(PROGRESS_STEP), vec![PROGRESS_STEP]);
        assert_eq!(
            points(2 * PROGRESS_STEP + 1),
            vec![PROGRESS_STEP, 2 * PROGRESS_STEP, 2 * PROGRESS_STEP + 1]
        );
    }

    #[test]
    fn done_never_exceeds_total() {
        assert_eq!(Progress::new(7, 5), Progress { done: 5, total: 5 });
        assert_eq!(Progress::new(0, 0), Progress { done: 0, total: 0 });
    }
}
