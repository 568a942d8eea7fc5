//! The running sync: its settings, the connection check, and two loops
//! while it is on — push (sends the outbox whenever it is not empty, woken
//! by the repository's change notices) and pull (long-polls the server's
//! changes feed). A lost connection or a server error (5xx) is retried with
//! a growing wait; a refusal of this desk (401, 403) stops both loops with
//! the server's reason. The header shows [`SyncStatus`].
//!
//! Where things are kept: the database URL and whether sync is on, in
//! localStorage (a desk setting, so sync starts again after a reload); the
//! user name and password only in sessionStorage (the tab's session), never
//! in localStorage or IndexedDB.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::browser_turn::sleep;
use crate::storage::{IdbRepository, Repository, StorageError, Subscription};
use crate::sync::couch_json::{DbUrl, Session};
use crate::sync::design::design_doc;
use crate::sync::desk::DeskSync;
use crate::sync::http::{Auth, CouchHttp};
use crate::sync::local::{Local, SyncError};
use crate::sync::remote::{DbInfo, Remote, RemoteError};
use crate::sync::replicator::{replication_id, Direction, Replicator, Transfer};
use crate::sync::status::SyncStatus;

/// The localStorage key of [`SyncSettings`].
pub const SETTINGS_KEY: &str = "license-desk.sync";
/// The sessionStorage key of [`Credentials`].
pub const CREDENTIALS_KEY: &str = "license-desk.sync-credentials";
/// How long a pull waits on the server for a change.
pub const LONG_POLL_MS: u32 = 20_000;
/// The longest wait before trying an unreachable server again.
pub const MAX_BACKOFF_MS: i32 = 10_000;

/// The desk's sync settings (no secret in here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncSettings {
    pub db_url: String,
    /// Sync was started and not stopped: it starts again after a reload.
    pub enabled: bool,
    /// The server wants a user name (asked again in a new tab).
    pub needs_login: bool,
    /// This desk's name in the server's checkpoints (`_local` documents).
    pub desk_id: String,
}

pub fn load_settings() -> SyncSettings {
    LocalStorage::get::<SyncSettings>(SETTINGS_KEY).unwrap_or_default()
}

/// Best effort: without localStorage, sync just doesn't restart by itself.
fn save_settings(settings: &SyncSettings) {
    let _ = LocalStorage::set(SETTINGS_KEY, settings);
}

/// This desk's id for checkpoints, made once.
fn desk_id(settings: &mut SyncSettings) -> String {
    if settings.desk_id.is_empty() {
        let n = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        settings.desk_id = format!("{n:014x}");
    }
    settings.desk_id.clone()
}

/// The user name and password, for this tab's session only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub name: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({})", self.name)
    }
}

impl Credentials {
    fn auth(&self) -> Auth {
        if self.name.trim().is_empty() {
            Auth::None
        } else {
            Auth::Basic {
                name: self.name.trim().to_string(),
                password: self.password.clone(),
            }
        }
    }
}

/// The credentials this tab's session keeps, if any.
pub fn session_credentials() -> Option<Credentials> {
    SessionStorage::get::<Credentials>(CREDENTIALS_KEY).ok()
}

fn keep_credentials(credentials: &Credentials) {
    let _ = SessionStorage::set(CREDENTIALS_KEY, credentials);
}

/// One loop's state, for the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Leg {
    /// Sending or receiving (or not yet done once).
    #[default]
    Working,
    /// Done until something changes.
    Idle,
    /// The server can't be reached; trying again later.
    Offline,
}

/// What the two loops last found; [`Health::status`] is the header's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    pub running: bool,
    pub push: Leg,
    pub pull: Leg,
    /// Local changes still queued.
    pub waiting: u64,
    /// The server refused documents this desk sent (they stay queued).
    pub refused: Option<String>,
    /// Sync stopped because the server refused this desk.
    pub error: Option<String>,
    /// A push of more than one page under way (the Sync page's progress).
    pub sending: Option<Transfer>,
    /// A catch-up of more than one page under way (a first sync, a desk
    /// back after a long time offline).
    pub receiving: Option<Transfer>,
}

impl Health {
    pub fn status(&self) -> SyncStatus {
        if let Some(reason) = &self.error {
            return SyncStatus::Error(reason.clone());
        }
        if !self.running {
            return SyncStatus::Off;
        }
        if let Some(reason) = &self.refused {
            return SyncStatus::Error(reason.clone());
        }
        if self.push == Leg::Offline || self.pull == Leg::Offline {
            return SyncStatus::Offline {
                waiting: self.waiting,
            };
        }
        if self.waiting > 0 || self.push == Leg::Working || self.pull == Leg::Working {
            return SyncStatus::Syncing {
                to_send: self.waiting,
            };
        }
        SyncStatus::Synced
    }
}

/// The wait before the `failures`-th retry: 1 s, 2 s, 4 s, … up to
/// [`MAX_BACKOFF_MS`].
pub fn backoff_ms(failures: u32) -> i32 {
    let doubled = 1_000i64 << failures.saturating_sub(1).min(10);
    doubled.min(i64::from(MAX_BACKOFF_MS)) as i32
}

/// What a failed step means for the loops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Try again later (no network, server restarting).
    Transient,
    /// Stop, and show this reason.
    Fatal(String),
}

/// The reason shown for a server's error: its own words where it gave them.
pub fn reason(error: &RemoteError) -> String {
    match error {
        RemoteError::Unauthorized(r) | RemoteError::Forbidden(r) => r.clone(),
        other => other.to_string(),
    }
}

pub fn failure(error: &SyncError) -> Failure {
    match error {
        SyncError::Remote(e) if e.is_transient() => Failure::Transient,
        SyncError::Remote(e) => Failure::Fatal(reason(e)),
        other => Failure::Fatal(other.to_string()),
    }
}

/// A wake-up call between the loops and what concerns them.
#[derive(Clone, Default)]
struct Wake(Rc<RefCell<(bool, Option<Waker>)>>);

impl Wake {
    fn notify(&self) {
        let waker = {
            let mut state = self.0.borrow_mut();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Notifies after `ms` (an early notice ends the wait sooner).
    fn notify_after(&self, ms: i32) {
        let wake = self.clone();
        spawn_local(async move {
            sleep(ms).await;
            wake.notify();
        });
    }

    async fn notified(&self) {
        poll_fn(|cx| {
            let mut state = self.0.borrow_mut();
            if std::mem::take(&mut state.0) {
                Poll::Ready(())
            } else {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// A server that answered: who we are there, its database, and whether the
/// design document was installed now.
#[derive(Debug, Clone)]
pub struct Connection {
    pub info: DbInfo,
    pub session: Session,
    pub design_installed: bool,
}

impl Connection {
    /// The Test connection message.
    pub fn describe(&self) -> String {
        let docs = match self.info.doc_count {
            1 => "1 document".to_string(),
            n => format!("{n} documents"),
        };
        let who = match &self.session.name {
            Some(name) if self.session.roles.is_empty() => format!("Signed in as {name}."),
            Some(name) => format!(
                "Signed in as {name} (roles: {}).",
                self.session.roles.join(", ")
            ),
            None => "Not signed in (the server lets anyone in).".to_string(),
        };
        let design = if self.design_installed {
            " The server's rules (design document _design/license_desk) were installed."
        } else {
            ""
        };
        format!(
            "Connected to database {}: {docs}. {who}{design}",
            self.info.db_name
        )
    }
}

/// Checks the server: who we are, the database; installs the design
/// document when we are a server admin.
pub async fn connect(remote: &CouchHttp) -> Result<Connection, RemoteError> {
    let session = remote.session().await?;
    let info = remote.info().await?;
    let design_installed = if session.is_admin() {
        remote.install_design_doc(&design_doc()).await?
    } else {
        false
    };
    Ok(Connection {
        info,
        session,
        design_installed,
    })
}

/// A connection check without starting sync (the Test connection button).
pub async fn test_connection(url: &str, credentials: &Credentials) -> Result<Connection, String> {
    let url = DbUrl::parse(url).map_err(|e| e.to_string())?;
    let remote = CouchHttp::new(url, credentials.auth());
    connect(&remote).await.map_err(|e| e.to_string())
}

struct Running {
    abort: web_sys::AbortController,
    push: Wake,
    pull: Wake,
    _changes: Subscription,
}

/// What both loops of one start share.
struct Run {
    /// The start they belong to: a later start or a stop ends them.
    generation: u64,
    remote: CouchHttp,
    desk: DeskSync<IdbRepository>,
    id: String,
}

#[derive(Default)]
struct RunState {
    generation: u64,
    running: Option<Running>,
}

/// The app's sync, shared through the context.
#[derive(Clone, Copy)]
pub struct SyncService {
    pub health: RwSignal<Health>,
    state: StoredValue<Rc<RefCell<RunState>>, leptos::prelude::LocalStorage>,
    repo: StoredValue<IdbRepository, leptos::prelude::LocalStorage>,
}

impl SyncService {
    /// Made once with the app; starts sync again when it was on.
    pub fn new(repo: IdbRepository) -> SyncService {
        let service = SyncService {
            health: RwSignal::new(Health::default()),
            state: StoredValue::new_local(Rc::new(RefCell::new(RunState::default()))),
            repo: StoredValue::new_local(repo),
        };
        // Back online: try now rather than at the end of the wait.
        let online = window_event_listener(leptos::ev::online, move |_| service.wake());
        std::mem::forget(online);
        // Gone offline: a request in flight (the long poll) may never settle;
        // start again, which cancels it and waits for the network.
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            if service.is_running() {
                service.resume();
            }
        });
        std::mem::forget(offline);
        service.resume();
        service
    }

    pub fn status(&self) -> Signal<SyncStatus> {
        let health = self.health;
        Signal::derive(move || health.with(Health::status))
    }

    pub fn is_running(&self) -> bool {
        self.state.with_value(|s| s.borrow().running.is_some())
    }

    /// After a reload: starts again if sync was on and this tab's session
    /// still has what the server asks for.
    fn resume(self) {
        let settings = load_settings();
        if !settings.enabled {
            return;
        }
        let credentials = session_credentials().unwrap_or_default();
        if settings.needs_login && credentials.name.is_empty() {
            self.health.set(Health {
                error: Some(
                    "Enter the user name and password again on the Sync page (they are kept for a tab's session only)."
                        .to_string(),
                ),
                ..Health::default()
            });
            return;
        }
        spawn_local(async move {
            let _ = self.start(&settings.db_url, &credentials).await;
        });
    }

    /// Connects, then runs the two loops until [`stop`](Self::stop) or a
    /// refusal. What to tell the user, or why it failed. A server that
    /// can't be reached now does not stop it: the loops keep trying.
    ///
    /// The sync engine (the loops, the outbox, the documents' codecs) is a
    /// lazy chunk in split builds (src/pages/lazy.rs): fetched by the first
    /// start, not by a desk that never syncs.
    pub async fn start(self, url: &str, credentials: &Credentials) -> Result<String, String> {
        start_sync(self, url.to_string(), credentials.clone())
            .await
            .map_err(|missing| missing.to_string())?
            .await
    }

    async fn start_now(self, url: &str, credentials: &Credentials) -> Result<String, String> {
        self.halt();
        let url = DbUrl::parse(url).map_err(|e| e.to_string())?;
        let abort = web_sys::AbortController::new()
            .map_err(|_| "This browser can't cancel a request.".to_string())?;
        let remote = CouchHttp::new(url.clone(), credentials.auth()).with_abort(abort.signal());
        let generation = self.state.with_value(|s| s.borrow().generation);
        self.health.set(Health {
            running: true,
            ..Health::default()
        });
        let message = match connect(&remote).await {
            Ok(c) => format!("Sync started. {}", c.describe()),
            Err(e) if e.is_transient() => {
                self.health.update(|h| h.pull = Leg::Offline);
                format!("Sync started. {e}")
            }
            Err(e) => {
                self.health.set(Health {
                    error: Some(reason(&e)),
                    ..Health::default()
                });
                return Err(e.to_string());
            }
        };
        if self.state.with_value(|s| s.borrow().generation) != generation {
            return Err("Sync was stopped.".to_string());
        }
        let repo = self.repo.get_value();
        let desk = DeskSync::new(repo.clone());
        // Each desk makes IDs in a range of its own (kept once drawn), so two
        // desks never create records under the same ID.
        let draw = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let set_up_before = desk.is_enabled().await.unwrap_or(false);
        let ready = match desk.claim_desk(draw).await {
            Ok(_) => desk.enable().await,
            Err(e) => Err(e),
        };
        if let Err(e) = ready {
            self.health.set(Health {
                error: Some(e.to_string()),
                ..Health::default()
            });
            return Err(e.to_string());
        }
        let mut settings = load_settings();
        settings.db_url = url.to_string();
        settings.enabled = true;
        settings.needs_login = !credentials.name.trim().is_empty();
        let id = replication_id(&desk_id(&mut settings), url.as_str());
        save_settings(&settings);
        keep_credentials(credentials);

        let push = Wake::default();
        let pull = Wake::default();
        let notices = push.clone();
        let changes = repo.subscribe(move |_| notices.notify());
        self.state.with_value(|s| {
            s.borrow_mut().running = Some(Running {
                abort,
                push: push.clone(),
                pull: pull.clone(),
                _changes: changes,
            })
        });
        let run = Rc::new(Run {
            generation,
            remote,
            desk,
            id,
        });
        if set_up_before {
            // The safety net (a record a tab saved before it heard that sync
            // is set up) runs beside the loops: at 10,000 licenses it reads
            // for seconds, which a start must not wait for. What it queues
            // wakes the push loop through the change notice.
            let reconcile = run.clone();
            spawn_local(async move {
                let _ = reconcile.desk.reconcile().await;
            });
        }
        spawn_local(self.push_loop(run.clone(), push));
        spawn_local(self.pull_loop(run, pull));
        Ok(message)
    }

    /// Stops both loops (an open long poll is cancelled) and remembers that
    /// sync is off.
    pub fn stop(self) {
        self.halt();
        let mut settings = load_settings();
        settings.enabled = false;
        save_settings(&settings);
        self.health.set(Health::default());
    }

    /// Ends the loops, keeping the settings and the health shown.
    fn halt(self) {
        let running = self.state.with_value(|s| {
            let mut s = s.borrow_mut();
            s.generation += 1;
            s.running.take()
        });
        if let Some(running) = running {
            running.abort.abort();
            running.push.notify();
            running.pull.notify();
        }
    }

    /// Wakes both loops (back online, a resolved conflict).
    pub fn wake(self) {
        self.state.with_value(|s| {
            if let Some(running) = &s.borrow().running {
                running.push.notify();
                running.pull.notify();
            }
        });
    }

    fn current(&self, generation: u64) -> bool {
        self.state
            .try_with_value(|s| s.borrow().generation == generation)
            .unwrap_or(false)
    }

    fn update(&self, change: impl FnOnce(&mut Health)) {
        self.health.try_update(change);
    }

    /// A long push or catch-up's progress, for the Sync page.
    fn show_transfer(&self, generation: u64, direction: Direction, transfer: Transfer) {
        if self.current(generation) {
            self.update(|h| match direction {
                Direction::Sending => h.sending = Some(transfer),
                Direction::Receiving => h.receiving = Some(transfer),
            });
        }
    }

    /// A failed step: a wait before the next try, or the end of sync.
    async fn failed(&self, generation: u64, error: &SyncError, failures: u32, wake: &Wake) -> bool {
        match failure(error) {
            Failure::Transient => {
                wake.notify_after(backoff_ms(failures));
                wake.notified().await;
                self.current(generation)
            }
            Failure::Fatal(reason) => {
                if self.current(generation) {
                    self.halt();
                    self.update(|h| {
                        *h = Health {
                            error: Some(reason),
                            ..Health::default()
                        }
                    });
                }
                false
            }
        }
    }

    async fn push_loop(self, run: Rc<Run>, wake: Wake) {
        let Run {
            generation,
            remote,
            desk,
            id,
        } = &*run;
        let generation = *generation;
        let on_transfer =
            move |direction, transfer| self.show_transfer(generation, direction, transfer);
        let replicator = Replicator::new(remote, desk, id.clone()).with_progress(&on_transfer);
        let mut failures = 0;
        while self.current(generation) {
            let result = replicator.push().await;
            if !self.current(generation) {
                return;
            }
            self.update(|h| h.sending = None);
            let waiting = desk.waiting().await.unwrap_or(0);
            match result {
                Ok(report) => {
                    failures = 0;
                    let refused = report
                        .refused
                        .first()
                        .map(|f| format!("the server refused {}: {}", f.id, f.reason));
                    self.update(|h| {
                        h.waiting = waiting;
                        h.push = Leg::Idle;
                        h.refused = refused;
                    });
                    // More to send than one round took: go on at once.
                    if report.sent > 0 && waiting > 0 {
                        continue;
                    }
                    wake.notified().await;
                }
                Err(e) => {
                    failures += 1;
                    self.update(|h| {
                        h.waiting = waiting;
                        h.push = Leg::Offline;
                    });
                    if !self.failed(generation, &e, failures, &wake).await {
                        return;
                    }
                }
            }
        }
    }

    async fn pull_loop(self, run: Rc<Run>, wake: Wake) {
        let generation = run.generation;
        let on_transfer =
            move |direction, transfer| self.show_transfer(generation, direction, transfer);
        let replicator =
            Replicator::new(&run.remote, &run.desk, run.id.clone()).with_progress(&on_transfer);
        let mut failures = 0;
        // Plain reads until caught up (so "Synced" shows as soon as it is
        // true), then long polls.
        let mut caught_up = false;
        while self.current(generation) {
            let wait = caught_up.then_some(LONG_POLL_MS);
            let result = replicator.catch_up(wait).await;
            if !self.current(generation) {
                return;
            }
            self.update(|h| h.receiving = None);
            match result {
                Ok(report) => {
                    failures = 0;
                    caught_up = report.caught_up;
                    self.update(|h| {
                        h.pull = if report.caught_up {
                            Leg::Idle
                        } else {
                            Leg::Working
                        }
                    });
                }
                Err(e) => {
                    failures += 1;
                    caught_up = false;
                    self.update(|h| h.pull = Leg::Offline);
                    if !self.failed(generation, &e, failures, &wake).await {
                        return;
                    }
                }
            }
        }
    }
}

crate::split_off! {
    // A free function: a split point takes no receiver.
    fn start_sync(
        service: SyncService,
        url: String,
        credentials: Credentials,
    ) -> Result<crate::split::InChunk<Result<String, String>>, crate::split::ChunkMissing> {
        Ok(Box::pin(async move { service.start_now(&url, &credentials).await }))
    }
}

/// The conflicts and refusals the Sync page lists.
pub async fn conflicts(
    repo: IdbRepository,
) -> Result<Vec<crate::sync::desk::Conflict>, StorageError> {
    DeskSync::new(repo).conflicts().await.map_err(storage_error)
}

pub async fn refused(
    repo: IdbRepository,
) -> Result<Vec<crate::sync::local::Refusal>, StorageError> {
    DeskSync::new(repo).refused().await.map_err(storage_error)
}

/// Keeps one version, or the merge, of a conflicting record; the license's
/// history names `user` (the one resolving) at `now`.
pub async fn resolve(
    repo: IdbRepository,
    doc_id: String,
    how: crate::sync::desk::Resolution,
    user: crate::domain::SfId,
    now: chrono::NaiveDateTime,
) -> Result<(), String> {
    DeskSync::new(repo)
        .resolve_by(&doc_id, how, Some((&user, now)))
        .await
        .map_err(|e| e.to_string())
}

fn storage_error(e: SyncError) -> StorageError {
    match e {
        SyncError::Storage(e) => e,
        other => StorageError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Health {
        Health {
            running: true,
            push: Leg::Idle,
            pull: Leg::Idle,
            ..Health::default()
        }
    }

    #[test]
    fn the_header_says_where_sync_stands() {
        assert_eq!(Health::default().status(), SyncStatus::Off);
        assert_eq!(running().status(), SyncStatus::Synced);
        assert_eq!(running().status().to_string(), "Synced");
        let sending = Health {
            waiting: 3,
            ..running()
        };
        assert_eq!(sending.status().to_string(), "Syncing (3 to send)");
        let first = Health {
            running: true,
            ..Health::default()
        };
        assert_eq!(first.status(), SyncStatus::Syncing { to_send: 0 });
        let offline = Health {
            waiting: 2,
            push: Leg::Offline,
            ..running()
        };
        assert_eq!(offline.status().to_string(), "Offline (2 waiting)");
        let pull_offline = Health {
            pull: Leg::Offline,
            ..running()
        };
        assert_eq!(pull_offline.status(), SyncStatus::Offline { waiting: 0 });
    }

    #[test]
    fn a_refusal_shows_even_after_the_loops_stopped() {
        let stopped = Health {
            error: Some("Name or password is incorrect.".into()),
            ..Health::default()
        };
        assert_eq!(
            stopped.status().to_string(),
            "Sync error: Name or password is incorrect."
        );
        let refused = Health {
            waiting: 1,
            refused: Some("the server refused x: bad seats".into()),
            ..running()
        };
        assert!(matches!(refused.status(), SyncStatus::Error(_)));
    }

    #[test]
    fn retries_wait_longer_up_to_a_limit() {
        assert_eq!(backoff_ms(0), 1_000);
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(2), 2_000);
        assert_eq!(backoff_ms(3), 4_000);
        assert_eq!(backoff_ms(5), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(u32::MAX), MAX_BACKOFF_MS);
    }

    #[test]
    fn offline_and_5xx_retry_while_401_and_403_stop_with_the_reason() {
        let offline = SyncError::Remote(RemoteError::Offline("Failed to fetch".into()));
        assert_eq!(failure(&offline), Failure::Transient);
        let restarting = SyncError::Remote(RemoteError::Server {
            status: 503,
            reason: "unavailable".into(),
        });
        assert_eq!(failure(&restarting), Failure::Transient);
        let wrong = SyncError::Remote(RemoteError::Unauthorized(
            "Name or password is incorrect.".into(),
        ));
        assert_eq!(
            failure(&wrong),
            Failure::Fatal("Name or password is incorrect.".into())
        );
        let forbidden = SyncError::Remote(RemoteError::Forbidden("You are not allowed.".into()));
        assert_eq!(
            failure(&forbidden),
            Failure::Fatal("You are not allowed.".into())
        );
        let gone = SyncError::Remote(RemoteError::Server {
            status: 404,
            reason: "Database does not exist.".into(),
        });
        assert!(
            matches!(failure(&gone), Failure::Fatal(r) if r.contains("Database does not exist."))
        );
    }

    #[test]
    fn a_wake_up_call_is_kept_until_the_loop_waits_for_it() {
        use futures::FutureExt;
        let wake = Wake::default();
        assert!(Box::pin(wake.notified()).now_or_never().is_none());
        // Notices while the loop works are one wake-up, not lost.
        wake.notify();
        wake.notify();
        assert!(Box::pin(wake.notified()).now_or_never().is_some());
        assert!(Box::pin(wake.notified()).now_or_never().is_none());
    }

    #[test]
    fn credentials_never_print_the_password() {
        let c = Credentials {
            name: "ann".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
        assert!(!format!("{:?}", c.auth()).contains("s3cret"));
        assert_eq!(Credentials::default().auth(), Auth::None);
    }
}
