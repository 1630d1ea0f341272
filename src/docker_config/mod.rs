//! Docker's stored credentials: what `docker login` already saved, read the way the docker
//! CLI reads it, and never written.
//!
//! The order (<https://docs.docker.com/reference/cli/docker/login/>):
//! 1. the JSON in `DOCKER_AUTH_CONFIG`, when set, instead of any file;
//! 2. `$DOCKER_CONFIG/config.json` when `DOCKER_CONFIG` is set, else `~/.docker/config.json`;
//! 3. in that JSON, for Docker Hub's key: the helper `credHelpers` names, else the one
//!    `credsStore` names, else `auths` (`auth`, or `username` and `password`, or
//!    `identitytoken`).

mod config;
mod helper;
mod host;
mod stored;

use std::{
    borrow::Cow,
    ffi::OsString,
    fmt,
    path::{Path, PathBuf},
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

pub use stored::{CredentialSource, StoredCredentials};

use crate::{
    deadline::Deadline,
    error::{Error, ErrorKind, Result},
    safe_file::{self, Links, Refused},
};
use config::{ConfigFile, Entry, Origin};
use helper::Answer;

/// The largest `config.json` read; Docker's own are a few KiB.
const CONFIG_CAP: u64 = 4 * 1024 * 1024;

/// Returns an [`ErrorKind::CredentialStore`] error with a few words saying what failed.
pub(crate) fn store_error(detail: impl Into<Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::CredentialStore).with_detail(detail)
}

/// Docker's credential store (config files and credential helpers), read for Docker Hub's
/// credentials, or for another registry's by its host.
///
/// Build one from the process environment with [`from_env`](Self::from_env), or from
/// explicit places with [`from_config_dir`](Self::from_config_dir),
/// [`from_json`](Self::from_json) or [`from_vars`](Self::from_vars). Then ask
/// [`docker_hub_credentials`](Self::docker_hub_credentials) (blocking) or
/// [`docker_hub_credentials_async`](Self::docker_hub_credentials_async), or, for the
/// credentials of a registry as docker would send them there,
/// [`registry_credentials`](Self::registry_credentials) and its `_async` variant: Docker
/// Hub's entry only for Docker Hub's registry, another registry's by its host.
///
/// "Nothing stored" is `Ok(None)`, not an error: no config file, no entry for Docker Hub, or
/// a helper that says it holds nothing. A store that cannot be read (malformed JSON, an
/// `auth` that is not base64, a helper that is missing, fails, hangs or answers garbage) is
/// an [`ErrorKind::CredentialStore`] error naming the file or the helper, and never quoting
/// what either holds.
///
/// `Display` names where the store reads ("DOCKER_AUTH_CONFIG",
/// "/home/alice/.docker/config.json"); `Debug` never shows the JSON. Cloning is cheap
/// enough for a lookup (a path, or the JSON text).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use dockerhub_auth::DockerCredentialStore;
///
/// let dir = std::env::temp_dir().join(format!("dockerhub-auth-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("config.json"), r#"{"auths": {"quay.io": {}}}"#)?;
///
/// let store = DockerCredentialStore::from_config_dir(&dir);
/// assert!(store.docker_hub_credentials()?.is_none()); // nothing for Docker Hub is a value
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct DockerCredentialStore {
    location: Location,
    search_path: Option<OsString>,
    helper_timeout: Duration,
    ends_by: Deadline,
}

/// Where the config's JSON is.
#[derive(Clone)]
enum Location {
    /// The JSON itself, from `DOCKER_AUTH_CONFIG` or a caller.
    Json(SecretString),
    /// A `config.json`, which may not exist.
    File(PathBuf),
    /// Neither `DOCKER_CONFIG` nor a home directory is known.
    Nowhere,
    /// `DOCKER_AUTH_CONFIG` is set but is not UTF-8.
    InvalidVariable,
}

impl DockerCredentialStore {
    /// Returns the store the docker CLI would read in this process: `DOCKER_AUTH_CONFIG`,
    /// else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (`HOME`, or
    /// `USERPROFILE` on Windows), with helpers searched for in `PATH`.
    ///
    /// The variables are read now; nothing is read from disk until a lookup.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// Returns the store [`from_env`](Self::from_env) would return if `var` gave the
    /// environment: it is asked for `DOCKER_AUTH_CONFIG`, `DOCKER_CONFIG`, `HOME`,
    /// `USERPROFILE` (Windows only) and `PATH`. An empty value counts as unset.
    ///
    /// For callers (and tests) that hold an environment of their own rather than the
    /// process's.
    pub fn from_vars(mut var: impl FnMut(&str) -> Option<OsString>) -> Self {
        let mut set = |name: &str| var(name).filter(|value| !value.is_empty());
        let location = if let Some(json) = set("DOCKER_AUTH_CONFIG") {
            match json.into_string() {
                Ok(json) => Location::Json(SecretString::from(json)),
                Err(_) => Location::InvalidVariable,
            }
        } else if let Some(dir) = set("DOCKER_CONFIG") {
            Location::File(PathBuf::from(dir).join("config.json"))
        } else if let Some(home) = set("HOME").or_else(|| {
            if cfg!(windows) {
                set("USERPROFILE")
            } else {
                None
            }
        }) {
            Location::File(PathBuf::from(home).join(".docker").join("config.json"))
        } else {
            Location::Nowhere
        };
        DockerCredentialStore {
            location,
            search_path: set("PATH"),
            helper_timeout: helper::DEFAULT_TIMEOUT,
            ends_by: Deadline::NONE,
        }
    }

    /// Returns the store of the config in `dir` (`dir/config.json`, as `DOCKER_CONFIG=dir`
    /// would), with helpers searched for in this process's `PATH`.
    pub fn from_config_dir(dir: impl AsRef<Path>) -> Self {
        DockerCredentialStore {
            location: Location::File(dir.as_ref().join("config.json")),
            search_path: std::env::var_os("PATH"),
            helper_timeout: helper::DEFAULT_TIMEOUT,
            ends_by: Deadline::NONE,
        }
    }

    /// Returns the store of a config given as JSON text (as `DOCKER_AUTH_CONFIG` would give
    /// it), with helpers searched for in this process's `PATH`.
    pub fn from_json(json: impl Into<SecretString>) -> Self {
        DockerCredentialStore {
            location: Location::Json(json.into()),
            search_path: std::env::var_os("PATH"),
            helper_timeout: helper::DEFAULT_TIMEOUT,
            ends_by: Deadline::NONE,
        }
    }

    /// Sets the directories searched for `docker-credential-<name>` programs, in `PATH`'s
    /// format (`:`-separated, `;` on Windows). Only absolute directories are searched: a
    /// relative entry (`bin`, `.`, or an empty one) is skipped, as docker skips it, so that
    /// the current directory never decides which program runs.
    ///
    /// Default: the `PATH` of the environment the store was built from. Helpers run with
    /// this process's environment either way.
    pub fn search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// Sets how long a credential helper may run before it is killed and the lookup fails
    /// with [`ErrorKind::CredentialStore`].
    ///
    /// Default: 60 seconds, long enough for a person to answer a keychain or pinentry
    /// prompt. A zero duration makes every lookup fail with [`ErrorKind::InvalidInput`].
    pub fn helper_timeout(mut self, timeout: Duration) -> Self {
        self.helper_timeout = timeout;
        self
    }

    /// Sets the instant a lookup must be over by: a helper still running then is killed
    /// (on Unix with everything it started, its whole process group), and the lookup fails
    /// with [`ErrorKind::CredentialStore`], whatever the [helper
    /// timeout](Self::helper_timeout) says. Give it the same instant as the operations that
    /// follow ([`RetryPolicy::deadline_at`](crate::RetryPolicy::deadline_at)) for one limit
    /// on the whole work: the `dockerhub-auth` CLI does, from `--timeout`.
    ///
    /// Default: none; each helper runs for up to the helper timeout.
    pub fn deadline_at(mut self, at: std::time::Instant) -> Self {
        self.ends_by = Deadline::at(at);
        self
    }

    /// Kills every credential helper that a lookup in this process is running now, on Unix
    /// with everything it started (its whole process group); the lookups that ran them fail
    /// with [`ErrorKind::CredentialStore`]. Elsewhere it does nothing.
    ///
    /// For a program's handler of `SIGINT`, `SIGTERM` and `SIGHUP`: a helper runs in a
    /// process group of its own (so that a timeout stops what it started too), which the
    /// terminal's Ctrl-C does not reach, and it would outlive a program that is killed
    /// without calling this. The `dockerhub-auth` CLI calls it, then dies of the signal.
    pub fn stop_running_helpers() {
        helper::stop_running();
    }

    /// Returns Docker Hub's credentials from this store, or `None` when it holds none.
    ///
    /// Docker Hub's key is `https://index.docker.io/v1/`; `index.docker.io`, `docker.io` and
    /// `registry-1.docker.io`, with or without `https://`, `/v1/` or a trailing slash, are
    /// accepted too. A helper is asked for `https://index.docker.io/v1/` first, then for the
    /// other spellings of Hub's key the config uses, until one answers.
    ///
    /// This blocks: it reads a file and may run a helper for up to the
    /// [helper timeout](Self::helper_timeout) (or until the [deadline](Self::deadline_at)).
    /// The config is read only from a regular file (or a link to one), opened without
    /// blocking: a FIFO or a device named `config.json` is an error at once. From async
    /// code, use
    /// [`docker_hub_credentials_async`](Self::docker_hub_credentials_async).
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::CredentialStore`] when the store cannot be read: an unreadable or
    ///   malformed config, one that is not a regular file or is larger than 4 MiB, an `auth`
    ///   that is not base64 of `user:secret`, a helper name that is not a plain name, or a
    ///   helper that is missing from the search path, fails, runs past the timeout or the
    ///   deadline, prints more than 64 KiB or answers garbage. The message names the file or
    ///   helper (for a failing helper, its exit status and the command to run by hand to see
    ///   why) and never quotes what either holds: not even a failing helper's own output,
    ///   which may hold the secret.
    /// - [`ErrorKind::InvalidInput`] when the helper timeout is zero.
    pub fn docker_hub_credentials(&self) -> Result<Option<StoredCredentials>> {
        if self.helper_timeout.is_zero() {
            return Err(Error::invalid_input(
                "the credential helper timeout is zero",
            ));
        }
        let found = match self.config()? {
            Some((config, origin)) => self.lookup(&config, &origin)?,
            None => None,
        };
        match &found {
            Some(stored) => {
                tracing::debug!(source = %stored.source(), "found docker hub credentials")
            }
            None => tracing::debug!(store = %self, "no docker hub credentials in docker's store"),
        }
        Ok(found)
    }

    /// Returns Docker Hub's credentials from this store, as
    /// [`docker_hub_credentials`](Self::docker_hub_credentials) does, on Tokio's blocking
    /// thread pool so that the runtime is not blocked.
    ///
    /// # Errors
    ///
    /// As [`docker_hub_credentials`](Self::docker_hub_credentials), and
    /// [`ErrorKind::Runtime`] when called outside a tokio runtime, or when the runtime shut
    /// down before the lookup finished.
    pub async fn docker_hub_credentials_async(&self) -> Result<Option<StoredCredentials>> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::new(ErrorKind::Runtime).with_detail(
                "DockerCredentialStore::docker_hub_credentials_async needs a tokio runtime and \
                 none is running (docker_hub_credentials, without _async, needs none)",
            )
        })?;
        let store = self.clone();
        runtime
            .spawn_blocking(move || store.docker_hub_credentials())
            .await
            .map_err(|_| {
                Error::new(ErrorKind::Runtime)
                    .with_detail("the runtime shut down before the lookup finished")
            })?
    }

    /// Returns the name of the credential helper this store's config names for Docker Hub
    /// (in `credHelpers`, else `credsStore`), without running it; `None` when the config
    /// names none, or there is no config.
    ///
    /// For messages ("nothing for Docker Hub in helper `pass`") and for callers that want to
    /// warn before a helper may prompt someone. This blocks on reading the config file.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CredentialStore`] when the config cannot be read, as for
    /// [`docker_hub_credentials`](Self::docker_hub_credentials).
    pub fn docker_hub_helper(&self) -> Result<Option<String>> {
        Ok(self
            .config()?
            .and_then(|(config, _)| config.hub_helper().map(str::to_owned)))
    }

    /// Returns whether `key` names Docker Hub: a key of Docker's config, or the server a
    /// credential helper is asked about.
    ///
    /// Docker Hub is `https://index.docker.io/v1/` and every spelling docker, crane and
    /// skopeo use for it: `index.docker.io`, `docker.io` and `registry-1.docker.io`, in any
    /// case, with `https://`, `http://` or no scheme, and with no path, `/`, `/v1` or
    /// `/v1/`. Surrounding whitespace is ignored. Any other host or path is another
    /// registry.
    ///
    /// ```
    /// use dockerhub_auth::DockerCredentialStore;
    ///
    /// assert!(DockerCredentialStore::is_docker_hub_key("https://index.docker.io/v1/"));
    /// assert!(DockerCredentialStore::is_docker_hub_key("docker.io"));
    /// assert!(!DockerCredentialStore::is_docker_hub_key("ghcr.io"));
    /// assert!(!DockerCredentialStore::is_docker_hub_key("docker.io.example.com"));
    /// ```
    pub fn is_docker_hub_key(key: &str) -> bool {
        config::hub_key_rank(key).is_some()
    }

    /// Returns the parsed config and where it came from, or `None` when there is none.
    fn config(&self) -> Result<Option<(ConfigFile, Origin)>> {
        match &self.location {
            Location::Json(json) => {
                let origin = Origin::Variable;
                Ok(Some((
                    ConfigFile::parse(json.expose_secret(), &origin)?,
                    origin,
                )))
            }
            Location::File(path) => match read_config(path)? {
                Some(json) => {
                    let origin = Origin::File(path.clone());
                    tracing::debug!(config = %origin, "reading docker config");
                    Ok(Some((ConfigFile::parse(&json, &origin)?, origin)))
                }
                None => {
                    tracing::debug!(path = %path.display(), "no docker config file");
                    Ok(None)
                }
            },
            Location::Nowhere => Ok(None),
            Location::InvalidVariable => Err(store_error("DOCKER_AUTH_CONFIG is not valid UTF-8")),
        }
    }

    /// Looks Docker Hub up in one config: its helper, else its `auths`.
    fn lookup(&self, config: &ConfigFile, origin: &Origin) -> Result<Option<StoredCredentials>> {
        if let Some(name) = config.hub_helper() {
            return self.ask_helper(name, &config.hub_server_urls());
        }
        Ok(config
            .hub_entry(origin)?
            .map(|entry| stored_from(entry, origin)))
    }

    /// Asks helper `name` for each of `server_urls` in turn, until one answer holds
    /// something.
    fn ask_helper(&self, name: &str, server_urls: &[String]) -> Result<Option<StoredCredentials>> {
        helper::check_name(name)?;
        let program = helper::find(name, self.search_path.as_deref())?;
        for server_url in server_urls {
            // Debug-formatted: the key is the config file's text, which may hold a line break.
            tracing::debug!(helper = name, server = ?server_url, "asking a docker credential helper");
            let source = CredentialSource::Helper(name.to_owned());
            let timeout = self.ends_by.bound(self.helper_timeout);
            if timeout.is_zero() {
                return Err(store_error(format!(
                    "docker credential helper `{name}` was not run: the deadline has passed"
                )));
            }
            match helper::get(name, &program, server_url, timeout)? {
                Answer::Secret { username, secret } => {
                    return Ok(Some(StoredCredentials::with_secret(
                        username, secret, source,
                    )));
                }
                Answer::IdentityToken(token) => {
                    return Ok(Some(StoredCredentials::with_identity_token(
                        None, token, source,
                    )));
                }
                Answer::NotFound => {}
            }
        }
        Ok(None)
    }
}

/// Returns what an `auths` entry held, with where it was found.
fn stored_from(entry: Entry, origin: &Origin) -> StoredCredentials {
    let source = match origin {
        Origin::Variable => CredentialSource::AuthConfigVariable,
        Origin::File(path) => CredentialSource::ConfigFile(path.clone()),
    };
    match entry {
        Entry::Secret { username, secret } => {
            StoredCredentials::with_secret(username, secret, source)
        }
        Entry::IdentityToken { username, token } => {
            StoredCredentials::with_identity_token(username, token, source)
        }
    }
}

/// Reads a config file, or `None` when there is none: only a regular file (a link to one is
/// followed, as the docker CLI does), opened without blocking (a FIFO named `config.json`
/// is an error at once, never a hang), of at most [`CONFIG_CAP`] bytes.
fn read_config(path: &Path) -> Result<Option<Zeroizing<String>>> {
    let mut bytes = match safe_file::read(path, Links::Follow, CONFIG_CAP) {
        Ok(bytes) => bytes,
        Err(Refused::Missing) => return Ok(None),
        Err(refused) => return Err(store_error(refused.describe("the docker config", path))),
    };
    // The buffer moves into the string (no copy); either way it is wiped when dropped.
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(json) => Ok(Some(Zeroizing::new(json))),
        Err(error) => {
            drop(Zeroizing::new(error.into_bytes()));
            Err(store_error(format!(
                "cannot read {}: it is not UTF-8 text",
                path.display()
            )))
        }
    }
}

impl fmt::Display for DockerCredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::Json(_) | Location::InvalidVariable => f.write_str("DOCKER_AUTH_CONFIG"),
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Nowhere => {
                f.write_str("no docker config (neither DOCKER_CONFIG nor HOME is set)")
            }
        }
    }
}

impl fmt::Debug for DockerCredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DockerCredentialStore")
            .field("config", &format_args!("{self}")) // never the JSON itself
            .field("search_path", &self.search_path)
            .field("helper_timeout", &self.helper_timeout)
            .field("ends_by", &self.ends_by.instant())
            .finish()
    }
}
