//! The part of CouchDB's HTTP API the replicator uses, as a trait: `http`
//! implements it over fetch; native tests script a server.
//!
//! Documents travel as `serde_json::Value`: the replicator only looks at
//! `_id`, `_rev`, `_revisions` and `_deleted`; `document` reads the rest.

use std::collections::BTreeMap;

use serde_json::Value;

/// Why a request to the server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// No answer (network down, server stopped, CORS refused): retry later.
    #[error("The sync server can't be reached ({0}). Changes wait on this desk until it answers.")]
    Offline(String),
    /// 401: no session, or a wrong user name or password.
    #[error("The sync server refused the user name or password: {0}")]
    Unauthorized(String),
    /// 403: this user may not do this (a role, `validate_doc_update`).
    #[error("The sync server refused this: {0}")]
    Forbidden(String),
    /// Any other answer that is not a success.
    #[error("The sync server answered {status}: {reason}")]
    Server { status: u16, reason: String },
    /// An answer CouchDB would not send.
    #[error("The sync server's answer is not CouchDB's: {0}")]
    Protocol(String),
}

impl RemoteError {
    /// Whether trying again later may succeed without the user doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            RemoteError::Offline(_) => true,
            RemoteError::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// A position in the server's changes feed, kept as the server wrote it
/// (CouchDB 3 writes strings, pouchdb-server numbers) and sent back as is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Seq(pub Value);

impl Seq {
    /// The feed's beginning.
    pub fn start() -> Seq {
        Seq(Value::from(0))
    }

    /// The `since=` parameter of `_changes`.
    pub fn to_param(&self) -> String {
        match &self.0 {
            Value::String(s) => s.clone(),
            Value::Null => "0".to_string(),
            other => other.to_string(),
        }
    }
}

/// `GET /{db}`: enough to tell the database exists and we may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct DbInfo {
    pub db_name: String,
    pub doc_count: u64,
    /// Deleted documents (CouchDB gives it; pouchdb-server doesn't: 0).
    pub doc_del_count: u64,
    pub update_seq: Seq,
}

/// One row of `_changes?style=all_docs`: every leaf revision of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: Seq,
    pub id: String,
    pub revs: Vec<String>,
    pub deleted: bool,
    /// The winning revision's document (no `_revisions`), when the page was
    /// asked for with its documents ([`Remote::changes_with_docs`]).
    pub doc: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangesPage {
    pub results: Vec<Change>,
    pub last_seq: Seq,
    /// Changes left after this page, when the server says (CouchDB 3 does,
    /// pouchdb-server doesn't).
    pub pending: Option<u64>,
}

/// `_revs_diff`: document id → revisions (asked) / missing revisions (answer).
pub type RevsByDoc = BTreeMap<String, Vec<String>>;

/// A revision `_bulk_get` could not return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub id: String,
    pub rev: String,
    pub error: String,
    pub reason: String,
}

/// A document `_bulk_docs` did not store (403 from `validate_doc_update`,
/// ...); documents not listed were stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFailure {
    pub id: String,
    pub rev: Option<String>,
    pub error: String,
    pub reason: String,
}

#[allow(async_fn_in_trait)]
pub trait Remote {
    /// `GET /{db}`.
    async fn info(&self) -> Result<DbInfo, RemoteError>;

    /// `GET /{db}/_local/{id}`; `None` on 404.
    async fn get_local(&self, id: &str) -> Result<Option<Value>, RemoteError>;

    /// `PUT /{db}/_local/{id}` (the body carries the `_rev` it replaces, if any).
    async fn put_local(&self, id: &str, doc: &Value) -> Result<(), RemoteError>;

    /// `GET /{db}/_changes?style=all_docs&since=..&limit=..`, as a long poll
    /// waiting up to `wait_ms` for a change when given (`feed=longpoll`).
    async fn changes(
        &self,
        since: &Seq,
        limit: u32,
        wait_ms: Option<u32>,
    ) -> Result<ChangesPage, RemoteError>;

    /// [`changes`](Remote::changes) with each change's winning document
    /// (`include_docs=true`, no long poll). The documents carry no
    /// `_revisions`, so only a first revision's is complete; a server may
    /// leave them out (the default does), the replicator then asks
    /// `_bulk_get`. For a desk that lacks most of a page, it saves the
    /// server half its share of the pull (pouchdb-server: 3.8 s against
    /// 7.5 s for the 10k demo's 53,560 documents).
    async fn changes_with_docs(&self, since: &Seq, limit: u32) -> Result<ChangesPage, RemoteError> {
        self.changes(since, limit, None).await
    }

    /// `POST /{db}/_revs_diff`: of these revisions, those the server lacks.
    async fn revs_diff(&self, revs: &RevsByDoc) -> Result<RevsByDoc, RemoteError>;

    /// `POST /{db}/_bulk_get?revs=true`: these revisions, each with its
    /// `_revisions` path, in the order asked.
    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, DocError>>, RemoteError>;

    /// `POST /{db}/_bulk_docs` with `new_edits: false`: stores each document
    /// at the revision it carries (with its `_revisions` path), as
    /// replication does; returns the documents refused.
    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<WriteFailure>, RemoteError>;
}
