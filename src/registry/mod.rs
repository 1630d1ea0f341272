//! [`Registry`]: tokens for a container registry (Docker Hub's `registry-1.docker.io` by
//! default) and Docker Hub's pull-limit probe.
//!
//! - `challenge`: the `WWW-Authenticate` parser and the realm rule;
//! - `scope`: [`RegistryScope`] and the repository name rules;
//! - `token`: [`RegistryToken`] and its lifetime;
//! - `rate_limit`: [`PullLimit`] and its headers;
//! - `access`: the challenge, the token service and a token request;
//! - `login`: [`RegistryLogin`], what a Docker credential helper hands out;
//! - `builder`: [`RegistryBuilder`].
//!
//! Tokens are cached per (credentials, scope set) by the crate's token machinery
//! ([`crate::cache::Sources`]); a refusal is remembered per secret at the token service.

mod access;
mod builder;
mod challenge;
mod login;
mod rate_limit;
mod scope;
mod token;

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use access::upgrade;
pub use builder::RegistryBuilder;
pub use login::RegistryLogin;
pub use rate_limit::PullLimit;
pub use scope::{RegistryAction, RegistryScope};
pub use token::RegistryToken;

use crate::{
    cache::{Fetch, KeyMaterial, RefusalKey, Sources, TokenSource},
    credentials::{Credentials, Method},
    error::Result,
    retry,
    retry::RetryPolicy,
    runtime,
    wire::{self, Endpoint},
    workload::ExchangedToken,
};

/// The hosts of Docker Hub's registry: on them a one-component name is an official image,
/// and Docker's stored credentials for Docker Hub are the ones sent.
pub(crate) const DOCKER_HUB_HOSTS: [&str; 5] = [
    "registry-1.docker.io",
    "registry.docker.io",
    "index.docker.io",
    "docker.io",
    "registry.hub.docker.com",
];

/// The `service` of Docker Hub's challenge; a registry whose challenge names it follows
/// Docker Hub's name rules wherever it is served from (a mirror, a test double), and its
/// token service is Docker Hub's.
const DOCKER_HUB_SERVICE: &str = "registry.docker.io";

/// The host of Docker Hub's token service.
const DOCKER_HUB_TOKEN_HOST: &str = "auth.docker.io";

/// A client for a container registry that speaks the Distribution token protocol: Docker
/// Hub's registry by default, or any other.
///
/// It asks the registry how it wants clients to authenticate (`GET /v2/`, whose challenge
/// names the token service), gets tokens there for a set of [`RegistryScope`]s with any
/// [`Credentials`] (a secret, a password, an identity token, or
/// [none](Credentials::anonymous)), and probes Docker Hub's pull limit. Tokens are cached
/// per credentials and scope set while they have more than a minute (or 10%) of their life
/// left, and however many tasks ask at once for the same one, one request goes to the token
/// service. A secret the token service refused is not sent again, for any scope set, before
/// the [cool-down](RegistryBuilder::cool_down) or [`invalidate`](Self::invalidate).
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
/// use dockerhub_auth::{Credentials, Registry, RegistryScope};
///
/// let registry = Registry::builder()
///     .base_url(registry_url) // leave out for https://registry-1.docker.io
///     .build()?;
/// let token = registry.token(&Credentials::anonymous(), &[RegistryScope::pull("alpine")?]).await?;
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
    tokens: Sources<RegistryToken>,
    /// The tokens of OIDC exchanges, whose organization:token pair the token service gets.
    exchanges: Sources<ExchangedToken>,
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
    /// password or personal access token, an organization name with an organization access
    /// token ([`Credentials::secret`], [`Credentials::password`]: Basic authentication), an
    /// identity token ([`Credentials::identity_token`]: the OAuth2 form, the only request
    /// that can carry one), or none ([`Credentials::anonymous`], as for public pulls).
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
    /// - [`InvalidInput`](crate::ErrorKind::InvalidInput): empty credentials, or a token service
    ///   on `http://` that is not loopback; nothing was sent to it;
    /// - [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected): the token service refused
    ///   the credentials (401), with its message (for anonymous credentials: it wants some;
    ///   for an identity token: it expired or was revoked);
    /// - [`UnexpectedResponse`](crate::ErrorKind::UnexpectedResponse): the registry does not use
    ///   token authentication (its `GET /v2/` answered 200, or 401 without a Bearer
    ///   challenge), another unexpected status, or, for an identity token, a token service
    ///   without the OAuth2 form;
    /// - [`InvalidResponse`](crate::ErrorKind::InvalidResponse): a challenge whose realm is not a
    ///   URL, or an answer without a token;
    /// - [`RateLimited`](crate::ErrorKind::RateLimited), [`Forbidden`](crate::ErrorKind::Forbidden),
    ///   [`Timeout`](crate::ErrorKind::Timeout), [`Transport`](crate::ErrorKind::Transport),
    ///   [`Unavailable`](crate::ErrorKind::Unavailable), [`Runtime`](crate::ErrorKind::Runtime).
    #[tracing::instrument(name = "registry_token", skip_all)]
    pub async fn token(
        &self,
        credentials: &Credentials,
        scopes: &[RegistryScope],
    ) -> Result<RegistryToken> {
        self.cached_token("Registry::token", credentials, scopes.to_vec())
            .await
    }

    /// Returns the pull limit of the account behind `credentials` (or, with
    /// [`Credentials::anonymous`], of anonymous pulls from this address), with Docker's
    /// probe: a `HEAD` of `ratelimitpreview/test:latest` with a pull token, which is not
    /// counted as a pull.
    ///
    /// A registry that sends no pull-limit headers (an account without a limit, or any
    /// registry but Docker Hub) gives a [`PullLimit`] that is not
    /// [reported](PullLimit::is_reported), never zero.
    ///
    /// # Errors
    ///
    /// The same as [`token`](Self::token); a registry that refuses the token for the probe
    /// (401) is [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected).
    #[tracing::instrument(name = "pull_limit", skip_all)]
    pub async fn pull_limit(&self, credentials: &Credentials) -> Result<PullLimit> {
        credentials.account()?;
        runtime::require("Registry::pull_limit")?;
        self.probe(credentials).await
    }

    /// Forgets every cached token and what the registry said about authentication, so that
    /// the next call asks again: call it when the registry refuses a token it issued.
    pub fn invalidate(&self) {
        self.inner.tokens.invalidate();
        self.inner.exchanges.invalidate();
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

    /// Returns what [`token`](Self::token) returns without waiting (a cached token, a
    /// remembered failure, invalid input), or `None` when it would wait for a request.
    #[cfg(feature = "blocking")]
    pub(crate) fn ready_token(
        &self,
        credentials: &Credentials,
        scopes: &[RegistryScope],
    ) -> Option<Result<RegistryToken>> {
        match self.source(credentials, scopes.to_vec()) {
            Ok(source) => source.ready(),
            Err(error) => Some(Err(error)),
        }
    }

    /// Returns a token for `scopes` from the cache, or else from the token service; `call`
    /// names the public call in a [`Runtime`](crate::ErrorKind::Runtime) error.
    async fn cached_token(
        &self,
        call: &str,
        credentials: &Credentials,
        scopes: Vec<RegistryScope>,
    ) -> Result<RegistryToken> {
        let source = self.source(credentials, scopes)?;
        if let Some(ready) = source.ready() {
            return ready;
        }
        runtime::require(call)?;
        source.token().await
    }

    /// Returns the token source of these credentials and scopes, made on first use.
    fn source(
        &self,
        credentials: &Credentials,
        scopes: Vec<RegistryScope>,
    ) -> Result<TokenSource<RegistryToken>> {
        // Empty credentials are refused before anything is sent.
        credentials.account()?;
        let (kind, identifier, secret, on_disk) = match credentials.method() {
            Method::Anonymous => ("anonymous", "", None, true),
            Method::Secret { identifier, secret } => {
                ("basic", identifier.as_str(), Some(secret.clone()), true)
            }
            Method::Password {
                username, password, ..
            } => ("basic", username.as_str(), Some(password.clone()), true),
            Method::IdentityToken { token, .. } => ("identity", "", Some(token.clone()), true),
            // Filed under everything that makes its exchanged tokens different.
            Method::WorkloadIdentity(identity) => (
                "oidc",
                identity.organization(),
                Some(identity.fingerprint()),
                identity.on_disk(),
            ),
        };
        let grant = KeyMaterial::new(
            self.base_url(),
            format!("registry token ({kind})"),
            identifier,
            secret.clone(),
        )
        .scopes(scopes.iter().map(|scope| scope.as_str().to_owned()));
        let source = self.inner.tokens.source(grant, on_disk, || {
            let registry = Arc::downgrade(&self.inner);
            let refused = (identifier.to_owned(), secret);
            let refusal: RefusalKey = Arc::new(move || {
                let (registry, (identifier, secret)) = (registry.clone(), refused.clone());
                Box::pin(async move {
                    let service = upgrade(&registry)?.token_service().await?;
                    Ok(KeyMaterial::refusal(service, identifier, secret))
                })
            });
            let (registry, credentials) = (Arc::downgrade(&self.inner), credentials.clone());
            let fetch: Fetch<RegistryToken> = Arc::new(move || {
                let (registry, credentials, scopes) =
                    (registry.clone(), credentials.clone(), scopes.clone());
                Box::pin(async move { upgrade(&registry)?.fetch_token(&credentials, scopes).await })
            });
            (refusal, fetch)
        });
        Ok(source)
    }

    async fn probe(&self, credentials: &Credentials) -> Result<PullLimit> {
        let (namespace, repository) = rate_limit::PROBE_REPOSITORY;
        let token = match self.inner.access().await? {
            Access::Open => None,
            Access::Bearer(_) => {
                let scope = RegistryScope::pull(&format!("{namespace}/{repository}"))?;
                let token = self.cached_token("Registry::pull_limit", credentials, vec![scope]);
                Some(token.await?)
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
        .await
        .map_err(|error| error.with_peer(self.inner.peer()))?;
        Ok(PullLimit::from_headers(&headers))
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
            .field("oidc_exchanges", &self.inner.exchanges.len())
            .finish_non_exhaustive()
    }
}
