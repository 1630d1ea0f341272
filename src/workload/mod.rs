//! Workload identity (keyless CI): credentials that are no stored secret but an OIDC ID token
//! (from GitHub Actions, given, or from a caller's function), exchanged at Docker's identity
//! service for a short-lived token of an organization.
//!
//! - this file: what a caller configures, [`WorkloadIdentity`] and [`IdTokenSource`];
//! - `checked`: the same, validated before any request, and what its tokens and refusals are
//!   filed under in the token cache; `source`: its ID token source, checked;
//! - `token`: the exchanged token, one more kind the token cache holds;
//! - `exchange`: getting one (an ID token, then the exchange), for a session or a registry.

mod checked;
mod exchange;
mod source;
mod token;

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use secrecy::SecretString;

pub(crate) use checked::Workload;
pub(crate) use exchange::{fetch, refusal_key};
pub(crate) use token::ExchangedToken;

use crate::base_url;

/// Docker's identity service.
pub(crate) const DEFAULT_IDENTITY_URL: &str = "https://identity.docker.com";

/// The lifetime asked for by default, as Docker's actions ask: five minutes.
pub(crate) const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(300);

/// A caller's function that returns an ID token for an audience.
type IdTokenFn = Arc<dyn Fn(&str) -> Option<SecretString> + Send + Sync>;

/// Where an organization's OIDC credentials come from, for
/// [`Credentials::workload_identity`](crate::Credentials::workload_identity): the
/// organization, the ID of one of its OIDC connections, and where the ID token comes from.
///
/// Docker Hub trusts OIDC ID tokens from GitHub Actions (Docker calls these "OIDC
/// connections"; organization accounts only): a workflow whose claims match one of the
/// connection's rulesets trades its ID token for a short-lived token of the organization,
/// with no personal or organization access token stored anywhere. That token is the
/// organization's password at a registry (`docker login -u ORGANIZATION`) and a bearer
/// token for Docker's APIs.
///
/// Setters never fail: [`Credentials::workload_identity`](crate::Credentials::workload_identity)
/// checks everything, before any request.
///
/// ```
/// use std::time::Duration;
/// use dockerhub_auth::{Credentials, IdTokenSource, WorkloadIdentity};
///
/// let identity = WorkloadIdentity::new(
///     "acme",
///     "867f6ef4-4b2c-4d8e-9a43-7f3b2c1d0e5a",
///     IdTokenSource::id_token("eyJ…"), // in a workflow: IdTokenSource::github_actions()
/// )
/// .expires_in(Duration::from_secs(600));
/// let credentials = Credentials::workload_identity(identity)?;
/// assert_eq!(credentials.identifier(), Some("acme"));
/// # Ok::<(), dockerhub_auth::Error>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct WorkloadIdentity {
    organization: String,
    connection_id: String,
    source: IdTokenSource,
    expires_in: Duration,
    identity_url: String,
    allow_http: bool,
}

impl WorkloadIdentity {
    /// Returns the OIDC credentials of `organization` (the name of a Docker organization)
    /// through its OIDC connection `connection_id` (a UUID, shown where the connection was
    /// created: Docker Home, Identity & auth), with ID tokens from `source`.
    pub fn new(
        organization: impl Into<String>,
        connection_id: impl Into<String>,
        source: IdTokenSource,
    ) -> Self {
        WorkloadIdentity {
            organization: organization.into(),
            connection_id: connection_id.into(),
            source,
            expires_in: DEFAULT_EXPIRES_IN,
            identity_url: DEFAULT_IDENTITY_URL.to_owned(),
            allow_http: false,
        }
    }

    /// Sets the lifetime asked for the organization's token (the exchange's `expires_in`),
    /// in whole seconds from 300 to 3600, the range Docker's own actions accept.
    ///
    /// Default: 300 seconds. A session refreshes the token a minute (or a tenth of its
    /// lifetime) before it expires, with a new ID token and a new exchange.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = lifetime;
        self
    }

    /// Sets Docker's identity service: Docker's staging service, or a test server.
    ///
    /// A trailing `/` and a path prefix are fine. `http://` is accepted only for loopback
    /// hosts (`localhost`, 127.0.0.0/8, `::1`), unless
    /// [`danger_allow_http`](Self::danger_allow_http) is set; URLs with a username or
    /// password, a query or a fragment are refused: the rule of
    /// [`HubBuilder::base_url`](crate::HubBuilder::base_url). The ID token's audience is
    /// this URL's origin (`https://identity.docker.com`).
    ///
    /// Default: `https://identity.docker.com`.
    pub fn identity_url(mut self, url: impl Into<String>) -> Self {
        self.identity_url = url.into();
        self
    }

    /// Allows an `http://` identity service (and GitHub runner URL) whose host is not
    /// loopback.
    ///
    /// Default: `false`.
    ///
    /// # Warning
    ///
    /// The ID token, the runner's request token and the organization's token then cross the
    /// network in clear text, readable and replayable by anyone on the path. Use it only for
    /// a test service on a network you control.
    pub fn danger_allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }
}

impl fmt::Debug for WorkloadIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkloadIdentity")
            .field("organization", &self.organization)
            .field("connection_id", &self.connection_id)
            .field("id_token_source", &self.source)
            .field("expires_in", &self.expires_in)
            // Not yet checked, so it may still hold a username and password.
            .field("identity_url", &base_url::redacted(&self.identity_url))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// Where the OIDC ID token of [`WorkloadIdentity`] comes from: GitHub Actions, a token
/// given as it is, or a function of the caller's.
///
/// `Debug` names the kind of source, never a token.
#[derive(Clone)]
pub struct IdTokenSource {
    inner: Source,
}

#[derive(Clone)]
enum Source {
    /// GitHub's runner: the URL and bearer token it gives a job with
    /// `permissions: id-token: write` (either may be missing: refused when checked).
    GithubActions {
        request_url: Option<String>,
        request_token: Option<SecretString>,
    },
    /// An ID token given as it is.
    Given(SecretString),
    /// A function of the caller's, asked for each exchange, and a number that tells this
    /// source from every other function source of the process (clones share it).
    Function(IdTokenFn, u64),
}

impl IdTokenSource {
    /// Returns the ID tokens of the GitHub Actions job this process runs in: the runner
    /// gives a job that has `permissions: id-token: write` the variables
    /// `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, read now.
    ///
    /// Each exchange asks the runner for a new ID token, for the identity service's origin
    /// as audience. Without the variables,
    /// [`Credentials::workload_identity`](crate::Credentials::workload_identity) fails with
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput), saying to add the permission.
    pub fn github_actions() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        IdTokenSource::github_actions_from(
            var("ACTIONS_ID_TOKEN_REQUEST_URL"),
            var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").map(SecretString::from),
        )
    }

    /// Returns the GitHub Actions source of the runner's variables as some environment holds
    /// them (either may be missing: refused when checked, saying what to do).
    pub(crate) fn github_actions_from(
        request_url: Option<String>,
        request_token: Option<SecretString>,
    ) -> Self {
        IdTokenSource {
            inner: Source::GithubActions {
                request_url,
                request_token,
            },
        }
    }

    /// Returns the ID tokens of a GitHub Actions runner at `request_url` (the job's
    /// `ACTIONS_ID_TOKEN_REQUEST_URL`), asked with `request_token` (its
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`), for callers that hold these elsewhere than in
    /// this process's environment.
    pub fn github_actions_request(
        request_url: impl Into<String>,
        request_token: impl Into<SecretString>,
    ) -> Self {
        IdTokenSource {
            inner: Source::GithubActions {
                request_url: Some(request_url.into()),
                request_token: Some(request_token.into()),
            },
        }
    }

    /// Returns a source that gives `id_token` itself, for ID tokens obtained elsewhere (as
    /// `DOCKERHUB_OIDC_ID_TOKEN` gives one to the CLI). Its audience must be the identity
    /// service's origin; once it expires, exchanges are refused.
    pub fn id_token(id_token: impl Into<SecretString>) -> Self {
        IdTokenSource {
            inner: Source::Given(id_token.into()),
        }
    }

    /// Returns a source that calls `function` with the audience (the identity service's
    /// origin) for each exchange, on a thread where it may block; `None` means it has no
    /// ID token to give.
    ///
    /// Nothing identifies what a function returns across processes, so the exchanged tokens
    /// of this source are cached in memory only, never in a
    /// [`DiskCache`](crate::DiskCache).
    pub fn from_fn<F>(function: F) -> Self
    where
        F: Fn(&str) -> Option<SecretString> + Send + Sync + 'static,
    {
        static SOURCES: AtomicU64 = AtomicU64::new(0);
        IdTokenSource {
            inner: Source::Function(Arc::new(function), SOURCES.fetch_add(1, Ordering::Relaxed)),
        }
    }
}

impl fmt::Debug for IdTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Source::GithubActions { request_url, .. } => f
                .debug_struct("IdTokenSource::GithubActions")
                .field("request_url", &request_url.is_some())
                .finish_non_exhaustive(),
            Source::Given(_) => f
                .debug_struct("IdTokenSource::IdToken")
                .finish_non_exhaustive(),
            Source::Function(..) => f
                .debug_struct("IdTokenSource::Function")
                .finish_non_exhaustive(),
        }
    }
}
