//! Dense codes for attribute values and labels: byte strings interned to
//! `u32` ids in first-seen order, then renumbered in byte order.

use rustc_hash::FxHashMap;

/// The code of a missing attribute value.
pub const MISSING: u32 = u32::MAX;

/// Interns byte strings to dense `u32` ids; allocates only for new values.
/// Values of up to 7 bytes (most labels) are looked up as one integer: in
/// a short list while there are few, then in a hash map.
#[derive(Debug, Default)]
pub struct Interner {
    few: Vec<(u64, u32)>,
    short: FxHashMap<u64, u32>,
    map: FxHashMap<Box<[u8]>, u32>,
    names: Vec<Box<[u8]>>,
}

/// Short values kept in a list before they move to a map.
const FEW: usize = 16;

/// A value of up to 7 bytes packed with its length (`None` if longer).
#[inline]
fn pack(v: &[u8]) -> Option<u64> {
    // Byte by byte: a call to memcpy would cost more than the lookup.
    (v.len() < 8).then(|| {
        v.iter()
            .enumerate()
            .fold((v.len() as u64) << 56, |k, (i, &c)| {
                k | (c as u64) << (8 * i)
            })
    })
}

impl Interner {
    /// The id of `v`, assigning the next id when it is new.
    #[inline]
    pub fn intern(&mut self, v: &[u8]) -> u32 {
        if let Some(id) = self.get(v) {
            return id;
        }
        let id = self.names.len() as u32;
        match pack(v) {
            Some(k) if self.few.len() < FEW && self.short.is_empty() => self.few.push((k, id)),
            Some(k) => {
                self.short.extend(self.few.drain(..));
                self.short.insert(k, id);
            }
            None => {
                self.map.insert(v.into(), id);
            }
        }
        self.names.push(v.into());
        id
    }

    /// The id of `v`, or `None` when it has not been interned.
    #[inline]
    pub fn get(&self, v: &[u8]) -> Option<u32> {
        match pack(v) {
            Some(k) if self.short.is_empty() => self.few.iter().find(|x| x.0 == k).map(|x| x.1),
            Some(k) => self.short.get(&k).copied(),
            None => self.map.get(v).copied(),
        }
    }

    /// Number of distinct values interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The ids here of `other`'s values (indexed by their ids there), the
    /// new ones assigned in `other`'s first-seen order: interning a chunk's
    /// values after those of the chunks before it numbers them as one pass
    /// over all the rows would.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.names.iter().map(|v| self.intern(v)).collect()
    }

    /// Names in byte order, and the map from first-seen id to sorted id.
    pub fn into_sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let names = order
            .iter()
            .map(|&i| String::from_utf8_lossy(&self.names[i as usize]).into_owned())
            .collect();
        (names, remap)
    }
}

/// Code `c` renumbered by `remap` (MISSING stays).
#[inline]
fn remapped(c: u32, remap: &[u32]) -> u32 {
    if c == MISSING {
        c
    } else {
        remap[c as usize]
    }
}

/// Replaces codes by `remap`'s in place (MISSING stays).
pub fn apply_remap(codes: &mut [u32], remap: &[u32]) {
    for c in codes.iter_mut() {
        *c = remapped(*c, remap);
    }
}

/// Appends `codes` renumbered by `remap` to `out` (MISSING stays).
pub fn extend_remapped(out: &mut Vec<u32>, codes: &[u32], remap: &[u32]) {
    out.extend(codes.iter().map(|&c| remapped(c, remap)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_sorts_names() {
        let mut i = Interner::default();
        assert_eq!(i.intern(b"b"), 0);
        assert_eq!(i.intern(b"a"), 1);
        assert_eq!(i.intern(b"b"), 0);
        let (names, remap) = i.into_sorted();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(remap, [1, 0]);
    }

    #[test]
    fn absorbing_numbers_as_one_interner_would() {
        let (mut one, mut first, mut second) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let values: Vec<Vec<u8>> = (0..40)
            .map(|i| format!("v{}", (i * 7) % 23).into_bytes())
            .collect();
        let want: Vec<u32> = values.iter().map(|v| one.intern(v)).collect();
        let (a, b) = values.split_at(25);
        let a: Vec<u32> = a.iter().map(|v| first.intern(v)).collect();
        let b: Vec<u32> = b.iter().map(|v| second.intern(v)).collect();
        let mut global = Interner::default();
        let mut got = Vec::new();
        extend_remapped(&mut got, &a, &global.absorb(&first));
        extend_remapped(&mut got, &b, &global.absorb(&second));
        assert_eq!(got, want);
        assert_eq!(global.into_sorted(), one.into_sorted());
    }
}
