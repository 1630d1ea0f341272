//! A token source's place on disk: its store, opened on first use, and its entries (the
//! token it was granted, the refusal of its secret) read, locked and written on tokio's
//! blocking pool. What the entries mean is the state machine's business, not this file's.

use std::{
    path::Path,
    sync::{Arc, OnceLock},
    time::Duration,
};

use super::{
    DiskCache,
    cacheable::Cacheable,
    entry::{self, StoredFailure, StoredToken},
    file::FileStore,
    key::{EntryName, KeyMaterial},
    ownership::Unusable,
    seal::SealKey,
    store::{Lease, Locking, Store},
    warn_once,
};

/// A source's place on disk: the cache, what its token is filed under, and the store once
/// opened.
pub(super) struct Disk {
    cache: DiskCache,
    grant: Arc<KeyMaterial>,
    /// Set by the first refresh (one refresh runs at a time per source): the store, or
    /// `None` when it cannot be used, which is then not tried again.
    opened: OnceLock<Option<Opened>>,
}

/// An opened store and this source's token entry in it.
#[derive(Clone)]
pub(super) struct Opened {
    store: Arc<dyn Store>,
    token_name: EntryName,
    identifier_tag: String,
    /// What the token is sealed with on disk; `None` for a grant without a secret.
    seal: Option<Arc<SealKey>>,
}

/// What is on disk under the lock of a source's token entry.
pub(super) struct Locked<T> {
    /// The lock, held until the outcome is written; `None` when it could not be had.
    pub(super) lease: Option<Box<dyn Lease>>,
    /// `false` when the lock file is not the store's own: the refresh then neither reads
    /// nor writes the store.
    pub(super) usable: bool,
    pub(super) token: Option<StoredToken<T>>,
    pub(super) refusal: Option<StoredFailure>,
}

/// What to do with the refusal entry of a source's secret.
pub(super) enum RefusalWrite {
    Keep,
    Store(StoredFailure),
    Remove,
}

impl Disk {
    pub(super) fn new(cache: DiskCache, grant: KeyMaterial) -> Disk {
        Disk {
            cache,
            grant: Arc::new(grant),
            opened: OnceLock::new(),
        }
    }

    pub(super) fn dir(&self) -> Option<&Path> {
        self.cache.dir()
    }

    /// Opens the store on first use and reads the source's token entry (without the lock),
    /// in one trip: a token served from disk costs one trip to the blocking pool. A store
    /// that cannot be used is reported once (a warning, or a debug event on platforms
    /// without a cache), and the source goes on without it: `None`.
    pub(super) async fn open_and_read<T: Cacheable>(
        &self,
    ) -> Option<(Opened, Option<StoredToken<T>>)> {
        if let Some(opened) = self.opened.get() {
            let opened = opened.clone()?;
            let token = opened.read_token().await;
            return Some((opened, token));
        }
        let Some(dir) = self.cache.dir().map(Path::to_owned) else {
            tracing::debug!("no location for the token cache (HOME is not set): not using it");
            let _ = self.opened.set(None);
            return None;
        };
        let grant = self.grant.clone();
        let shown = dir.clone();
        let outcome = bounded_io(move || {
            let opened = open(&dir, &grant)?;
            let token = opened.read_token_now();
            Ok((opened, token))
        })
        .await;
        let (opened, token) = match outcome {
            Ok(Ok((opened, token))) => (Some(opened), token),
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
        opened.map(|opened| (opened, token))
    }
}

/// Opens the store in `dir` and names this source's token entry.
fn open(dir: &Path, grant: &KeyMaterial) -> Result<Opened, Unusable> {
    let store = FileStore::open(dir)?;
    Ok(Opened {
        token_name: store.hash_key().entry_name(grant),
        identifier_tag: store.hash_key().identifier_tag(grant.identifier()),
        seal: store.hash_key().seal_key(grant).map(Arc::new),
        store: Arc::new(store),
    })
}

/// Each method is one trip to tokio's blocking pool: a token served from disk costs one, a
/// refresh three (read; lock and read again; write and unlock).
impl Opened {
    /// Returns the name the refusal of `material` is filed under in this store.
    pub(super) fn refusal_name(&self, material: &KeyMaterial) -> EntryName {
        self.store.hash_key().entry_name(material)
    }

    /// Reads the source's token entry, without the lock.
    pub(super) async fn read_token<T: Cacheable>(&self) -> Option<StoredToken<T>> {
        let opened = self.clone();
        bounded_io(move || opened.read_token_now())
            .await
            .ok()
            .flatten()
    }

    /// Reads and decodes the token entry, here and now; anything damaged, or sealed under
    /// another key, is no entry.
    fn read_token_now<T: Cacheable>(&self) -> Option<StoredToken<T>> {
        let bytes = self.store.load(&self.token_name)?;
        entry::decode_token(&bytes, self.seal.as_deref())
    }

    /// Takes the lock of the source's token entry, waiting at most `wait`, and reads the
    /// token entry and the refusal entry `refusal`, in one trip. Without the lock (the wait
    /// ran out, or locks do not work here) the refusal is still read, and the refresh goes
    /// on without the lock. A lock file that is not the store's own (a link, a FIFO) makes
    /// the store unusable for this refresh: nothing is read (`usable` is `false`).
    pub(super) async fn lock_and_read<T: Cacheable>(
        &self,
        refusal: &EntryName,
        wait: Duration,
    ) -> Locked<T> {
        let (opened, refusal) = (self.clone(), refusal.clone());
        let locked = tokio::task::spawn_blocking(move || {
            let (store, name) = (&opened.store, &opened.token_name);
            let lease = match store.lock(name, wait) {
                Locking::Held(lease) => Some(lease),
                Locking::Busy => {
                    tracing::debug!(
                        wait_ms = wait.as_millis(),
                        "another process held the token cache lock too long: fetching anyway"
                    );
                    None
                }
                Locking::Failed(error) => {
                    tracing::debug!(%error, "cannot lock the token cache entry: fetching anyway");
                    None
                }
                Locking::Refused => {
                    return Locked {
                        lease: None,
                        usable: false,
                        token: None,
                        refusal: None,
                    };
                }
            };
            let token = lease.as_ref().and_then(|_| opened.read_token_now());
            let refusal = store
                .load(&refusal)
                .and_then(|bytes| entry::decode_failure(&bytes));
            Locked {
                lease,
                usable: true,
                token,
                refusal,
            }
        })
        .await;
        locked.unwrap_or(Locked {
            lease: None,
            usable: true,
            token: None,
            refusal: None,
        })
    }

    /// Writes what a refresh learned (a new token, and what to do with the refusal entry
    /// `refusal`), then releases `lease`.
    pub(super) async fn write<T: Cacheable>(
        &self,
        lease: Option<Box<dyn Lease>>,
        token: Option<StoredToken<T>>,
        refusal: (EntryName, RefusalWrite),
        now: std::time::SystemTime,
    ) {
        let opened = self.clone();
        let written = tokio::task::spawn_blocking(move || {
            let store = &*opened.store;
            let tag = &opened.identifier_tag;
            let mut outcome = Ok(());
            // A token that cannot be sealed (no randomness for its nonce) is not written.
            let bytes = token
                .as_ref()
                .and_then(|token| entry::encode_token(tag, now, token, opened.seal.as_deref()));
            if let Some(bytes) = bytes {
                outcome = outcome.and(store.save(&opened.token_name, &bytes));
            }
            let (name, refusal) = refusal;
            outcome = outcome.and(match refusal {
                RefusalWrite::Keep => Ok(()),
                RefusalWrite::Store(failure) => {
                    store.save(&name, &entry::encode_failure(tag, now, &failure))
                }
                RefusalWrite::Remove => store.remove(&name),
            });
            drop(lease); // released once the entries are written
            outcome
        })
        .await;
        match written {
            Ok(Ok(())) => tracing::debug!("stored in the disk cache"),
            Ok(Err(error)) => tracing::debug!(%error, "could not write to the disk cache"),
            Err(_) => {}
        }
    }
}

/// Runs `work`, a few bounded file operations (files are opened without blocking and read up
/// to a cap; never a wait for a lock), on tokio's blocking pool; or right here when this
/// task has a current-thread runtime to itself (a command-line tool's, a credential
/// helper's), where nothing else could run meanwhile and the trip to the pool would cost a
/// thread and four context switches for nothing (a third of a cache hit's time in the CLI).
async fn bounded_io<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R, tokio::task::JoinError> {
    let alone = tokio::runtime::Handle::try_current().is_ok_and(|runtime| {
        runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
            && runtime.metrics().num_alive_tasks() <= 1
    });
    match alone {
        true => Ok(work()),
        false => tokio::task::spawn_blocking(work).await,
    }
}
