//! [`RegistryBuilder`]: the configuration of a [`Registry`].

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::{DOCKER_HUB_HOSTS, Inner, Registry};
use crate::{
    base_url,
    cache::DiskCache,
    cache::{self, Sources},
    error::Result,
    retry::RetryPolicy,
    wire::{self, Endpoint, EndpointSettings},
};

/// The least life a cached token must have left to be handed out; 10% of its lifetime is
/// used instead when that is more, as for Hub tokens. A token that lives no longer (the
/// 60 s a token service means when it does not say) is reused for half its life.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How long a transient failure of the token service (timeout, 5xx) is answered again
/// before the next request, as for Hub sessions.
const FAILURE_BACKOFF: Duration = Duration::from_secs(5);

/// Docker Hub's registry.
const DEFAULT_BASE_URL: &str = "https://registry-1.docker.io";

/// Configures a [`Registry`]. Create one with [`Registry::builder`].
///
/// Setters never fail: the first invalid setting is reported by [`build`](Self::build).
#[must_use]
pub struct RegistryBuilder {
    config: Config,
}

/// Every setting of a registry, with all defaults in one place.
struct Config {
    base_url: String,
    user_agent: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    body_limit: usize,
    allow_http: bool,
    retry: RetryPolicy,
    cool_down: Duration,
    disk_cache: Option<DiskCache>,
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
            cool_down: Duration::from_secs(10 * 60),
            disk_cache: None,
        }
    }
}

/// What `Debug` of a registry shows besides its endpoint.
pub(super) struct Settings {
    pub(super) timeout: Duration,
    pub(super) connect_timeout: Duration,
}

impl RegistryBuilder {
    pub(super) fn new() -> Self {
        RegistryBuilder {
            config: Config::default(),
        }
    }

    /// Sets the registry: Docker Hub's, a mirror, another registry, or a test server.
    ///
    /// A trailing `/` and a path prefix are fine. `http://` is accepted only for loopback
    /// hosts (`localhost`, 127.0.0.0/8, `::1`), unless
    /// [`danger_allow_http`](Self::danger_allow_http) is set. URLs with a username or
    /// password, a query or a fragment are refused.
    ///
    /// Default: `https://registry-1.docker.io`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config.base_url = base_url.into();
        self
    }

    /// Sets the registry from `DOCKERHUB_REGISTRY_URL`, when it is set and not empty, as the
    /// `dockerhub-auth` command line does (its `--registry` wins over the variable: set
    /// [`base_url`](Self::base_url) after this one). The variable is read now; an invalid
    /// value is reported by [`build`](Self::build), like any base URL.
    ///
    /// Default: the variable is not read.
    pub fn base_url_from_env(self) -> Self {
        match std::env::var_os("DOCKERHUB_REGISTRY_URL").filter(|url| !url.is_empty()) {
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

    /// Sets the most bytes of a response body the client reads; a longer body is an error
    /// after at most this many bytes.
    ///
    /// Default: 1 MiB (registry tokens are a few KiB). [`build`](Self::build) rejects zero.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// Sets which failures are retried, how often, and how long to wait in between.
    ///
    /// Default: [`RetryPolicy::default`], three attempts with waits of at most 60 s. A
    /// rejection of the credentials (401) is never retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Sets how long a rejection of the credentials by the token service is answered again
    /// without a request: each failed login counts toward Docker Hub's lockout of the name.
    /// [`Registry::invalidate`] forgets it sooner. Nothing is remembered for more than an
    /// hour: a longer cool-down counts as one hour.
    ///
    /// Default: 10 minutes, Docker Hub's lockout window.
    pub fn cool_down(mut self, cool_down: Duration) -> Self {
        self.config.cool_down = cool_down;
        self
    }

    /// Shares tokens (and remembered failures) with every process of the user through
    /// `cache`, as [`SessionBuilder::disk_cache`](crate::SessionBuilder::disk_cache) does for
    /// Hub tokens: keyed by registry, credentials and scope set, never holding a secret.
    ///
    /// Default: no disk cache (tokens are cached in this process only).
    pub fn disk_cache(mut self, cache: DiskCache) -> Self {
        self.config.disk_cache = Some(cache);
        self
    }

    /// Allows an `http://` registry whose host is not loopback, and sending credentials to a
    /// token service on such a host.
    ///
    /// Default: `false`: credentials go only to `https://` token services, or to loopback
    /// ones.
    ///
    /// # Warning
    ///
    /// Passwords and access tokens (in Basic authentication) and the tokens issued then
    /// cross the network in clear text, readable and replayable by anyone on the path. Use
    /// it only for a test registry on a network you control.
    pub fn danger_allow_http(mut self, allow: bool) -> Self {
        self.config.allow_http = allow;
        self
    }

    /// Builds the registry client. Nothing is sent, and its HTTP client is built by the
    /// first request (so a token served from a cache costs no TLS set-up).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an invalid setting
    /// (see each setter). A TLS backend that cannot be initialized is reported by the first
    /// request, as [`ErrorKind::Transport`](crate::ErrorKind::Transport).
    pub fn build(self) -> Result<Registry> {
        let config = self.config;
        let endpoint = Endpoint::build(EndpointSettings {
            base_url: &config.base_url,
            user_agent: config.user_agent.as_deref(),
            timeout: config.timeout,
            connect_timeout: config.connect_timeout,
            body_limit: config.body_limit,
            allow_http: config.allow_http,
            // The token service is wherever the registry's challenge says, often on
            // https:// even for an http:// registry.
            other_hosts: true,
        })?;
        let docker_hub_host = is_docker_hub(&endpoint.base_url);
        let settings = cache::Settings {
            refresh_margin: REFRESH_MARGIN,
            // Registry tokens always have a lifetime (60 s at least).
            reuse_without_expiry: REFRESH_MARGIN,
            cool_down: config.cool_down,
            backoff: FAILURE_BACKOFF,
            remember_second_factor_rejection: false,
            lock_wait: config.timeout,
            ends_by: config.retry.ends_by(),
        };
        Ok(Registry {
            inner: Arc::new(Inner {
                endpoint,
                retry: config.retry,
                allow_http: config.allow_http,
                docker_hub_host,
                access: Mutex::new(None),
                tokens: Sources::new(settings.clone(), config.disk_cache.clone()),
                // Exchanged tokens always have a lifetime too, and live five minutes or more.
                exchanges: Sources::new(settings, config.disk_cache.clone()),
                settings: Settings {
                    timeout: config.timeout,
                    connect_timeout: config.connect_timeout,
                },
            }),
        })
    }
}

/// Returns whether `base_url` is on one of Docker Hub's registry hosts.
fn is_docker_hub(base_url: &str) -> bool {
    url::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| DOCKER_HUB_HOSTS.contains(&host.as_str()))
}

impl fmt::Debug for RegistryBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.config;
        f.debug_struct("RegistryBuilder")
            // Not yet checked, so it may still hold a username and password.
            .field("base_url", &base_url::redacted(&config.base_url))
            .field("user_agent", &config.user_agent)
            .field("timeout", &config.timeout)
            .field("connect_timeout", &config.connect_timeout)
            .field("body_limit", &config.body_limit)
            .field("allow_http", &config.allow_http)
            .field("retry", &config.retry)
            .field("cool_down", &config.cool_down)
            .field("disk_cache", &config.disk_cache)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hubs_hosts_are_recognized_by_the_base_url() {
        assert!(is_docker_hub(DEFAULT_BASE_URL));
        assert!(is_docker_hub("https://Index.Docker.IO/"));
        assert!(is_docker_hub("https://registry.hub.docker.com:443/v2"));
        assert!(!is_docker_hub("https://ghcr.io"));
        assert!(!is_docker_hub("http://127.0.0.1:5000"));
        assert!(!is_docker_hub("https://registry-1.docker.io.example.com"));
    }
}
