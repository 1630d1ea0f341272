//! The border with the generated client, and the only place that touches its types.
//!
//! - `transport`: what every call goes through (the connection, the body cap, the status);
//! - `classify`: what an answer means, as an [`Error`](crate::Error);
//! - `auth`: the operations of `openapi/dockerhub-auth.yaml`;
//! - `registry`: the operations of `openapi/registry.yaml` (a registry and its token service);
//! - `sensitive`: the type generated code holds secrets in.
//!
//! Generated values never leave this module: the facade gets tokens and errors.

mod auth;
mod classify;
mod registry;
mod sensitive;
mod transport;

pub(crate) use auth::{create_access_token, login, login_second_factor};
#[cfg(fuzzing)]
pub(crate) use classify::classify_answer;
pub(crate) use registry::{Ping, TokenCredentials, TokenRequest, fetch_token, head_manifest, ping};
pub use sensitive::Sensitive;
pub use transport::Exchange;
pub(crate) use transport::{DEFAULT_BODY_LIMIT, Endpoint, HttpSettings, http_client};
