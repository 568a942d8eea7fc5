//! Change notices: after each commit, subscribers in this tab are called, and
//! other tabs hear of it on the `license-desk-changes` BroadcastChannel.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use serde::{Deserialize, Serialize};

use super::batch::Committed;
use super::record::StoreName;

/// The BroadcastChannel every License Desk tab listens on.
pub const CHANNEL_NAME: &str = "license-desk-changes";

/// Above this many records, a notice names only the stores.
pub const MAX_IDS_PER_NOTICE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeOrigin {
    /// A commit through this repository (this tab).
    ThisTab,
    /// A commit in another tab (or another repository on the same database).
    OtherTab,
    /// Another tab opened a newer version of License Desk: this tab's
    /// database connection was closed so that tab could upgrade it. This tab
    /// must reload (its reads and saves now fail with a "reload" message).
    SchemaUpgrade,
}

/// Which records changed. The UI refreshes what it shows from those stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNotice {
    pub origin: ChangeOrigin,
    pub stores: Vec<StoreName>,
    /// The changed records, or `None` when there were too many to list.
    pub records: Option<Vec<(StoreName, String)>>,
}

impl ChangeNotice {
    pub(crate) fn from_committed(committed: &Committed, origin: ChangeOrigin) -> ChangeNotice {
        let mut stores: Vec<StoreName> = committed.changes.iter().map(|c| c.store).collect();
        stores.extend_from_slice(&committed.cleared);
        stores.extend_from_slice(&committed.unlisted);
        crate::sort::sort_by(&mut stores, Ord::cmp);
        stores.dedup();
        // A cleared store changed in records nobody listed: name stores only.
        let listable = committed.cleared.is_empty()
            && committed.unlisted.is_empty()
            && committed.changes.len() <= MAX_IDS_PER_NOTICE;
        let records = listable.then(|| {
            committed
                .changes
                .iter()
                .map(|c| (c.store, c.id.clone()))
                .collect()
        });
        ChangeNotice {
            origin,
            stores,
            records,
        }
    }

    /// Whether the commit wrote only sync's own bookkeeping (no record a
    /// page shows): a notice naming no store (a schema upgrade) is not one.
    pub fn only_sync_stores(&self) -> bool {
        !self.stores.is_empty() && self.stores.iter().all(|s| StoreName::SYNC.contains(s))
    }

    /// Whether the notice may concern `store`.
    pub fn touches(&self, store: StoreName) -> bool {
        self.stores.contains(&store)
    }

    /// Whether the notice may concern record `id` of `store`.
    pub fn touches_record(&self, store: StoreName, id: &str) -> bool {
        match &self.records {
            Some(records) => records.iter().any(|(s, i)| *s == store && i == id),
            None => self.touches(store),
        }
    }
}

type Callback = Rc<dyn Fn(&ChangeNotice)>;

#[derive(Default)]
struct Inner {
    next_id: u64,
    callbacks: Vec<(u64, Callback)>,
}

/// The callbacks registered on one repository.
#[derive(Clone, Default)]
pub(crate) struct Subscribers(Rc<RefCell<Inner>>);

impl Subscribers {
    pub(crate) fn add(&self, callback: impl Fn(&ChangeNotice) + 'static) -> Subscription {
        let mut inner = self.0.borrow_mut();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.callbacks.push((id, Rc::new(callback)));
        Subscription {
            subscribers: Rc::downgrade(&self.0),
            id,
        }
    }

    /// Calls every callback. Callbacks may subscribe or unsubscribe meanwhile.
    pub(crate) fn notify(&self, notice: &ChangeNotice) {
        let callbacks: Vec<Callback> = self
            .0
            .borrow()
            .callbacks
            .iter()
            .map(|(_, c)| Rc::clone(c))
            .collect();
        for callback in callbacks {
            callback(notice);
        }
    }
}

/// Keeps a change callback registered; dropping it unsubscribes.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    subscribers: Weak<RefCell<Inner>>,
    id: u64,
}

impl Subscription {
    /// Keeps the callback for the life of the repository.
    pub fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.subscribers.upgrade() {
            if let Ok(mut inner) = inner.try_borrow_mut() {
                inner.callbacks.retain(|(id, _)| *id != self.id);
            }
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Subscription({})", self.id)
    }
}
