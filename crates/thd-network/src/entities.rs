//! Collections of objects keyed by their GraceTHD code, with typed ids.
//!
//! A code (`CB000180030001`) is stored once, in the collection of the object it names; every reference to that
//! object elsewhere is an [`Id`], a `u32` index typed by what it points to, so a cable's end cannot be confused
//! with a box and a lookup is an array access. Ids are positions in delivery order, which keeps every output
//! that iterates a collection deterministic.

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The id of an object of type `T` in its [`Entities`] collection.
pub struct Id<T> {
    index: u32,
    marker: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    fn new(index: usize) -> Self {
        Self {
            index: u32::try_from(index).expect("a table holds fewer than 4 billion objects"),
            marker: PhantomData,
        }
    }

    /// The position of the object in its collection.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

// Manual impls: derives would require `T: Clone`, `T: Eq`..., which the marker does not need.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index)
    }
}

/// Objects of one kind, in delivery order, each under a unique code.
#[derive(Debug)]
pub struct Entities<T> {
    codes: IndexSet<Box<str>, FxBuildHasher>,
    items: Vec<T>,
}

impl<T> Default for Entities<T> {
    fn default() -> Self {
        Self {
            codes: IndexSet::default(),
            items: Vec::new(),
        }
    }
}

impl<T> Entities<T> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            codes: IndexSet::with_capacity_and_hasher(capacity, FxBuildHasher),
            items: Vec::with_capacity(capacity),
        }
    }

    /// Adds an object under `code`; `None` (and nothing added) if the code is already taken.
    pub fn insert(&mut self, code: &str, item: T) -> Option<Id<T>> {
        // One hash probe: a new code needs its allocation anyway, a duplicate (rare) wastes one.
        let (index, inserted) = self.codes.insert_full(code.into());
        if !inserted {
            return None;
        }
        self.items.push(item);
        Some(Id::new(index))
    }

    /// The id of the object coded `code`.
    pub fn id(&self, code: &str) -> Option<Id<T>> {
        self.codes.get_index_of(code).map(Id::new)
    }

    pub fn get(&self, id: Id<T>) -> &T {
        &self.items[id.index()]
    }

    pub fn get_mut(&mut self, id: Id<T>) -> &mut T {
        &mut self.items[id.index()]
    }

    /// The code of an object.
    pub fn code(&self, id: Id<T>) -> &str {
        &self.codes[id.index()]
    }

    pub fn by_code(&self, code: &str) -> Option<&T> {
        self.id(code).map(|id| self.get(id))
    }

    /// The id at a position, e.g. from a spatial index that stores positions.
    pub fn id_at(&self, index: usize) -> Option<Id<T>> {
        (index < self.len()).then(|| Id::new(index))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every object with its id and code, in delivery order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Id<T>, &str, &T)> + '_ {
        self.codes
            .iter()
            .zip(&self.items)
            .enumerate()
            .map(|(i, (code, item))| (Id::new(i), &**code, item))
    }

    pub fn ids(&self) -> impl ExactSizeIterator<Item = Id<T>> + use<T> {
        (0..self.items.len()).map(Id::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_ids_follow_insertion_order() {
        let mut cables: Entities<u32> = Entities::default();
        let a = cables.insert("CB1", 12).unwrap();
        let b = cables.insert("CB2", 24).unwrap();
        assert_eq!(cables.insert("CB1", 99), None, "duplicate refused");
        assert_eq!(cables.len(), 2);
        assert_eq!((a.index(), b.index()), (0, 1));
        assert_eq!(cables.id("CB2"), Some(b));
        assert_eq!(cables.code(a), "CB1");
        assert_eq!(*cables.get(a), 12, "the first row kept");
        assert_eq!(cables.by_code("CB3"), None);
        let listed: Vec<_> = cables.iter().map(|(id, code, v)| (id, code, *v)).collect();
        assert_eq!(listed, vec![(a, "CB1", 12), (b, "CB2", 24)]);
    }
}
