//! The licenses list's first read, started as soon as the database is open
//! when the app opens on the list's address: the read then runs while the
//! header, the navigation and the page mount, instead of after them.
//!
//! The list page takes the read ([`take_first_read`]) instead of starting
//! its own. Commits heard between the start of the read and the take are
//! handed over with it (as the page's own notices would have been), so
//! the page reads what they changed after showing the rows: nothing is
//! shown that the database no longer holds once the page has caught up.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use leptos::task::spawn_local;

use super::{load_list_rows, LicenseList, ListRefresh, Lookups};
use crate::storage::{IdbRepository, Repository, StorageError, Subscription};

/// The licenses list's address: a start there reads the list at once.
pub const LIST_PATH: &str = "/licenses";

type Read = Result<(LicenseList, Lookups), StorageError>;

#[derive(Default)]
struct Slot {
    read: Option<Read>,
    /// What commits since the start of the read ask the list to read again.
    asked: ListRefresh,
    /// The page waiting for the read.
    waker: Option<Waker>,
    /// Listens for those commits until the read is taken.
    subscription: Option<Subscription>,
}

thread_local! {
    /// One app per tab: the read started for its first page, until taken.
    static STARTED: RefCell<Option<Rc<RefCell<Slot>>>> = const { RefCell::new(None) };
}

/// Starts the list's read when the tab opened on the list (call once the
/// database is open, before the shell mounts).
pub fn start_first_read_if_on_list(repo: &IdbRepository) {
    let on_list = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|path| path.trim_end_matches('/') == LIST_PATH);
    if on_list {
        start_first_read(repo.clone());
    }
}

fn start_first_read(repo: IdbRepository) {
    let slot = Rc::new(RefCell::new(Slot::default()));
    let heard = Rc::downgrade(&slot);
    let subscription = repo.subscribe(move |notice| {
        if notice.only_sync_stores() {
            return;
        }
        if let Some(slot) = heard.upgrade() {
            if let Ok(mut slot) = slot.try_borrow_mut() {
                slot.asked.merge(ListRefresh::from_notice(notice));
            }
        }
    });
    slot.borrow_mut().subscription = Some(subscription);
    STARTED.with(|s| *s.borrow_mut() = Some(Rc::clone(&slot)));
    spawn_local(async move {
        let read = load_list_rows(&repo).await;
        let waker = {
            let mut slot = slot.borrow_mut();
            slot.read = Some(read);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}

/// The read started at the app's start, once done, with what commits since
/// its start ask to read again; `None` when none was started or it was
/// already taken (the page then reads the list itself).
pub async fn take_first_read() -> Option<(Read, ListRefresh)> {
    let slot = STARTED.with(|s| s.borrow_mut().take())?;
    poll_fn(move |cx| {
        let Ok(mut slot) = slot.try_borrow_mut() else {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        };
        match slot.read.take() {
            Some(read) => {
                slot.subscription = None;
                Poll::Ready(Some((read, std::mem::take(&mut slot.asked))))
            }
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}
