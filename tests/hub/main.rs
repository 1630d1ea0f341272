//! Docker Hub's authentication, against a mock Hub on 127.0.0.1: the `/v2/auth/token`
//! exchange, password login and its second factor, sessions, retries, errors, and what is
//! never printed.
//!
//! One test binary, one module per concept (run one with `cargo test --test hub exchange::`).

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "blocking")]
mod blocking;
#[cfg(feature = "blocking")]
mod blocking_runtime;
mod builder;
mod conformance;
mod errors;
mod examples;
mod exchange;
mod hostile_server;
mod login;
mod redaction;
mod retry;
mod runtime;
mod second_factor;
mod session;
mod token;
#[cfg(feature = "totp")]
mod totp;
mod trace_output;
mod workload;
mod workload_failures;
