//! Running reads side by side.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

/// Runs two futures at once and waits for both (the crate has no `futures`
/// dependency outside tests). Never panics: each output is taken once.
pub(crate) async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let mut done_a = None;
    let mut done_b = None;
    poll_fn(move |cx| {
        if done_a.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                done_a = Some(v);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                done_b = Some(v);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                done_a = x;
                done_b = y;
                Poll::Pending
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    /// Pending on its first poll (waking itself), ready on the second.
    struct YieldOnce<T>(Option<T>, bool);

    impl<T: Unpin> Future for YieldOnce<T> {
        type Output = T;
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<T> {
            if self.1 {
                match self.0.take() {
                    Some(v) => Poll::Ready(v),
                    None => Poll::Pending,
                }
            } else {
                self.1 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn join2_waits_for_both() {
        let (a, b) = block_on(join2(YieldOnce(Some(1), false), async { "ready" }));
        assert_eq!((a, b), (1, "ready"));
        let (a, b) = block_on(join2(async { 2 }, YieldOnce(Some('x'), false)));
        assert_eq!((a, b), (2, 'x'));
    }
}
