//! The registry's token cache: one token per (credentials, scope set), reused while it has
//! enough life left, and one request to the token service however many tasks ask at once.
//!
//! The seam for the crate's shared cache machinery (the session's failure memory, the disk
//! cache of the CLI) is [`TokenCache::get_or_fetch`]: the registry calls nothing else, and
//! hands it a [`CacheKey`] that holds no secret and a `fetch` future that gets a token from
//! the network. Replacing this file's internals behind that one method is the integration.

use std::{
    collections::HashMap,
    future::Future,
    hash::{BuildHasher, RandomState},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tokio::{sync::watch, time::Instant};
use tracing::Instrument as _;

use super::{RegistryToken, Scope};
use crate::{Error, ErrorKind, Result};

/// The least life a cached token must have left to be handed out; 10% of its lifetime is
/// used instead when that is more, and a token shorter-lived than this is reused for half of
/// its life.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// What a cached token is for: whose credentials and which scopes. It holds no secret: the
/// credentials are a keyed hash, whose key lives only in this process.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    who: Who,
    /// The scopes as the caller gave them, sorted and without duplicates: the same set in
    /// any order is the same key.
    scopes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Anonymous,
    /// Two independent keyed hashes of the username and the secret.
    Account(u64, u64),
}

/// Tokens by key, and the fetches in flight.
pub(crate) struct TokenCache {
    fingerprint_keys: (RandomState, RandomState),
    slots: Mutex<HashMap<CacheKey, Slot>>,
}

enum Slot {
    Ready {
        token: RegistryToken,
        refresh_at: Instant,
    },
    /// Every caller that finds the key here waits on a clone of this receiver.
    Fetching(watch::Receiver<Option<Result<RegistryToken>>>),
}

impl TokenCache {
    pub(crate) fn new() -> TokenCache {
        TokenCache {
            fingerprint_keys: (RandomState::new(), RandomState::new()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the key of a token for `scopes`, asked for with credentials (what tells them
    /// apart: their kind, a name, a secret) or anonymously.
    pub(crate) fn key(&self, credentials: Option<[&str; 3]>, scopes: &[Scope]) -> CacheKey {
        let who = match credentials {
            None => Who::Anonymous,
            Some(material) => Who::Account(
                self.fingerprint_keys.0.hash_one(material),
                self.fingerprint_keys.1.hash_one(material),
            ),
        };
        let mut scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
        scopes.sort_unstable();
        scopes.dedup();
        CacheKey { who, scopes }
    }

    /// Returns the cached token for `key` while it has enough life left; otherwise runs
    /// `fetch` once, on a task of its own, and hands its result to every caller waiting for
    /// the key. A failure is not kept: the next call fetches again.
    ///
    /// # Errors
    ///
    /// What `fetch` returns, and [`ErrorKind::Runtime`] outside a tokio runtime (or when it
    /// shuts down before the fetch finished).
    pub(crate) async fn get_or_fetch<F, Fut>(
        self: &Arc<Self>,
        key: CacheKey,
        fetch: F,
    ) -> Result<RegistryToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RegistryToken>> + Send + 'static,
    {
        let mut receiver = {
            let mut slots = self.lock();
            match slots.get(&key) {
                Some(Slot::Ready { token, refresh_at }) if Instant::now() < *refresh_at => {
                    return Ok(token.clone());
                }
                Some(Slot::Fetching(receiver)) => receiver.clone(),
                _ => {
                    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                        Error::new(ErrorKind::Runtime)
                            .with_detail("registry tokens need a tokio runtime and none is running")
                    })?;
                    let (sender, receiver) = watch::channel(None);
                    slots.insert(key.clone(), Slot::Fetching(receiver.clone()));
                    let in_flight = InFlight {
                        cache: Arc::clone(self),
                        key: Some(key),
                        sender,
                    };
                    let fetching = fetch();
                    runtime
                        .spawn(async move { in_flight.finish(fetching.await) }.in_current_span());
                    receiver
                }
            }
        };
        let outcome = receiver.wait_for(Option::is_some).await;
        match outcome.as_deref() {
            Ok(Some(result)) => result.clone(),
            // The fetch task ended without a result: its runtime shut down.
            _ => Err(Error::new(ErrorKind::Runtime)
                .with_detail("the runtime shut down before the registry token arrived")),
        }
    }

    /// Stores what a fetch for `key` gave (a token, or nothing for a failure), then tells
    /// every caller waiting for it.
    fn store(
        &self,
        key: CacheKey,
        result: Result<RegistryToken>,
        sender: &watch::Sender<Option<Result<RegistryToken>>>,
    ) {
        {
            let mut slots = self.lock();
            let now = Instant::now();
            // Forget what can no longer be handed out, so the map does not grow without end.
            slots.retain(|_, slot| match slot {
                Slot::Ready { refresh_at, .. } => now < *refresh_at,
                Slot::Fetching(_) => true,
            });
            match &result {
                Ok(token) => slots.insert(
                    key,
                    Slot::Ready {
                        token: token.clone(),
                        refresh_at: now + reuse_for(token.lifetime()),
                    },
                ),
                Err(_) => slots.remove(&key),
            };
        }
        // After the map is updated, so that a caller arriving now finds the new token.
        sender.send_replace(Some(result));
    }

    /// Forgets every cached token. Fetches in flight still finish and are kept.
    pub(crate) fn clear(&self) {
        self.lock()
            .retain(|_, slot| matches!(slot, Slot::Fetching(_)));
    }

    /// Returns how many tokens are cached, for `Debug`.
    pub(crate) fn len(&self) -> usize {
        self.lock()
            .values()
            .filter(|slot| matches!(slot, Slot::Ready { .. }))
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<CacheKey, Slot>> {
        // Every critical section is a few map operations that cannot leave it half-written,
        // so a poisoned lock is still a usable one.
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fetch in flight. Dropped unfinished (its runtime shut down), it frees its key, so that
/// the next caller starts a new fetch instead of waiting on this one forever.
struct InFlight {
    cache: Arc<TokenCache>,
    key: Option<CacheKey>,
    sender: watch::Sender<Option<Result<RegistryToken>>>,
}

impl InFlight {
    fn finish(mut self, result: Result<RegistryToken>) {
        if let Some(key) = self.key.take() {
            self.cache.store(key, result, &self.sender);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.cache.lock().remove(&key);
        }
    }
}

/// Returns how long a token with `lifetime` is handed out from the cache after it arrived:
/// until the larger of [`REFRESH_MARGIN`] and 10% of its life is left, or for half its life
/// when it is shorter than that margin.
fn reuse_for(lifetime: Duration) -> Duration {
    let margin = REFRESH_MARGIN.max(lifetime / 10);
    match lifetime.checked_sub(margin) {
        Some(reuse) if !reuse.is_zero() => reuse,
        _ => lifetime / 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_reused_until_the_margin_or_for_half_a_short_life() {
        assert_eq!(
            reuse_for(Duration::from_secs(300)),
            Duration::from_secs(240)
        );
        assert_eq!(
            reuse_for(Duration::from_secs(3600)),
            Duration::from_secs(3240)
        );
        assert_eq!(reuse_for(Duration::from_secs(60)), Duration::from_secs(30));
    }

    #[test]
    fn keys_ignore_scope_order_and_hold_no_secret() {
        let cache = TokenCache::new();
        let a = Scope::pull("a").unwrap();
        let b = Scope::pull("b").unwrap();
        let alice = |secret: &'static str| Some(["basic", "alice", secret]);
        let one = cache.key(alice("s3cr3t-pat"), &[a.clone(), b.clone(), a.clone()]);
        let two = cache.key(alice("s3cr3t-pat"), &[b.clone(), a.clone()]);
        assert_eq!(one, two);
        assert!(!format!("{one:?}").contains("s3cr3t-pat"));
        assert_ne!(
            one,
            cache.key(alice("another-pat"), &[a.clone(), b.clone()])
        );
        let identity = Some(["identity", "", "s3cr3t-pat"]);
        assert_ne!(one, cache.key(identity, &[a.clone(), b.clone()]));
        assert_ne!(one, cache.key(None, &[a, b]));
    }
}
