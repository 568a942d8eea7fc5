//! Storage: records in the browser's IndexedDB, settings in localStorage.
//!
//! * [`Repository`] is the one way to read and write records. Records come
//!   back as [`Stored<T>`] (the record plus its revision).
//! * Each workflow's writes form one [`WriteBatch`] (built in
//!   `workflows.rs`), saved with the ID counters by [`commit_with_counters`],
//!   the one commit path of every workflow, and committed atomically:
//!   every write's expected revision is checked and every write applied in
//!   one transaction, or nothing is (see `batch.rs`). A record saved in
//!   another tab since it was read is refused with [`StorageError::Conflict`].
//! * [`IdbRepository`] is the browser implementation, [`MemoryRepository`]
//!   the native one; `contract.rs` is the one test suite both pass.
//! * After each commit, [`Repository::subscribe`] callbacks run, in this tab
//!   and (through the `license-desk-changes` BroadcastChannel) in the others.
//! * [`backup`] writes every store to one JSON document and restores one
//!   (checked through the domain first) in one atomic commit.
//! * Once team sync is set up, the same commit path queues every change of
//!   a synced record in an outbox (`outbox.rs`, `sync_records.rs`).
//! * [`settings`] keeps the current user and list preferences in
//!   localStorage; records never go there.

pub mod backup;
mod batch;
mod codec;
mod commit;
#[doc(hidden)]
pub mod contract;
mod damaged;
mod error;
mod idb;
mod idb_pages;
mod idb_scan;
mod idb_snapshot;
mod list_snapshot;
mod listed;
// The in-memory repository serves native tests; the app's wasm never builds it
// (its `serde_json` encoders would ship as dead weight).
#[cfg(not(target_arch = "wasm32"))]
mod memory;
mod notify;
mod outbox;
mod paged;
pub mod persistence;
mod progress;
mod read_stop;
mod record;
pub mod records;
mod repo;
pub mod schema;
pub mod settings;
pub mod sync_records;
mod workflows;

pub use batch::{Change, Committed, Expect, Save, WriteBatch};
#[doc(hidden)]
pub use codec::encode_v1;
pub use commit::{commit_with_counters, commit_with_read_counters, load_counters, COUNTER_RETRIES};
pub use damaged::{DamageLog, DamagedRecord, Readable};
pub use error::{StorageError, StorageResult};
pub use idb::{IdbRepository, DEFAULT_DB_NAME};
pub use listed::{Listed, ListedLicense};
#[cfg(not(target_arch = "wasm32"))]
pub use memory::MemoryRepository;
pub use notify::{ChangeNotice, ChangeOrigin, Subscription, CHANNEL_NAME, MAX_IDS_PER_NOTICE};
pub use paged::Page;
pub use progress::{Progress, ProgressSink, PROGRESS_STEP};
pub use read_stop::ReadStop;
pub use record::{Index, IndexDef, Query, Record, StoreName, Stored};
pub use records::*;
pub use repo::{RawRecord, RawVisitor, Repository};
pub use sync_records::{
    ConflictVersion, OutboxEntry, SyncCheckpoint, SyncDoc, SyncPage, SyncSetup, OUTBOX_QUEUE,
    SYNC_CONFLICTED, SYNC_PAGE_DOCS, SYNC_SETUP_KEY,
};
pub use workflows::{
    bulk_modify_batch, conversion_batch, install_batch, modify_license_batch, refresh_batch,
};
