//! [`TokenSource`]: the token for one grant, driven through the state machine (`state`):
//! from memory, else from the disk without the lock, else (once the refusal of its secret is
//! ruled out) under the cross-process lock, fetched with single flight; what it learns
//! written back to memory, to the owner's refusals, and to the disk.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::SystemTime,
};

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tracing::Instrument as _;

use super::{
    DiskCache,
    cacheable::Cacheable,
    clock::Clock,
    disk::{Disk, Opened, RefusalWrite},
    key::KeyMaterial,
    refusals::Refusals,
    rules::{Settings, is_refusal},
    state::{Known, Next, Remembered, Resolution},
};
use crate::error::{Error, ErrorKind, Result};

/// Gets a new token: one request (with its retries) to whoever issues them.
pub(crate) type Fetch<T> = Arc<dyn Fn() -> BoxFuture<'static, Result<T>> + Send + Sync>;

/// Says what a refusal of the source's secret is filed under: at once for Docker Hub, or
/// after asking a registry which token service it uses. An error is the outcome of the
/// refresh (nothing was sent with the secret).
pub(crate) type RefusalKey = Arc<dyn Fn() -> BoxFuture<'static, Result<KeyMaterial>> + Send + Sync>;

/// Everything a token source is made of.
pub(crate) struct SourceConfig<T> {
    pub(crate) settings: Settings,
    pub(crate) fetch: Fetch<T>,
    /// What the token is filed under: what decides which token a request gets.
    pub(crate) grant: KeyMaterial,
    /// What a refusal of the secret is filed under.
    pub(crate) refusal: RefusalKey,
    /// The refusals this source shares with its owner's other sources.
    pub(crate) refusals: Refusals,
    pub(crate) disk: Option<DiskCache>,
}

/// The token for one grant; see the module docs of `cache` for the whole contract.
///
/// Cloning is cheap and clones share everything.
pub(crate) struct TokenSource<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for TokenSource<T> {
    fn clone(&self) -> Self {
        TokenSource {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<T> {
    settings: Settings,
    fetch: Fetch<T>,
    refusal: RefusalKey,
    refusals: Refusals,
    disk: Option<Disk>,
    clock: Clock,
    state: Mutex<State<T>>,
}

/// What the source knows between calls. Locked only for a few instructions, never across
/// an `await`.
struct State<T> {
    known: Known<T>,
    /// The refresh in flight: every caller waits on a clone of this receiver.
    refresh: Option<watch::Receiver<Option<Result<T>>>>,
    /// Bumped by `invalidate`, so that a refresh started before it keeps nothing.
    generation: u64,
    /// What was stored (on disk, in the refusals) before this is not used.
    invalidated_at: Option<SystemTime>,
    /// What a refusal of the secret is filed under, once known.
    refusal: Option<Arc<KeyMaterial>>,
}

impl<T: Cacheable> TokenSource<T> {
    pub(crate) fn new(config: SourceConfig<T>) -> TokenSource<T> {
        TokenSource {
            inner: Arc::new(Inner {
                settings: config.settings,
                fetch: config.fetch,
                refusal: config.refusal,
                refusals: config.refusals,
                disk: config.disk.map(|cache| Disk::new(cache, config.grant)),
                clock: Clock::new(),
                state: Mutex::new(State {
                    known: Known::default(),
                    refresh: None,
                    generation: 0,
                    invalidated_at: None,
                    refusal: None,
                }),
            }),
        }
    }

    /// Returns what [`token`](Self::token) would return without waiting: the token in memory
    /// while it needs no refresh, or a remembered failure when no refresh is in flight;
    /// `None` when a call would have to wait for a refresh. It needs no runtime and starts
    /// nothing.
    pub(crate) fn ready(&self) -> Option<Result<T>> {
        let state = self.inner.lock();
        match state.known.next(tokio::time::Instant::now()) {
            Next::Serve(token) => Some(Ok(token)),
            Next::Recall(failure) if state.refresh.is_none() => {
                Some(Err(failure.recall(self.inner.clock.now())))
            }
            Next::Recall(_) | Next::Fetch => None,
        }
    }

    /// Returns a token: the one in memory while it needs no refresh, else the outcome of a
    /// refresh that at most one task of this source runs at a time.
    ///
    /// # Errors
    ///
    /// The fetch's errors, the remembered ones marked as such ([`Error::is_remembered`]),
    /// and [`ErrorKind::Runtime`] outside a tokio runtime.
    pub(crate) async fn token(&self) -> Result<T> {
        let mut receiver = {
            let mut state = self.inner.lock();
            let now = tokio::time::Instant::now();
            match &state.refresh {
                Some(receiver) => match state.known.next(now) {
                    // A caller never waits for an early refresh while the token is good.
                    Next::Serve(token) => return Ok(token),
                    _ => receiver.clone(),
                },
                None => {
                    match state.known.next(now) {
                        Next::Serve(token) => return Ok(token),
                        Next::Recall(failure) => {
                            return Err(failure.recall(self.inner.clock.now()));
                        }
                        Next::Fetch => {}
                    }
                    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                        Error::new(ErrorKind::Runtime).with_detail(
                            "a token refresh needs a tokio runtime and none is running",
                        )
                    })?;
                    let (sender, receiver) = watch::channel(None);
                    state.refresh = Some(receiver.clone());
                    let generation = state.generation;
                    // The refresh's span is a child of the caller's, though it runs on a
                    // task of its own.
                    runtime
                        .spawn(refresh(self.inner.clone(), sender, generation).in_current_span());
                    receiver
                }
            }
        };
        let outcome = receiver.wait_for(Option::is_some).await;
        match outcome.as_deref() {
            Ok(Some(result)) => result.clone(),
            // The refresh task ended without a result: its runtime shut down.
            _ => Err(Error::new(ErrorKind::Runtime)
                .with_detail("the runtime shut down before the token refresh finished")),
        }
    }

    /// Forgets the token and any remembered failure, here, in the owner's refusals and
    /// (for this source) on disk, so that the next [`token`](Self::token) sends a request.
    /// A refresh in flight still answers its callers, but what it finds is not kept.
    pub(crate) fn invalidate(&self) {
        let now = self.inner.clock.now();
        let mut state = self.inner.lock();
        if let Some(refusal) = &state.refusal {
            self.inner
                .refusals
                .remove(&self.inner.refusals.name(refusal));
        }
        state.known = Known::default();
        state.refresh = None;
        state.generation = state.generation.wrapping_add(1);
        state.invalidated_at = Some(now.wall);
    }

    /// Returns what `Debug` of an owner shows: the cached token (whose `Debug` never shows
    /// it), the kind of a remembered failure, whether a refresh runs, and the cache directory.
    pub(crate) fn describe(&self, debug: &mut std::fmt::DebugStruct<'_, '_>) {
        let state = self.inner.lock();
        debug
            .field("settings", &self.inner.settings)
            .field(
                "cached",
                &state.known.token.as_ref().map(|held| &held.token),
            )
            .field(
                "remembered_failure",
                &state.known.failure.as_ref().map(|f| f.error.kind()),
            )
            .field("refreshing", &state.refresh.is_some())
            .field(
                "disk_cache",
                &self.inner.disk.as_ref().and_then(|disk| disk.dir()),
            );
    }
}

impl<T> Inner<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Every critical section is a few assignments that cannot panic half-way, so a
        // poisoned lock is still a usable one.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Cacheable> Inner<T> {
    /// Returns what a refusal of the secret is filed under, asking the owner the first time.
    async fn refusal(&self) -> Result<Arc<KeyMaterial>> {
        if let Some(refusal) = &self.lock().refusal {
            return Ok(refusal.clone());
        }
        let refusal = Arc::new((self.refusal)().await?);
        self.lock().refusal = Some(refusal.clone());
        Ok(refusal)
    }

    /// Runs one refresh: the disk without the lock; the refusals of the secret, in this
    /// process and (under the lock) on disk; then the fetch, whose outcome is written back.
    async fn resolve(&self, before: Known<T>, invalidated_at: Option<SystemTime>) -> Resolution<T> {
        let settings = &self.settings;
        // First without the lock: a fresh entry needs no waiting.
        let mut known = before.clone();
        let disk = match &self.disk {
            Some(disk) => disk.open_and_read().await,
            None => None,
        };
        let disk = match disk {
            Some((disk, stored)) => {
                let now = self.clock.now();
                known = known.with_stored_token(settings, stored, invalidated_at, now);
                if let Some(resolution) = self.served(known.clone(), &before) {
                    return resolution;
                }
                Some(disk)
            }
            None => None,
        };
        let refusal = match self.refusal().await {
            Ok(refusal) => refusal,
            Err(error) => return known.settle(settings, Err(error), self.clock.now()),
        };
        let in_memory = self.refusals.name(&refusal);
        let remembered = self.refusals.get(&in_memory, self.clock.now());
        known = known.with_refusal(remembered, invalidated_at);
        if let Some(resolution) = self.served(known.clone(), &before) {
            return resolution;
        }
        match disk {
            None => {
                let resolution = known.settle(settings, (self.fetch)().await, self.clock.now());
                self.remember(&resolution, in_memory);
                resolution
            }
            Some(disk) => {
                self.through_disk(&disk, known, &before, invalidated_at, &refusal, in_memory)
                    .await
            }
        }
    }

    /// The rest of a refresh with a disk: under the lock, what another process stored, else
    /// a fetch whose outcome is stored for the others.
    async fn through_disk(
        &self,
        disk: &Opened,
        known: Known<T>,
        before: &Known<T>,
        invalidated_at: Option<SystemTime>,
        refusal: &KeyMaterial,
        in_memory: super::key::EntryName,
    ) -> Resolution<T> {
        let settings = &self.settings;
        let on_disk = disk.refusal_name(refusal);
        let locked = disk
            .lock_and_read::<T>(&on_disk, settings.lock_wait())
            .await;
        if !locked.usable {
            // The store is not to be trusted (it said why): as without a disk.
            let resolution = known.settle(settings, (self.fetch)().await, self.clock.now());
            self.remember(&resolution, in_memory);
            return resolution;
        }
        let now = self.clock.now();
        let had_refusal = locked.refusal.is_some();
        let stored_refusal = locked
            .refusal
            .and_then(|stored| Remembered::stored(stored, now));
        let known = known
            .with_stored_token(settings, locked.token, invalidated_at, now)
            .with_refusal(stored_refusal, invalidated_at);
        if let Some(resolution) = self.served(known.clone(), before) {
            if let Some(failure) = &resolution.known.failure {
                // Another process's refusal: this process's other sources share it too.
                self.refusals.put(in_memory, failure.clone());
            }
            return resolution;
        }
        tracing::debug!("no usable token in the disk cache: fetching a new one");
        let resolution = known.settle(settings, (self.fetch)().await, self.clock.now());
        self.remember(&resolution, in_memory);
        let token = resolution
            .known
            .token
            .as_ref()
            .filter(|_| resolution.known.token_differs(&known))
            .map(|held| held.to_stored());
        let refusal_write = match &resolution.known.failure {
            Some(failure) if is_refusal(&failure.error) => RefusalWrite::Store(failure.to_stored()),
            // A token proves the secret works: an old refusal on disk goes.
            None if had_refusal && resolution.result.is_ok() => RefusalWrite::Remove,
            _ => RefusalWrite::Keep,
        };
        disk.write(
            locked.lease,
            token,
            (on_disk, refusal_write),
            self.clock.now().wall,
        )
        .await;
        resolution
    }

    /// Shares what a fetch taught about the secret with the owner's other sources: a refusal
    /// is put in the book, a token takes any refusal out.
    fn remember(&self, resolution: &Resolution<T>, name: super::key::EntryName) {
        match &resolution.known.failure {
            Some(failure) if is_refusal(&failure.error) => {
                self.refusals.put(name, failure.clone());
            }
            None if resolution.result.is_ok() => self.refusals.remove(&name),
            _ => {}
        }
    }

    /// Returns the outcome when `known` needs no fetch, saying where it came from.
    fn served(&self, known: Known<T>, before: &Known<T>) -> Option<Resolution<T>> {
        let from_disk = known.token_differs(before);
        let resolution = known.resolved(self.clock.now())?;
        match &resolution.result {
            Ok(_) if from_disk => tracing::debug!("token from the disk cache"),
            Ok(_) => {}
            Err(error) => {
                tracing::debug!(kind = ?error.kind(), "failure remembered in the token cache");
            }
        }
        Some(resolution)
    }
}

/// Gets a token for the source and hands it to every waiting caller.
async fn refresh<T: Cacheable>(
    inner: Arc<Inner<T>>,
    sender: watch::Sender<Option<Result<T>>>,
    generation: u64,
) {
    // If this task is dropped before it finishes (its runtime shut down), the next caller
    // must start a new refresh instead of waiting on this one forever.
    struct ClearOnDrop<'a, T> {
        inner: &'a Inner<T>,
        generation: u64,
        armed: bool,
    }
    impl<T> Drop for ClearOnDrop<'_, T> {
        fn drop(&mut self) {
            let mut state = self.inner.lock();
            if self.armed && state.generation == self.generation {
                state.refresh = None;
            }
        }
    }
    let mut guard = ClearOnDrop {
        inner: &inner,
        generation,
        armed: true,
    };

    let (before, invalidated_at) = {
        let state = inner.lock();
        (state.known.clone(), state.invalidated_at)
    };
    let resolution = inner.resolve(before, invalidated_at).await;
    {
        let mut state = inner.lock();
        // After `invalidate`, what this refresh found is not kept, and the refresh in
        // `state` (if any) is a newer one.
        if state.generation == generation {
            state.known = resolution.known;
            state.refresh = None;
        }
    }
    // From here on another caller may already have started the next refresh.
    guard.armed = false;
    // After the state is updated, so that a caller arriving now finds the new token.
    sender.send_replace(Some(resolution.result));
}
