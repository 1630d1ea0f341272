//! The disk side of a refresh: read the entry, else take the key's lock, read again, fetch,
//! and write what was learned for the other processes.
//!
//! Every file operation and the lock wait run on tokio's blocking pool.

use std::{path::Path, sync::Arc, time::SystemTime};

use tokio::sync::OnceCell;

use super::{
    DiskCache,
    entry::{Entry, StoredFailure, StoredToken},
    file::{FileStore, Unusable},
    key::{EntryName, KeyMaterial},
    rules::keep_for,
    source::{Held, Inner, Known, Next, Remembered, Resolution},
    store::{Lease, Store},
    warn_once,
};

/// A source's place on disk: the cache, its key's material, and the store once opened.
pub(super) struct Disk {
    cache: DiskCache,
    material: KeyMaterial,
    opened: OnceCell<Option<Opened>>,
}

/// An opened store and this source's entry in it.
struct Opened {
    store: Arc<dyn Store>,
    name: EntryName,
    identifier_tag: String,
}

impl Disk {
    pub(super) fn new(cache: DiskCache, material: KeyMaterial) -> Disk {
        Disk {
            cache,
            material,
            opened: OnceCell::new(),
        }
    }

    pub(super) fn dir(&self) -> Option<&Path> {
        self.cache.dir()
    }

    /// Opens the store on first use. A store that cannot be used is reported once (a
    /// warning, or a debug event on platforms without a cache) and not tried again by this
    /// source, which then goes on without it.
    async fn open(&self) -> Option<&Opened> {
        let opened = self.opened.get_or_init(|| async {
            let Some(dir) = self.cache.dir().map(Path::to_owned) else {
                tracing::debug!("no location for the token cache (HOME is not set): not using it");
                return None;
            };
            let shown = dir.clone();
            let store = match tokio::task::spawn_blocking(move || FileStore::open(&dir)).await {
                Ok(Ok(store)) => store,
                Ok(Err(Unusable::Unsupported)) => {
                    tracing::debug!("the token cache is not used on this platform");
                    return None;
                }
                Ok(Err(Unusable::Unsafe(why) | Unusable::Failed(why))) => {
                    warn_once(&shown, &format!("{why}; going on without the token cache"));
                    return None;
                }
                Err(_) => return None, // the runtime is shutting down
            };
            let name = store.hash_key().entry_name(&self.material);
            let identifier_tag = store.hash_key().identifier_tag(self.material.identifier());
            Some(Opened {
                store: Arc::new(store),
                name,
                identifier_tag,
            })
        });
        opened.await.as_ref()
    }

    /// Refreshes through the disk: what another process stored, or a fetch under the lock
    /// whose outcome is stored for the others.
    pub(super) async fn refresh(
        &self,
        inner: &Inner,
        memory: &Known,
        invalidated_at: Option<SystemTime>,
    ) -> Resolution {
        let Some(opened) = self.open().await else {
            return inner.fetch_and_settle(memory).await;
        };
        let cache = self
            .cache
            .dir()
            .map(|dir| dir.display().to_string())
            .unwrap_or_default();

        // First without the lock: a fresh entry needs no waiting.
        let known = opened.read(inner, memory, invalidated_at).await;
        if let Some(resolution) = served(&known, inner, memory) {
            return resolution;
        }
        let lease = opened.lock(inner).await;
        // Under the lock, again: the process that held it may just have stored a token.
        let known = if lease.is_some() {
            opened.read(inner, &known, invalidated_at).await
        } else {
            known
        };
        if let Some(resolution) = served(&known, inner, memory) {
            return resolution;
        }
        tracing::debug!(%cache, "no usable token in the disk cache: fetching a new one");
        let resolution = inner.fetch_and_settle(&known).await;
        if let Some(entry) = opened.entry(&resolution.known, inner) {
            let (store, name) = (opened.store.clone(), opened.name.clone());
            let saved =
                tokio::task::spawn_blocking(move || store.save(&name, &entry.encode())).await;
            match saved {
                Ok(Ok(())) => tracing::debug!(%cache, "stored in the disk cache"),
                Ok(Err(error)) => tracing::debug!(%error, "could not write to the disk cache"),
                Err(_) => {}
            }
        }
        drop(lease);
        resolution
    }
}

/// Returns the outcome when `known` needs no fetch, saying where it came from.
fn served(known: &Known, inner: &Inner, memory: &Known) -> Option<Resolution> {
    let now = inner.clock.now();
    let result = match known.next(now) {
        Next::Fetch => return None,
        Next::Serve(token) => {
            let received = |known: &Known| known.token.as_ref().map(|held| held.received_at);
            if received(known) != received(memory) {
                tracing::debug!("token from the disk cache");
            }
            Ok(token)
        }
        Next::Recall(error) => {
            tracing::debug!(kind = ?error.kind(), "failure remembered in the disk cache");
            Err(error)
        }
    };
    Some(Resolution {
        known: known.clone(),
        result,
    })
}

impl Opened {
    /// Returns what `known` becomes with this source's entry, ignoring what was stored
    /// before `invalidated_at`. The newer token and the newer failure win.
    async fn read(
        &self,
        inner: &Inner,
        known: &Known,
        invalidated_at: Option<SystemTime>,
    ) -> Known {
        let (store, name) = (self.store.clone(), self.name.clone());
        let entry = tokio::task::spawn_blocking(move || {
            store.load(&name).and_then(|bytes| Entry::decode(&bytes))
        })
        .await
        .ok()
        .flatten();
        let mut known = known.clone();
        let Some(entry) = entry else {
            return known;
        };
        let now = inner.clock.now();
        let fresh_since = |at: SystemTime| invalidated_at.is_none_or(|gone| at > gone);
        if let Some(stored) = entry.token
            && fresh_since(stored.received_at)
            && known
                .token
                .as_ref()
                .is_none_or(|mine| stored.received_at > mine.received_at)
        {
            let mut held = Held::new(
                &inner.settings,
                stored.token,
                stored.received_at,
                stored.lifetime,
                now,
            );
            let keep_until = now.instant_at(stored.keep_until);
            held.refresh_at = held.refresh_at.min(keep_until);
            held.usable_until = held.usable_until.min(keep_until);
            known.token = Some(held);
        }
        if let Some(stored) = entry.failure
            && fresh_since(stored.at)
            && known
                .failure
                .as_ref()
                .is_none_or(|mine| stored.at > mine.at)
        {
            known.failure = Some(Remembered::stored(
                stored.error,
                stored.at,
                stored.until,
                now,
            ));
        }
        known
    }

    /// Takes this entry's lock, waiting at most the settings' `lock_wait`; `None` when the
    /// wait ran out or the lock cannot be taken (the refresh goes on without it).
    async fn lock(&self, inner: &Inner) -> Option<Box<dyn Lease>> {
        let (store, name, wait) = (
            self.store.clone(),
            self.name.clone(),
            inner.settings.lock_wait,
        );
        match tokio::task::spawn_blocking(move || store.lock(&name, wait)).await {
            Ok(Ok(Some(lease))) => Some(lease),
            Ok(Ok(None)) => {
                tracing::debug!(
                    wait_ms = wait.as_millis(),
                    "another process held the token cache lock too long: fetching anyway"
                );
                None
            }
            Ok(Err(error)) => {
                tracing::debug!(%error, "cannot lock the token cache entry: fetching anyway");
                None
            }
            Err(_) => None,
        }
    }

    /// Returns the entry that stores `known`, or `None` when there is nothing to store.
    fn entry(&self, known: &Known, inner: &Inner) -> Option<Entry> {
        if known.token.is_none() && known.failure.is_none() {
            return None;
        }
        Some(Entry {
            identifier_tag: self.identifier_tag.clone(),
            stored_at: inner.clock.now().wall,
            token: known.token.as_ref().map(|held| StoredToken {
                token: held.token.clone(),
                received_at: held.received_at,
                lifetime: held.lifetime,
                keep_until: held.received_at + keep_for(held.lifetime),
            }),
            failure: known.failure.as_ref().map(|failure| StoredFailure {
                error: failure.error.clone(),
                at: failure.at,
                until: failure.until,
            }),
        })
    }
}
