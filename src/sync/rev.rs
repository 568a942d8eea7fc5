//! CouchDB revision ids: `N-hash`, where N counts the edits along the
//! document's path and the hash names this edit. A desk makes its own
//! revisions (replication stores them as they are, `new_edits: false`), so
//! two desks editing the same record make two branches that CouchDB keeps.
//!
//! A revision's hash is an MD5 of its parent, its body and whether it is a
//! deletion: the same edit made again (a retry after a lost answer) gets
//! the same revision, so sending twice never makes a second branch.

use std::cmp::Ordering;
use std::fmt;

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many ancestors a path keeps (CouchDB keeps 1,000; replication only
/// needs enough to find the common ancestor of two desks' edits).
pub const REVS_LIMIT: usize = 100;

/// One revision id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rev {
    pub pos: u64,
    pub hash: String,
}

impl Rev {
    /// `N-hash` with N ≥ 1 and a non-empty hash; `None` otherwise.
    pub fn parse(text: &str) -> Option<Rev> {
        let (pos, hash) = text.split_once('-')?;
        let pos: u64 = pos.parse().ok()?;
        if pos == 0 || hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        Some(Rev {
            pos,
            hash: hash.to_string(),
        })
    }
}

impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.pos, self.hash)
    }
}

/// CouchDB's order for picking a winner among leaves: the longer path wins,
/// then the greater hash (as text). Every desk and the server agree on it.
impl Ord for Rev {
    fn cmp(&self, other: &Self) -> Ordering {
        self.pos
            .cmp(&other.pos)
            .then_with(|| self.hash.cmp(&other.hash))
    }
}

impl PartialOrd for Rev {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A document's revision path as CouchDB's `_revisions` writes it: the
/// newest revision's N (`start`) and the hashes from newest to oldest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevPath {
    pub start: u64,
    pub ids: Vec<String>,
}

impl RevPath {
    /// A path that ends at `rev`, knowing nothing older.
    pub fn of(rev: &Rev) -> RevPath {
        RevPath {
            start: rev.pos,
            ids: vec![rev.hash.clone()],
        }
    }

    /// Reads a `_revisions` value; `None` if it is not a well-formed path.
    pub fn from_value(value: &Value) -> Option<RevPath> {
        let path: RevPath = serde_json::from_value(value.clone()).ok()?;
        let len = path.ids.len() as u64;
        if path.ids.is_empty()
            || len > path.start
            || path
                .ids
                .iter()
                .any(|h| Rev::parse(&format!("1-{h}")).is_none())
        {
            return None;
        }
        Some(path)
    }

    pub fn to_value(&self) -> Value {
        serde_json::json!({ "start": self.start, "ids": self.ids })
    }

    /// The newest revision.
    pub fn head(&self) -> Rev {
        Rev {
            pos: self.start,
            hash: self.ids.first().cloned().unwrap_or_default(),
        }
    }

    /// Whether `rev` is on this path (the head or a known ancestor).
    pub fn contains(&self, rev: &Rev) -> bool {
        if rev.pos > self.start {
            return false;
        }
        let back = (self.start - rev.pos) as usize;
        self.ids.get(back).is_some_and(|h| *h == rev.hash)
    }

    /// The path of the next edit after this one (or of a first edit when
    /// `parent` is `None`): its body and whether it deletes the document
    /// make its hash.
    pub fn next(parent: Option<&RevPath>, body: &Value, deleted: bool) -> RevPath {
        let mut hasher = Md5::new();
        if let Some(parent) = parent {
            hasher.update(parent.head().to_string().as_bytes());
        }
        hasher.update([0, u8::from(deleted), 0]);
        // serde_json's maps are ordered by key: the same body, the same text.
        hasher.update(body.to_string().as_bytes());
        let hash: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match parent {
            None => RevPath {
                start: 1,
                ids: vec![hash],
            },
            Some(parent) => {
                let mut ids = Vec::with_capacity(REVS_LIMIT);
                ids.push(hash);
                ids.extend(parent.ids.iter().take(REVS_LIMIT - 1).cloned());
                RevPath {
                    start: parent.start.saturating_add(1),
                    ids,
                }
            }
        }
    }
}

/// The winning leaf as CouchDB picks it: live leaves before deleted ones,
/// then the greatest revision (see [`Rev`]'s order).
pub fn winner<'a>(leaves: impl IntoIterator<Item = (&'a Rev, bool)>) -> Option<&'a Rev> {
    leaves
        .into_iter()
        .max_by(|(a, a_deleted), (b, b_deleted)| b_deleted.cmp(a_deleted).then_with(|| a.cmp(b)))
        .map(|(rev, _)| rev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn parses_couchdb_revisions_and_refuses_others() {
        let rev = Rev::parse("3-917fa2381192822767f010b95b45325b").unwrap();
        assert_eq!(rev.pos, 3);
        assert_eq!(rev.to_string(), "3-917fa2381192822767f010b95b45325b");
        for bad in ["", "3", "-abc", "0-abc", "x-abc", "3-", "3-ab c", "3-a/b"] {
            assert_eq!(Rev::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_longer_path_wins_then_the_greater_hash_and_live_before_deleted() {
        let a = Rev::parse("2-aaa").unwrap();
        let b = Rev::parse("2-bbb").unwrap();
        let c = Rev::parse("3-000").unwrap();
        assert_eq!(winner([(&a, false), (&b, false)]), Some(&b));
        assert_eq!(winner([(&b, false), (&c, false)]), Some(&c));
        assert_eq!(winner([(&c, true), (&a, false)]), Some(&a));
        assert_eq!(winner(std::iter::empty()), None);
    }

    #[test]
    fn the_same_edit_gets_the_same_revision_and_another_edit_another() {
        let first = RevPath::next(None, &json!({"Seats": 10}), false);
        assert_eq!(first.start, 1);
        assert_eq!(first, RevPath::next(None, &json!({"Seats": 10}), false));
        let second = RevPath::next(Some(&first), &json!({"Seats": 20}), false);
        assert_eq!(second.start, 2);
        assert!(second.contains(&first.head()));
        assert!(second.contains(&second.head()));
        let other = RevPath::next(Some(&first), &json!({"Seats": 30}), false);
        assert_ne!(other.head(), second.head());
        assert!(!second.contains(&other.head()));
        let deleted = RevPath::next(Some(&first), &json!({"Seats": 20}), true);
        assert_ne!(deleted.head(), second.head());
    }

    #[test]
    fn paths_keep_at_most_the_limit_of_ancestors() {
        let mut path = RevPath::next(None, &json!(0), false);
        for n in 1..(REVS_LIMIT as u64 + 20) {
            path = RevPath::next(Some(&path), &json!(n), false);
        }
        assert_eq!(path.ids.len(), REVS_LIMIT);
        assert_eq!(path.start, REVS_LIMIT as u64 + 20);
        assert_eq!(RevPath::from_value(&path.to_value()), Some(path));
    }

    #[test]
    fn malformed_revisions_values_are_refused() {
        for bad in [
            json!(null),
            json!({"start": 1, "ids": []}),
            json!({"start": 1, "ids": ["a", "b"]}),
            json!({"start": 2, "ids": ["a b"]}),
            json!({"start": "2", "ids": ["a"]}),
        ] {
            assert_eq!(RevPath::from_value(&bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = Rev::parse(&text);
        }
    }
}
