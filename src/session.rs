//! [`Session`]: a token source that caches, refreshes ahead of expiry, and sends one request
//! however many tasks ask at once.

use std::{
    fmt,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, SystemTime},
};

use tokio::{sync::watch, time::Instant};
use tracing::Instrument as _;

use crate::{Credentials, Error, ErrorKind, Hub, Login, Result, Token, credentials::Method};

/// Tokens are never reused longer than this, whatever their `exp` says.
const MAX_REUSE: Duration = Duration::from_secs(24 * 60 * 60);

/// A long-lived source of bearer tokens for one account.
///
/// [`token`](Self::token) returns the cached token while it has more than a refresh margin
/// of its life left: the larger of [`refresh_margin`](SessionBuilder::refresh_margin)
/// (default 60 s) and 10% of its lifetime. Then it gets a new one. However many tasks call
/// it while a refresh is needed, exactly one request goes to Docker Hub and every caller
/// gets its result, token or error. A failed refresh is not remembered: the next call tries
/// again. The refresh runs on its own task, so a caller that gives up waiting (a dropped
/// future, a `select!`) does not disturb the others.
///
/// Lifetimes are measured from when a token arrives, using `exp − iat` from its claims, so
/// a skewed local clock does not cause early or late refreshes. A token without `exp` is
/// reused for [`reuse_without_expiry`](SessionBuilder::reuse_without_expiry) (default five
/// minutes). A token with less life than the margin is still reused for half of what it
/// has left.
///
/// Cloning is cheap (one reference count) and clones share the cache. A session needs a
/// tokio runtime.
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
/// let session = hub.session(Credentials::access_token("alice", "dckr_pat_example"));
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
    refresh_margin: Duration,
    reuse_without_expiry: Duration,
    state: Mutex<State>,
}

/// What the session knows between calls. Locked only for a few instructions, never across an
/// `await`.
#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The refresh in flight: every caller waits on a clone of this receiver.
    refresh: Option<watch::Receiver<Option<Result<Token>>>>,
}

struct Cached {
    token: Token,
    refresh_at: Instant,
}

impl Session {
    /// Returns a token with more than the refresh margin of life left, from the cache or from
    /// Docker Hub.
    ///
    /// # Errors
    ///
    /// The errors of the operation the credentials use
    /// ([`Hub::create_access_token`] or [`Hub::login`]), after the hub's retry policy, and:
    ///
    /// - [`SecondFactorRequired`](ErrorKind::SecondFactorRequired): the account asked for a
    ///   second factor and the credentials have no TOTP secret;
    /// - [`Runtime`](ErrorKind::Runtime): called outside a tokio runtime, or the runtime
    ///   shut down before the refresh finished.
    pub async fn token(&self) -> Result<Token> {
        let mut receiver = {
            let mut state = self.inner.lock();
            if let Some(cached) = &state.cached
                && Instant::now() < cached.refresh_at
            {
                return Ok(cached.token.clone());
            }
            match &state.refresh {
                Some(receiver) => receiver.clone(),
                None => {
                    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                        Error::new(ErrorKind::Runtime)
                            .with_detail("a session needs a tokio runtime and none is running")
                    })?;
                    let (sender, receiver) = watch::channel(None);
                    state.refresh = Some(receiver.clone());
                    // The refresh's span is a child of the caller's, though it runs on a
                    // task of its own.
                    runtime.spawn(refresh(self.inner.clone(), sender).in_current_span());
                    receiver
                }
            }
        };
        let outcome = receiver.wait_for(Option::is_some).await;
        match outcome.as_deref() {
            Ok(Some(result)) => result.clone(),
            // The refresh task ended without a result: its runtime shut down.
            _ => Err(Error::new(ErrorKind::Runtime)
                .with_detail("the runtime shut down before the token refresh finished")),
        }
    }

    /// Forgets the cached token, so that the next [`token`](Self::token) gets a new one.
    ///
    /// Call it when Docker Hub rejected the token on another route (401), for example
    /// after a password change. A refresh already in flight is not affected.
    pub fn invalidate(&self) {
        self.inner.lock().cached = None;
    }

    /// Returns the hub this session gets its tokens from.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.lock();
        f.debug_struct("Session")
            .field("credentials", &self.inner.credentials)
            .field("refresh_margin", &self.inner.refresh_margin)
            .field("reuse_without_expiry", &self.inner.reuse_without_expiry)
            .field("cached", &state.cached.as_ref().map(|cached| &cached.token))
            .field("refreshing", &state.refresh.is_some())
            .finish()
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held cannot leave `State` half-written: every critical
        // section is a single assignment. So a poisoned lock is still a usable one.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns when a token that arrived `now` should be replaced.
    fn refresh_at(&self, token: &Token, now: Instant) -> Instant {
        let claims = token.claims();
        let exp = claims.and_then(|claims| claims.expires_at());
        let life = match (exp, claims.and_then(|claims| claims.issued_at())) {
            (Some(exp), Some(iat)) => Some(exp.duration_since(iat).unwrap_or_default()),
            (Some(exp), None) => Some(exp.duration_since(SystemTime::now()).unwrap_or_default()),
            (None, _) => None,
        };
        let reuse = match life {
            None => self.reuse_without_expiry,
            Some(life) => {
                let margin = self.refresh_margin.max(life / 10);
                life.checked_sub(margin).unwrap_or(life / 2)
            }
        };
        now + reuse.min(MAX_REUSE)
    }
}

/// Gets a token for the session and hands it to every waiting caller.
async fn refresh(inner: Arc<Inner>, sender: watch::Sender<Option<Result<Token>>>) {
    // If this task is dropped before it finishes (its runtime shut down), the next caller
    // must start a new refresh instead of waiting on this one forever.
    struct ClearOnDrop<'a> {
        inner: &'a Inner,
        armed: bool,
    }
    impl Drop for ClearOnDrop<'_> {
        fn drop(&mut self) {
            if self.armed {
                self.inner.lock().refresh = None;
            }
        }
    }
    let mut guard = ClearOnDrop {
        inner: &inner,
        armed: true,
    };

    let result = fetch(&inner).await;
    {
        let mut state = inner.lock();
        if let Ok(token) = &result {
            state.cached = Some(Cached {
                token: token.clone(),
                refresh_at: inner.refresh_at(token, Instant::now()),
            });
        }
        state.refresh = None;
    }
    // From here on another caller may already have started the next refresh.
    guard.armed = false;
    // After the state is updated, so that a caller arriving now finds the new token.
    sender.send_replace(Some(result));
}

#[tracing::instrument(name = "session_refresh", skip_all)]
async fn fetch(inner: &Inner) -> Result<Token> {
    let hub = &inner.hub;
    match inner.credentials.method() {
        Method::AccessToken { identifier, secret } => {
            hub.exchange_access_token(identifier, secret).await
        }
        Method::Password {
            username,
            password,
            #[cfg(feature = "totp")]
            totp,
        } => match hub.login_with(username, password).await? {
            Login::Authenticated(token) => Ok(token),
            Login::SecondFactorRequired(challenge) => {
                #[cfg(feature = "totp")]
                if let Some(totp) = totp {
                    let code = totp.code_at(SystemTime::now());
                    return hub.complete_second_factor(&challenge, &code).await;
                }
                let _ = challenge;
                Err(Error::new(ErrorKind::SecondFactorRequired).with_detail(
                    "the account has two-factor authentication; give the session its TOTP \
                     secret or use a personal access token",
                ))
            }
        },
    }
}

/// Configures a [`Session`]. Create one with [`Hub::session_builder`].
#[must_use]
pub struct SessionBuilder {
    hub: Hub,
    credentials: Credentials,
    refresh_margin: Duration,
    reuse_without_expiry: Duration,
}

impl SessionBuilder {
    pub(crate) fn new(hub: Hub, credentials: Credentials) -> Self {
        SessionBuilder {
            hub,
            credentials,
            refresh_margin: Duration::from_secs(60),
            reuse_without_expiry: Duration::from_secs(5 * 60),
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
    /// a new token on every call.
    ///
    /// Default: 5 minutes.
    pub fn reuse_without_expiry(mut self, reuse: Duration) -> Self {
        self.reuse_without_expiry = reuse;
        self
    }

    /// Builds the session. Nothing is sent until the first [`Session::token`].
    pub fn build(self) -> Session {
        Session {
            inner: Arc::new(Inner {
                hub: self.hub,
                credentials: self.credentials,
                refresh_margin: self.refresh_margin,
                reuse_without_expiry: self.reuse_without_expiry,
                state: Mutex::new(State::default()),
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
            .finish()
    }
}
