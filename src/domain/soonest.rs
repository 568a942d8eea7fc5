//! The first few of many by some order, kept while the many go by: Home
//! lists the 50 licenses expiring soonest and the first 5 notifications
//! due out of thousands, and reads only those in full.

/// At most `limit` values with the smallest keys offered so far, smallest
/// first. Keys are expected to be distinct (ties keep the first offered).
#[derive(Debug, Clone)]
pub struct Soonest<K, V> {
    limit: usize,
    kept: Vec<(K, V)>,
}

impl<K: Ord, V> Soonest<K, V> {
    pub fn new(limit: usize) -> Soonest<K, V> {
        Soonest {
            limit,
            kept: Vec::with_capacity(limit.min(64)),
        }
    }

    /// The largest key kept once `limit` are kept: a key above it is not
    /// taken (so a caller can skip building an expensive one).
    pub fn bound(&self) -> Option<&K> {
        if self.kept.len() < self.limit {
            None
        } else {
            self.kept.last().map(|(k, _)| k)
        }
    }

    pub fn offer(&mut self, key: K, value: V) {
        if self.limit == 0 || self.bound().is_some_and(|b| key >= *b) {
            return;
        }
        let at = self.kept.partition_point(|(k, _)| *k <= key);
        self.kept.insert(at, (key, value));
        self.kept.truncate(self.limit);
    }

    /// The values kept, smallest key first.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.kept.iter().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the order they come in, the values kept are those of the
        /// `limit` smallest keys, in order.
        #[test]
        fn keeps_the_smallest(keys in proptest::collection::hash_set(0u32..1000, 0..200), limit in 0usize..60) {
            let keys: Vec<u32> = keys.into_iter().collect();
            let mut s = Soonest::new(limit);
            for &k in &keys {
                s.offer(k, k * 10);
            }
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let want: Vec<u32> = sorted.iter().take(limit).map(|k| k * 10).collect();
            prop_assert_eq!(s.values().copied().collect::<Vec<_>>(), want);
        }
    }
}
