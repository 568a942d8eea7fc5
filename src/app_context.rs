//! What every page shares: the open repository, the users and the current
//! user, and a change counter that makes pages re-read after any commit (in
//! this tab or another one).

use std::future::Future;

use leptos::prelude::*;

use crate::domain::{seed_users, User};
use crate::split::{ChunkMissing, InChunk};
use crate::storage::{
    settings, Expect, IdbRepository, Progress, ReadStop, Repository, StorageError, StorageResult,
    DEFAULT_DB_NAME,
};

#[derive(Clone, Copy)]
pub struct AppContext {
    repo: StoredValue<IdbRepository, LocalStorage>,
    /// Every user, active or not (a lead manager may be inactive).
    pub users: RwSignal<Vec<User>>,
    /// The user the app acts as; chosen in the header's user switcher.
    pub user: RwSignal<User>,
    changes: RwSignal<u64>,
    /// Bumped by every commit, sync's own bookkeeping (outbox, revisions,
    /// refusals, checkpoints) included, which leaves `changes` alone: a push
    /// must not make every page re-read, nor reset a form someone is typing in.
    sync_changes: RwSignal<u64>,
    /// How many damaged records the lists have met (see `storage::DamageLog`).
    pub damaged: RwSignal<usize>,
}

impl AppContext {
    /// A handle on the repository (clones share one connection).
    pub fn repo(&self) -> IdbRepository {
        self.repo.get_value()
    }

    /// A handle for the reads of the page this is called in (its owner):
    /// they stop once the page is left. A resource's future runs to its end
    /// even then, and the next page's reads would wait behind it. A stopped
    /// read ends with `StorageError::Cancelled`, which no one sees: its page
    /// is gone. (Saves use [`repo`](AppContext::repo): they never stop.)
    pub fn page_repo(&self) -> IdbRepository {
        let stop = ReadStop::new();
        let left = stop.clone();
        on_cleanup(move || left.stop());
        self.repo().stopped_by(&stop)
    }

    /// A handle for one long write (demo load, Reset, import, restore, bulk
    /// apply): its progress goes to `progress`, and `cancel` now holds the
    /// flag that stops it (the work's Cancel sets it).
    pub fn bulk_repo(
        &self,
        progress: RwSignal<Option<Progress>>,
        cancel: StoredValue<ReadStop>,
    ) -> IdbRepository {
        progress.set(None);
        let stop = ReadStop::new();
        cancel.set_value(stop.clone());
        self.repo()
            .bulk(move |p| progress.set(Some(p)))
            .cancelled_by(&stop)
    }

    /// Call inside a resource's fetcher: it then re-runs after every commit.
    pub fn track_changes(&self) {
        self.changes.track();
    }

    /// A page's read: `load` gets the repository, and runs again after every
    /// commit (and whenever a signal it reads changes, e.g. the route's ID).
    pub fn live_resource<T, Fut>(
        self,
        load: impl Fn(IdbRepository) -> Fut + 'static,
    ) -> LocalResource<T>
    where
        T: 'static,
        Fut: Future<Output = T> + 'static,
    {
        self.live_on(self.changes, load)
    }

    /// [`live_resource`](AppContext::live_resource) for the Sync page: it
    /// also runs again after commits of sync's own stores.
    pub fn live_sync_resource<T, Fut>(
        self,
        load: impl Fn(IdbRepository) -> Fut + 'static,
    ) -> LocalResource<T>
    where
        T: 'static,
        Fut: Future<Output = T> + 'static,
    {
        self.live_on(self.sync_changes, load)
    }

    /// `load` run again whenever `counter` moves, on a
    /// [`page_repo`](AppContext::page_repo).
    fn live_on<T, Fut>(
        self,
        counter: RwSignal<u64>,
        load: impl Fn(IdbRepository) -> Fut + 'static,
    ) -> LocalResource<T>
    where
        T: 'static,
        Fut: Future<Output = T> + 'static,
    {
        let repo = self.page_repo();
        LocalResource::new(move || {
            counter.track();
            load(repo.clone())
        })
    }

    /// Tells the pages that records changed (after a commit in this tab, the
    /// repository's subscription does this already).
    pub fn notify_changed(&self) {
        self.changes.update(|n| *n = n.wrapping_add(1));
        self.sync_changes.update(|n| *n = n.wrapping_add(1));
    }

    pub fn switch_user(&self, user: User) {
        settings::set_current_user_id(user.id.to18());
        self.user.set(user);
    }

    pub fn user_named(&self, id: &str) -> Option<User> {
        self.users
            .with_untracked(|users| users.iter().find(|u| u.id.to18() == id).cloned())
    }
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

/// Opens the database (creating it on the first visit) and loads the users.
pub async fn open_app() -> Result<AppContext, StorageError> {
    let repo = IdbRepository::open(DEFAULT_DB_NAME).await?;
    crate::bench::mark("ld:db-open");
    let mut users: Vec<User> = repo.list_records::<User>().await?;
    if users.is_empty() {
        users = seed_users();
        match repo.put_all(users.clone(), Expect::Absent).await {
            // Another tab seeded them at the same moment: theirs are the same users.
            Ok(_) | Err(StorageError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let saved = settings::current_user_id();
    let current = saved
        .and_then(|id| {
            users
                .iter()
                .find(|u| u.id.to18() == id && u.active)
                .cloned()
        })
        .or_else(|| users.iter().find(|u| u.active).cloned())
        .ok_or_else(|| {
            StorageError::Other(
                "No active user exists. Reset the demo data to recreate the users.".into(),
            )
        })?;
    let changes = RwSignal::new(0u64);
    let sync_changes = RwSignal::new(0u64);
    let users_signal = RwSignal::new(users);
    let damaged = RwSignal::new(repo.damage_log().count());
    repo.damage_log().listen(move |n| damaged.set(n));
    let scanner = repo.clone();
    repo.subscribe(move |notice| {
        sync_changes.update(|n| *n = n.wrapping_add(1));
        if notice.only_sync_stores() {
            return;
        }
        changes.update(|n| *n = n.wrapping_add(1));
        // A commit may have replaced or deleted a damaged record (a restore,
        // the demo load, Reset): count them again. Without damaged records,
        // no commit of the desk makes one, so nothing to scan.
        if scanner.damage_log().count() > 0 {
            scan_damaged_later(scanner.clone());
        }
    })
    .keep();
    // The notice counts every damaged record from the start, not only those
    // the lists met so far.
    scan_damaged_later(repo.clone());
    Ok(AppContext {
        repo: StoredValue::new_local(repo),
        users: users_signal,
        user: RwSignal::new(current),
        changes,
        sync_changes,
        damaged,
    })
}

/// Scans every store for damaged records in the background, once the tab is
/// quiet and out of the way of its reads and commits (`storage/idb_scan.rs`);
/// a scan that fails, or whose code can't be fetched, leaves the count as the
/// lists found it.
fn scan_damaged_later(repo: IdbRepository) {
    leptos::task::spawn_local(async move {
        repo.quiet_for_the_scan().await;
        if let Ok(scan) = scan_damaged(repo).await {
            let _ = scan.await;
        }
    });
}

crate::split_off! {
    /// The background scan, split off: it decodes every store's records, and
    /// so holds the decoding of record types no first page reads (installs,
    /// notifications, sync's records…).
    fn scan_damaged(repo: IdbRepository) -> Result<InChunk<StorageResult<()>>, ChunkMissing> {
        Ok(Box::pin(async move { repo.scan_damaged_in_background().await }))
    }
}
