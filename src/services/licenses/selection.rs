//! The licenses ticked in the list: a set of License IDs in memory, never
//! the checkboxes' state, so "select all N matching" holds 100,000 licenses
//! while the windowed table draws a few dozen rows.

use std::collections::HashSet;

/// How many of some licenses (e.g. those matching the filters) are ticked:
/// what the header checkbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticked {
    None,
    Some,
    All,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseSelection {
    /// 18-character License IDs.
    ids: HashSet<String>,
}

impl LicenseSelection {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    pub fn set(&mut self, id: &str, ticked: bool) {
        if ticked {
            self.ids.insert(id.to_string());
        } else {
            self.ids.remove(id);
        }
    }

    pub fn select_all<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        self.ids.extend(ids.into_iter().map(str::to_string));
    }

    pub fn deselect_all<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            self.ids.remove(id);
        }
    }

    pub fn clear(&mut self) {
        self.ids.clear();
    }

    /// How many of `ids` are ticked (`None` when `ids` is empty).
    pub fn ticked<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Ticked {
        // Nothing ticked: no need to look at (up to 100,000) IDs on each keystroke.
        if self.ids.is_empty() {
            return Ticked::None;
        }
        let (mut some, mut all) = (false, true);
        let mut any = false;
        for id in ids {
            any = true;
            if self.ids.contains(id) {
                some = true;
            } else {
                all = false;
            }
            if some && !all {
                return Ticked::Some;
            }
        }
        match (any, some, all) {
            (true, _, true) => Ticked::All,
            (_, true, _) => Ticked::Some,
            _ => Ticked::None,
        }
    }

    /// The ticked IDs, sorted (storage reads them in key order).
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.ids.iter().cloned().collect();
        crate::sort::sort_by(&mut ids, Ord::cmp);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_rows_and_every_matching_one() {
        let mut s = LicenseSelection::default();
        let shown = ["b", "a", "c"];
        assert_eq!(s.ticked(shown), Ticked::None);
        s.set("a", true);
        assert_eq!(s.ticked(shown), Ticked::Some);
        s.select_all(shown);
        assert_eq!(s.ticked(shown), Ticked::All);
        assert_eq!(s.ids(), vec!["a", "b", "c"]);
        s.set("z", true); // ticked under another filter: kept
        s.deselect_all(shown);
        assert_eq!(s.ticked(shown), Ticked::None);
        assert_eq!(s.ids(), vec!["z"]);
        assert_eq!(s.ticked(std::iter::empty()), Ticked::None);
        s.set("z", false);
        assert!(s.is_empty());
    }

    #[test]
    fn a_hundred_thousand_matching_licenses_select_at_once() {
        let ids: Vec<String> = (0..100_000).map(|n| format!("a0{n:016}")).collect();
        let mut s = LicenseSelection::default();
        s.select_all(ids.iter().map(String::as_str));
        assert_eq!(s.len(), 100_000);
        assert_eq!(s.ticked(ids.iter().map(String::as_str)), Ticked::All);
        s.set(&ids[500], false);
        assert_eq!(s.ticked(ids.iter().map(String::as_str)), Ticked::Some);
        s.clear();
        assert_eq!(s.len(), 0);
    }
}
