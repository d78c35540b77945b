//! The identity of a bound value: one [`Bind`](super::Bind) rendered twice is one parameter.

use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which bound value a [`Bind`](super::Bind) is: given when the value is bound (by
/// [`literal`](super::literal), a comparison, an IN list, ...) and kept by every clone, so an
/// expression built once and used twice — in the SELECT list and in GROUP BY, say — carries
/// one bound value, rendered as one parameter (as SQLAlchemy renders one `BindParameter`
/// object). Two values bound separately are two parameters, whatever their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BindId(u64);

static NEXT: AtomicU64 = AtomicU64::new(1);

impl BindId {
    /// A new identity, never given before in this process.
    pub(crate) fn next() -> Self {
        BindId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The binds met so far in one walk of a statement, each with a number (the slot it was
/// given, or the index of its first value). A few are kept inline and scanned — a statement
/// whose values never repeat allocates nothing; past [`SeenBinds::INLINE`] they are hashed,
/// so a statement of many values is still walked in linear time.
#[derive(Default)]
pub(crate) struct SeenBinds {
    few: SmallVec<[(BindId, u32); 8]>,
    many: Option<HashMap<BindId, u32, foldhash::fast::FixedState>>,
}

impl SeenBinds {
    /// The most binds kept in a scanned list.
    const INLINE: usize = 16;

    /// The number recorded for `id` when it was met before; otherwise records `n` for it and
    /// gives `None`.
    #[inline]
    pub fn first_or_insert(&mut self, id: BindId, n: u32) -> Option<u32> {
        if let Some(many) = &mut self.many {
            return match many.entry(id) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(n);
                    None
                }
            };
        }
        if let Some(&(_, first)) = self.few.iter().find(|(seen, _)| *seen == id) {
            return Some(first);
        }
        if self.few.len() < Self::INLINE {
            self.few.push((id, n));
        } else {
            let mut many: HashMap<BindId, u32, _> =
                HashMap::with_capacity_and_hasher(Self::INLINE * 4, Default::default());
            many.extend(self.few.drain(..));
            many.insert(id, n);
            self.many = Some(many);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_found_before_and_after_the_list_spills() {
        let ids: Vec<BindId> = (0..40).map(|_| BindId::next()).collect();
        let mut seen = SeenBinds::default();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(seen.first_or_insert(*id, i as u32), None);
            // Each one met again keeps its first number, whether listed or hashed.
            assert_eq!(seen.first_or_insert(*id, 99), Some(i as u32));
            assert_eq!(seen.first_or_insert(ids[0], 99), Some(0));
        }
        assert!(seen.many.is_some());
        assert_ne!(BindId::next(), BindId::next());
    }
}
