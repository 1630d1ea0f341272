//! [`Session`]: a token source that caches, refreshes ahead of expiry, sends one request
//! however many tasks ask at once, and remembers failures so that Docker Hub does not see
//! a rejected secret twice.

mod builder;
mod fetch;

use std::{fmt, sync::Arc};

pub use builder::SessionBuilder;

use crate::{
    cache::TokenSource, credentials::Credentials, error::Result, hub::Hub, runtime, token::Token,
    workload::ExchangedToken,
};

/// A long-lived source of bearer tokens for one account.
///
/// [`token`](Self::token) returns the cached token while it has more than a refresh margin
/// of its life left: the larger of [`refresh_margin`](SessionBuilder::refresh_margin)
/// (default 60 s) and 10% of its lifetime. Then it gets a new one. However many tasks call
/// it while a refresh is needed, exactly one request goes to Docker Hub and every caller
/// gets its result, token or error. The refresh runs on its own task, so a caller that
/// gives up waiting (a dropped future, a `select!`) does not disturb the others.
///
/// Lifetimes are measured from when a token arrives, using `exp − iat` from its claims, so
/// a skewed local clock does not cause early or late refreshes. A token without `exp` is
/// reused for [`reuse_without_expiry`](SessionBuilder::reuse_without_expiry) (default five
/// minutes). A token with less life than the margin is still reused for half of its life.
///
/// With [OIDC credentials](crate::Credentials::workload_identity) the token is the one
/// Docker's identity service issues for the organization: a refresh asks for a new ID token
/// and exchanges it again, by the same rules.
///
/// # Failures are remembered
///
/// Docker Hub locks a username for ten minutes after repeated failed logins, and rate
/// limits its login routes, so a session does not send what it knows will fail:
///
/// | what came back | what the next calls do |
/// | --- | --- |
/// | [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected), [`Forbidden`](crate::ErrorKind::Forbidden) (and [`SecondFactorRejected`](crate::ErrorKind::SecondFactorRejected) for a session with a TOTP secret) | return the same error again, without a request, until [`invalidate`](Self::invalidate) or the [cool-down](SessionBuilder::cool_down) (default 10 minutes, Hub's lockout window) |
/// | [`RateLimited`](crate::ErrorKind::RateLimited) with a known wait | no request before that instant; callers get `RateLimited` with the wait that is left |
/// | a transient failure ([`Timeout`](crate::ErrorKind::Timeout), [`Transport`](crate::ErrorKind::Transport), [`Unavailable`](crate::ErrorKind::Unavailable), an unexpected answer), once the retries are spent | the same error for the [backoff](SessionBuilder::failure_backoff) (default 5 s), then a new try |
/// | any failure of an *early* refresh while the cached token is still valid | callers keep getting the cached token (with a `tracing` warning) until 10 s before its `exp`; the refresh is tried again after the failure's wait, or the backoff |
///
/// A failure handed out again says so: [`Error::is_remembered`](crate::Error::is_remembered)
/// is true, [`Error::remembered_until`](crate::Error::remembered_until) says until when, and
/// its `Display` ends with, for example, "remembered from 42 s ago, not retried before
/// 10:31:07 UTC". Its kind, status and Hub's message are those of the original answer.
/// Invalid input, a missing runtime and a second factor nobody can give are not remembered.
///
/// # Shared across processes
///
/// With a [`DiskCache`](crate::DiskCache) ([`SessionBuilder::disk_cache`]), tokens and
/// remembered failures are shared with every other session and process of the user that
/// uses the same cache directory, and one process at a time refreshes a given token. A
/// call that finds another process refreshing waits for it at most the hub's request
/// timeout, on top of the [retry policy's worst case](crate::RetryPolicy::worst_case).
///
/// Cloning is cheap (one reference count) and clones share the cache. A refresh needs a
/// tokio runtime (a cached token does not); code without one uses
/// `dockerhub_auth::blocking::Session`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start_async().await;
/// # let mock = server.mock_async(|when, then| { when.method("POST").path("/v2/auth/token");
/// #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); }).await;
/// # let hub = dockerhub_auth::Hub::builder().base_url(server.base_url()).build()?;
/// use dockerhub_auth::Credentials;
///
/// let session = hub.session(Credentials::secret("alice", "dckr_pat_example"));
/// let first = session.token().await?;
/// let second = session.token().await?; // from the cache
/// assert_eq!(first.expose_secret(), second.expose_secret());
/// # mock.assert_calls_async(1).await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    hub: Hub,
    credentials: Credentials,
    tokens: Tokens,
}

/// Where a session's tokens come from, by the kind the token cache holds for its
/// credentials.
enum Tokens {
    /// Docker Hub's own tokens: a secret or password logs in.
    Hub(TokenSource<Token>),
    /// Tokens of an OIDC exchange: their lifetime is decided when they arrive.
    Exchanged(TokenSource<ExchangedToken>),
}

/// A hub's sessions are made here, beside the session, so that the hub needs nothing of it.
impl Hub {
    /// Returns a [`Session`] with the default refresh settings: a token source that caches,
    /// refreshes ahead of expiry and sends one request however many tasks ask at once.
    pub fn session(&self, credentials: Credentials) -> Session {
        self.session_builder(credentials).build()
    }

    /// Returns a builder for a [`Session`] with other refresh settings.
    pub fn session_builder(&self, credentials: Credentials) -> SessionBuilder {
        SessionBuilder::new(self.clone(), credentials)
    }
}

impl Session {
    /// Returns a token with more than the refresh margin of life left, from the cache or from
    /// Docker Hub.
    ///
    /// # Errors
    ///
    /// The errors of the operation the credentials use
    /// ([`Hub::create_access_token`] or [`Hub::login`], then
    /// [`Hub::login_second_factor`]), after the hub's retry policy, or the same errors
    /// [remembered](crate::Error::is_remembered) (see [Failures are
    /// remembered](#failures-are-remembered)), and:
    ///
    /// - [`SecondFactorRequired`](crate::ErrorKind::SecondFactorRequired): the account asked for a
    ///   second factor and the session has neither a TOTP secret nor a
    ///   [prompt](SessionBuilder::second_factor_prompt) that gave a code;
    /// - [`Runtime`](crate::ErrorKind::Runtime): a refresh was needed outside a tokio runtime
    ///   ("Session::token needs a tokio runtime…"; a cached token needs none), or the runtime
    ///   shut down before the refresh finished.
    pub async fn token(&self) -> Result<Token> {
        if let Some(ready) = self.ready() {
            return ready;
        }
        runtime::require("Session::token")?;
        match &self.inner.tokens {
            Tokens::Hub(source) => source.token().await,
            Tokens::Exchanged(source) => Ok(source.token().await?.token().clone()),
        }
    }

    /// Returns what [`token`](Self::token) returns without waiting (a cached token, a
    /// remembered failure), or `None` when it would wait for a refresh.
    pub(crate) fn ready(&self) -> Option<Result<Token>> {
        match &self.inner.tokens {
            Tokens::Hub(source) => source.ready(),
            Tokens::Exchanged(source) => source
                .ready()
                .map(|ready| ready.map(|exchanged| exchanged.token().clone())),
        }
    }

    /// Forgets the cached token and any remembered failure, so that the next
    /// [`token`](Self::token) sends a request.
    ///
    /// Call it when Docker Hub rejected the token on another route (401), for example after
    /// a password change, or when a remembered rejection should be tried again now. With a
    /// disk cache, what this session's entry held is ignored from now on (other sessions
    /// and processes keep using it until this one stores a new outcome). A refresh already
    /// in flight still answers its callers, but what it finds is not kept.
    pub fn invalidate(&self) {
        match &self.inner.tokens {
            Tokens::Hub(source) => source.invalidate(),
            Tokens::Exchanged(source) => source.invalidate(),
        }
    }

    /// Returns the hub this session gets its tokens from.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Session");
        debug.field("credentials", &self.inner.credentials);
        match &self.inner.tokens {
            Tokens::Hub(source) => source.describe(&mut debug),
            Tokens::Exchanged(source) => source.describe(&mut debug),
        }
        debug.finish()
    }
}
