//! [`Session`]: the blocking token source, and [`SessionBuilder`].

use std::{fmt, sync::Arc, time::Duration};

use secrecy::SecretString;

use super::{Hub, worker::outside_runtime};
use crate::{cache::DiskCache, error::Result, token::Token};

/// A long-lived source of bearer tokens for one account: [`crate::Session`] for code
/// without an async runtime.
///
/// It keeps every guarantee of [`crate::Session`]: the cached token while it has more than
/// the refresh margin left, one request however many threads ask while a refresh is due
/// (all of them get its result), failures remembered (a rejected secret is not sent again
/// before [`invalidate`](Self::invalidate) or the cool-down), and, with a
/// [`DiskCache`], tokens and failures shared with other processes. A cached token is
/// handed out on the calling thread, without a trip to the runtime thread; a refresh runs
/// on the runtime thread of the [`Hub`] the session came from, which it keeps running.
///
/// Cloning is cheap (one reference count) and clones share the cache.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start();
/// # let mock = server.mock(|when, then| { when.method("POST").path("/v2/auth/token");
/// #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); });
/// # let hub = dockerhub_auth::blocking::Hub::builder().base_url(server.base_url()).build()?;
/// use dockerhub_auth::Credentials;
///
/// let session = hub.session(Credentials::secret("alice", "dckr_pat_example"));
/// let threads: Vec<_> = (0..8)
///     .map(|_| {
///         let session = session.clone();
///         std::thread::spawn(move || session.token())
///     })
///     .collect();
/// for thread in threads {
///     let token = thread.join().expect("no panic")?;
///     # let _ = token;
/// }
/// # mock.assert_calls(1); // eight threads, one request
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    session: crate::Session,
    hub: Hub,
}

impl Session {
    /// Returns a token with more than the refresh margin of life left, from the cache or
    /// from Docker Hub, as [`crate::Session::token`] does.
    ///
    /// # Errors
    ///
    /// Those of [`crate::Session::token`], and [`Runtime`](crate::ErrorKind::Runtime) when
    /// called inside a tokio runtime (nothing is sent, nothing is read from the cache).
    pub fn token(&self) -> Result<Token> {
        outside_runtime("Session::token")?;
        if let Some(ready) = self.inner.session.ready() {
            return ready;
        }
        let session = self.inner.session.clone();
        self.inner
            .hub
            .run("Session::token", async move { session.token().await })
    }

    /// Forgets the cached token and any remembered failure, so that the next
    /// [`token`](Self::token) sends a request; see [`crate::Session::invalidate`].
    pub fn invalidate(&self) {
        self.inner.session.invalidate();
    }

    /// Returns the hub this session gets its tokens from.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Session")
            .field(&self.inner.session)
            .finish()
    }
}

/// Configures a blocking [`Session`]; the settings and defaults of
/// [`crate::SessionBuilder`]. Create one with [`Hub::session_builder`].
#[must_use]
pub struct SessionBuilder {
    inner: crate::SessionBuilder,
    hub: Hub,
}

impl SessionBuilder {
    pub(super) fn new(hub: Hub, inner: crate::SessionBuilder) -> Self {
        SessionBuilder { inner, hub }
    }

    delegate! {
        /// Sets the least life a cached token must have left to be returned; 10% of the
        /// token's lifetime is used instead when that is more.
        ///
        /// Default: 60 seconds.
        refresh_margin(margin: Duration);
        /// Sets how long a token without an `exp` claim is reused.
        ///
        /// Default: 5 minutes.
        reuse_without_expiry(reuse: Duration);
        /// Sets how long a rejection is returned again without a request, unless
        /// [`Session::invalidate`] is called first.
        ///
        /// Default: 10 minutes, the window of Docker Hub's lockout of a username.
        cool_down(cool_down: Duration);
        /// Sets how long a transient failure is returned again without a request.
        ///
        /// Default: 5 seconds.
        failure_backoff(backoff: Duration);
        /// Shares tokens and remembered failures with every other session and process that
        /// uses the same [`DiskCache`], as [`crate::SessionBuilder::disk_cache`] does.
        ///
        /// Default: no disk cache.
        disk_cache(cache: DiskCache);
    }

    /// Sets how the session gets a second-factor code when Docker Hub asks for one, as
    /// [`crate::SessionBuilder::second_factor_prompt`] does: `prompt` runs on a thread of
    /// the runtime's blocking pool, where it may block (reading a terminal, say), while
    /// the thread that called [`Session::token`] waits.
    ///
    /// Default: none.
    pub fn second_factor_prompt<F>(mut self, prompt: F) -> Self
    where
        F: Fn() -> Option<SecretString> + Send + Sync + 'static,
    {
        self.inner = self.inner.second_factor_prompt(prompt);
        self
    }

    /// Builds the session. Nothing is sent (or read from disk) until the first
    /// [`Session::token`].
    pub fn build(self) -> Session {
        Session {
            inner: Arc::new(Inner {
                session: self.inner.build(),
                hub: self.hub,
            }),
        }
    }
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::SessionBuilder")
            .field(&self.inner)
            .finish()
    }
}
