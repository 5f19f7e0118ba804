//! A small open-addressing hash table from pre-hashed `u64` keys to `u32` counts, reused
//! between documents. The repetition signals insert every word n-gram of a document, so this
//! table is on the hot path: linear probing over one flat array, no per-entry allocation, and
//! a reset that only clears the slots in use.

/// Counts per pre-hashed key.
///
/// Each slot is one `u64`: the key's high 32 bits (its fingerprint, never 0) above a 32-bit
/// count, so a probe touches one cache line and a table of 2,048 slots fits in 16 KB of L1.
/// The slot index comes from the key's low bits. Keys are hashes from
/// [`crate::features::tokenize::mix64`], so two distinct keys of one document compare equal
/// only when they share a fingerprint and a probe run: about 10^-7 per document with a few
/// thousand distinct keys, and a miscount then shifts a ratio by one occurrence.
#[derive(Debug, Default, Clone)]
pub struct CountTable {
    slots: Vec<u64>,
    /// Per slot: the mark of the last [`CountTable::add_marked`] call that met the key.
    marks: Vec<u32>,
    used: Vec<u32>,
    mask: usize,
}

/// Fingerprint stored in a slot's high half (0 marks an empty slot).
#[inline]
fn fingerprint(key: u64) -> u64 {
    let f = key >> 32;
    if f == 0 { 1 << 32 } else { f << 32 }
}

const COUNT: u64 = 0xffff_ffff;

impl CountTable {
    /// Empty the table and make room for `n` distinct keys. The allocation is kept: a
    /// table sized for a long document serves the short ones after it (only its first
    /// slots are used), so the repetition passes, whose key counts vary by level, never
    /// reallocate and zero a new array.
    pub fn reset(&mut self, n: usize) {
        let want = (n.max(8) * 2).next_power_of_two();
        for &i in &self.used {
            self.slots[i as usize] = 0;
        }
        self.used.clear();
        if want > self.slots.len() {
            self.slots = vec![0; want];
            self.marks = Vec::new();
        }
        self.mask = want - 1;
    }

    /// Add one occurrence of `key`; returns its count after the addition.
    #[inline]
    pub fn add(&mut self, key: u64) -> u32 {
        let i = self.slot(key);
        (self.slots[i] & COUNT) as u32
    }

    /// Add one occurrence of `key`; returns its slot, whose count [`CountTable::count_at`]
    /// reads until the next reset (so a later look-up needs no second probe).
    #[inline]
    pub fn add_slot(&mut self, key: u64) -> u32 {
        self.slot(key) as u32
    }

    /// The count in a slot returned by [`CountTable::add_slot`] since the last reset.
    #[inline]
    pub fn count_at(&self, slot: u32) -> u32 {
        (self.slots[slot as usize] & COUNT) as u32
    }

    /// Add one occurrence of `key` and tag it with `mark` (a window number, say); returns
    /// whether the key had not been met under this mark before, and its slot (as
    /// [`CountTable::add_slot`]). One pass then counts both the whole text and the distinct
    /// keys of each window.
    #[inline]
    pub fn add_marked(&mut self, key: u64, mark: u32) -> (bool, u32) {
        if self.marks.len() != self.slots.len() {
            self.marks = vec![0; self.slots.len()];
        }
        let i = self.slot(key);
        let fresh = ((self.slots[i] & COUNT) == 1) | (self.marks[i] != mark);
        self.marks[i] = mark;
        (fresh, i as u32)
    }

    /// Count one more occurrence of `key`; returns its slot.
    #[inline]
    fn slot(&mut self, key: u64) -> usize {
        // 0 is stored as 1 (key 0 and key 1 share a slot).
        let key = if key == 0 { 1 } else { key };
        let f = fingerprint(key);
        let mut i = (key as usize) & self.mask;
        loop {
            let s = self.slots[i];
            if s & !COUNT == f {
                // Counts saturate rather than spill into the fingerprint.
                let c = ((s & COUNT) + 1).min(COUNT);
                self.slots[i] = f | c;
                return i;
            }
            if s == 0 {
                self.slots[i] = f | 1;
                self.used.push(i as u32);
                return i;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The count of `key` (0 when absent).
    #[inline]
    pub fn get(&self, key: u64) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        let key = if key == 0 { 1 } else { key };
        let f = fingerprint(key);
        let mut i = (key as usize) & self.mask;
        loop {
            let s = self.slots[i];
            if s & !COUNT == f {
                return (s & COUNT) as u32;
            }
            if s == 0 {
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
        self.used
            .iter()
            .map(|&i| (self.slots[i as usize] & COUNT) as u32)
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
        let slot = t.add_slot(6);
        assert_eq!(t.count_at(slot), 1);
        t.add(6);
        assert_eq!(t.count_at(slot), 2, "a slot follows its key's count");
        t.reset(4);
        assert!(t.is_empty());
        assert_eq!(t.add(5), 1);
    }

    #[test]
    fn marks_tell_first_sightings_per_window() {
        let mut t = CountTable::default();
        t.reset(4);
        assert!(t.add_marked(5, 1).0);
        assert!(!t.add_marked(5, 1).0);
        assert!(t.add_marked(6, 1).0);
        assert!(t.add_marked(5, 2).0, "a new mark starts afresh");
        let (fresh, slot) = t.add_marked(5, 2);
        assert!(!fresh);
        assert_eq!(t.count_at(slot), 4);
        assert_eq!((t.get(5), t.get(6), t.len()), (4, 1, 2));
        // After a reset, a key is new even under a mark it had before.
        t.reset(4);
        assert!(t.add_marked(5, 2).0);
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

    #[test]
    fn keys_sharing_low_bits_stay_apart() {
        // Same slot index, different fingerprints: two keys, probed past each other.
        let mut t = CountTable::default();
        t.reset(4);
        let (a, b) = (7u64 | (1 << 40), 7u64 | (2 << 40));
        assert_eq!(t.add(a), 1);
        assert_eq!(t.add(b), 1);
        assert_eq!(t.add(a), 2);
        assert_eq!((t.get(a), t.get(b), t.len()), (2, 1, 2));
        let mut counts: Vec<u32> = t.counts().collect();
        counts.sort();
        assert_eq!(counts, vec![1, 2]);
    }
}
