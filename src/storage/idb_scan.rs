//! The damaged-records scan of every start, kept out of the user's way.
//!
//! The notice counts every damaged record from the start (a damaged History
//! entry that no list reads included), so each start reads every stored
//! value: 538,423 of them at the 100k demo. Measured on the first version,
//! which started at once and read 1,000 values per turn of the browser: while
//! it ran, a page's 51-record read waited 0.7–2 s instead of 2–18 ms, and the
//! package page took 2.3–7.9 s when clicked in the first seconds after a
//! start (docs/perf.md). So the scan in the background:
//!
//! * starts once this tab's repository has been quiet for [`START_QUIET_MS`]
//!   (no read or commit in flight, none ended since) and the browser is idle:
//!   a user who clicks on at once never meets it;
//! * reads one small chunk at a time, each in its own transaction and in an
//!   idle period of the browser, and before each waits until no read or
//!   commit of this tab is in flight and [`CHUNK_QUIET_MS`] have passed
//!   since the last one (or a change notice from another tab) ended: a
//!   page's reads wait for at most the one chunk already out;
//! * decodes each value once, exactly as the reads do, and makes the raw
//!   text only of a damaged one (`damaged::value_damage`).
//!
//! What it finds is what it found before, only later: the count appears
//! once the tab has been quiet long enough for the whole scan.

use std::cell::Cell;
use std::rc::Rc;

use indexed_db_futures::internals::SystemRepr;
use wasm_bindgen::JsValue;

use super::damaged::{value_damage, DamagedRecord};
use super::error::StorageResult;
use super::idb::{ctx, get_chunk_of, last_key, IdbRepository};
use super::record::StoreName;
use super::repo::Repository;
use crate::browser_turn::{browser_turn, idle_period, sleep};

/// How long the tab's repository must be quiet before the scan starts: the
/// reads of a page and of the clicks that follow it come closer together.
const START_QUIET_MS: f64 = 1_000.0;

/// How long after this tab's last read or commit the scan reads its next
/// chunk: a page's reads come in short bursts (a page, then its related
/// lists or a count).
const CHUNK_QUIET_MS: f64 = 300.0;

/// Records a chunk of the scan reads: a few milliseconds of work, so a read
/// issued while one is out waits little.
const SCAN_CHUNK: u32 = 500;

/// The longest the background scan waits for an idle period of the browser
/// before each chunk (a page that never idles still gets its count).
const IDLE_TIMEOUT_MS: u32 = 1_000;

/// This tab's reads and commits in flight, for the background scan to make
/// way for them. Shared by every clone of a repository.
#[derive(Default)]
pub(super) struct Activity {
    in_flight: Cell<u32>,
    /// `performance.now()` when the last read or commit ended (or a change
    /// notice from another tab came).
    last_done: Cell<f64>,
    /// A background scan is running.
    scanning: Cell<bool>,
    /// A background scan was asked for while one ran: run one more after it.
    again: Cell<bool>,
}

/// Held while a read or commit is in flight (see [`Activity`]).
pub(super) struct Busy(Rc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        activity
            .in_flight
            .set(activity.in_flight.get().saturating_sub(1));
        activity.last_done.set(now());
    }
}

impl Activity {
    /// Marks a read or commit in flight until the guard is dropped.
    pub(super) fn busy(self: &Rc<Self>) -> Busy {
        self.in_flight.set(self.in_flight.get().saturating_add(1));
        Busy(Rc::clone(self))
    }

    /// Something happened that the tab's pages may be reading for (a change
    /// notice from another tab).
    pub(super) fn touch(&self) {
        self.last_done.set(now());
    }

    /// Resolves once nothing is in flight and nothing ended in the last `ms`.
    async fn quiet_for(&self, ms: f64) {
        loop {
            let wait = if self.in_flight.get() > 0 {
                ms
            } else {
                ms - (now() - self.last_done.get())
            };
            if wait <= 0.0 {
                return;
            }
            sleep(wait.ceil() as i32).await;
        }
    }

    /// [`quiet_for`](Self::quiet_for), then an idle period of the browser
    /// (its frames painted), still quiet at its start.
    async fn quiet_and_idle(&self, ms: f64) {
        // Without a clock (no window) there is no page to make way for.
        if clock().is_none() {
            return;
        }
        loop {
            self.quiet_for(ms).await;
            idle_period(IDLE_TIMEOUT_MS).await;
            if self.in_flight.get() == 0 && now() - self.last_done.get() >= ms {
                return;
            }
        }
    }
}

/// Resets the running flag however the scan ends.
struct Running<'a>(&'a Activity);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.scanning.set(false);
    }
}

impl IdbRepository {
    /// Resolves once the tab is quiet enough for the background scan to start
    /// (see the module docs): the app fetches the scan's code only then, out
    /// of the first page's way (`app_context::scan_damaged_later`).
    pub async fn quiet_for_the_scan(&self) {
        self.activity().quiet_and_idle(START_QUIET_MS).await;
    }

    /// Scans every store for damaged records out of the user's way (see the
    /// module docs), then brings the damage log and the list snapshot up to
    /// date. Asked while a background scan waits to start, it returns at
    /// once; asked while one reads, it returns at once and that one scans
    /// once more after (a commit may have changed what is damaged).
    pub async fn scan_damaged_in_background(&self) -> StorageResult<()> {
        let activity = self.activity();
        if activity.scanning.replace(true) {
            activity.again.set(true);
            return Ok(());
        }
        let _running = Running(activity);
        loop {
            activity.quiet_and_idle(START_QUIET_MS).await;
            // Asked before this point: this scan reads what they changed.
            activity.again.set(false);
            crate::bench::mark("ld:scan-start");
            let damaged = self.scan_stores(true).await?;
            // The snapshot first: once the notice shows, the lists agree.
            self.snapshot_saw_damaged(&damaged).await?;
            self.damage_log().replace(&damaged);
            crate::bench::mark("ld:scan-done");
            if !activity.again.get() {
                return Ok(());
            }
        }
    }

    /// Every damaged record of every store, read in chunks of
    /// [`SCAN_CHUNK`], each in its own transaction (unlike a backup the scan
    /// needs no single snapshot of every store). `paced`: each chunk waits
    /// for the tab to be quiet and the browser idle (the background scan);
    /// otherwise just for a turn of the browser (the Damaged records page,
    /// which the user waits for).
    pub(super) async fn scan_stores(&self, paced: bool) -> StorageResult<Vec<DamagedRecord>> {
        let mut damaged = Vec::new();
        for store in StoreName::ALL {
            let mut after: Option<JsValue> = None;
            loop {
                if paced {
                    self.activity().quiet_and_idle(CHUNK_QUIET_MS).await;
                }
                let chunk = {
                    let tx = self.read_tx(store)?;
                    let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
                    get_chunk_of(object_store.as_sys(), after.as_ref(), SCAN_CHUNK)?.await?
                };
                damaged.extend(chunk.iter().filter_map(|value| value_damage(store, &value)));
                if chunk.length() < SCAN_CHUNK {
                    break;
                }
                after = Some(last_key(&chunk)?);
                if !paced {
                    browser_turn().await;
                }
            }
        }
        Ok(damaged)
    }
}

/// `performance.now()`, if there is a window.
fn clock() -> Option<f64> {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
}

/// [`clock`], or 0 without a window (where [`Activity::quiet_and_idle`]
/// does not wait).
fn now() -> f64 {
    clock().unwrap_or(0.0)
}
