//! [`Sources`]: token sources by grant, sharing one book of refusals, for an owner with many
//! tokens (a registry client: one token per credentials and scope set, one refusal per
//! secret).

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

use super::{
    DiskCache,
    cacheable::Cacheable,
    key::{EntryName, HashKey, KeyMaterial},
    refusals::Refusals,
    rules::Settings,
    source::{Fetch, RefusalKey, SourceConfig, TokenSource},
};

/// One token source per grant, created on first use; every source shares the owner's
/// refusals, settings and disk cache.
pub(crate) struct Sources<T> {
    /// Random per owner: the map's keys never leave the process.
    key: HashKey,
    sources: Mutex<HashMap<EntryName, TokenSource<T>>>,
    refusals: Refusals,
    settings: Settings,
    disk: Option<DiskCache>,
}

impl<T: Cacheable> Sources<T> {
    pub(crate) fn new(settings: Settings, disk: Option<DiskCache>) -> Sources<T> {
        Sources {
            key: HashKey::random(),
            sources: Mutex::new(HashMap::new()),
            refusals: Refusals::new(),
            settings,
            disk,
        }
    }

    /// Returns the source of `grant`, made with `refusal` and `fetch` when it is new; shared
    /// through the owner's disk cache unless `on_disk` is false (a grant nothing identifies
    /// across processes).
    pub(crate) fn source(
        &self,
        grant: KeyMaterial,
        on_disk: bool,
        make: impl FnOnce() -> (RefusalKey, Fetch<T>),
    ) -> TokenSource<T> {
        let name = self.key.entry_name(&grant);
        self.lock()
            .entry(name)
            .or_insert_with(|| {
                let (refusal, fetch) = make();
                TokenSource::new(SourceConfig {
                    settings: self.settings.clone(),
                    fetch,
                    grant,
                    refusal,
                    refusals: self.refusals.clone(),
                    disk: self.disk.clone().filter(|_| on_disk),
                })
            })
            .clone()
    }

    /// Forgets every token and remembered failure, here and (for these grants) on disk. A
    /// fetch in flight still answers its callers, but what it finds is not kept.
    pub(crate) fn invalidate(&self) {
        for source in self.lock().values() {
            source.invalidate();
        }
        self.refusals.clear();
    }

    /// Returns how many grants have been asked for, for `Debug`.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<EntryName, TokenSource<T>>> {
        // One map operation at a time: a poisoned lock still holds a whole map.
        self.sources.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
