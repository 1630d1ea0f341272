//! The transport under every generated client: one request per call, its bearer token
//! attached when the route needs one, its status recorded, its response body capped. No
//! knowledge of what an answer means (that is `classify`).

use std::{
    error::Error as StdError,
    fmt,
    sync::atomic::{AtomicU16, Ordering},
    time::Instant,
};

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderValue;

use crate::{Token, codegen::Client};

/// The default cap on a response body: tokens are under 4 KiB, Hub's errors smaller still.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What every call needs: where to send it, how, and how much of an answer to read.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) body_limit: usize,
}

impl Endpoint {
    /// Returns a generated client for one call, with an exchange of its own.
    pub(crate) fn client(&self) -> Client {
        Client::new_with_client(
            &self.base_url,
            self.http.clone(),
            Exchange::new(self.body_limit),
        )
    }

    /// Returns a generated client for one call that sends `Authorization: Bearer …` with
    /// every request (to this endpoint's base URL, the only place it sends anything).
    pub(crate) fn client_with_bearer(&self, token: &Token) -> Client {
        let mut exchange = Exchange::new(self.body_limit);
        exchange.bearer = Some(token.authorization_header());
        Client::new_with_client(&self.base_url, self.http.clone(), exchange)
    }
}

/// The state a generated [`Client`] carries into its hooks: the cap on response bodies,
/// the status of the last response it received, and the bearer token it sends, if any.
///
/// The hooks this crate installs read at most the cap of any response body; a longer body
/// fails to read with an error whose source chain contains the cause. Clients obtained from
/// [`Hub::generated`](crate::Hub::generated) share the hub's cap and send no bearer token.
pub struct Exchange {
    body_limit: usize,
    status: AtomicU16,
    /// `Bearer …`, marked sensitive; set only for the access-token management routes.
    bearer: Option<HeaderValue>,
}

impl Exchange {
    pub(crate) fn new(body_limit: usize) -> Self {
        Exchange {
            body_limit,
            status: AtomicU16::new(0),
            bearer: None,
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
            bearer: self.bearer.clone(),
        }
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("body_limit", &self.body_limit)
            .field("status", &self.status())
            .field("has_bearer", &self.bearer.is_some())
            .finish()
    }
}

impl ClientHooks<Exchange> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Some(bearer) = &self.inner().bearer {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, bearer.clone());
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        let result = self.client().execute(request).await;
        let elapsed_ms = started.elapsed().as_millis();
        match &result {
            Ok(response) => {
                let status = response.status().as_u16();
                self.inner().status.store(status, Ordering::Relaxed);
                // The `attempt` span of `retry::run`, when this call runs inside one.
                tracing::Span::current().record("status", status);
                tracing::debug!(
                    operation = info.operation_id,
                    status,
                    elapsed_ms,
                    "response"
                );
            }
            Err(error) => tracing::debug!(
                operation = info.operation_id,
                elapsed_ms,
                timeout = error.is_timeout(),
                connect = error.is_connect(),
                "no response"
            ),
        }
        result.map(|response| cap_body(response, self.inner().body_limit))
    }
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
