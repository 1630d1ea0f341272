//! [`Refusals`]: the refusals a process remembers, by what was refused (a secret at a
//! service), shared by every token source of one owner: a registry's tokens for different
//! scope sets share the rejection of their one secret.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use super::{
    clock::Now,
    key::{EntryName, HashKey, KeyMaterial},
    state::Remembered,
};

/// The refusals one owner's token sources remember in memory. Cloning is cheap and clones
/// share the book.
#[derive(Clone)]
pub(crate) struct Refusals {
    inner: Arc<Book>,
}

struct Book {
    /// Random per book: its names never leave the process.
    key: HashKey,
    entries: Mutex<HashMap<EntryName, Remembered>>,
}

impl Refusals {
    pub(crate) fn new() -> Refusals {
        Refusals {
            inner: Arc::new(Book {
                key: HashKey::random(),
                entries: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Returns the name `material` is filed under in this book.
    pub(super) fn name(&self, material: &KeyMaterial) -> EntryName {
        self.inner.key.entry_name(material)
    }

    /// Returns the refusal filed under `name` while it is still handed out.
    pub(super) fn get(&self, name: &EntryName, now: Now) -> Option<Remembered> {
        let mut entries = self.lock();
        match entries.get(name) {
            Some(refusal) if refusal.is_active(now) => Some(refusal.clone()),
            Some(_) => {
                entries.remove(name);
                None
            }
            None => None,
        }
    }

    pub(super) fn put(&self, name: EntryName, refusal: Remembered) {
        self.lock().insert(name, refusal);
    }

    pub(super) fn remove(&self, name: &EntryName) {
        self.lock().remove(name);
    }

    /// Forgets every refusal.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<EntryName, Remembered>> {
        // One map operation at a time: a poisoned lock still holds a whole map.
        self.inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Refusals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refusals")
            .field("remembered", &self.lock().len())
            .finish()
    }
}
