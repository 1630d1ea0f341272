//! [`CredentialLookup`]: "whatever credentials this environment has", found exactly as the
//! `dockerhub-auth` command line finds them (its flags aside): the environment variables,
//! then what `docker login` stored, saying which source it used.

mod outcome;
mod sources;

use std::{collections::HashMap, ffi::OsString, fmt, time::Duration};

use secrecy::SecretString;

pub use outcome::{CredentialOrigin, LookupOutcome};

#[cfg(doc)]
use crate::credentials::Credentials;
use crate::{
    docker_config::DockerCredentialStore,
    error::{Error, ErrorKind, Result},
};
use sources::nothing;

/// Every variable a lookup reads itself (Docker's store reads its own: see
/// [`DockerCredentialStore::from_vars`]).
const VARIABLES: [&str; 8] = [
    "DOCKERHUB_USERNAME",
    "DOCKERHUB_TOKEN",
    "DOCKERHUB_OIDC_CONNECTIONID",
    "DOCKERHUB_OIDC_EXPIREIN",
    "DOCKERHUB_IDENTITY_URL",
    "DOCKERHUB_OIDC_ID_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/// Finds the credentials an environment has, in the order the `dockerhub-auth` command line
/// looks (its stdin and prompt aside), first match wins:
///
/// | # | source | credentials |
/// | --- | --- | --- |
/// | 1 | an OIDC connection given to the lookup ([`oidc_connection`](Self::oidc_connection), the CLI's `--oidc-connection`) | [OIDC](Credentials::workload_identity), as in row 3 |
/// | 2 | `DOCKERHUB_TOKEN` (a password, PAT or OAT), with the [username given](Self::username) or `DOCKERHUB_USERNAME` | [`Credentials::secret`] |
/// | 3 | `DOCKERHUB_OIDC_CONNECTIONID`, with the username (the organization), `DOCKERHUB_OIDC_EXPIREIN` (seconds, default 300), `DOCKERHUB_IDENTITY_URL` (default `https://identity.docker.com`), and the ID token from `DOCKERHUB_OIDC_ID_TOKEN`, else GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN` | [`Credentials::workload_identity`] |
/// | 4 | what `docker login` stored ([`DockerCredentialStore`]), unless [skipped](Self::docker_config): Docker Hub's entry, or with a [registry](Self::registry) the entry of its host; with a username given, only if it is the stored one | a secret, or an identity token for a registry |
///
/// So a job that sets both a token and a connection uses the token, as Docker's
/// `docker/login-action` does. An empty variable counts as unset (a workflow's missing secret
/// is an empty string). Credentials given explicitly (a variable, a connection) go wherever
/// the caller points them; only Docker's stored credentials are chosen by the registry's host,
/// so that Docker Hub's secret never reaches another registry's token service.
///
/// The variables are read when the lookup is made ([`from_env`](Self::from_env)); nothing
/// else happens until [`find`](Self::find). Finding reads Docker's config and may run a
/// credential helper, so it blocks: from async code use [`find_async`](Self::find_async).
///
/// ```
/// # fn main() -> Result<(), dockerhub_auth::Error> {
/// use dockerhub_auth::{CredentialLookup, CredentialOrigin};
///
/// let vars = [("DOCKERHUB_USERNAME", "acme"), ("DOCKERHUB_TOKEN", "dckr_oat_example")];
/// let outcome = CredentialLookup::from_vars(|name| {
///     vars.iter().find(|(n, _)| *n == name).map(|(_, value)| value.into())
/// })
/// .find()?;
/// assert_eq!(outcome.origin(), Some(&CredentialOrigin::TokenVariable));
/// assert_eq!(outcome.credentials().and_then(|c| c.identifier()), Some("acme"));
/// # Ok(()) }
/// ```
#[must_use]
#[derive(Clone)]
pub struct CredentialLookup {
    vars: HashMap<&'static str, Value>,
    store: DockerCredentialStore,
    username: Option<String>,
    oidc_connection: Option<String>,
    oidc_expires_in: Option<Duration>,
    identity_url: Option<String>,
    registry: Option<String>,
    docker_config: bool,
    password_login: bool,
}

/// A variable's value; every value is held as a secret, since some are.
#[derive(Clone)]
enum Value {
    Text(SecretString),
    NotUnicode,
}

impl CredentialLookup {
    /// Returns the lookup of this process's environment, read now, with Docker's store
    /// [from the environment](DockerCredentialStore::from_env).
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// Returns the lookup [`from_env`](Self::from_env) would return if `var` gave the
    /// environment (the variables above, and those Docker's store reads), for callers and
    /// tests that hold an environment of their own.
    pub fn from_vars(mut var: impl FnMut(&str) -> Option<OsString>) -> Self {
        let vars = VARIABLES
            .iter()
            .filter_map(|name| {
                let value = var(name).filter(|value| !value.is_empty())?;
                let value = match value.into_string() {
                    Ok(text) => Value::Text(SecretString::from(text)),
                    Err(_) => Value::NotUnicode,
                };
                Some((*name, value))
            })
            .collect();
        CredentialLookup {
            vars,
            store: DockerCredentialStore::from_vars(var),
            username: None,
            oidc_connection: None,
            oidc_expires_in: None,
            identity_url: None,
            registry: None,
            docker_config: true,
            password_login: false,
        }
    }

    /// Sets the username (or organization name), instead of `DOCKERHUB_USERNAME`: the CLI's
    /// `--username`. Docker's stored credentials are then used only if they are this
    /// username's.
    ///
    /// Default: `DOCKERHUB_USERNAME`.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Uses this OIDC connection, before `DOCKERHUB_TOKEN` and everything else: the CLI's
    /// `--oidc-connection`.
    ///
    /// Default: none (`DOCKERHUB_OIDC_CONNECTIONID` comes after `DOCKERHUB_TOKEN`).
    pub fn oidc_connection(mut self, connection_id: impl Into<String>) -> Self {
        self.oidc_connection = Some(connection_id.into());
        self
    }

    /// Sets the lifetime asked for OIDC tokens, instead of `DOCKERHUB_OIDC_EXPIREIN`: the
    /// CLI's `--oidc-expires-in`.
    ///
    /// Default: `DOCKERHUB_OIDC_EXPIREIN`, else 300 seconds.
    pub fn oidc_expires_in(mut self, lifetime: Duration) -> Self {
        self.oidc_expires_in = Some(lifetime);
        self
    }

    /// Sets Docker's identity service, instead of `DOCKERHUB_IDENTITY_URL`: the CLI's
    /// `--identity-url`.
    ///
    /// Default: `DOCKERHUB_IDENTITY_URL`, else `https://identity.docker.com`.
    pub fn identity_url(mut self, url: impl Into<String>) -> Self {
        self.identity_url = Some(url.into());
        self
    }

    /// Looks Docker's stored credentials up for the registry `registry` (a URL or a host, as
    /// [`DockerCredentialStore::registry_credentials`] takes it) rather than for Docker Hub's
    /// API: Docker Hub's entry for Docker Hub's registry only, another registry's by its
    /// host. A stored identity token is then usable (a registry's token service takes it).
    ///
    /// Default: Docker Hub's API.
    pub fn registry(mut self, registry: impl Into<String>) -> Self {
        self.registry = Some(registry.into());
        self
    }

    /// Sets whether to look at what `docker login` stored: `false` is the CLI's
    /// `--no-docker-config`.
    ///
    /// Default: `true`.
    pub fn docker_config(mut self, look: bool) -> Self {
        self.docker_config = look;
        self
    }

    /// Sets which Docker store to read.
    ///
    /// Default: the one of the environment the lookup was made from.
    pub fn docker_store(mut self, store: DockerCredentialStore) -> Self {
        self.store = store;
        self
    }

    /// Asks for credentials that log in with a password ([`Credentials::password`]), as
    /// `POST /v2/users/login` and so managing access tokens need: secrets come as passwords,
    /// and OIDC credentials (which have none) are refused.
    ///
    /// Default: `false` ([`Credentials::secret`], for `POST /v2/auth/token` and registries).
    pub fn password_login(mut self, password: bool) -> Self {
        self.password_login = password;
        self
    }

    /// Returns the credentials of the first source that has them, or what was looked at.
    ///
    /// It blocks: it reads Docker's config file and may run a credential helper.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidInput`]: the source that comes first is set but unusable, and
    ///   nothing is sent: `DOCKERHUB_TOKEN` without a username, a blank username, a variable
    ///   that is not UTF-8, OIDC credentials that are invalid
    ///   ([`Credentials::workload_identity`]'s errors, such as missing ID-token variables) or
    ///   that a [password login](Self::password_login) cannot use;
    /// - [`ErrorKind::CredentialStore`]: Docker's store cannot be read (see
    ///   [`DockerCredentialStore::docker_hub_credentials`]).
    pub fn find(&self) -> Result<LookupOutcome> {
        let mut looked_at = Vec::new();
        if let Some(found) = self.without_store(&mut looked_at)? {
            return Ok(found);
        }
        self.in_store(looked_at)
    }

    /// The sources before Docker's store: what they found (or that the store is skipped),
    /// or `None` when the store is to be read.
    fn without_store(&self, looked_at: &mut Vec<String>) -> Result<Option<LookupOutcome>> {
        if let Some(found) = self.in_variables(looked_at)? {
            return Ok(Some(found));
        }
        if !self.docker_config {
            looked_at.push("Docker's stored credentials (skipped)".to_owned());
            return Ok(Some(nothing(std::mem::take(looked_at), None)));
        }
        Ok(None)
    }

    /// The last source: Docker's stored credentials, for Docker Hub or the registry's host.
    fn in_store(&self, looked_at: Vec<String>) -> Result<LookupOutcome> {
        let stored = match &self.registry {
            None => self.store.docker_hub_credentials()?,
            Some(registry) => self.store.registry_credentials(registry)?,
        };
        self.with_stored(stored, looked_at)
    }

    /// Returns what [`find`](Self::find) returns without blocking the runtime: the
    /// variables are read at once, and only Docker's store (a file, perhaps a credential
    /// helper) is read on Tokio's blocking thread pool, when the lookup gets that far.
    ///
    /// # Errors
    ///
    /// As [`find`](Self::find), and [`ErrorKind::Runtime`] when Docker's store must be read
    /// outside a tokio runtime, or when the runtime shut down before the lookup finished.
    pub async fn find_async(&self) -> Result<LookupOutcome> {
        let mut looked_at = Vec::new();
        if let Some(found) = self.without_store(&mut looked_at)? {
            return Ok(found);
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::new(ErrorKind::Runtime).with_detail(
                "CredentialLookup::find_async needs a tokio runtime to read Docker's store and \
                 none is running (CredentialLookup::find needs none)",
            )
        })?;
        let lookup = self.clone();
        runtime
            .spawn_blocking(move || lookup.in_store(looked_at))
            .await
            .map_err(|_| {
                Error::new(ErrorKind::Runtime)
                    .with_detail("the runtime shut down before the lookup finished")
            })?
    }
}

impl fmt::Debug for CredentialLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set: Vec<&str> = self.vars.keys().copied().collect();
        set.sort_unstable();
        f.debug_struct("CredentialLookup")
            .field("variables_set", &set) // names only, never a value
            .field("store", &self.store)
            .field("username", &self.username)
            .field("oidc_connection", &self.oidc_connection)
            .field("oidc_expires_in", &self.oidc_expires_in)
            .field(
                "identity_url",
                &self.identity_url.as_deref().map(crate::base_url::redacted),
            )
            .field("registry", &self.registry)
            .field("docker_config", &self.docker_config)
            .field("password_login", &self.password_login)
            .finish()
    }
}
