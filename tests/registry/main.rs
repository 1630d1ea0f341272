//! Registry tokens and the pull limit, against a fake registry and token service on
//! 127.0.0.1, and against a real Distribution registry (`docker-registry`) when installed.
//!
//! One test binary, one module per concept (run one with `cargo test --test registry cache::`).

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "blocking")]
mod blocking;
mod cache;
mod errors;
mod examples;
mod pull_limit;
mod real_registry;
mod redaction;
mod runtime;
mod tokens;
