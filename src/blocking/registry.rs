//! [`Registry`]: the blocking registry client, and [`RegistryBuilder`].

use std::{fmt, sync::Arc, time::Duration};

use super::worker::{Worker, outside_runtime};
use crate::{
    cache::DiskCache,
    credentials::Credentials,
    error::Result,
    registry::{PullLimit, RegistryScope, RegistryToken},
    retry::RetryPolicy,
};

/// A blocking client for a container registry: [`crate::Registry`] for code without an
/// async runtime.
///
/// Its methods have the names, arguments, errors and guarantees of [`crate::Registry`]'s:
/// tokens cached per credentials and scope set (a cached one is handed out on the calling
/// thread), one request however many threads ask for the same one, a refused secret not
/// sent again before the cool-down. Requests run on the registry's runtime thread, which
/// its clones share and which stops when the last of them is dropped. Cloning is cheap
/// (one reference count).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = httpmock::MockServer::start();
/// # let challenge = format!(r#"Bearer realm="{}",service="registry.docker.io""#, server.url("/token"));
/// # server.mock(|when, then| { when.method("GET").path("/v2/");
/// #     then.status(401).header("www-authenticate", challenge); });
/// # server.mock(|when, then| { when.path("/token");
/// #     then.status(200).json_body(serde_json::json!({ "token": "opaque", "expires_in": 300 })); });
/// # server.mock(|when, then| {
/// #     when.method("HEAD").path("/v2/ratelimitpreview/test/manifests/latest");
/// #     then.status(200).header("ratelimit-limit", "100;w=21600")
/// #         .header("ratelimit-remaining", "76;w=21600"); });
/// # let registry_url = server.base_url();
/// use dockerhub_auth::{Credentials, RegistryScope, blocking::Registry};
///
/// let registry = Registry::builder()
///     .base_url(registry_url) // leave out for https://registry-1.docker.io
///     .build()?;
/// let anonymous = Credentials::anonymous();
/// let token = registry.token(&anonymous, &[RegistryScope::pull("alpine")?])?;
/// println!("a pull token until {}", token.expires_at_rfc3339());
/// let limit = registry.pull_limit(&anonymous)?;
/// # assert_eq!(limit.remaining(), Some(76));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    registry: crate::Registry,
    worker: Worker,
}

impl Registry {
    /// Returns a builder with the defaults of [`crate::Registry::builder`].
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder {
            inner: crate::Registry::builder(),
        }
    }

    /// Returns a token for `scopes`, asked for with `credentials`, as
    /// [`crate::Registry::token`] does.
    ///
    /// # Errors
    ///
    /// Those of [`crate::Registry::token`], and [`Runtime`](crate::ErrorKind::Runtime) when
    /// called inside a tokio runtime.
    pub fn token(
        &self,
        credentials: &Credentials,
        scopes: &[RegistryScope],
    ) -> Result<RegistryToken> {
        outside_runtime("Registry::token")?;
        if let Some(ready) = self.inner.registry.ready_token(credentials, scopes) {
            return ready;
        }
        let (registry, credentials, scopes) = (
            self.inner.registry.clone(),
            credentials.clone(),
            scopes.to_vec(),
        );
        self.inner.worker.run("Registry::token", async move {
            registry.token(&credentials, &scopes).await
        })
    }

    /// Returns the pull limit of the account behind `credentials`, as
    /// [`crate::Registry::pull_limit`] does.
    ///
    /// # Errors
    ///
    /// Those of [`crate::Registry::pull_limit`], and
    /// [`Runtime`](crate::ErrorKind::Runtime) when called inside a tokio runtime.
    pub fn pull_limit(&self, credentials: &Credentials) -> Result<PullLimit> {
        let (registry, credentials) = (self.inner.registry.clone(), credentials.clone());
        self.inner.worker.run("Registry::pull_limit", async move {
            registry.pull_limit(&credentials).await
        })
    }

    /// Forgets every cached token and what the registry said about authentication; see
    /// [`crate::Registry::invalidate`].
    pub fn invalidate(&self) {
        self.inner.registry.invalidate();
    }

    /// Returns the registry's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.registry.base_url()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Registry")
            .field(&self.inner.registry)
            .finish()
    }
}

/// Configures a blocking [`Registry`]; the settings and defaults of
/// [`crate::RegistryBuilder`].
///
/// Setters never fail: the first invalid setting is reported by [`build`](Self::build).
#[must_use]
pub struct RegistryBuilder {
    inner: crate::RegistryBuilder,
}

impl RegistryBuilder {
    delegate! {
        /// Sets the registry, as [`crate::RegistryBuilder::base_url`] does.
        ///
        /// Default: `https://registry-1.docker.io`.
        base_url(base_url: impl Into<String>);
        /// Appends the caller's own product to the `User-Agent` header.
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
        /// Default: [`RetryPolicy::default`].
        retry_policy(policy: RetryPolicy);
        /// Sets how long a rejection of the credentials by the token service is answered
        /// again without a request.
        ///
        /// Default: 10 minutes, Docker Hub's lockout window.
        cool_down(cool_down: Duration);
        /// Shares tokens (and remembered failures) with every process of the user through
        /// `cache`, as [`crate::RegistryBuilder::disk_cache`] does.
        ///
        /// Default: no disk cache.
        disk_cache(cache: DiskCache);
        /// Allows an `http://` registry whose host is not loopback, as
        /// [`crate::RegistryBuilder::danger_allow_http`] does.
        ///
        /// Default: `false`.
        ///
        /// # Warning
        ///
        /// Credentials and the tokens issued then cross the network in clear text. Use it
        /// only for a test registry on a network you control.
        danger_allow_http(allow: bool);
    }

    /// Builds the registry client and starts its runtime thread. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid setting, as
    /// [`crate::RegistryBuilder::build`]; [`ErrorKind::Runtime`](crate::ErrorKind::Runtime)
    /// when the runtime thread cannot be started.
    pub fn build(self) -> Result<Registry> {
        let registry = self.inner.build()?;
        let worker = Worker::start("Registry")?;
        Ok(Registry {
            inner: Arc::new(Inner { registry, worker }),
        })
    }
}

impl fmt::Debug for RegistryBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::RegistryBuilder")
            .field(&self.inner)
            .finish()
    }
}
