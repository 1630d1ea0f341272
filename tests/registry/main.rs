//! Registry tokens and the pull limit, against a fake registry and token service on
//! 127.0.0.1, and against a real Distribution registry (`docker-registry`) when installed,
//! with this crate's client and with Debian's `skopeo` asking the credential helper.
//!
//! One test binary, one module per concept (run one with `cargo test --test registry cache::`).

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "blocking")]
mod blocking;
mod cache;
// The real registry and its token service, for `real_registry` and `skopeo`.
mod distribution;
mod errors;
mod examples;
mod oidc;
mod pull_limit;
mod real_registry;
mod redaction;
mod runtime;
// skopeo asking `docker-credential-dockerhub` (a binary of the cli feature) for credentials.
#[cfg(all(feature = "cli", unix))]
mod skopeo;
mod tokens;
