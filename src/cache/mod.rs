//! Tokens and failures shared by every task of a process and, through [`DiskCache`], by
//! every process of a user: however many ask, the issuer sees one request per token
//! lifetime, and a rejected secret is sent once.
//!
//! # The crate-internal interface
//!
//! A [`TokenSource`] is "the token for one key": memory, else the disk under a
//! cross-process lock, else a fetch with single flight; failures remembered. A
//! [`Session`](crate::Session) is a token source whose fetch calls Docker Hub; a registry
//! session is another, with its own fetch and its own token lifetime:
//!
//! ```text
//! let fetch: Fetch = Arc::new(move || {
//!     let client = client.clone();
//!     Box::pin(async move {
//!         let answer = client.fetch_token(/* … */).await?;
//!         // `lifetime` counts from now: `issued_at + expires_in − now`, or `expires_in`.
//!         Ok(Fresh { token: answer.token, lifetime: Some(answer.expires_in) })
//!     })
//! });
//! let material = KeyMaterial::new(realm, service, identifier, secret).scopes(scopes);
//! let source = TokenSource::new(settings, fetch, disk_cache.map(|cache| (cache, material)));
//! let token = source.token().await?;
//! ```
//!
//! - [`Fetch`]: gets one new token (retries included) and says how long it lives from now
//!   ([`Fresh::lifetime`]; `None` = unknown, reused for `reuse_without_expiry`). It runs on
//!   a task of its own, at most one at a time per source, and every caller waiting gets its
//!   result.
//! - [`Settings`]: the refresh margin, reuse without expiry, the cool-down of rejections,
//!   the backoff of transient failures, whether a rejected second-factor code is a
//!   rejection, and how long to wait for another process's refresh (the request timeout).
//! - [`KeyMaterial`]: everything that decides which token a request gets (endpoint or
//!   realm, route or service, identifier, secret, scope set). It is hashed with a keyed hash
//!   (HMAC-SHA-256, random key in the store) into the entry's name; the secret is never
//!   stored. Its identifier is also stored as a keyed hash, so that `logout --username`
//!   finds the identifier's entries.
//! - [`TokenSource::token`] and [`TokenSource::invalidate`] are what the public types wrap.
//!
//! # The rules (the same in memory and on disk)
//!
//! | what came back | what the next calls do |
//! | --- | --- |
//! | a token | hand it out until less than the margin (or a tenth of its life) is left |
//! | `CredentialsRejected`, `Forbidden` (`SecondFactorRejected` when the settings say) | hand out the same error, marked remembered, until `invalidate` or the cool-down |
//! | `RateLimited` with a wait | the same, until the wait is over, with the wait that is left |
//! | a transient failure (timeout, transport, 5xx, an unexpected answer) | the same, for the backoff |
//! | any failure while the token held is still valid (an early refresh) | hand out that token (with a warning) until shortly before it expires; try again after the failure's wait or the backoff |
//!
//! Not remembered: invalid input, a missing runtime, a second factor nobody can give.
//!
//! # The disk
//!
//! [`store::Store`] is the seam (the directory of [`file::FileStore`] today; a store
//! shared by many machines later). A refresh reads the entry; when it has nothing usable,
//! it takes the entry's lock (waiting at most `lock_wait`, then going on without it), reads
//! again, fetches, writes the outcome, and releases the lock. A token another process
//! stored is taken when it is newer than the one in memory; anything stored before
//! `invalidate` is ignored. Blocking work runs on tokio's blocking pool.

mod clock;
mod disk;
mod entry;
mod file;
mod key;
mod rules;
mod source;
mod store;

use std::{
    collections::HashSet,
    env,
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
};

pub(crate) use key::KeyMaterial;
pub(crate) use rules::Settings;
pub(crate) use source::{Fetch, Fresh, TokenSource};

use self::{
    entry::Entry,
    file::{FileStore, Unusable},
    store::Store as _,
};
use crate::{Error, ErrorKind, Result};

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
/// One file per account, route and secret, named by a keyed hash (HMAC-SHA-256 with a
/// random key kept in the directory) of the base URL, route, identifier and secret: the
/// secret itself is never written, a file name reveals nothing that helps guess it, and a
/// new secret gets a new entry. An entry holds the token with when it arrived and its
/// lifetime, or a remembered failure (kind, status, Hub's message, until when). Nothing is
/// kept longer than the token's `exp`, 24 hours, or 5 minutes for a token without `exp`.
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
/// The cache holds bearer tokens: anyone who can read your files as you can use them until
/// they expire, as with `~/.docker/config.json`.
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
/// let credentials = Credentials::access_token("alice", "dckr_pat_example");
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
    /// removed. Files in the directory that are not entries are left alone.
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
                    .and_then(|bytes| Entry::decode(&bytes))
                    .is_some_and(|entry| &entry.identifier_tag == tag),
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
