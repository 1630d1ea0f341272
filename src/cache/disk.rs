//! The disk side of a refresh: read the entry, else take the key's lock, read again, fetch,
//! and write what was learned for the other processes.
//!
//! Every file operation and the lock wait run on tokio's blocking pool.

use std::{
    path::Path,
    sync::{Arc, OnceLock},
    time::SystemTime,
};

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
    material: Arc<KeyMaterial>,
    /// Set by the first refresh (one refresh runs at a time per source): the store, or
    /// `None` when it cannot be used, which is then not tried again.
    opened: OnceLock<Option<Opened>>,
}

/// An opened store and this source's entry in it.
#[derive(Clone)]
struct Opened {
    store: Arc<dyn Store>,
    name: EntryName,
    identifier_tag: String,
}

/// Each step below is one trip to tokio's blocking pool: a token served from disk costs
/// one, a refresh three (read; lock and read again; write and unlock).
impl Disk {
    pub(super) fn new(cache: DiskCache, material: KeyMaterial) -> Disk {
        Disk {
            cache,
            material: Arc::new(material),
            opened: OnceLock::new(),
        }
    }

    pub(super) fn dir(&self) -> Option<&Path> {
        self.cache.dir()
    }

    /// Refreshes through the disk: what another process stored, or a fetch under the lock
    /// whose outcome is stored for the others.
    pub(super) async fn refresh(
        &self,
        inner: &Inner,
        memory: &Known,
        invalidated_at: Option<SystemTime>,
    ) -> Resolution {
        // First without the lock: a fresh entry needs no waiting.
        let Some((opened, entry)) = self.open_and_read().await else {
            return inner.fetch_and_settle(memory).await;
        };
        let cache = self
            .cache
            .dir()
            .map(|dir| dir.display().to_string())
            .unwrap_or_default();
        let known = merge(memory, entry, inner, invalidated_at);
        if let Some(resolution) = served(&known, inner, memory) {
            return resolution;
        }
        // Under the lock, again: the process that held it may just have stored a token.
        let (lease, entry) = opened.lock_and_read(inner).await;
        let known = merge(&known, entry, inner, invalidated_at);
        if let Some(resolution) = served(&known, inner, memory) {
            return resolution;
        }
        tracing::debug!(%cache, "no usable token in the disk cache: fetching a new one");
        let resolution = inner.fetch_and_settle(&known).await;
        let entry = opened.entry(&resolution.known, inner);
        let (store, name) = (opened.store.clone(), opened.name.clone());
        let saved = tokio::task::spawn_blocking(move || {
            let saved = entry.map(|entry| store.save(&name, &entry.encode()));
            drop(lease); // released once the entry is written
            saved
        })
        .await;
        match saved {
            Ok(Some(Ok(()))) => tracing::debug!(%cache, "stored in the disk cache"),
            Ok(Some(Err(error))) => tracing::debug!(%error, "could not write to the disk cache"),
            _ => {}
        }
        resolution
    }

    /// Opens the store on first use and reads this source's entry, in one trip. A store
    /// that cannot be used is reported once (a warning, or a debug event on platforms
    /// without a cache), and this source goes on without it.
    async fn open_and_read(&self) -> Option<(Opened, Option<Entry>)> {
        if let Some(opened) = self.opened.get() {
            let opened = opened.clone()?;
            let (store, name) = (opened.store.clone(), opened.name.clone());
            let entry = tokio::task::spawn_blocking(move || read(&*store, &name))
                .await
                .ok()
                .flatten();
            return Some((opened, entry));
        }
        let Some(dir) = self.cache.dir().map(Path::to_owned) else {
            tracing::debug!("no location for the token cache (HOME is not set): not using it");
            let _ = self.opened.set(None);
            return None;
        };
        let material = self.material.clone();
        let shown = dir.clone();
        let opened = tokio::task::spawn_blocking(move || open(&dir, &material)).await;
        let (opened, entry) = match opened {
            Ok(Ok((opened, entry))) => (Some(opened), entry),
            Ok(Err(Unusable::Unsupported)) => {
                tracing::debug!("the token cache is not used on this platform");
                (None, None)
            }
            Ok(Err(Unusable::Unsafe(why) | Unusable::Failed(why))) => {
                warn_once(&shown, &format!("{why}; going on without the token cache"));
                (None, None)
            }
            Err(_) => return None, // the runtime is shutting down: try again next time
        };
        let _ = self.opened.set(opened.clone());
        opened.map(|opened| (opened, entry))
    }
}

/// Opens the store in `dir`, names this source's entry and reads it.
fn open(dir: &Path, material: &KeyMaterial) -> Result<(Opened, Option<Entry>), Unusable> {
    let store = FileStore::open(dir)?;
    let opened = Opened {
        name: store.hash_key().entry_name(material),
        identifier_tag: store.hash_key().identifier_tag(material.identifier()),
        store: Arc::new(store),
    };
    let entry = read(&*opened.store, &opened.name);
    Ok((opened, entry))
}

/// Reads and decodes an entry; anything damaged is no entry.
fn read(store: &dyn Store, name: &EntryName) -> Option<Entry> {
    store.load(name).and_then(|bytes| Entry::decode(&bytes))
}

/// Returns what `known` becomes with `entry`, ignoring what was stored before
/// `invalidated_at`. The newer token and the newer failure win.
fn merge(
    known: &Known,
    entry: Option<Entry>,
    inner: &Inner,
    invalidated_at: Option<SystemTime>,
) -> Known {
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
    /// Takes this entry's lock, waiting at most the settings' `lock_wait`, and reads the
    /// entry again, in one trip. Without the lock (the wait ran out, or locks do not work
    /// here) the refresh goes on without it.
    async fn lock_and_read(&self, inner: &Inner) -> (Option<Box<dyn Lease>>, Option<Entry>) {
        let (store, name, wait) = (
            self.store.clone(),
            self.name.clone(),
            inner.settings.lock_wait,
        );
        let locked = tokio::task::spawn_blocking(move || {
            let lease = store.lock(&name, wait);
            let entry = match &lease {
                Ok(Some(_)) => read(&*store, &name),
                _ => None,
            };
            (lease, entry)
        })
        .await;
        match locked {
            Ok((Ok(Some(lease)), entry)) => (Some(lease), entry),
            Ok((Ok(None), _)) => {
                tracing::debug!(
                    wait_ms = wait.as_millis(),
                    "another process held the token cache lock too long: fetching anyway"
                );
                (None, None)
            }
            Ok((Err(error), _)) => {
                tracing::debug!(%error, "cannot lock the token cache entry: fetching anyway");
                (None, None)
            }
            Err(_) => (None, None),
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
