//! The transport under every request: the generated clients' and the ones the border builds by
//! hand. One request per call, its credentials attached, its status recorded, its response
//! body capped. No knowledge of what an answer means (that is `classify`).

use std::{
    error::Error as StdError,
    fmt,
    sync::{
        OnceLock,
        atomic::{AtomicU16, Ordering},
    },
    time::Instant,
};

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue};

use crate::{
    base_url,
    codegen::Client,
    error::{Error, ErrorKind, Result},
    identity_codegen, registry_codegen,
    token::Token,
};

/// The default cap on a response body: tokens are under 4 KiB, Hub's errors smaller still.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What a [`Hub`](crate::Hub) or a [`Registry`](crate::Registry) builder was given for its
/// one HTTP client, checked by [`Endpoint::build`]; the client itself is built by the first
/// request.
pub(crate) struct EndpointSettings<'a> {
    pub(crate) base_url: &'a str,
    /// The caller's product, appended to `dockerhub-auth/<version>`.
    pub(crate) user_agent: Option<&'a str>,
    pub(crate) timeout: std::time::Duration,
    pub(crate) connect_timeout: std::time::Duration,
    pub(crate) body_limit: usize,
    pub(crate) allow_http: bool,
    /// Whether requests may go elsewhere than the base URL (a registry's token service), so
    /// that an `http://` base URL still needs the root certificates.
    pub(crate) other_hosts: bool,
}

/// How the one HTTP client of a [`Hub`](crate::Hub) or [`Registry`](crate::Registry) is
/// configured.
#[derive(Clone)]
struct HttpSettings {
    user_agent: HeaderValue,
    timeout: std::time::Duration,
    connect_timeout: std::time::Duration,
    /// Whether to load the system's root certificates, needed for any `https://` request.
    tls: bool,
}

/// Builds an HTTP client with the crate's transport rules: the given timeouts, no redirects
/// (a redirect would carry a body or credentials somewhere else), no `Referer`.
///
/// # Errors
///
/// [`ErrorKind::Transport`] when the TLS backend cannot be initialized.
fn http_client(settings: &HttpSettings) -> Result<reqwest::Client> {
    let http = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .referer(false);
    // Loading the system's root certificates takes about 7 ms, most of a CLI run against a
    // local http:// server: skipped when no request can use TLS.
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    let http = if settings.tls {
        http
    } else {
        http.tls_certs_only(std::iter::empty())
    };
    // Without a TLS feature there are no certificates to load (and https:// is refused).
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    let _ = settings.tls;
    http.build().map_err(|error| {
        Error::new(ErrorKind::Transport)
            .with_detail("the HTTP client could not be initialized")
            .with_source(error)
    })
}

/// What every call needs: where to send it, how, and how much of an answer to read.
///
/// The HTTP client is built by the first request that needs it, not with the endpoint: a
/// call answered from a token cache builds none and loads no root certificates (2–9 ms per
/// process for an `https://` URL). Every setting is checked before, by [`build`](Self::build).
pub(crate) struct Endpoint {
    /// The client once built, or why it could not be (the same error for every request).
    http: OnceLock<Result<reqwest::Client>>,
    settings: HttpSettings,
    pub(crate) base_url: String,
    pub(crate) body_limit: usize,
}

impl Endpoint {
    /// Checks `settings` and returns the endpoint, without building its HTTP client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an invalid setting (an insecure or malformed base URL,
    /// a zero timeout or body limit, a user agent a header cannot carry, `https://` without a
    /// TLS feature), before any I/O.
    pub(crate) fn build(settings: EndpointSettings<'_>) -> Result<Endpoint> {
        let base_url = base_url::normalize(settings.base_url, settings.allow_http)?;
        let tls_built_in = cfg!(any(feature = "rustls", feature = "native-tls"));
        if !tls_built_in && base_url.starts_with("https:") {
            return Err(Error::invalid_input(
                "https:// needs the `rustls` or `native-tls` feature",
            ));
        }
        for (what, duration) in [
            ("the timeout is zero", settings.timeout),
            ("the connect timeout is zero", settings.connect_timeout),
        ] {
            if duration.is_zero() {
                return Err(Error::invalid_input(what));
            }
        }
        if settings.body_limit == 0 {
            return Err(Error::invalid_input("the body limit is zero"));
        }
        let default_user_agent = concat!("dockerhub-auth/", env!("CARGO_PKG_VERSION"));
        let user_agent = match settings.user_agent {
            Some(product) => format!("{default_user_agent} {product}"),
            None => default_user_agent.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::invalid_input("the user agent contains invalid characters"))?;
        Ok(Endpoint {
            http: OnceLock::new(),
            settings: HttpSettings {
                user_agent,
                timeout: settings.timeout,
                connect_timeout: settings.connect_timeout,
                // A request that goes only to an http:// base URL never uses TLS.
                tls: settings.other_hosts || !base_url.starts_with("http:"),
            },
            base_url,
            body_limit: settings.body_limit,
        })
    }

    /// Returns an endpoint for another service with this one's settings (user agent,
    /// timeouts, body cap): Docker's identity service at `base_url`, which a session or a
    /// registry asks with their own transport. Its requests may also go to GitHub's runner,
    /// so it loads the root certificates whatever its scheme.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a base URL [`build`](Self::build) would refuse.
    pub(crate) fn sibling(&self, base_url: &str, allow_http: bool) -> Result<Endpoint> {
        let base_url = base_url::normalize(base_url, allow_http)?;
        if !cfg!(any(feature = "rustls", feature = "native-tls")) && base_url.starts_with("https:")
        {
            return Err(Error::invalid_input(
                "https:// needs the `rustls` or `native-tls` feature",
            ));
        }
        Ok(Endpoint {
            http: OnceLock::new(),
            settings: HttpSettings {
                tls: true,
                ..self.settings.clone()
            },
            base_url,
            body_limit: self.body_limit,
        })
    }

    /// Returns the HTTP client, building it the first time. Concurrent first calls wait for
    /// one build; a failed build is the answer of every later call too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Transport`] when the TLS backend cannot be initialized (no root
    /// certificates can be loaded, for example).
    pub(crate) fn http(&self) -> Result<&reqwest::Client> {
        self.http
            .get_or_init(|| http_client(&self.settings))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Returns a generated client for one call, with an exchange of its own.
    ///
    /// # Errors
    ///
    /// Those of [`http`](Self::http).
    pub(crate) fn client(&self) -> Result<Client> {
        Ok(Client::new_with_client(
            &self.base_url,
            self.http()?.clone(),
            Exchange::new(self.body_limit),
        ))
    }

    /// Returns a generated client for whoever asks for one outside a call
    /// ([`Hub::generated`](crate::Hub::generated)), which cannot be told of a failure: when
    /// the HTTP client cannot be built, one without root certificates takes its place, so
    /// that every `https://` request fails at its TLS handshake and plain `http://` still
    /// works.
    ///
    /// # Panics
    ///
    /// When that client cannot be built either, which needs a TLS backend that cannot
    /// initialize at all (reqwest's own `Client::new` panics then too).
    pub(crate) fn standalone_client(&self) -> Client {
        let http = match self.http() {
            Ok(http) => http.clone(),
            Err(_) => {
                let without_roots = HttpSettings {
                    tls: false,
                    ..self.settings.clone()
                };
                match http_client(&without_roots) {
                    Ok(http) => http,
                    // Documented above: reqwest cannot build any client here.
                    Err(_) => reqwest::Client::new(),
                }
            }
        };
        Client::new_with_client(&self.base_url, http, Exchange::new(self.body_limit))
    }

    /// Returns a generated client for one call that sends `Authorization: Bearer …` with
    /// every request (to this endpoint's base URL, the only place it sends anything).
    ///
    /// # Errors
    ///
    /// Those of [`http`](Self::http).
    pub(crate) fn client_with_bearer(&self, token: &Token) -> Result<Client> {
        let mut exchange = Exchange::new(self.body_limit);
        exchange.authorization = Some(token.authorization_header());
        Ok(Client::new_with_client(
            &self.base_url,
            self.http()?.clone(),
            exchange,
        ))
    }

    /// Returns a generated registry client for one call, which sends `authorization` (a
    /// sensitive header value) with its request when there is one.
    ///
    /// # Errors
    ///
    /// Those of [`http`](Self::http).
    pub(crate) fn registry_client(
        &self,
        authorization: Option<HeaderValue>,
    ) -> Result<registry_codegen::Client> {
        let mut exchange = Exchange::new(self.body_limit);
        exchange.authorization = authorization;
        Ok(registry_codegen::Client::new_with_client(
            &self.base_url,
            self.http()?.clone(),
            exchange,
        ))
    }

    /// Returns a generated client of Docker's identity service for one call, which sends no
    /// credentials but those of its request body.
    ///
    /// # Errors
    ///
    /// Those of [`http`](Self::http).
    pub(crate) fn identity_client(&self) -> Result<identity_codegen::Client> {
        Ok(identity_codegen::Client::new_with_client(
            &self.base_url,
            self.http()?.clone(),
            Exchange::new(self.body_limit),
        ))
    }

    /// Sends a request the border built by hand (one progenitor cannot express) with `http`
    /// (this endpoint's [`http`](Self::http)) through the same transport as the generated
    /// clients: `operation` names it in traces.
    pub(crate) async fn send(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<reqwest::Response> {
        execute(http, &Exchange::new(self.body_limit), request, operation).await
    }
}

/// The state a generated [`Client`] carries into its hooks: the cap on response bodies,
/// the status of the last response it received, and the `Authorization` it sends, if any.
///
/// The hooks this crate installs read at most the cap of any response body; a longer body
/// fails to read with an error whose source chain contains the cause. Clients obtained from
/// [`Hub::generated`](crate::Hub::generated) share the hub's cap and send no credentials.
pub struct Exchange {
    body_limit: usize,
    status: AtomicU16,
    /// The `Authorization` header of the call (a Hub bearer token for the access-token
    /// routes, or a registry token), marked sensitive.
    authorization: Option<HeaderValue>,
}

impl Exchange {
    pub(crate) fn new(body_limit: usize) -> Self {
        Exchange {
            body_limit,
            status: AtomicU16::new(0),
            authorization: None,
        }
    }

    /// Returns the status of the last response, if one arrived.
    pub(crate) fn status(&self) -> Option<u16> {
        Some(self.status.load(Ordering::Relaxed)).filter(|status| *status != 0)
    }
}

impl Clone for Exchange {
    fn clone(&self) -> Self {
        Exchange {
            body_limit: self.body_limit,
            status: AtomicU16::new(self.status.load(Ordering::Relaxed)),
            authorization: self.authorization.clone(),
        }
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("body_limit", &self.body_limit)
            .field("status", &self.status())
            .field("authorization", &self.authorization.is_some())
            .finish()
    }
}

/// Every generated client sends through [`execute`], with its call's [`Exchange`].
macro_rules! hooks {
    ($($client:ty),*) => {$(
        impl ClientHooks<Exchange> for $client {
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                execute(self.client(), self.inner(), request, info.operation_id).await
            }
        }
    )*};
}

hooks!(Client, registry_codegen::Client, identity_codegen::Client);

/// What every request goes through: attach the exchange's credentials, send, record the
/// status (in the exchange and in the current `attempt` span), trace the outcome without a
/// header or a body, and cap the response body.
async fn execute(
    http: &reqwest::Client,
    exchange: &Exchange,
    mut request: reqwest::Request,
    operation: &str,
) -> reqwest::Result<reqwest::Response> {
    if let Some(authorization) = &exchange.authorization {
        request
            .headers_mut()
            .insert(AUTHORIZATION, authorization.clone());
    }
    let started = Instant::now();
    let result = http.execute(request).await;
    let elapsed_ms = started.elapsed().as_millis();
    match &result {
        Ok(response) => {
            let status = response.status().as_u16();
            exchange.status.store(status, Ordering::Relaxed);
            // The `attempt` span of `retry::run`, when this call runs inside one.
            tracing::Span::current().record("status", status);
            tracing::debug!(operation, status, elapsed_ms, "response");
        }
        Err(error) => tracing::debug!(
            operation,
            elapsed_ms,
            timeout = error.is_timeout(),
            connect = error.is_connect(),
            "no response"
        ),
    }
    result.map(|response| cap_body(response, exchange.body_limit))
}

/// The source of the error returned when a response body is longer than the cap.
#[derive(Debug)]
pub(crate) struct BodyTooLarge {
    limit: usize,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response body is larger than {} bytes", self.limit)
    }
}

impl StdError for BodyTooLarge {}

/// Returns the response with a body that yields at most `limit` bytes, then an error.
///
/// A `Content-Length` above the cap fails before a byte of the body is read. A body within
/// its `Content-Length` is left as it is: hyper never delivers more than the declared length.
fn cap_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let declared = response.content_length();
    if declared.is_some_and(|length| length <= limit as u64) {
        return response;
    }
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = if declared.is_some() {
        let refusal: Result<Bytes, BodyTooLarge> = Err(BodyTooLarge { limit });
        reqwest::Body::wrap_stream(stream::iter([refusal]))
    } else {
        reqwest::Body::wrap(Limited::new(body, limit).map_err(move |error| {
            if error.is::<LengthLimitError>() {
                Box::new(BodyTooLarge { limit })
            } else {
                error
            }
        }))
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Returns the cap error in `error` or one of its causes.
pub(crate) fn too_large(error: &reqwest::Error) -> Option<&BodyTooLarge> {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(too_large) = current.downcast_ref::<BodyTooLarge>() {
            return Some(too_large);
        }
        cause = current.source();
    }
    None
}
