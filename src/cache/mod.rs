//! Tokens and failures shared by every task of a process and, through [`DiskCache`], by
//! every process of a user: however many ask, the issuer sees one request per token
//! lifetime, and a rejected secret is sent once.
//!
//! # The crate-internal interface
//!
//! A [`TokenSource`] is "the token for one grant", for any kind of token that implements
//! [`Cacheable`] (what its secret is, when it arrived, how long it lives, what else of it an
//! entry keeps): memory, else the disk under a cross-process lock, else a fetch with single
//! flight; failures remembered. A [`Session`](crate::Session) is a token source of Docker
//! Hub [`Token`](crate::Token)s; a registry holds one source of
//! [`RegistryToken`](crate::RegistryToken)s per scope set:
//!
//! ```text
//! let source = TokenSource::new(SourceConfig {
//!     settings,                                   // reuse, cool-down, backoff, lock wait
//!     fetch: Arc::new(move || Box::pin(client.fetch_token(/* … */))),
//!     grant: KeyMaterial::new(endpoint, route, identifier, secret).scopes(scopes),
//!     refusal: Arc::new(|| Box::pin(async { Ok(KeyMaterial::refusal(service, identifier, secret)) })),
//!     refusals,                                   // shared by the owner's sources
//!     disk: Some(disk_cache),
//! });
//! let token = source.token().await?;
//! ```
//!
//! - [`Fetch`]: gets one new token (retries included). It runs on a task of its own, at most
//!   one at a time per source, and every caller waiting gets its result.
//! - [`Settings`] (`rules`): the refresh margin, reuse without expiry, the cool-down of
//!   rejections, the backoff of transient failures, whether a rejected second-factor code is
//!   a rejection, and how long to wait for another process's refresh (the request timeout).
//! - [`KeyMaterial`]: what a token is filed under (what was granted: endpoint, route,
//!   identifier, secret, scopes) and what a refusal is filed under (what was refused: the
//!   secret at a service, whatever scopes were asked). Both are named with one keyed hash
//!   (HMAC-SHA-256; a random key kept in the store on disk, a random key per process in
//!   memory); the secret is never stored. The identifier is also stored as a keyed hash, so
//!   that `logout --username` finds its entries, and a token is stored sealed (`seal`) under
//!   a key derived from the same material, the secret included.
//! - [`RefusalKey`]: how a source learns its refusal's material (a registry's token service
//!   is known only from its challenge); [`Refusals`]: the refusals an owner's sources share
//!   in memory (a registry's tokens for several scope sets, one secret).
//!
//! # The rules (the same in memory and on disk)
//!
//! | what came back | what the next calls do |
//! | --- | --- |
//! | a token | hand it out until less than the margin (or a tenth of its life) is left |
//! | `CredentialsRejected`, `Forbidden` (`SecondFactorRejected` when the settings say) | hand out the same error, marked remembered, until `invalidate` or the cool-down: for every token of that secret at that service, in every process |
//! | `RateLimited` with a wait | the same, until the wait is over (an hour at most), with the wait that is left |
//! | a transient failure (timeout, transport, 5xx, an unexpected answer) | the same, for the backoff, from this source in this process only: never written to disk |
//! | any failure while the token held is still valid (an early refresh) | hand out that token (with a warning) until shortly before it expires; try again after the failure's wait or the backoff |
//!
//! Not remembered: invalid input, a missing runtime, a second factor nobody can give. Nothing
//! is remembered for more than an hour; what the disk holds is believed only as `rules`
//! says (nothing from the future, no token past its own expiry).
//!
//! # The files
//!
//! `state` is the state machine (pure transitions); `source` drives it through the two
//! stores, memory and `disk`, neither of which knows what an entry means. `store::Store` is
//! the seam of the disk (the directory of [`file::FileStore`] today; a store shared by many
//! machines later), `entry` the format of its entries. A refresh reads the token entry; when
//! it has nothing usable, it learns what a refusal is filed under, looks in the owner's
//! refusals, takes the token entry's lock (waiting at most `lock_wait`, then going on
//! without it), reads the token and the refusal entries again, fetches, writes the outcome
//! (a token; a refusal, or its removal once a token proves the secret), and releases the
//! lock. Anything stored before `invalidate` is ignored. Blocking work runs on tokio's
//! blocking pool.

mod cacheable;
mod clock;
mod disk;
mod entry;
mod file;
mod key;
mod ownership;
mod refusals;
mod rules;
mod seal;
mod source;
mod sources;
mod state;
mod store;

use std::{
    collections::HashSet,
    env,
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
};

pub(crate) use cacheable::Cacheable;
pub(crate) use key::{DOCKER_HUB, KeyMaterial};
pub(crate) use refusals::Refusals;
pub(crate) use rules::Settings;
pub(crate) use source::{Fetch, RefusalKey, SourceConfig, TokenSource};
pub(crate) use sources::Sources;

use self::{file::FileStore, ownership::Unusable, store::Store as _};
use crate::error::{Error, ErrorKind, Result};

/// A token cache on disk, shared by every process of the user: the second `token` of a CI
/// job, and the fifty parallel jobs of a runner, reuse one token instead of logging in
/// again, and a rejected secret is sent once, not once per process.
///
/// Turn it on for a session with [`SessionBuilder::disk_cache`](crate::SessionBuilder::disk_cache).
/// A session with a disk cache looks in memory first, then on disk; when neither has a
/// token it can use, one process at a time (per account and secret) asks Docker Hub, and
/// the others wait for its result (at most the hub's request timeout) and read it from
/// disk: a token, or a remembered failure.
///
/// # Where
///
/// [`default_location`](Self::default_location): `DOCKERHUB_AUTH_CACHE_DIR` when set; else
/// `$XDG_RUNTIME_DIR/dockerhub-auth` (per user, in memory, gone at logout); else the
/// platform's per-user cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux,
/// `~/Library/Caches` on macOS) plus `dockerhub-auth`.
///
/// # What is in it
///
/// One file per token, named by a keyed hash (HMAC-SHA-256 with a random key kept in the
/// directory) of what was granted: the base URL (or registry), route, identifier, secret and
/// scopes. One file per refused secret, named by a keyed hash of what was refused: the
/// secret of the identifier at that service (Docker Hub's API and its registry's token
/// service count as one: one account, one lockout), whatever scopes were asked. The secret
/// itself is never written, a file name reveals nothing that helps guess it, and a new
/// secret gets new entries. A token entry holds the token, sealed (ChaCha20-Poly1305) under
/// a key derived from what it is filed under, the secret included, with when it arrived and
/// its lifetime; a refusal entry the failure (kind, status, Hub's message, until when): a
/// rejection or a rate limit, never a transient failure (a timeout, a 5xx), which the next
/// process tries again at once. Nothing is kept longer than the token's `exp`, 24 hours, or
/// 5 minutes for a token without `exp`.
///
/// What the disk holds is data from an earlier process, not a promise. A failure is handed
/// out again for an hour at most from when it happened, whatever wait the server asked for
/// (its `Retry-After` is still reported as it is); an entry received in the future (more
/// than a minute ahead of this machine's clock) is not served, and is replaced; a token past
/// its own expiry (a JWT's `exp`, a registry token's `issued_at` + `expires_in`) is never
/// served from disk, whatever the entry says.
///
/// # Security
///
/// The directory is created with mode 0700 and every file with 0600. A directory or file
/// that another user owns or that others can write (or a key that others can read) is not
/// used: the session logs one warning (`tracing`) and goes on without the cache. Writes are
/// atomic (a temporary file, then a rename); a truncated, corrupt or foreign entry is
/// ignored and replaced, never an error. The cross-process lock is an advisory `flock`-style
/// lock that the operating system releases when its holder exits or dies.
///
/// No link is followed: the directory is opened with `O_DIRECTORY | O_NOFOLLOW` and checked
/// through that descriptor, and every file with `O_NOFOLLOW`. No open blocks, and only
/// regular files are read, each up to a cap: a FIFO or a device where an entry, the key or
/// a lock should be never hangs a session. A directory that is a link, and a key or lock
/// file that is not the cache's own (a link, a FIFO, a key that is not 32 bytes), make the
/// cache unusable (one warning naming the file); they are never replaced or removed. An
/// entry that is not a regular file is ignored (one warning) and replaced.
/// [`clear`](Self::clear) removes only entries, their locks, and the temporary files the
/// cache itself names (`.<entry or key>.<pid>.<n>.tmp`).
///
/// The cache holds bearer tokens, but never one in clear: a token opens only with the secret
/// it was obtained with (a PAT, a password, the runner's request token or the ID token of an
/// OIDC exchange), which is never on disk. A copy of the directory (a CI cache of
/// `~/.cache`, a backup) holds no token anyone can use without that secret. The one
/// exception is an anonymous registry token, obtained with no secret, which anyone can have
/// anyway. A password that can be guessed can still be checked against an entry by someone
/// who reads the directory, as against its keyed name: the files stay the user's alone.
///
/// # Platforms
///
/// Linux, macOS and the other Unix systems. Elsewhere (Windows) permissions cannot be
/// checked the same way, so the cache is not used: sessions work exactly as without it (a
/// debug event says so), and [`clear`](Self::clear) finds nothing to remove.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # let mock = server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
/// #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); }).await;
/// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
/// # let dir = tempfile::tempdir()?;
/// # let cache_dir = dir.path().join("cache");
/// use dockerhub_auth::{Credentials, DiskCache};
///
/// let credentials = Credentials::secret("alice", "dckr_pat_example");
/// let cache = DiskCache::at(&cache_dir); // or DiskCache::default_location()
/// let first = hub.session_builder(credentials.clone()).disk_cache(cache.clone()).build();
/// first.token().await?;
/// // Another session (or process) with the same cache reuses the token.
/// let second = hub.session_builder(credentials).disk_cache(cache).build();
/// second.token().await?;
/// # mock.assert_calls_async(1).await;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskCache {
    dir: Option<PathBuf>,
}

impl DiskCache {
    /// Returns the cache at the default location, read from the environment now (see
    /// [Where](#where)). Without `DOCKERHUB_AUTH_CACHE_DIR`, `XDG_RUNTIME_DIR` or a home
    /// directory there is no location, and sessions go on without a cache.
    pub fn default_location() -> DiskCache {
        DiskCache { dir: default_dir() }
    }

    /// Returns the cache at the default location, unless `DOCKERHUB_AUTH_NO_CACHE` turns
    /// the cache off (any value but empty, `0` or `false`), as the `dockerhub-auth` command
    /// line and `docker-credential-dockerhub` read it. Both variables are read now.
    pub fn from_env() -> Option<DiskCache> {
        let off = env::var("DOCKERHUB_AUTH_NO_CACHE")
            .is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"));
        (!off).then(DiskCache::default_location)
    }

    /// Returns the cache in `dir`, created (mode 0700) on first use.
    pub fn at(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache {
            dir: Some(dir.into()),
        }
    }

    /// Returns the directory of the cache, when it has one.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Removes every cached token and remembered failure; returns how many entries were
    /// removed. Files in the directory that are not entries (the key included) are left
    /// alone, but for temporary files the cache names itself, which a crashed writer left.
    ///
    /// It blocks on file I/O: in async code, call it from `tokio::task::spawn_blocking`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Cache`] when the directory is not safe to use (see
    /// [Security](#security)) or cannot be read.
    pub fn clear(&self) -> Result<usize> {
        self.remove(None)
    }

    /// Removes the cached tokens and remembered failures of `identifier` (a username, or an
    /// organization name), for every base URL and secret; returns how many entries were
    /// removed.
    ///
    /// It blocks on file I/O: in async code, call it from `tokio::task::spawn_blocking`.
    ///
    /// # Errors
    ///
    /// The same as [`clear`](Self::clear).
    pub fn clear_identifier(&self, identifier: &str) -> Result<usize> {
        self.remove(Some(identifier))
    }

    /// Removes every entry, or those of `identifier`.
    fn remove(&self, identifier: Option<&str>) -> Result<usize> {
        let Some(dir) = &self.dir else {
            return Ok(0);
        };
        let store = match FileStore::open_existing(dir) {
            Ok(Some(store)) => store,
            Ok(None) | Err(Unusable::Unsupported) => return Ok(0),
            Err(Unusable::Unsafe(why) | Unusable::Failed(why)) => {
                return Err(Error::new(ErrorKind::Cache).with_detail(why));
            }
        };
        let failed = |error: std::io::Error| {
            Error::new(ErrorKind::Cache).with_detail(format!(
                "cannot clear the token cache in {}: {error}",
                dir.display()
            ))
        };
        let tag = identifier.map(|identifier| store.hash_key().identifier_tag(identifier));
        let mut removed = 0;
        for name in store.names().map_err(failed)? {
            let selected = match &tag {
                None => true,
                Some(tag) => store
                    .load(&name)
                    .and_then(|bytes| entry::identifier_tag(&bytes))
                    .is_some_and(|stored| &stored == tag),
            };
            if selected {
                store.remove(&name).map_err(failed)?;
                removed += 1;
            }
        }
        if tag.is_none() {
            store.remove_leftovers().map_err(failed)?;
        }
        Ok(removed)
    }
}

/// Returns the default cache directory, from the environment.
fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = env_dir("DOCKERHUB_AUTH_CACHE_DIR") {
        return Some(dir);
    }
    if let Some(runtime) = env_dir("XDG_RUNTIME_DIR").filter(|dir| dir.is_absolute()) {
        return Some(runtime.join("dockerhub-auth"));
    }
    platform_cache_dir().map(|dir| dir.join("dockerhub-auth"))
}

/// The platform's per-user cache directory. A few lines rather than the `dirs` crate: the
/// three cases below are all this needs, and without a home directory the cache is simply
/// not used.
fn platform_cache_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        env_dir("HOME").map(|home| home.join("Library").join("Caches"))
    } else if cfg!(windows) {
        env_dir("LOCALAPPDATA")
    } else {
        env_dir("XDG_CACHE_HOME")
            .filter(|dir| dir.is_absolute())
            .or_else(|| env_dir("HOME").map(|home| home.join(".cache")))
    }
}

fn env_dir(name: &str) -> Option<PathBuf> {
    env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// Logs `message` as a warning, once per process for each `path`: a CLI run shows one line
/// on stderr, and a program with many sessions is not flooded.
fn warn_once(path: &Path, message: &str) {
    static WARNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = WARNED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashSet::new)
        .insert(path.to_owned());
    if first {
        tracing::warn!("{message}");
    }
}
