//! [`Remote`] over the browser's fetch (gloo-net): a CouchDB database at a
//! URL, with basic auth or a cookie session. URLs, bodies and answers are
//! built and read in [`couch_json`](super::couch_json); this file only
//! sends them and turns what comes back into [`RemoteError`]s.

use gloo_net::http::{Method, RequestBuilder};
use serde_json::Value;
use web_sys::{AbortSignal, RequestCredentials};

use super::couch_json::{self as answer, DbUrl, Session};
use super::remote::{
    ChangesPage, DbInfo, DocError, Remote, RemoteError, RevsByDoc, Seq, WriteFailure,
};

/// The design document's id (`design::design_doc()` carries it too).
pub const DESIGN_DOC_ID: &str = "_design/license_desk";

/// How long a request may go unanswered before it counts as offline: a
/// request in flight when the network drops may otherwise never settle.
pub const REQUEST_TIMEOUT_MS: u32 = 120_000;
/// What a long poll may take beyond the wait it asked the server for.
pub const LONG_POLL_MARGIN_MS: u32 = 15_000;

/// Whether this browser's `AbortSignal` has the static method `name`
/// (`timeout`, `any`: recent browsers only).
fn abort_signal_has(name: &str) -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"AbortSignal".into())
        .and_then(|class| js_sys::Reflect::has(&class, &name.into()))
        .unwrap_or(false)
}

/// How requests prove who sends them.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// A server that lets anyone in (or a session cookie from elsewhere).
    None,
    /// HTTP basic auth on every request.
    Basic { name: String, password: String },
    /// The cookie `/_session` set (see [`CouchHttp::login`]).
    Cookie,
}

impl std::fmt::Debug for Auth {
    // Never the password, not even in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic { name, .. } => write!(f, "Basic({name})"),
            Auth::Cookie => f.write_str("Cookie"),
        }
    }
}

/// One CouchDB database, reached over fetch.
#[derive(Debug, Clone)]
pub struct CouchHttp {
    url: DbUrl,
    auth: Auth,
    abort: Option<AbortSignal>,
}

impl CouchHttp {
    pub fn new(url: DbUrl, auth: Auth) -> CouchHttp {
        CouchHttp {
            url,
            auth,
            abort: None,
        }
    }

    /// Requests end (as [`RemoteError::Offline`]) once `signal` aborts: Stop
    /// sync does not wait for a long poll.
    pub fn with_abort(mut self, signal: AbortSignal) -> CouchHttp {
        self.abort = Some(signal);
        self
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// The signal that ends a request: Stop, or `timeout_ms` without an
    /// answer (where the browser can combine signals).
    fn signal(&self, timeout_ms: u32) -> Option<AbortSignal> {
        let timeout =
            abort_signal_has("timeout").then(|| AbortSignal::timeout_with_u32(timeout_ms));
        match (&self.abort, timeout) {
            (Some(stop), Some(timeout)) if abort_signal_has("any") => {
                Some(AbortSignal::any(&js_sys::Array::of2(stop, &timeout)))
            }
            (Some(stop), _) => Some(stop.clone()),
            (None, timeout) => timeout,
        }
    }

    fn request(&self, method: Method, url: &str, timeout_ms: u32) -> RequestBuilder {
        let builder = RequestBuilder::new(url)
            .method(method)
            .header("Accept", "application/json")
            .abort_signal(self.signal(timeout_ms).as_ref());
        match &self.auth {
            Auth::None => builder.credentials(RequestCredentials::SameOrigin),
            Auth::Basic { name, password } => builder
                .credentials(RequestCredentials::Omit)
                .header("Authorization", &answer::basic_auth(name, password)),
            Auth::Cookie => builder.credentials(RequestCredentials::Include),
        }
    }

    /// Sends; the status and the body's text, or Offline when no answer came.
    async fn send(
        &self,
        builder: RequestBuilder,
        body: Option<&Value>,
    ) -> Result<(u16, String), RemoteError> {
        let request = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.to_string()),
            None => builder.build(),
        }
        .map_err(|e| RemoteError::Protocol(e.to_string()))?;
        // fetch rejects only when no answer came (network, CORS, abort).
        let response = request
            .send()
            .await
            .map_err(|e| RemoteError::Offline(e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| RemoteError::Offline(e.to_string()))?;
        Ok((status, text))
    }

    /// A request whose success is JSON; any other status is an error.
    async fn json(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, RemoteError> {
        self.json_within(method, url, body, REQUEST_TIMEOUT_MS)
            .await
    }

    async fn json_within(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        timeout_ms: u32,
    ) -> Result<Value, RemoteError> {
        let (status, text) = self
            .send(self.request(method, url, timeout_ms), body)
            .await?;
        if !(200..300).contains(&status) {
            return Err(answer::error_for(status, &text));
        }
        serde_json::from_str(&text).map_err(|e| RemoteError::Protocol(e.to_string()))
    }

    /// A document, or `None` when the server has none (404).
    async fn get_doc(&self, id: &str) -> Result<Option<Value>, RemoteError> {
        match self.json(Method::GET, &self.url.doc(id), None).await {
            Ok(doc) => Ok(Some(doc)),
            Err(RemoteError::Server { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens a cookie session (`POST /_session`); later requests of an
    /// [`Auth::Cookie`] client carry it. A wrong password is
    /// [`RemoteError::Unauthorized`] with the server's reason.
    pub async fn login(&self, name: &str, password: &str) -> Result<Session, RemoteError> {
        let builder = RequestBuilder::new(&self.url.session())
            .method(Method::POST)
            .header("Accept", "application/json")
            .credentials(RequestCredentials::Include)
            .abort_signal(self.signal(REQUEST_TIMEOUT_MS).as_ref());
        let body = serde_json::json!({ "name": name, "password": password });
        let (status, text) = self.send(builder, Some(&body)).await?;
        if !(200..300).contains(&status) {
            return Err(answer::error_for(status, &text));
        }
        let value =
            serde_json::from_str(&text).map_err(|e| RemoteError::Protocol(e.to_string()))?;
        answer::session(&value)
    }

    /// Who the server takes this client for (`GET /_session`), and its roles.
    pub async fn session(&self) -> Result<Session, RemoteError> {
        let value = self.json(Method::GET, &self.url.session(), None).await?;
        answer::session(&value)
    }

    /// Puts the design document (`_design/license_desk`) unless the server
    /// holds it already, over the server's revision. Needs a server admin.
    /// Whether it was written.
    pub async fn install_design_doc(&self, doc: &Value) -> Result<bool, RemoteError> {
        let id = doc
            .get("_id")
            .and_then(Value::as_str)
            .unwrap_or(DESIGN_DOC_ID);
        let current = self.get_doc(id).await?;
        let Some(update) = answer::design_doc_update(doc, current.as_ref()) else {
            return Ok(false);
        };
        self.json(Method::PUT, &self.url.doc(id), Some(&update))
            .await?;
        Ok(true)
    }
}

impl Remote for CouchHttp {
    async fn info(&self) -> Result<DbInfo, RemoteError> {
        let value = self.json(Method::GET, self.url.as_str(), None).await?;
        answer::db_info(&value)
    }

    async fn get_local(&self, id: &str) -> Result<Option<Value>, RemoteError> {
        self.get_doc(&format!("_local/{id}")).await
    }

    async fn put_local(&self, id: &str, doc: &Value) -> Result<(), RemoteError> {
        self.json(
            Method::PUT,
            &self.url.doc(&format!("_local/{id}")),
            Some(doc),
        )
        .await
        .map(drop)
    }

    async fn changes(
        &self,
        since: &Seq,
        limit: u32,
        wait_ms: Option<u32>,
    ) -> Result<ChangesPage, RemoteError> {
        let url = self.url.at(&answer::changes_query(since, limit, wait_ms));
        let timeout = wait_ms.map_or(REQUEST_TIMEOUT_MS, |w| {
            w.saturating_add(LONG_POLL_MARGIN_MS)
        });
        let value = self.json_within(Method::GET, &url, None, timeout).await?;
        answer::changes_page(&value)
    }

    async fn changes_with_docs(&self, since: &Seq, limit: u32) -> Result<ChangesPage, RemoteError> {
        let query = format!(
            "{}&include_docs=true",
            answer::changes_query(since, limit, None)
        );
        let value = self.json(Method::GET, &self.url.at(&query), None).await?;
        answer::changes_page(&value)
    }

    async fn revs_diff(&self, revs: &RevsByDoc) -> Result<RevsByDoc, RemoteError> {
        let body = answer::revs_diff_body(revs);
        let value = self
            .json(Method::POST, &self.url.at("_revs_diff"), Some(&body))
            .await?;
        answer::revs_diff(&value)
    }

    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, DocError>>, RemoteError> {
        let body = answer::bulk_get_body(wanted);
        let value = self
            .json(
                Method::POST,
                &self.url.at("_bulk_get?revs=true"),
                Some(&body),
            )
            .await?;
        answer::bulk_get(&value)
    }

    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<WriteFailure>, RemoteError> {
        let body = answer::bulk_docs_body(docs);
        let value = self
            .json(Method::POST, &self.url.at("_bulk_docs"), Some(&body))
            .await?;
        answer::bulk_docs_failures(&value)
    }
}
