//! [`Registry`]: tokens for a container registry (Docker Hub's `registry-1.docker.io` by
//! default) and Docker Hub's pull-limit probe.
//!
//! - `challenge`: the `WWW-Authenticate` parser and the realm rule;
//! - `scope`: [`Scope`] and the repository name rules;
//! - `token`: [`RegistryToken`] and its lifetime;
//! - `rate_limit`: [`PullLimit`] and its headers;
//! - `cache`: tokens per (credentials, scope set), one request at a time;
//! - `account`: who asks the token service for a token;
//! - `builder`: [`RegistryBuilder`].

mod account;
mod builder;
mod cache;
mod challenge;
mod rate_limit;
mod scope;
mod token;

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use secrecy::{ExposeSecret, SecretString};

use account::Account;
pub use builder::RegistryBuilder;
use cache::FetchToken;
pub use rate_limit::PullLimit;
pub use scope::{Action, Scope};
pub use token::RegistryToken;

use crate::{
    Credentials, Error, ErrorKind, Result, RetryPolicy,
    cache::KeyMaterial,
    retry,
    wire::{self, Endpoint, Ping},
};

/// The hosts of Docker Hub's registry: on them a one-component name is an official image.
const DOCKER_HUB_HOSTS: [&str; 5] = [
    "registry-1.docker.io",
    "registry.docker.io",
    "index.docker.io",
    "docker.io",
    "registry.hub.docker.com",
];

/// The `service` of Docker Hub's challenge; a registry whose challenge names it follows
/// Docker Hub's name rules wherever it is served from (a mirror, a test double).
const DOCKER_HUB_SERVICE: &str = "registry.docker.io";

/// The host of Docker Hub's token service, the realm of its registry's challenge.
const DOCKER_HUB_TOKEN_HOST: &str = "auth.docker.io";

/// A client for a container registry that speaks the Distribution token protocol: Docker
/// Hub's registry by default, or any other.
///
/// It asks the registry how it wants clients to authenticate (`GET /v2/`, whose challenge
/// names the token service), gets tokens there for a set of [`Scope`]s with [`Credentials`]
/// or anonymously, and probes Docker Hub's pull limit. Tokens are cached per credentials and
/// scope set while they have more than a minute (or 10%) of their life left, and however
/// many tasks ask at once for the same one, one request goes to the token service.
///
/// The same rules as [`Hub`](crate::Hub)'s hold: timeouts, capped bodies, no redirects, the
/// retry policy for 429 and 5xx, and no secret in any output. Credentials are never sent to
/// a token service on `http://` unless it is on a loopback address.
///
/// Build one with [`Registry::builder`] and share it: cloning is cheap (one reference count)
/// and clones share the connection pool and the token cache.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # let challenge = format!(r#"Bearer realm="{}",service="registry.docker.io""#, server.url("/token"));
/// # server.mock_async(|when, then| { when.method("GET").path("/v2/");
/// #     then.status(401).header("www-authenticate", challenge); }).await;
/// # server.mock_async(|when, then| { when.method("GET").path("/token")
/// #         .query_param("scope", "repository:library/alpine:pull");
/// #     then.status(200).json_body(serde_json::json!({ "token": "opaque", "expires_in": 300 })); }).await;
/// # let registry_url = server.base_url();
/// use dockerhub_auth::{Registry, Scope};
///
/// let registry = Registry::builder()
///     .base_url(registry_url) // leave out for https://registry-1.docker.io
///     .build()?;
/// let token = registry.anonymous_token(&[Scope::pull("alpine")?]).await?;
/// assert_eq!(token.scopes()[0].as_str(), "repository:library/alpine:pull");
/// let header = token.authorization_header(); // `Bearer …`, marked sensitive
/// # assert!(header.is_sensitive());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    retry: RetryPolicy,
    allow_http: bool,
    /// Whether the base URL is one of Docker Hub's hosts.
    docker_hub_host: bool,
    /// What `GET /v2/` answered, once it has.
    access: Mutex<Option<Access>>,
    tokens: Arc<cache::TokenCache>,
    /// For `Debug`.
    settings: builder::Settings,
}

/// How the registry wants clients to authenticate.
#[derive(Clone)]
enum Access {
    /// It does not: `GET /v2/` answered 200.
    Open,
    /// With tokens from this token service.
    Bearer(Arc<challenge::Bearer>),
}

impl Registry {
    /// Returns a builder with the defaults: `https://registry-1.docker.io`, a 10 s connect
    /// timeout, a 30 s timeout for the whole request, a 1 MiB cap on response bodies, and
    /// the default [`RetryPolicy`].
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::new()
    }

    /// Returns a token for `scopes`, asked for with `credentials`: a username with a
    /// password or personal access token, or an organization name with an organization
    /// access token.
    ///
    /// The token service's answer is cached for these credentials and this set of scopes
    /// (in any order). With no scopes the token allows nothing but proves who asked.
    ///
    /// The request is the OAuth2 form (`POST`) first. A token service that does not take it
    /// (404 or 405, or 400 or 401 from one that is not Docker Hub's, as ACR and Artifactory
    /// answer) is asked once more with `GET` and Basic authentication. Docker Hub's takes
    /// the form: a 401 from it is a refusal, not sent again.
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](ErrorKind::InvalidInput): empty credentials, or a token service
    ///   on `http://` that is not loopback; nothing was sent to it;
    /// - [`CredentialsRejected`](ErrorKind::CredentialsRejected): the token service refused
    ///   the credentials (401), with its message;
    /// - [`UnexpectedResponse`](ErrorKind::UnexpectedResponse): the registry does not use
    ///   token authentication (its `GET /v2/` answered 200, or 401 without a Bearer
    ///   challenge), or another unexpected status;
    /// - [`InvalidResponse`](ErrorKind::InvalidResponse): a challenge whose realm is not a
    ///   URL, or an answer without a token;
    /// - [`RateLimited`](ErrorKind::RateLimited), [`Forbidden`](ErrorKind::Forbidden),
    ///   [`Timeout`](ErrorKind::Timeout), [`Transport`](ErrorKind::Transport),
    ///   [`Unavailable`](ErrorKind::Unavailable), [`Runtime`](ErrorKind::Runtime).
    #[tracing::instrument(name = "registry_token", skip_all)]
    pub async fn token(
        &self,
        credentials: &Credentials,
        scopes: &[Scope],
    ) -> Result<RegistryToken> {
        let account = Account::from_credentials(credentials)?;
        self.cached_token(Some(account), scopes.to_vec()).await
    }

    /// Returns a token for `scopes`, asked for with an identity token: the OAuth2 refresh
    /// token `docker login` stores (as `identitytoken`) after a web or SSO login, which
    /// Docker Hub's `/v2/auth/token` does not accept but its registry's token service does.
    ///
    /// It is sent only in the OAuth2 form (`POST`, `grant_type=refresh_token`), the only
    /// request that can carry it. The answer is cached like [`token`](Self::token)'s.
    ///
    /// # Errors
    ///
    /// The same as [`token`](Self::token), where
    /// [`CredentialsRejected`](ErrorKind::CredentialsRejected) means the identity token was
    /// refused (expired or revoked), and
    /// [`UnexpectedResponse`](ErrorKind::UnexpectedResponse) also a token service that does
    /// not offer the OAuth2 form.
    #[tracing::instrument(name = "registry_token", skip_all)]
    pub async fn token_with_identity_token(
        &self,
        identity_token: impl Into<SecretString>,
        scopes: &[Scope],
    ) -> Result<RegistryToken> {
        let identity_token = identity_token.into();
        if identity_token.expose_secret().trim().is_empty() {
            return Err(Error::invalid_input("the identity token is empty"));
        }
        let account = Account::Identity(identity_token);
        self.cached_token(Some(account), scopes.to_vec()).await
    }

    /// Returns a token for `scopes` without credentials, as for pulling public images.
    ///
    /// # Errors
    ///
    /// The same as [`token`](Self::token), where
    /// [`CredentialsRejected`](ErrorKind::CredentialsRejected) means the token service wants
    /// credentials.
    #[tracing::instrument(name = "registry_token", skip_all)]
    pub async fn anonymous_token(&self, scopes: &[Scope]) -> Result<RegistryToken> {
        self.cached_token(None, scopes.to_vec()).await
    }

    /// Returns the pull limit of the account behind `credentials`, with Docker's probe: a
    /// `HEAD` of `ratelimitpreview/test:latest` with a pull token, which is not counted as a
    /// pull.
    ///
    /// A registry that sends no pull-limit headers (an account without a limit, or any
    /// registry but Docker Hub) gives a [`PullLimit`] that is not
    /// [reported](PullLimit::is_reported), never zero.
    ///
    /// # Errors
    ///
    /// The same as [`token`](Self::token); a registry that refuses the token for the probe
    /// (401) is [`CredentialsRejected`](ErrorKind::CredentialsRejected).
    #[tracing::instrument(name = "pull_limit", skip_all)]
    pub async fn pull_limit(&self, credentials: &Credentials) -> Result<PullLimit> {
        let account = Account::from_credentials(credentials)?;
        self.probe(Some(account)).await
    }

    /// Returns the pull limit of anonymous pulls from this address, with the same probe as
    /// [`pull_limit`](Self::pull_limit).
    ///
    /// # Errors
    ///
    /// The same as [`pull_limit`](Self::pull_limit).
    #[tracing::instrument(name = "pull_limit", skip_all)]
    pub async fn anonymous_pull_limit(&self) -> Result<PullLimit> {
        self.probe(None).await
    }

    /// Forgets every cached token and what the registry said about authentication, so that
    /// the next call asks again: call it when the registry refuses a token it issued.
    pub fn invalidate(&self) {
        self.inner.tokens.clear();
        *self
            .inner
            .access
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Returns the registry's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.endpoint.base_url
    }

    async fn cached_token(
        &self,
        account: Option<Account>,
        scopes: Vec<Scope>,
    ) -> Result<RegistryToken> {
        let tokens = &self.inner.tokens;
        let key = tokens.key(account.as_ref().map(Account::fingerprint_parts), &scopes);
        let material = || {
            let (kind, identifier, secret) = match &account {
                None => ("anonymous", String::new(), None),
                Some(Account::Basic { username, secret }) => {
                    ("basic", username.clone(), Some(secret.clone()))
                }
                Some(Account::Identity(token)) => ("identity", String::new(), Some(token.clone())),
            };
            KeyMaterial::new(
                self.base_url(),
                format!("registry token ({kind})"),
                identifier,
                secret,
            )
            .scopes(scopes.iter().map(|scope| scope.as_str().to_owned()))
        };
        let registry = self.clone();
        let (for_fetch, scopes_for_fetch) = (account.clone(), scopes.clone());
        let fetch: FetchToken = Arc::new(move || {
            let (registry, account, scopes) = (
                registry.clone(),
                for_fetch.clone(),
                scopes_for_fetch.clone(),
            );
            Box::pin(async move { registry.fetch_token(account, scopes).await })
        });
        // What a token another process fetched is reported for: the scopes as they would
        // have been sent, as far as is known without asking the registry.
        let reported = if self.inner.docker_hub_host {
            scopes.iter().map(Scope::on_docker_hub).collect()
        } else {
            scopes.clone()
        };
        tokens.get_or_fetch(key, reported, material, fetch).await
    }

    /// Gets a token from the token service the registry names, without the cache.
    async fn fetch_token(
        &self,
        account: Option<Account>,
        scopes: Vec<Scope>,
    ) -> Result<RegistryToken> {
        let Access::Bearer(bearer) = self.access().await? else {
            return Err(Error::new(ErrorKind::UnexpectedResponse)
                .with_status(200)
                .with_detail("the registry asks for no authentication, so it issues no tokens"));
        };
        let realm = challenge::realm_url(&bearer.realm, account.is_some(), self.inner.allow_http)?;
        let docker_hub =
            self.inner.docker_hub_host || bearer.service.as_deref() == Some(DOCKER_HUB_SERVICE);
        // Each scope once, in the order given (`alpine` and `library/alpine` are one on
        // Docker Hub).
        let mut sent: Vec<Scope> = Vec::with_capacity(scopes.len());
        for scope in scopes {
            let scope = if docker_hub {
                scope.on_docker_hub()
            } else {
                scope
            };
            if !sent.contains(&scope) {
                sent.push(scope);
            }
        }
        let scopes = sent;
        let request = wire::TokenRequest {
            realm: &realm,
            service: bearer.service.as_deref(),
            scopes: &scopes,
            credentials: account.as_ref().map(Account::as_token_credentials),
            docker_hub: docker_hub || realm.host_str() == Some(DOCKER_HUB_TOKEN_HOST),
        };
        let endpoint = &self.inner.endpoint;
        retry::run(&self.inner.retry, || wire::fetch_token(endpoint, &request)).await
    }

    /// Returns how the registry wants clients to authenticate, asking it the first time.
    async fn access(&self) -> Result<Access> {
        if let Some(access) = self.lock_access().clone() {
            return Ok(access);
        }
        let endpoint = &self.inner.endpoint;
        let access = match retry::run(&self.inner.retry, || wire::ping(endpoint)).await? {
            Ping::Open => Access::Open,
            Ping::Challenged(headers) => {
                match challenge::bearer(headers.iter().map(String::as_str)) {
                    Some(bearer) => Access::Bearer(Arc::new(bearer)),
                    None => {
                        return Err(Error::new(ErrorKind::UnexpectedResponse)
                            .with_status(401)
                            .with_detail(
                                "the registry answered without a Bearer challenge: it does not \
                                 use token authentication",
                            ));
                    }
                }
            }
        };
        *self.lock_access() = Some(access.clone());
        Ok(access)
    }

    async fn probe(&self, account: Option<Account>) -> Result<PullLimit> {
        let (namespace, repository) = rate_limit::PROBE_REPOSITORY;
        let token = match self.access().await? {
            Access::Open => None,
            Access::Bearer(_) => {
                let scope = Scope::pull(&format!("{namespace}/{repository}"))?;
                Some(self.cached_token(account, vec![scope]).await?)
            }
        };
        let endpoint = &self.inner.endpoint;
        let headers = retry::run(&self.inner.retry, || {
            wire::head_manifest(
                endpoint,
                (namespace, repository),
                rate_limit::PROBE_REFERENCE,
                token.as_ref(),
            )
        })
        .await?;
        Ok(PullLimit::from_headers(&headers))
    }

    fn lock_access(&self) -> std::sync::MutexGuard<'_, Option<Access>> {
        // One assignment at a time: a poisoned lock still holds a whole value.
        self.inner
            .access
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The challenge parser, for the fuzz target `challenge` (compiled only under `cargo fuzz`).
#[cfg(fuzzing)]
pub(crate) mod fuzzing {
    pub(crate) fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
        super::challenge::parse(header)
            .into_iter()
            .map(|challenge| (challenge.scheme, challenge.params))
            .collect()
    }

    pub(crate) fn bearer(header: &str) -> Option<(String, Option<String>)> {
        super::challenge::bearer([header]).map(|bearer| (bearer.realm, bearer.service))
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.inner.settings;
        f.debug_struct("Registry")
            .field("base_url", &self.inner.endpoint.base_url)
            .field("timeout", &settings.timeout)
            .field("connect_timeout", &settings.connect_timeout)
            .field("body_limit", &self.inner.endpoint.body_limit)
            .field("retry", &self.inner.retry)
            .field("cached_tokens", &self.inner.tokens.len())
            .finish_non_exhaustive()
    }
}
