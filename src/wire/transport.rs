//! The transport under every generated client: one request per call, its status recorded,
//! its response body capped. No knowledge of what an answer means (that is `classify`).

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

use crate::codegen::Client;

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
}

/// The state a generated [`Client`] carries into its hooks: the cap on response bodies,
/// and the status of the last response it received.
///
/// The hooks this crate installs read at most the cap of any response body; a longer body
/// fails to read with an error whose source chain contains the cause. Clients obtained from
/// [`Hub::generated`](crate::Hub::generated) share the hub's cap.
pub struct Exchange {
    body_limit: usize,
    status: AtomicU16,
}

impl Exchange {
    pub(crate) fn new(body_limit: usize) -> Self {
        Exchange {
            body_limit,
            status: AtomicU16::new(0),
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
        }
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("body_limit", &self.body_limit)
            .field("status", &self.status())
            .finish()
    }
}

impl ClientHooks<Exchange> for Client {
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
