//! One stable sort for the whole app.
//!
//! Every `slice::sort_by` / `sort_by_key` call is its own copy of the
//! standard library's stable sort (driftsort, about 3.7 KB of wasm each, 43
//! copies in the bundle: docs/perf.md, "Bundle, second pass"). These
//! helpers sort a list of positions with one comparison through `dyn`, so
//! the sort itself is compiled once; what each call site adds is its
//! comparison and moving its items into the new order. For the lists of a
//! page (tens to thousands of items), not for the 100,000-row hot paths.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, keeping equal items in their order (as
/// `slice::sort_by`).
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = {
        let items = &*items;
        stable_order(
            items.len(),
            &mut |a, b| match (items.get(a), items.get(b)) {
                (Some(a), Some(b)) => compare(a, b),
                _ => Ordering::Equal,
            },
        )
    };
    // Each cycle of the permutation in turn: position `i` takes the item
    // at `order[i]`, whose place takes the next one, until the cycle closes.
    let mut placed = vec![false; order.len()];
    for start in 0..order.len() {
        let mut i = start;
        while !placed[i] {
            placed[i] = true;
            let from = order[i];
            if from == start {
                break;
            }
            items.swap(i, from);
            i = from;
        }
    }
}

/// Sorts `items` by the key `key` gives each, keeping items with equal keys
/// in their order (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in stably sorted order: the one instance of the
/// standard library's stable sort.
fn stable_order(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_keep_their_order() {
        let mut items = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        sort_by_key(&mut items, |&(k, _)| k);
        assert_eq!(
            items,
            vec![(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]
        );
    }

    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut ours: Vec<u32> = (0..500).map(|i| (i * 7919) % 257).collect();
        let mut std_sorted = ours.clone();
        std_sorted.sort_by(|a, b| b.cmp(a));
        sort_by(&mut ours, |a, b| b.cmp(a));
        assert_eq!(ours, std_sorted);
    }

    #[test]
    fn empty_and_single_lists_are_left_alone() {
        let mut empty: Vec<String> = Vec::new();
        sort_by_key(&mut empty, |s| s.len());
        assert!(empty.is_empty());
        let mut one = vec!["x".to_string()];
        sort_by_key(&mut one, |s| s.len());
        assert_eq!(one, vec!["x".to_string()]);
    }
}
