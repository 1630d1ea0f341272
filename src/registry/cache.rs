//! The registry's token cache: one token per (credentials, scope set), on the crate's shared
//! token machinery ([`TokenSource`]): reused while it has enough life left, one request to
//! the token service however many tasks ask at once, failures remembered (a rejected secret
//! is not sent again before the cool-down or [`Registry::invalidate`]), and, with a
//! [`DiskCache`], shared with every process of the user.
//!
//! [`Registry::invalidate`]: crate::Registry::invalidate

use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use futures_util::future::BoxFuture;

use super::{RegistryToken, Scope};
use crate::{
    DiskCache, Result,
    cache::{Fetch, Fresh, KeyMaterial, Settings, TokenSource},
};

/// The least life a cached token must have left to be handed out; 10% of its lifetime is
/// used instead when that is more, as for Hub tokens. A token that lives no longer (the
/// 60 s a token service means when it does not say) is reused for half its life.
pub(super) const REFRESH_MARGIN: Duration = Duration::from_secs(60);

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
    /// Two independent keyed hashes of the kind, the username and the secret.
    Account(u64, u64),
}

/// Gets one new token for a key: a request to the token service, retries included.
pub(super) type FetchToken =
    Arc<dyn Fn() -> BoxFuture<'static, Result<RegistryToken>> + Send + Sync>;

/// One token source per key.
pub(crate) struct TokenCache {
    fingerprint_keys: (RandomState, RandomState),
    entries: Mutex<HashMap<CacheKey, Entry>>,
    settings: Settings,
    disk: Option<DiskCache>,
}

/// The token source of one key, and the last token this process fetched for it: the shared
/// machinery keeps a token's string, arrival and lifetime, and this keeps the rest of what
/// the token service said (`issued_at`, the scopes as sent).
#[derive(Clone)]
struct Entry {
    source: TokenSource,
    last_fetched: Arc<Mutex<Option<RegistryToken>>>,
}

impl TokenCache {
    /// A cache whose tokens are reused and failures remembered by `settings`, shared
    /// through `disk` when given.
    pub(crate) fn new(settings: Settings, disk: Option<DiskCache>) -> TokenCache {
        TokenCache {
            fingerprint_keys: (RandomState::new(), RandomState::new()),
            entries: Mutex::new(HashMap::new()),
            settings,
            disk,
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
        CacheKey {
            who,
            scopes: sorted(scopes),
        }
    }

    /// Returns a token for `key`: from memory, else from the disk cache, else from `fetch`
    /// (once, however many ask). `material` names the key on disk; it is asked for only when
    /// the key is new and there is a disk cache. A token another process fetched is
    /// returned for `scopes`, with its `issued_at` read from its claims when it is a JWT.
    ///
    /// # Errors
    ///
    /// What `fetch` returns (remembered failures marked as such), and
    /// [`ErrorKind::Runtime`](crate::ErrorKind::Runtime) outside a tokio runtime.
    pub(crate) async fn get_or_fetch(
        &self,
        key: CacheKey,
        scopes: Vec<Scope>,
        material: impl FnOnce() -> KeyMaterial,
        fetch: FetchToken,
    ) -> Result<RegistryToken> {
        let entry = {
            let mut entries = self.lock();
            entries
                .entry(key)
                .or_insert_with(|| {
                    let last_fetched = Arc::new(Mutex::new(None));
                    let disk = self.disk.clone().map(|cache| (cache, material()));
                    let fetch = as_fresh(fetch, Arc::clone(&last_fetched));
                    Entry {
                        source: TokenSource::new(self.settings.clone(), fetch, disk),
                        last_fetched,
                    }
                })
                .clone()
        };
        let token = entry.source.token().await?;
        let last = lock(&entry.last_fetched).clone();
        Ok(match last {
            Some(last) if last.expose_secret() == token.expose_secret() => last,
            _ => RegistryToken::from_cached(&token, scopes),
        })
    }

    /// Forgets every token and remembered failure, here and (for these keys) on disk. A
    /// fetch in flight still answers its callers, but what it finds is not kept.
    pub(crate) fn clear(&self) {
        for entry in self.lock().values() {
            entry.source.invalidate();
        }
    }

    /// Returns how many keys have been asked for, for `Debug`.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<CacheKey, Entry>> {
        lock(&self.entries)
    }
}

/// Locks `mutex`. Every critical section here is one map or slot operation that cannot
/// leave it half-written, so a poisoned lock is still a usable one.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The scopes as strings, sorted and without duplicates.
fn sorted(scopes: &[Scope]) -> Vec<String> {
    let mut scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// Adapts a registry fetch to the shared machinery: the token, and how long it lives from
/// its arrival (`expires_in`: measured from arrival, so a token service whose clock is off
/// cannot make a new token look expired). The whole token is kept in `last_fetched`.
fn as_fresh(fetch: FetchToken, last_fetched: Arc<Mutex<Option<RegistryToken>>>) -> Fetch {
    Arc::new(move || {
        let fetching = fetch();
        let last_fetched = Arc::clone(&last_fetched);
        Box::pin(async move {
            let token = fetching.await?;
            let lifetime = token.lifetime();
            let cached = token.to_cached(lifetime);
            *lock(&last_fetched) = Some(token);
            Ok(Fresh {
                token: cached,
                lifetime: Some(lifetime),
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            refresh_margin: REFRESH_MARGIN,
            reuse_without_expiry: Duration::from_secs(60),
            cool_down: Duration::from_secs(600),
            backoff: Duration::from_secs(5),
            remember_second_factor_rejection: false,
            lock_wait: Duration::from_secs(30),
        }
    }

    #[test]
    fn keys_ignore_scope_order_and_hold_no_secret() {
        let cache = TokenCache::new(settings(), None);
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
