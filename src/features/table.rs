//! A small open-addressing hash table from pre-hashed `u64` keys to `u32` counts, reused
//! between documents. The repetition signals insert every word n-gram of a document, so this
//! table is on the hot path: linear probing over one flat array, no per-entry allocation, and
//! a reset that only clears the slots in use.

/// Counts per pre-hashed key.
#[derive(Debug, Default, Clone)]
pub struct CountTable {
    keys: Vec<u64>,
    counts: Vec<u32>,
    used: Vec<u32>,
    mask: usize,
}

impl CountTable {
    /// Empty the table and make room for `n` distinct keys.
    pub fn reset(&mut self, n: usize) {
        let want = (n.max(8) * 2).next_power_of_two();
        if want > self.keys.len() || want * 8 < self.keys.len() {
            self.keys = vec![0; want];
            self.counts = vec![0; want];
            self.used.clear();
        } else {
            for &i in &self.used {
                self.keys[i as usize] = 0;
                self.counts[i as usize] = 0;
            }
            self.used.clear();
        }
        self.mask = self.keys.len() - 1;
    }

    /// Add one occurrence of `key`; returns its count after the addition.
    #[inline]
    pub fn add(&mut self, key: u64) -> u32 {
        // 0 marks an empty slot.
        let key = if key == 0 { 1 } else { key };
        let mut i = (key as usize) & self.mask;
        loop {
            let k = self.keys[i];
            if k == key {
                self.counts[i] += 1;
                return self.counts[i];
            }
            if k == 0 {
                self.keys[i] = key;
                self.counts[i] = 1;
                self.used.push(i as u32);
                return 1;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The count of `key` (0 when absent).
    #[inline]
    pub fn get(&self, key: u64) -> u32 {
        if self.keys.is_empty() {
            return 0;
        }
        let key = if key == 0 { 1 } else { key };
        let mut i = (key as usize) & self.mask;
        loop {
            let k = self.keys[i];
            if k == key {
                return self.counts[i];
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Distinct keys.
    pub fn len(&self) -> usize {
        self.used.len()
    }

    /// Is the table empty?
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    /// The counts of the distinct keys, in insertion order.
    pub fn counts(&self) -> impl Iterator<Item = u32> + '_ {
        self.used.iter().map(|&i| self.counts[i as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_resets() {
        let mut t = CountTable::default();
        t.reset(4);
        assert_eq!(t.add(5), 1);
        assert_eq!(t.add(5), 2);
        assert_eq!(t.add(0), 1);
        assert_eq!(t.add(1), 2, "key 0 is stored as 1");
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(5), 2);
        assert_eq!(t.get(6), 0);
        t.reset(4);
        assert!(t.is_empty());
        assert_eq!(t.add(5), 1);
    }

    #[test]
    fn grows_for_many_keys() {
        let mut t = CountTable::default();
        t.reset(1000);
        for k in 0..1000u64 {
            t.add(crate::features::tokenize::mix64(k + 1));
        }
        assert_eq!(t.len(), 1000);
        assert_eq!(t.counts().sum::<u32>(), 1000);
    }
}
