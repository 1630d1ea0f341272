//! The border with the generated client, and the only place that touches its types.
//!
//! - `transport`: what every call goes through (the connection, the body cap, the status);
//! - `classify`: what an answer means, as an [`Error`](crate::Error); `body`: what an error
//!   body says, redacted;
//! - `auth`: the three auth operations of `openapi/dockerhub-auth.yaml`;
//! - `access_tokens`: its ten access-token operations;
//! - `registry`: the operations of `openapi/registry.yaml` (a registry and its token service);
//! - `identity`: the token exchange of `openapi/identity.yaml`, and GitHub's ID token request;
//! - `sensitive`, `timestamp`: the types generated code holds secrets and times in.
//!
//! Generated values never leave this module: the facade gets tokens and errors.

mod access_tokens;
mod auth;
mod body;
mod classify;
mod identity;
mod registry;
mod sensitive;
mod timestamp;
mod transport;

pub(crate) use access_tokens::{
    create_org_access_token, create_personal_access_token, delete_org_access_token,
    delete_personal_access_token, get_org_access_token, get_personal_access_token,
    list_org_access_tokens, list_personal_access_tokens, update_org_access_token,
    update_personal_access_token,
};
pub(crate) use auth::{create_access_token, login, login_second_factor};
#[cfg(fuzzing)]
pub(crate) use classify::classify_answer;
pub(crate) use identity::{Exchanged, exchange_token, github_id_token};
pub(crate) use registry::{Ping, TokenCredentials, TokenRequest, fetch_token, head_manifest, ping};
pub use sensitive::Sensitive;
pub use timestamp::Timestamp;
pub use transport::Exchange;
pub(crate) use transport::{DEFAULT_BODY_LIMIT, Endpoint, EndpointSettings};
