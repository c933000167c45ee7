//! A small cache of recent results shared by the engine's threads (facet counts, completions of
//! beginnings, title forms): a map behind a mutex, emptied when it reaches its size (the keys
//! carry the index generation, so nothing in it goes stale; emptying only bounds its memory).
//! A poisoned lock is taken over: the map is valid whatever a panicking reader left.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Recent results, at most `capacity` of them.
#[derive(Debug)]
pub struct Recent<K, V> {
    map: Mutex<HashMap<K, V>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    /// An empty cache holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Recent {
            map: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// A copy of the value kept for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Keeps `value` for `key`, first emptying the cache if it is full.
    pub fn insert(&self, key: K, value: V) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn keeps_values_and_empties_when_full() {
        let cache = Recent::new(2);
        cache.insert(1, "a".to_string());
        cache.insert(2, "b".to_string());
        assert_eq!(cache.get(&1).as_deref(), Some("a"));
        assert_eq!(cache.get(&3), None);
        // Full: the third entry empties it first.
        cache.insert(3, "c".to_string());
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.get(&2), None);
        assert_eq!(cache.get(&3).as_deref(), Some("c"));
    }
}
