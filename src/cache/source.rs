//! [`TokenSource`]: the token for one key, from memory, else from the disk under the
//! cross-process lock, else fetched with single flight; failures remembered.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, SystemTime},
};

use futures_util::future::BoxFuture;
use tokio::{sync::watch, time::Instant};
use tracing::Instrument as _;

use super::{
    DiskCache,
    clock::{Clock, Now},
    disk::Disk,
    key::KeyMaterial,
    rules::{Settings, keep_for},
};
use crate::{Error, ErrorKind, Result, Token};

/// A token as a fetch hands it over: the token, and how long it lives from now (`None`
/// when unknown; then it is reused for the settings' `reuse_without_expiry`).
pub(crate) struct Fresh {
    pub(crate) token: Token,
    pub(crate) lifetime: Option<Duration>,
}

/// Gets a new token: one request (with its retries) to whoever issues them.
pub(crate) type Fetch = Arc<dyn Fn() -> BoxFuture<'static, Result<Fresh>> + Send + Sync>;

/// The token for one key; see the module docs of `cache` for the whole contract.
///
/// Cloning is cheap and clones share everything.
#[derive(Clone)]
pub(crate) struct TokenSource {
    inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) settings: Settings,
    pub(super) fetch: Fetch,
    pub(super) disk: Option<Disk>,
    pub(super) clock: Clock,
    state: Mutex<State>,
}

/// What the source knows between calls. Locked only for a few instructions, never across
/// an `await`.
#[derive(Default)]
struct State {
    known: Known,
    /// The refresh in flight: every caller waits on a clone of this receiver.
    refresh: Option<watch::Receiver<Option<Result<Token>>>>,
    /// Bumped by `invalidate`, so that a refresh started before it keeps nothing.
    generation: u64,
    /// Entries on disk from before this are not used.
    invalidated_at: Option<SystemTime>,
}

/// What is known about one key: the last token and the last failure.
#[derive(Clone, Default)]
pub(super) struct Known {
    pub(super) token: Option<Held>,
    pub(super) failure: Option<Remembered>,
}

/// A token, when it arrived, and what follows for its reuse.
#[derive(Clone)]
pub(super) struct Held {
    pub(super) token: Token,
    pub(super) received_at: SystemTime,
    pub(super) lifetime: Option<Duration>,
    /// Handed out without a refresh until then.
    pub(super) refresh_at: Instant,
    /// Still handed out while refreshes fail until then.
    pub(super) usable_until: Instant,
}

/// A failure handed out again, without a request, until `until`.
#[derive(Clone)]
pub(super) struct Remembered {
    /// The failure as it first came back.
    pub(super) error: Error,
    pub(super) at: SystemTime,
    pub(super) until: SystemTime,
    pub(super) retry_at: Instant,
}

/// What a call should do, given what is known.
pub(super) enum Next {
    Serve(Token),
    Recall(Error),
    Fetch,
}

/// What a refresh found out: the new knowledge, and what its callers get.
pub(super) struct Resolution {
    pub(super) known: Known,
    pub(super) result: Result<Token>,
}

impl TokenSource {
    /// Returns a source that gets its tokens with `fetch`, reused and remembered by
    /// `settings`, shared through `disk` (a cache and the material of this source's key)
    /// when given.
    pub(crate) fn new(
        settings: Settings,
        fetch: Fetch,
        disk: Option<(DiskCache, KeyMaterial)>,
    ) -> TokenSource {
        TokenSource {
            inner: Arc::new(Inner {
                settings,
                fetch,
                disk: disk.map(|(cache, material)| Disk::new(cache, material)),
                clock: Clock::new(),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// Returns a token: the one in memory while it needs no refresh, else the outcome of a
    /// refresh that at most one task of this source runs at a time.
    ///
    /// # Errors
    ///
    /// The fetch's errors, the remembered ones marked as such ([`Error::is_remembered`]),
    /// and [`ErrorKind::Runtime`] outside a tokio runtime.
    pub(crate) async fn token(&self) -> Result<Token> {
        let mut receiver = {
            let mut state = self.inner.lock();
            let now = Instant::now();
            if let Some(held) = &state.known.token
                && now < held.refresh_at
            {
                return Ok(held.token.clone());
            }
            match &state.refresh {
                Some(receiver) => receiver.clone(),
                None => {
                    if let Some(failure) = &state.known.failure
                        && now < failure.retry_at
                    {
                        return match &state.known.token {
                            Some(held) if now < held.usable_until => Ok(held.token.clone()),
                            _ => Err(failure.recall(self.inner.clock.now())),
                        };
                    }
                    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                        Error::new(ErrorKind::Runtime)
                            .with_detail("a session needs a tokio runtime and none is running")
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

    /// Forgets the token and any remembered failure, here and (for this source) on disk,
    /// so that the next [`token`](Self::token) sends a request. A refresh in flight still
    /// answers its callers, but what it finds is not kept.
    pub(crate) fn invalidate(&self) {
        let now = self.inner.clock.now();
        let mut state = self.inner.lock();
        state.known = Known::default();
        state.refresh = None;
        state.generation = state.generation.wrapping_add(1);
        state.invalidated_at = Some(now.wall);
    }

    /// Returns what `Debug` of a session shows: the cached token (which never prints
    /// itself), the kind of a remembered failure, whether a refresh runs, and the cache
    /// directory.
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

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section is a few assignments that cannot panic half-way, so a
        // poisoned lock is still a usable one.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fetches a token and settles what follows, given what was known before.
    pub(super) async fn fetch_and_settle(&self, before: &Known) -> Resolution {
        let outcome = (self.fetch)().await;
        self.settle(before, outcome, self.clock.now())
    }

    /// Returns the knowledge and the callers' result after a fetch ended with `outcome`.
    ///
    /// A new token replaces everything. A failure is remembered by the settings' rules; when
    /// the token held before is still usable (an early refresh failed), callers get that
    /// token, with a warning, and the fetch is tried again after the failure's wait (or the
    /// backoff, for a failure that is otherwise not remembered).
    pub(super) fn settle(&self, before: &Known, outcome: Result<Fresh>, now: Now) -> Resolution {
        let error = match outcome {
            Ok(fresh) => {
                let held = Held::new(&self.settings, fresh.token, now.wall, fresh.lifetime, now);
                return Resolution {
                    result: Ok(held.token.clone()),
                    known: Known {
                        token: Some(held),
                        failure: None,
                    },
                };
            }
            Err(error) => error,
        };
        let memory = self.settings.memory(&error);
        match &before.token {
            Some(held) if now.instant < held.usable_until => {
                tracing::warn!(
                    "could not refresh the token ({error}); the cached one is valid until \
                     shortly before it expires and stays in use"
                );
                let wait = memory.unwrap_or(self.settings.backoff);
                Resolution {
                    result: Ok(held.token.clone()),
                    known: Known {
                        token: Some(held.clone()),
                        failure: Some(Remembered::new(error, wait, now)),
                    },
                }
            }
            _ => Resolution {
                known: Known {
                    token: None,
                    failure: memory.map(|wait| Remembered::new(error.clone(), wait, now)),
                },
                result: Err(error),
            },
        }
    }
}

impl Known {
    /// Returns what a call should do now.
    pub(super) fn next(&self, now: Now) -> Next {
        if let Some(held) = &self.token
            && now.instant < held.refresh_at
        {
            return Next::Serve(held.token.clone());
        }
        if let Some(failure) = &self.failure
            && now.instant < failure.retry_at
        {
            return match &self.token {
                Some(held) if now.instant < held.usable_until => Next::Serve(held.token.clone()),
                _ => Next::Recall(failure.recall(now)),
            };
        }
        Next::Fetch
    }
}

impl Held {
    /// A token that arrived at `received_at` (wall clock) and lives `lifetime` from then,
    /// never kept past `received_at + keep_for(lifetime)`.
    pub(super) fn new(
        settings: &Settings,
        token: Token,
        received_at: SystemTime,
        lifetime: Option<Duration>,
        now: Now,
    ) -> Held {
        let lifespan = settings.lifespan(lifetime);
        let keep_until = now.instant_at(received_at + keep_for(lifetime));
        let at = |after: Duration| now.instant_at(received_at + after).min(keep_until);
        Held {
            token,
            received_at,
            lifetime,
            refresh_at: at(lifespan.refresh_after),
            usable_until: at(lifespan.usable_for),
        }
    }
}

impl Remembered {
    /// A failure that happened `now`, remembered for `wait`.
    fn new(error: Error, wait: Duration, now: Now) -> Remembered {
        Remembered {
            error,
            at: now.wall,
            until: now.wall + wait,
            retry_at: now.instant + wait,
        }
    }

    /// A failure read back from a store.
    pub(super) fn stored(error: Error, at: SystemTime, until: SystemTime, now: Now) -> Remembered {
        Remembered {
            error,
            at,
            until,
            retry_at: now.instant_at(until),
        }
    }

    /// Returns the failure as handed out again: marked remembered, and for a rate limit
    /// with the wait that is left.
    fn recall(&self, now: Now) -> Error {
        let mut error = self.error.clone();
        if error.kind() == ErrorKind::RateLimited {
            let left = self.until.duration_since(now.wall).unwrap_or_default();
            error = error.with_retry_after(Some(left));
        }
        error.remembered(now.since(self.at), self.until, now.wall)
    }
}

/// Gets a token for the source and hands it to every waiting caller.
async fn refresh(inner: Arc<Inner>, sender: watch::Sender<Option<Result<Token>>>, generation: u64) {
    // If this task is dropped before it finishes (its runtime shut down), the next caller
    // must start a new refresh instead of waiting on this one forever.
    struct ClearOnDrop<'a> {
        inner: &'a Inner,
        generation: u64,
        armed: bool,
    }
    impl Drop for ClearOnDrop<'_> {
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
    let resolution = match &inner.disk {
        Some(disk) => disk.refresh(&inner, &before, invalidated_at).await,
        None => inner.fetch_and_settle(&before).await,
    };
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
