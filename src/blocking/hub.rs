//! [`Hub`]: the blocking client of Docker Hub's authentication API, and [`HubBuilder`].

use std::{fmt, sync::Arc, time::Duration};

use secrecy::SecretString;

use super::{Session, SessionBuilder, worker::Worker};
use crate::{
    credentials::Credentials,
    error::Result,
    login::{Login, SecondFactorChallenge},
    retry::RetryPolicy,
    token::Token,
};

/// A blocking client for Docker Hub's authentication API: [`crate::Hub`] for code without
/// an async runtime.
///
/// Its methods have the names, arguments, errors and guarantees of [`crate::Hub`]'s and
/// return the same types; each blocks the calling thread until the answer is there. The
/// requests run on the hub's runtime thread, which its clones and its
/// [sessions](Self::session) share and which stops when the last of them is dropped.
/// Cloning is cheap (one reference count).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start();
/// # let mock = server.mock(|when, then| { when.method("POST").path("/v2/auth/token");
/// #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); });
/// # let hub_url = server.base_url();
/// use dockerhub_auth::blocking::Hub;
///
/// let hub = Hub::builder()
///     .base_url(hub_url) // leave out for https://hub.docker.com
///     .build()?;
/// let token = hub.create_access_token("alice", "dckr_pat_example")?;
/// let header = token.authorization_header(); // `Bearer …`, marked sensitive
/// # assert!(header.is_sensitive());
/// # mock.assert_calls(1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    hub: crate::Hub,
    worker: Worker,
}

impl Hub {
    /// Returns a builder with the defaults of [`crate::Hub::builder`].
    pub fn builder() -> HubBuilder {
        HubBuilder {
            inner: crate::Hub::builder(),
        }
    }

    /// Exchanges a password, personal access token or organization access token for a
    /// short-lived bearer token, as [`crate::Hub::create_access_token`] does.
    ///
    /// # Errors
    ///
    /// Those of [`crate::Hub::create_access_token`], and
    /// [`Runtime`](crate::ErrorKind::Runtime) when called inside a tokio runtime (nothing is
    /// sent then).
    pub fn create_access_token(
        &self,
        identifier: &str,
        secret: impl Into<SecretString>,
    ) -> Result<Token> {
        let (hub, identifier, secret) = (self.hub().clone(), identifier.to_owned(), secret.into());
        self.inner
            .worker
            .run("Hub::create_access_token", async move {
                hub.create_access_token(&identifier, secret).await
            })
    }

    /// Logs in with a username and a password or personal access token, as
    /// [`crate::Hub::login`] does; a two-factor account gets
    /// [`Login::SecondFactorRequired`], whose challenge goes to
    /// [`login_second_factor`](Self::login_second_factor).
    ///
    /// # Errors
    ///
    /// Those of [`crate::Hub::login`], and [`Runtime`](crate::ErrorKind::Runtime) when called
    /// inside a tokio runtime.
    pub fn login(&self, username: &str, password: impl Into<SecretString>) -> Result<Login> {
        let (hub, username, password) = (self.hub().clone(), username.to_owned(), password.into());
        self.inner.worker.run(
            "Hub::login",
            async move { hub.login(&username, password).await },
        )
    }

    /// Completes a two-factor login with a TOTP code or a recovery code, as
    /// [`crate::Hub::login_second_factor`] does.
    ///
    /// # Errors
    ///
    /// Those of [`crate::Hub::login_second_factor`], and
    /// [`Runtime`](crate::ErrorKind::Runtime) when called inside a tokio runtime.
    pub fn login_second_factor(
        &self,
        challenge: &SecondFactorChallenge,
        code: impl Into<SecretString>,
    ) -> Result<Token> {
        let (hub, challenge, code) = (self.hub().clone(), challenge.clone(), code.into());
        self.inner
            .worker
            .run("Hub::login_second_factor", async move {
                hub.login_second_factor(&challenge, code).await
            })
    }

    /// Returns a [`Session`] with the default refresh settings, as [`crate::Hub::session`]
    /// does. It shares this hub's runtime thread.
    pub fn session(&self, credentials: Credentials) -> Session {
        self.session_builder(credentials).build()
    }

    /// Returns a builder for a [`Session`] with other refresh settings or a disk cache.
    pub fn session_builder(&self, credentials: Credentials) -> SessionBuilder {
        SessionBuilder::new(self.clone(), self.hub().session_builder(credentials))
    }

    /// Returns the base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.hub().base_url()
    }

    /// The async hub every call runs.
    fn hub(&self) -> &crate::Hub {
        &self.inner.hub
    }

    /// Runs `future` on the runtime thread; see [`Worker::run`].
    pub(super) fn run<T, F>(&self, call: &str, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.worker.run(call, future)
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Hub").field(self.hub()).finish()
    }
}

/// Configures a blocking [`Hub`]; the settings and defaults of [`crate::HubBuilder`].
///
/// Setters never fail: the first invalid setting is reported by [`build`](Self::build).
#[must_use]
pub struct HubBuilder {
    inner: crate::HubBuilder,
}

impl HubBuilder {
    delegate! {
        /// Sets where requests go, as [`crate::HubBuilder::base_url`] does.
        ///
        /// Default: `https://hub.docker.com`.
        base_url(base_url: impl Into<String>);
        /// Appends the caller's own product to the `User-Agent` header, as
        /// [`crate::HubBuilder::user_agent`] does.
        ///
        /// Default: `dockerhub-auth/<version>` alone.
        user_agent(product: impl Into<String>);
        /// Sets the time allowed for a whole request.
        ///
        /// Default: 30 seconds. [`build`](Self::build) rejects zero.
        timeout(timeout: Duration);
        /// Sets the time allowed to establish a connection, TLS included.
        ///
        /// Default: 10 seconds. [`build`](Self::build) rejects zero.
        connect_timeout(timeout: Duration);
        /// Sets the most bytes of a response body the client reads.
        ///
        /// Default: 1 MiB. [`build`](Self::build) rejects zero.
        body_limit(bytes: usize);
        /// Sets which failures are retried, how often, and how long to wait in between.
        ///
        /// Default: [`RetryPolicy::default`], three attempts with waits of at most 60 s.
        retry_policy(policy: RetryPolicy);
        /// Allows an `http://` base URL for a host that is not loopback, as
        /// [`crate::HubBuilder::danger_allow_http`] does.
        ///
        /// Default: `false`.
        ///
        /// # Warning
        ///
        /// Passwords, access tokens and the bearer tokens Hub returns then cross the network
        /// in clear text. Use it only for a test server on a network you control.
        danger_allow_http(allow: bool);
    }

    /// Builds the hub and starts its runtime thread. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid setting, as
    /// [`crate::HubBuilder::build`]; [`ErrorKind::Runtime`](crate::ErrorKind::Runtime) when
    /// the runtime thread cannot be started.
    pub fn build(self) -> Result<Hub> {
        let hub = self.inner.build()?;
        let worker = Worker::start("Hub")?;
        Ok(Hub {
            inner: Arc::new(Inner { hub, worker }),
        })
    }
}

impl fmt::Debug for HubBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::HubBuilder")
            .field(&self.inner)
            .finish()
    }
}
