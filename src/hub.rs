//! [`Hub`], the client, and [`HubBuilder`], its configuration.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};

use crate::{
    base_url,
    error::{Error, Result},
    generated, login,
    login::{Login, SecondFactorChallenge},
    retry,
    retry::RetryPolicy,
    runtime,
    token::Token,
    wire::{self, Endpoint, EndpointSettings},
};

/// Docker Hub's address.
const DEFAULT_BASE_URL: &str = "https://hub.docker.com";

/// A client for Docker Hub's authentication API.
///
/// Build one with [`Hub::builder`] and share it: it holds one connection pool, and cloning
/// it is cheap (one reference count), so there is no need to wrap it in an `Arc`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
/// #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); }).await;
/// let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
/// let token = hub.create_access_token("alice", "dckr_pat_example").await?;
/// assert!(token.claims().is_none()); // an opaque token is still a token
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    /// Built by the first call of [`Hub::generated`].
    generated: OnceLock<generated::Client>,
    config: Config,
}

impl Hub {
    /// Returns a builder with the defaults: `https://hub.docker.com`, a 10 s connect timeout,
    /// a 30 s timeout for the whole request, and a 1 MiB cap on response bodies.
    pub fn builder() -> HubBuilder {
        HubBuilder {
            config: Config::default(),
        }
    }

    /// Exchanges a password, personal access token (`dckr_pat_…`) or organization access
    /// token (`dckr_oat_…`) for a short-lived bearer token, with `POST /v2/auth/token`.
    ///
    /// `identifier` is the username, or the organization name for an organization access
    /// token. This is the route Docker recommends; its tokens live about ten minutes, so a
    /// long-running program should hold a [`Session`](crate::Session) instead.
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](crate::ErrorKind::InvalidInput): an empty identifier or secret,
    ///   refused before any request;
    /// - [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected),
    ///   [`Forbidden`](crate::ErrorKind::Forbidden),
    ///   [`RateLimited`](crate::ErrorKind::RateLimited): Hub's answers, with its message;
    /// - [`Timeout`](crate::ErrorKind::Timeout), [`Transport`](crate::ErrorKind::Transport),
    ///   [`Unavailable`](crate::ErrorKind::Unavailable),
    ///   [`UnexpectedResponse`](crate::ErrorKind::UnexpectedResponse),
    ///   [`InvalidResponse`](crate::ErrorKind::InvalidResponse).
    ///
    /// Failures the hub's [`RetryPolicy`] retries are returned only once its attempts are
    /// spent, or at once when Hub asks for a wait longer than its cap.
    pub async fn create_access_token(
        &self,
        identifier: &str,
        secret: impl Into<SecretString>,
    ) -> Result<Token> {
        runtime::require("Hub::create_access_token")?;
        self.exchange_access_token(identifier, &secret.into()).await
    }

    /// Logs in with a username and a password or personal access token, with the older
    /// `POST /v2/users/login` route, the only one that supports two-factor accounts.
    ///
    /// An account with two-factor authentication gets
    /// [`Login::SecondFactorRequired`]: pass its challenge and a code to
    /// [`login_second_factor`](Self::login_second_factor).
    ///
    /// # Errors
    ///
    /// The same as [`create_access_token`](Self::create_access_token), and
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) before any request for an
    /// organization access token (`dckr_oat_…`): Docker Hub refuses them on this route
    /// ("Cannot log into an organization account"), and each refusal counts toward the
    /// lockout of the name.
    pub async fn login(&self, username: &str, password: impl Into<SecretString>) -> Result<Login> {
        runtime::require("Hub::login")?;
        self.login_with(username, &password.into()).await
    }

    /// Completes a two-factor login with a TOTP code or a recovery code, with
    /// `POST /v2/users/2fa-login`.
    ///
    /// Spaces and dashes in the code are ignored (`"123 456"` is `"123456"`). After a wrong
    /// code the challenge can be used again with another code.
    ///
    /// # Errors
    ///
    /// - [`InvalidInput`](crate::ErrorKind::InvalidInput): an empty code, refused before any
    ///   request;
    /// - [`SecondFactorRejected`](crate::ErrorKind::SecondFactorRejected): a wrong code, or
    ///   an expired challenge;
    /// - the transport and response kinds of
    ///   [`create_access_token`](Self::create_access_token).
    pub async fn login_second_factor(
        &self,
        challenge: &SecondFactorChallenge,
        code: impl Into<SecretString>,
    ) -> Result<Token> {
        runtime::require("Hub::login_second_factor")?;
        let code = login::normalize_code(&code.into())?;
        self.complete_second_factor(challenge, &code).await
    }

    /// [`create_access_token`](Self::create_access_token) on a secret already held.
    #[tracing::instrument(name = "create_access_token", skip_all)]
    pub(crate) async fn exchange_access_token(
        &self,
        identifier: &str,
        secret: &SecretString,
    ) -> Result<Token> {
        require("the identifier", identifier)?;
        require_secret("the secret", secret)?;
        let endpoint = &self.inner.endpoint;
        retry::run(&self.inner.config.retry, || {
            wire::create_access_token(endpoint, identifier, secret)
        })
        .await
    }

    /// [`login`](Self::login) with a password already held.
    #[tracing::instrument(name = "login", skip_all)]
    pub(crate) async fn login_with(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<Login> {
        require("the username", username)?;
        require_secret("the password", password)?;
        if password.expose_secret().starts_with(OAT_PREFIX) {
            // Sending it would only add a failed login to the count toward Hub's lockout.
            return Err(Error::invalid_input(
                "an organization access token cannot log in with /v2/users/login (docker hub \
                 answers \"Cannot log into an organization account\"); exchange it with \
                 create_access_token (POST /v2/auth/token), the organization's name as identifier",
            ));
        }
        let endpoint = &self.inner.endpoint;
        retry::run(&self.inner.config.retry, || {
            wire::login(endpoint, username, password)
        })
        .await
    }

    /// [`login_second_factor`](Self::login_second_factor) with a normalized code.
    #[tracing::instrument(name = "login_second_factor", skip_all)]
    pub(crate) async fn complete_second_factor(
        &self,
        challenge: &SecondFactorChallenge,
        code: &str,
    ) -> Result<Token> {
        let endpoint = &self.inner.endpoint;
        retry::run(&self.inner.config.retry, || {
            wire::login_second_factor(endpoint, challenge, code)
        })
        .await
    }

    /// Returns the client generated from this crate's OpenAPI document, for anything the
    /// facade does not cover.
    ///
    /// It shares this hub's connection pool, timeouts, redirect policy and body cap, but
    /// none of the facade's checks or error classification.
    ///
    /// The hub builds its HTTP client on first use (a token served from a cache needs
    /// none), so the first call of this method builds it if no request has yet: for an
    /// `https://` base URL that loads the system's root certificates. This method has no
    /// error to return, so when the TLS backend cannot be set up (no root certificates can
    /// be loaded, for example) the client returned has no root certificates: each
    /// `https://` request then fails at its handshake, with a
    /// [`progenitor_client::Error::CommunicationError`], where the facade's operations
    /// return [`ErrorKind::Transport`](crate::ErrorKind::Transport) with the cause.
    ///
    /// # Panics
    ///
    /// Only when no HTTP client can be built at all, not even one without root
    /// certificates: a TLS library that cannot initialize (the case in which
    /// `reqwest::Client::new` panics too). The default `rustls` backend has no such
    /// failure.
    pub fn generated(&self) -> &generated::Client {
        self.inner
            .generated
            .get_or_init(|| self.inner.endpoint.standalone_client())
    }

    /// Returns the base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.endpoint.base_url
    }

    /// Where and how requests go, for the operations outside this file.
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The policy every operation retries under.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.config.retry
    }

    /// Returns the time allowed for one request: what a session waits at most for another
    /// process's refresh of the same token.
    pub(crate) fn request_timeout(&self) -> std::time::Duration {
        self.inner.config.timeout
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("Hub")
            .field("base_url", &self.inner.endpoint.base_url)
            .field("timeout", &config.timeout)
            .field("connect_timeout", &config.connect_timeout)
            .field("body_limit", &config.body_limit)
            .field("retry", &config.retry)
            .finish_non_exhaustive()
    }
}

/// How organization access tokens begin; they work only on `/v2/auth/token`.
const OAT_PREFIX: &str = "dckr_oat_";

/// Refuses an empty (or all-blank) name before any I/O.
fn require(what: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(format!("{what} is empty")));
    }
    Ok(())
}

/// Refuses an empty secret before any I/O. Blanks are kept: they may be part of a password.
fn require_secret(what: &'static str, secret: &SecretString) -> Result<()> {
    if secret.expose_secret().is_empty() {
        return Err(Error::invalid_input(format!("{what} is empty")));
    }
    Ok(())
}

/// Configures a [`Hub`]. Create one with [`Hub::builder`].
///
/// Setters never fail: the first invalid setting is reported by [`build`](Self::build).
#[must_use]
pub struct HubBuilder {
    config: Config,
}

/// Every setting of a hub, with all defaults in one place.
#[derive(Clone)]
struct Config {
    base_url: String,
    user_agent: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    body_limit: usize,
    allow_http: bool,
    retry: RetryPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: DEFAULT_BASE_URL.to_owned(),
            user_agent: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            body_limit: wire::DEFAULT_BODY_LIMIT,
            allow_http: false,
            retry: RetryPolicy::default(),
        }
    }
}

impl HubBuilder {
    /// Sets where requests go: a mirror, a proxy, or a mock server in tests.
    ///
    /// A trailing `/` and a path prefix are fine (`https://proxy.example/hub/`). `http://`
    /// is accepted only for loopback hosts (`localhost`, 127.0.0.0/8, `::1`), unless
    /// [`danger_allow_http`](Self::danger_allow_http) is set. URLs with a username or
    /// password, a query or a fragment are refused.
    ///
    /// Default: `https://hub.docker.com`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config.base_url = base_url.into();
        self
    }

    /// Sets where requests go from `DOCKERHUB_URL`, when it is set and not empty, as the
    /// `dockerhub-auth` command line does (its `--base-url` wins over the variable: set
    /// [`base_url`](Self::base_url) after this one). The variable is read now; an invalid
    /// value is reported by [`build`](Self::build), like any base URL.
    ///
    /// Default: the variable is not read.
    pub fn base_url_from_env(self) -> Self {
        match std::env::var_os("DOCKERHUB_URL").filter(|url| !url.is_empty()) {
            Some(url) => self.base_url(url.to_string_lossy()),
            None => self,
        }
    }

    /// Appends the caller's own product to the `User-Agent` header, for example
    /// `my-tool/1.2`, giving `dockerhub-auth/<version> my-tool/1.2`.
    ///
    /// Default: `dockerhub-auth/<version>` alone. [`build`](Self::build) rejects characters
    /// a header cannot carry.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.config.user_agent = Some(product.into());
        self
    }

    /// Sets the time allowed for a whole request: connecting, sending, and reading the
    /// complete response.
    ///
    /// Default: 30 seconds. [`build`](Self::build) rejects zero.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Sets the time allowed to establish a connection, TLS included.
    ///
    /// Default: 10 seconds. [`build`](Self::build) rejects zero.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Sets the most bytes of a response body the client reads. A longer body is an error
    /// after at most this many bytes, so a hostile server cannot make the client allocate
    /// more.
    ///
    /// Default: 1 MiB (Docker Hub's tokens are under 4 KiB). [`build`](Self::build) rejects
    /// zero.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// Sets which failures are retried, how often, and how long to wait in between.
    ///
    /// Default: [`RetryPolicy::default`], three attempts with waits of at most 60 s. Use
    /// [`RetryPolicy::never`] to send every request once.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Allows an `http://` base URL for a host that is not loopback.
    ///
    /// Default: `false`.
    ///
    /// # Warning
    ///
    /// Passwords, access tokens and the bearer tokens Hub returns then cross the network in
    /// clear text, readable and replayable by anyone on the path. Use it only for a test
    /// server on a network you control.
    pub fn danger_allow_http(mut self, allow: bool) -> Self {
        self.config.allow_http = allow;
        self
    }

    /// Builds the hub. Nothing is sent, and its HTTP client is built by the first request
    /// (so a token served from a cache costs no TLS set-up).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid setting
    /// (see each setter). A TLS backend that cannot be initialized is reported by the first
    /// request, as [`ErrorKind::Transport`](crate::ErrorKind::Transport).
    pub fn build(self) -> Result<Hub> {
        let config = self.config;
        let endpoint = Endpoint::build(EndpointSettings {
            base_url: &config.base_url,
            user_agent: config.user_agent.as_deref(),
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
            body_limit: config.body_limit,
            allow_http: config.allow_http,
            // Every request goes to the base URL.
            other_hosts: false,
        })?;
        Ok(Hub {
            inner: Arc::new(Inner {
                generated: OnceLock::new(),
                endpoint,
                config,
            }),
        })
    }
}

impl fmt::Debug for HubBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.config;
        f.debug_struct("HubBuilder")
            // Not yet checked, so it may still hold a username and password.
            .field("base_url", &base_url::redacted(&config.base_url))
            .field("user_agent", &config.user_agent)
            .field("timeout", &config.timeout)
            .field("connect_timeout", &config.connect_timeout)
            .field("body_limit", &config.body_limit)
            .field("allow_http", &config.allow_http)
            .field("retry", &config.retry)
            .finish()
    }
}
