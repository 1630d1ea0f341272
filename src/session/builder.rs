//! [`SessionBuilder`]: how a [`Session`] reuses tokens, remembers failures, and shares
//! them on disk.

use std::{fmt, sync::Arc, time::Duration};

use secrecy::SecretString;

use super::{
    Inner, Session, Tokens,
    fetch::{self, Prompt},
};
use crate::{
    cache::DiskCache,
    cache::{Refusals, Settings, SourceConfig, TokenSource},
    credentials::{Credentials, Method},
    hub::Hub,
    workload,
};

/// Configures a [`Session`]. Create one with [`Hub::session_builder`].
#[must_use]
pub struct SessionBuilder {
    hub: Hub,
    credentials: Credentials,
    refresh_margin: Duration,
    reuse_without_expiry: Duration,
    cool_down: Duration,
    failure_backoff: Duration,
    disk_cache: Option<DiskCache>,
    prompt: Option<Prompt>,
}

impl SessionBuilder {
    pub(crate) fn new(hub: Hub, credentials: Credentials) -> Self {
        SessionBuilder {
            hub,
            credentials,
            refresh_margin: Duration::from_secs(60),
            reuse_without_expiry: Duration::from_secs(5 * 60),
            cool_down: Duration::from_secs(10 * 60),
            failure_backoff: Duration::from_secs(5),
            disk_cache: None,
            prompt: None,
        }
    }

    /// Sets the least life a cached token must have left to be returned; 10% of the
    /// token's lifetime is used instead when that is more.
    ///
    /// Default: 60 seconds.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Sets how long a token without an `exp` claim (an opaque token) is reused. Zero gets
    /// a new token on every call. A disk cache keeps such a token for 5 minutes at most.
    ///
    /// Default: 5 minutes.
    pub fn reuse_without_expiry(mut self, reuse: Duration) -> Self {
        self.reuse_without_expiry = reuse;
        self
    }

    /// Sets how long a rejection ([`CredentialsRejected`](crate::ErrorKind::CredentialsRejected),
    /// [`Forbidden`](crate::ErrorKind::Forbidden)) is returned again without a request,
    /// unless [`Session::invalidate`] is called first. Zero sends the next request at once.
    /// Nothing is remembered for more than an hour: a longer cool-down counts as one hour
    /// (and so does a rate limit's wait, however long the server asked for).
    ///
    /// Default: 10 minutes, the window of Docker Hub's lockout of a username after repeated
    /// failed logins.
    pub fn cool_down(mut self, cool_down: Duration) -> Self {
        self.cool_down = cool_down;
        self
    }

    /// Sets how long a transient failure (timeout, connection failure, 5xx, a rate limit
    /// without a known wait) is returned again without a request, and how long a session
    /// whose early refresh failed waits before it tries again.
    ///
    /// Default: 5 seconds.
    pub fn failure_backoff(mut self, backoff: Duration) -> Self {
        self.failure_backoff = backoff;
        self
    }

    /// Shares tokens and remembered failures with every other session and process that
    /// uses the same [`DiskCache`], so that one request per token lifetime reaches Docker
    /// Hub however many processes ask, and a rejected secret is sent once.
    ///
    /// Default: no disk cache; tokens and failures are shared by the clones of the session
    /// only.
    pub fn disk_cache(mut self, cache: DiskCache) -> Self {
        self.disk_cache = Some(cache);
        self
    }

    /// Sets how the session gets a second-factor code (a TOTP code or a recovery code)
    /// when Docker Hub asks for one on the login route: `prompt` is called, on a thread
    /// where it may block (reading a terminal, say), and returns the code, or `None` when
    /// nobody can give one (the session then fails with
    /// [`SecondFactorRequired`](crate::ErrorKind::SecondFactorRequired)).
    ///
    /// A code a person types may be mistyped, so a rejected code is not remembered (unlike
    /// codes from [`Credentials::password_with_totp`](crate::Credentials)'s secret, which
    /// takes precedence over the prompt).
    ///
    /// Default: none.
    pub fn second_factor_prompt<F>(mut self, prompt: F) -> Self
    where
        F: Fn() -> Option<SecretString> + Send + Sync + 'static,
    {
        self.prompt = Some(Arc::new(prompt));
        self
    }

    /// Builds the session. Nothing is sent (or read from disk) until the first
    /// [`Session::token`].
    pub fn build(self) -> Session {
        let settings = Settings {
            refresh_margin: self.refresh_margin,
            reuse_without_expiry: self.reuse_without_expiry,
            cool_down: self.cool_down,
            backoff: self.failure_backoff,
            remember_second_factor_rejection: fetch::has_totp(&self.credentials),
            lock_wait: self.hub.request_timeout(),
            ends_by: self.hub.retry_policy().ends_by(),
        };
        let tokens = match self.credentials.method() {
            Method::WorkloadIdentity(identity) => {
                // The exchange goes to the identity service with the hub's transport settings.
                let endpoint = self
                    .hub
                    .endpoint()
                    .sibling(identity.identity_url(), identity.allows_http())
                    .map(Arc::new);
                Tokens::Exchanged(TokenSource::new(SourceConfig {
                    settings,
                    fetch: workload::fetch(
                        identity.clone(),
                        endpoint,
                        self.hub.retry_policy().clone(),
                    ),
                    grant: identity.grant(),
                    refusal: workload::refusal_key(identity),
                    refusals: Refusals::new(),
                    disk: self.disk_cache.filter(|_| identity.on_disk()),
                }))
            }
            _ => {
                let (grant, refusal) = fetch::key_material(&self.hub, &self.credentials);
                Tokens::Hub(TokenSource::new(SourceConfig {
                    settings,
                    fetch: fetch::fetch(self.hub.clone(), self.credentials.clone(), self.prompt),
                    grant,
                    refusal,
                    refusals: Refusals::new(),
                    disk: self.disk_cache,
                }))
            }
        };
        Session {
            inner: Arc::new(Inner {
                tokens,
                hub: self.hub,
                credentials: self.credentials,
            }),
        }
    }
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("hub", &self.hub)
            .field("credentials", &self.credentials)
            .field("refresh_margin", &self.refresh_margin)
            .field("reuse_without_expiry", &self.reuse_without_expiry)
            .field("cool_down", &self.cool_down)
            .field("failure_backoff", &self.failure_backoff)
            .field("disk_cache", &self.disk_cache)
            .field("second_factor_prompt", &self.prompt.is_some())
            .finish()
    }
}
