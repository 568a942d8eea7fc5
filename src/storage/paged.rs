//! Paged reads: a page of a list at a time, through an index, instead of a
//! whole store.
//!
//! A paged index has unique values (each ends with the record's key, see
//! `records.rs`), so "after the last value read" is an exact place to start
//! the next page from, whatever was saved in between.

use std::ops::Bound;

use super::damaged::Readable;
use super::record::Query;

/// One page of a [`Repository::read_page`](super::Repository::read_page).
#[derive(Debug)]
pub struct Page<T> {
    /// The page's readable records in index order, and its damaged ones.
    pub read: Readable<T>,
    /// Where the next page starts (the index value of this page's last
    /// record), or `None` when this page holds the last of the matches.
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn empty() -> Page<T> {
        Page {
            read: Readable::default(),
            next: None,
        }
    }
}

/// `query` narrowed to the values after `after` (all of them when `None`).
pub(crate) fn after(query: Query, after: Option<&str>) -> Query {
    let Some(after) = after else {
        return query;
    };
    let (lower, upper) = match query {
        Query::All => (Bound::Unbounded, Bound::Unbounded),
        Query::Eq(v) => (Bound::Included(v.clone()), Bound::Included(v)),
        Query::Range(lower, upper) => (lower, upper),
    };
    // A lower bound above `after` stays as it is; otherwise the page starts
    // just after `after`.
    let lower = match lower {
        Bound::Included(v) if v.as_str() > after => Bound::Included(v),
        Bound::Excluded(v) if v.as_str() >= after => Bound::Excluded(v),
        _ => Bound::Excluded(after.to_string()),
    };
    Query::Range(lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn after_starts_past_the_cursor_and_keeps_the_upper_bound() {
        assert_eq!(after(Query::All, None), Query::All);
        assert_eq!(
            after(Query::All, Some("b")),
            Query::Range(Bound::Excluded(s("b")), Bound::Unbounded)
        );
        let q = Query::Range(Bound::Included(s("a|")), Bound::Excluded(s("a}")));
        assert_eq!(
            after(q.clone(), Some("a|2")),
            Query::Range(Bound::Excluded(s("a|2")), Bound::Excluded(s("a}")))
        );
        // A cursor below the range leaves the range as it was.
        assert_eq!(after(q.clone(), Some("0")), q);
        let q = after(Query::Eq(s("x")), Some("x"));
        assert!(!q.matches("x"));
        assert!(after(Query::Eq(s("x")), Some("w")).matches("x"));
    }
}
