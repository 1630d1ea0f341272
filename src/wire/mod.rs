//! The border with the generated client, and the only place that touches its types.
//!
//! - `transport`: what every call goes through (the connection, the body cap, the status);
//! - `classify`: what an answer means, as an [`Error`](crate::Error);
//! - `auth`: the operations of `openapi/dockerhub-auth.yaml`;
//! - `sensitive`: the type generated code holds secrets in.
//!
//! Generated values never leave this module: the facade gets tokens and errors.

mod auth;
mod classify;
mod sensitive;
mod transport;

pub(crate) use auth::{create_access_token, login, login_second_factor};
#[cfg(fuzzing)]
pub(crate) use classify::classify_answer;
pub use sensitive::Sensitive;
pub use transport::Exchange;
pub(crate) use transport::{DEFAULT_BODY_LIMIT, Endpoint};
