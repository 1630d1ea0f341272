//! The [`Hub`] every command talks to, from the global options and the environment.

use dockerhub_auth::Hub;

use crate::{args::Global, failure::Failure};

/// Builds the hub from `--base-url` (else `DOCKERHUB_URL`) and `--timeout`.
pub(crate) fn hub(global: &Global) -> Result<Hub, Failure> {
    let mut builder =
        Hub::builder().user_agent(concat!("dockerhub-auth-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = global
        .base_url
        .clone()
        .or_else(|| std::env::var("DOCKERHUB_URL").ok())
    {
        builder = builder.base_url(url);
    }
    if let Some(timeout) = global.timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.build()?)
}
