//! The pure half of the HTTP client: the database URL a user types, the
//! URLs and headers built from it, and CouchDB's JSON answers read into the
//! types of [`remote`](super::remote). `http` only moves the bytes, so all
//! of this is tested natively.

use base64::Engine;
use serde_json::{json, Value};

use super::remote::{
    Change, ChangesPage, DbInfo, DocError, RemoteError, RevsByDoc, Seq, WriteFailure,
};

/// A CouchDB database URL (`https://couch.example.com/team_licenses`): the
/// server's root (where `/_session` lives) and the database below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    db: String,
    server_len: usize,
}

/// Why a typed database URL can't be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbUrlError {
    #[error("Enter the database URL, for example https://couch.example.com/team_licenses.")]
    Empty,
    #[error("The database URL must start with http:// or https://.")]
    Scheme,
    #[error(
        "The database URL must not hold a user name or password: enter them in their own fields."
    )]
    Credentials,
    #[error("The database URL must not hold a query (?) or a fragment (#).")]
    Query,
    #[error("The database URL must end with the database's name, for example https://couch.example.com/team_licenses.")]
    NoDatabase,
}

impl DbUrl {
    pub fn parse(text: &str) -> Result<DbUrl, DbUrlError> {
        let text = text.trim().trim_end_matches('/');
        if text.is_empty() {
            return Err(DbUrlError::Empty);
        }
        let lower = text.to_ascii_lowercase();
        let rest_at = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else {
            return Err(DbUrlError::Scheme);
        };
        let rest = &text[rest_at..];
        if rest.contains(['?', '#']) {
            return Err(DbUrlError::Query);
        }
        let (host, path) = rest.split_once('/').ok_or(DbUrlError::NoDatabase)?;
        if host.contains('@') {
            return Err(DbUrlError::Credentials);
        }
        if host.is_empty() || rest.contains(char::is_whitespace) {
            return Err(DbUrlError::NoDatabase);
        }
        // The last segment names the database; a leading `_` is one of the
        // server's own paths (`_utils`, `_session`), not a database.
        let (_, name) = path.rsplit_once('/').unwrap_or(("", path));
        if name.is_empty() || name.starts_with('_') {
            return Err(DbUrlError::NoDatabase);
        }
        Ok(DbUrl {
            db: text.to_string(),
            server_len: text.len() - name.len() - 1,
        })
    }

    /// The database URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.db
    }

    /// The server's root, where `/_session` is.
    pub fn server(&self) -> &str {
        &self.db[..self.server_len]
    }

    /// The database's name, as the URL spells it.
    pub fn name(&self) -> &str {
        &self.db[self.server_len + 1..]
    }

    /// `{db}/{path}`; `path` is already encoded.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{path}", self.db)
    }

    /// The URL of a document: `_local/` and `_design/` keep their slash.
    pub fn doc(&self, id: &str) -> String {
        for prefix in ["_local/", "_design/"] {
            if let Some(rest) = id.strip_prefix(prefix) {
                return self.at(&format!("{prefix}{}", encode_segment(rest)));
            }
        }
        self.at(&encode_segment(id))
    }

    /// `{server}/_session`.
    pub fn session(&self) -> String {
        format!("{}/_session", self.server())
    }
}

impl std::fmt::Display for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.db)
    }
}

/// Percent-encodes one path segment (a document id may hold `/`, `?`, `#`).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The `Authorization` header of HTTP basic auth (UTF-8, as CouchDB reads it).
pub fn basic_auth(name: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"));
    format!("Basic {token}")
}

/// The query of `_changes`: every leaf revision, from `since`; a long poll
/// when `wait_ms` is given.
pub fn changes_query(since: &Seq, limit: u32, wait_ms: Option<u32>) -> String {
    let mut query = format!(
        "_changes?style=all_docs&since={}&limit={limit}",
        encode_segment(&since.to_param())
    );
    if let Some(wait) = wait_ms {
        query.push_str(&format!("&feed=longpoll&timeout={wait}"));
    }
    query
}

/// The error an answer that is not a success stands for, with the server's
/// `reason` (CouchDB answers `{"error": .., "reason": ..}`).
pub fn error_for(status: u16, body: &str) -> RemoteError {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let reason = text("reason")
        .or_else(|| text("error"))
        .unwrap_or_else(|| format!("HTTP {status} with no reason given"));
    match status {
        401 => RemoteError::Unauthorized(reason),
        403 => RemoteError::Forbidden(reason),
        _ => RemoteError::Server { status, reason },
    }
}

fn protocol(what: &str) -> RemoteError {
    RemoteError::Protocol(what.to_string())
}

fn string_of(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `GET /{db}`.
pub fn db_info(value: &Value) -> Result<DbInfo, RemoteError> {
    Ok(DbInfo {
        db_name: string_of(value, "db_name").ok_or_else(|| protocol("no db_name"))?,
        doc_count: value
            .get("doc_count")
            .and_then(Value::as_u64)
            .ok_or_else(|| protocol("no doc_count"))?,
        doc_del_count: value
            .get("doc_del_count")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        update_seq: Seq(value.get("update_seq").cloned().unwrap_or(Value::Null)),
    })
}

/// `GET /{db}/_changes?style=all_docs`.
pub fn changes_page(value: &Value) -> Result<ChangesPage, RemoteError> {
    let rows = value
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| protocol("_changes without results"))?;
    let results = rows
        .iter()
        .map(|row| {
            let id = string_of(row, "id").ok_or_else(|| protocol("a change without id"))?;
            let revs = row
                .get("changes")
                .and_then(Value::as_array)
                .ok_or_else(|| protocol("a change without revisions"))?
                .iter()
                .filter_map(|c| string_of(c, "rev"))
                .collect();
            Ok(Change {
                seq: Seq(row.get("seq").cloned().unwrap_or(Value::Null)),
                id,
                revs,
                deleted: row.get("deleted").and_then(Value::as_bool).unwrap_or(false),
                doc: row.get("doc").filter(|d| d.is_object()).cloned(),
            })
        })
        .collect::<Result<Vec<_>, RemoteError>>()?;
    Ok(ChangesPage {
        results,
        last_seq: Seq(value
            .get("last_seq")
            .cloned()
            .ok_or_else(|| protocol("_changes without last_seq"))?),
        pending: value.get("pending").and_then(Value::as_u64),
    })
}

/// The body of `_revs_diff`.
pub fn revs_diff_body(revs: &RevsByDoc) -> Value {
    json!(revs)
}

/// `POST /{db}/_revs_diff`: `{id: {"missing": [..]}}`; documents the
/// server has whole are left out.
pub fn revs_diff(value: &Value) -> Result<RevsByDoc, RemoteError> {
    let map = value
        .as_object()
        .ok_or_else(|| protocol("_revs_diff is not an object"))?;
    Ok(map
        .iter()
        .filter_map(|(id, entry)| {
            let missing: Vec<String> = entry
                .get("missing")?
                .as_array()?
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect();
            (!missing.is_empty()).then(|| (id.clone(), missing))
        })
        .collect())
}

/// The body of `_bulk_get`.
pub fn bulk_get_body(wanted: &[(String, String)]) -> Value {
    let docs: Vec<Value> = wanted
        .iter()
        .map(|(id, rev)| json!({"id": id, "rev": rev}))
        .collect();
    json!({ "docs": docs })
}

/// `POST /{db}/_bulk_get?revs=true`: `{"results": [{"id", "docs": [{"ok": doc}
/// | {"error": {..}}]}]}`, one document or error per revision asked, in order.
pub fn bulk_get(value: &Value) -> Result<Vec<Result<Value, DocError>>, RemoteError> {
    let results = value
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| protocol("_bulk_get without results"))?;
    let mut out = Vec::new();
    for result in results {
        let docs = result
            .get("docs")
            .and_then(Value::as_array)
            .ok_or_else(|| protocol("a _bulk_get result without docs"))?;
        for doc in docs {
            if let Some(ok) = doc.get("ok") {
                out.push(Ok(ok.clone()));
            } else if let Some(error) = doc.get("error") {
                out.push(Err(DocError {
                    id: string_of(error, "id")
                        .or_else(|| string_of(result, "id"))
                        .unwrap_or_default(),
                    rev: string_of(error, "rev").unwrap_or_default(),
                    error: string_of(error, "error").unwrap_or_default(),
                    reason: string_of(error, "reason").unwrap_or_default(),
                }));
            } else if let Some(rev) = doc.get("missing").and_then(Value::as_str) {
                // PouchDB's way of saying not_found.
                out.push(Err(DocError {
                    id: string_of(result, "id").unwrap_or_default(),
                    rev: rev.to_string(),
                    error: "not_found".to_string(),
                    reason: "missing".to_string(),
                }));
            } else {
                return Err(protocol("a _bulk_get doc neither ok nor error"));
            }
        }
    }
    Ok(out)
}

/// The body of `_bulk_docs` as replication sends it.
pub fn bulk_docs_body(docs: &[Value]) -> Value {
    json!({ "docs": docs, "new_edits": false })
}

/// `POST /{db}/_bulk_docs`: the rows with an `error` (CouchDB lists none
/// for stored documents with `new_edits: false`; PouchDB lists them `ok`).
pub fn bulk_docs_failures(value: &Value) -> Result<Vec<WriteFailure>, RemoteError> {
    let rows = value
        .as_array()
        .ok_or_else(|| protocol("_bulk_docs is not a list"))?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let error = string_of(row, "error")?;
            Some(WriteFailure {
                id: string_of(row, "id").unwrap_or_default(),
                rev: string_of(row, "rev"),
                reason: string_of(row, "reason").unwrap_or_else(|| error.clone()),
                error,
            })
        })
        .collect())
}

/// Who the server takes this desk for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// `None`: anonymous (no user name, or the session expired).
    pub name: Option<String>,
    pub roles: Vec<String>,
}

impl Session {
    /// A server admin (may install the design document).
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "_admin")
    }
}

/// `GET /_session` (`{"userCtx": {..}}`) or `POST /_session` (`{"name", "roles"}`).
pub fn session(value: &Value) -> Result<Session, RemoteError> {
    let ctx = value.get("userCtx").unwrap_or(value);
    let roles = ctx
        .get("roles")
        .and_then(Value::as_array)
        .ok_or_else(|| protocol("_session without roles"))?
        .iter()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    Ok(Session {
        name: string_of(ctx, "name"),
        roles,
    })
}

/// The document to PUT over `current` (the server's, if any) so the server
/// holds `wanted`; `None` when it already does (no needless revision).
pub fn design_doc_update(wanted: &Value, current: Option<&Value>) -> Option<Value> {
    let mut doc = wanted.clone();
    let Some(current) = current else {
        return Some(doc);
    };
    let without_rev = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("_rev");
        }
        v
    };
    if without_rev(current) == without_rev(wanted) {
        return None;
    }
    if let (Some(map), Some(rev)) = (doc.as_object_mut(), current.get("_rev")) {
        map.insert("_rev".to_string(), rev.clone());
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_its_server_and_database() {
        let url = DbUrl::parse(" https://couch.example.com/team_licenses/ ").unwrap();
        assert_eq!(url.as_str(), "https://couch.example.com/team_licenses");
        assert_eq!(url.server(), "https://couch.example.com");
        assert_eq!(url.name(), "team_licenses");
        assert_eq!(url.session(), "https://couch.example.com/_session");
        // Behind a proxy path.
        let url = DbUrl::parse("http://host:5984/couchdb/acme").unwrap();
        assert_eq!(url.server(), "http://host:5984/couchdb");
        assert_eq!(url.name(), "acme");
    }

    #[test]
    fn a_bad_database_url_says_what_to_fix() {
        assert_eq!(DbUrl::parse("  "), Err(DbUrlError::Empty));
        assert_eq!(DbUrl::parse("couch.example.com/x"), Err(DbUrlError::Scheme));
        assert_eq!(DbUrl::parse("ftp://host/x"), Err(DbUrlError::Scheme));
        assert_eq!(DbUrl::parse("http://host"), Err(DbUrlError::NoDatabase));
        assert_eq!(DbUrl::parse("http://host/"), Err(DbUrlError::NoDatabase));
        assert_eq!(DbUrl::parse("http:///db"), Err(DbUrlError::NoDatabase));
        assert_eq!(
            DbUrl::parse("http://host/_utils"),
            Err(DbUrlError::NoDatabase)
        );
        assert_eq!(
            DbUrl::parse("http://bob:secret@host/db"),
            Err(DbUrlError::Credentials)
        );
        assert_eq!(DbUrl::parse("http://host/db?x=1"), Err(DbUrlError::Query));
        assert!(DbUrlError::NoDatabase
            .to_string()
            .contains("database's name"));
    }

    proptest::proptest! {
        #[test]
        fn any_typed_url_is_read_or_refused_without_panic(text in "\\PC{0,40}", tail in "[a-z_/:@?#é ]{0,12}") {
            for input in [text.clone(), format!("http://{text}"), format!("https://h/{tail}{text}")] {
                if let Ok(url) = DbUrl::parse(&input) {
                    proptest::prop_assert_eq!(format!("{}/{}", url.server(), url.name()), url.as_str());
                    proptest::prop_assert!(!url.name().is_empty() && !url.name().contains('/'));
                }
            }
        }
    }

    #[test]
    fn document_urls_are_encoded_but_keep_local_and_design_prefixes() {
        let url = DbUrl::parse("http://h/db").unwrap();
        assert_eq!(
            url.doc("sfLma__License__c:a0B000000000001AAA"),
            "http://h/db/sfLma__License__c:a0B000000000001AAA"
        );
        assert_eq!(url.doc("a/b?c#d e"), "http://h/db/a%2Fb%3Fc%23d%20e");
        assert_eq!(url.doc("_local/abc/1"), "http://h/db/_local/abc%2F1");
        assert_eq!(
            url.doc("_design/license_desk"),
            "http://h/db/_design/license_desk"
        );
    }

    #[test]
    fn basic_auth_encodes_utf8() {
        assert_eq!(
            basic_auth("admin", "admin-pass"),
            "Basic YWRtaW46YWRtaW4tcGFzcw=="
        );
        assert_eq!(basic_auth("é", "x"), "Basic w6k6eA==");
    }

    #[test]
    fn the_changes_query_long_polls_only_when_asked() {
        assert_eq!(
            changes_query(&Seq::start(), 100, None),
            "_changes?style=all_docs&since=0&limit=100"
        );
        let couch3 = Seq(json!("12-g1AAAA/x=="));
        assert_eq!(
            changes_query(&couch3, 50, Some(20_000)),
            "_changes?style=all_docs&since=12-g1AAAA%2Fx%3D%3D&limit=50&feed=longpoll&timeout=20000"
        );
    }

    #[test]
    fn errors_carry_the_servers_reason() {
        let body = r#"{"error":"unauthorized","reason":"Name or password is incorrect."}"#;
        assert_eq!(
            error_for(401, body),
            RemoteError::Unauthorized("Name or password is incorrect.".into())
        );
        assert_eq!(
            error_for(
                403,
                r#"{"error":"forbidden","reason":"Sales Reps may not modify licenses."}"#
            ),
            RemoteError::Forbidden("Sales Reps may not modify licenses.".into())
        );
        let e = error_for(503, "<html>gateway</html>");
        assert_eq!(
            e,
            RemoteError::Server {
                status: 503,
                reason: "HTTP 503 with no reason given".into()
            }
        );
        assert!(e.is_transient());
        let e = error_for(
            404,
            r#"{"error":"not_found","reason":"Database does not exist."}"#,
        );
        assert!(!e.is_transient());
        assert!(e.to_string().contains("Database does not exist."));
    }

    #[test]
    fn answers_are_read_or_refused_as_not_couchdb() {
        let info =
            db_info(&json!({"db_name": "team", "doc_count": 3, "update_seq": "7-x"})).unwrap();
        assert_eq!((info.db_name.as_str(), info.doc_count), ("team", 3));
        assert_eq!(info.update_seq, Seq(json!("7-x")));
        // CouchDB counts deleted documents apart; pouchdb-server doesn't say.
        assert_eq!(info.doc_del_count, 0);
        let info =
            db_info(&json!({"db_name": "team", "doc_count": 3, "doc_del_count": 2})).unwrap();
        assert_eq!(info.doc_del_count, 2);
        assert!(matches!(
            db_info(&json!({"ok": true})),
            Err(RemoteError::Protocol(_))
        ));

        let page = changes_page(&json!({
            "results": [
                {"seq": 4, "id": "a", "changes": [{"rev": "2-x"}, {"rev": "2-y"}]},
                {"seq": 5, "id": "b", "changes": [{"rev": "3-z"}], "deleted": true}
            ],
            "last_seq": 5
        }))
        .unwrap();
        assert_eq!(page.results.len(), 2);
        assert_eq!(page.results[0].revs, vec!["2-x", "2-y"]);
        assert!(page.results[1].deleted && !page.results[0].deleted);
        assert_eq!(page.results[0].doc, None);
        assert_eq!(page.last_seq, Seq(json!(5)));
        assert_eq!(page.pending, None);
        // CouchDB 3 says how many changes are left after the page.
        let page =
            changes_page(&json!({"results": [], "last_seq": "9-x", "pending": 120})).unwrap();
        assert_eq!(page.pending, Some(120));
        // include_docs: each row's winning document.
        let page = changes_page(&json!({
            "results": [{"seq": 6, "id": "c", "changes": [{"rev": "1-c"}],
                         "doc": {"_id": "c", "_rev": "1-c", "Name": "C"}}],
            "last_seq": 6
        }))
        .unwrap();
        assert_eq!(
            page.results[0].doc,
            Some(json!({"_id": "c", "_rev": "1-c", "Name": "C"}))
        );
        assert!(changes_page(&json!({"results": []})).is_err());

        let diff = revs_diff(&json!({
            "a": {"missing": ["2-x"], "possible_ancestors": ["1-a"]},
            "b": {"missing": []}
        }))
        .unwrap();
        assert_eq!(diff.len(), 1);
        assert_eq!(diff["a"], vec!["2-x"]);
    }

    #[test]
    fn bulk_get_keeps_the_order_and_the_errors() {
        let got = bulk_get(&json!({"results": [
            {"id": "a", "docs": [{"ok": {"_id": "a", "_rev": "1-x"}}]},
            {"id": "b", "docs": [{"error": {"id": "b", "rev": "1-y", "error": "not_found", "reason": "missing"}}]}
        ]}))
        .unwrap();
        assert_eq!(got[0], Ok(json!({"_id": "a", "_rev": "1-x"})));
        assert_eq!(got[1].as_ref().unwrap_err().reason, "missing");
        assert!(bulk_get(&json!({"results": [{"id": "a", "docs": [{}]}]})).is_err());
        // pouchdb-server's shape of a missing revision.
        let got =
            bulk_get(&json!({"results": [{"id": "x", "docs": [{"missing": "1-a"}]}]})).unwrap();
        let missing = got[0].as_ref().unwrap_err();
        assert_eq!(
            (
                missing.id.as_str(),
                missing.rev.as_str(),
                missing.error.as_str()
            ),
            ("x", "1-a", "not_found")
        );
        assert_eq!(
            bulk_get_body(&[("a".into(), "1-x".into())]),
            json!({"docs": [{"id": "a", "rev": "1-x"}]})
        );
    }

    #[test]
    fn bulk_docs_lists_only_the_refused() {
        let failures = bulk_docs_failures(&json!([
            {"ok": true, "id": "a", "rev": "1-x"},
            {"id": "b", "rev": "1-y", "error": "forbidden", "reason": "Seats must be 1 to 99,000,000."}
        ]))
        .unwrap();
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].id, "b");
        assert_eq!(failures[0].reason, "Seats must be 1 to 99,000,000.");
        assert!(bulk_docs_failures(&json!([])).unwrap().is_empty());
        assert_eq!(bulk_docs_body(&[]), json!({"docs": [], "new_edits": false}));
    }

    #[test]
    fn sessions_read_both_shapes() {
        let s = session(&json!({"ok": true, "userCtx": {"name": "ann", "roles": ["lma_admin"]}}))
            .unwrap();
        assert_eq!(s.name.as_deref(), Some("ann"));
        assert!(!s.is_admin());
        let s = session(&json!({"ok": true, "name": "admin", "roles": ["_admin"]})).unwrap();
        assert!(s.is_admin());
        let s = session(&json!({"userCtx": {"name": null, "roles": []}})).unwrap();
        assert_eq!(s, Session::default());
    }

    #[test]
    fn the_design_doc_is_put_only_when_it_differs() {
        let wanted = json!({"_id": "_design/license_desk", "validate_doc_update": "v2"});
        assert_eq!(design_doc_update(&wanted, None), Some(wanted.clone()));
        let same =
            json!({"_id": "_design/license_desk", "_rev": "3-a", "validate_doc_update": "v2"});
        assert_eq!(design_doc_update(&wanted, Some(&same)), None);
        let old =
            json!({"_id": "_design/license_desk", "_rev": "2-b", "validate_doc_update": "v1"});
        assert_eq!(
            design_doc_update(&wanted, Some(&old)),
            Some(
                json!({"_id": "_design/license_desk", "_rev": "2-b", "validate_doc_update": "v2"})
            )
        );
    }
}
