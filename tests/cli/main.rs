//! The `dockerhub-auth` binary, run as users run it against a mock Hub, a fake registry and
//! credential helpers, each run in an environment of its own (see `support::cli`).
//!
//! One test binary, one module per concept (run one with `cargo test --features cli --test
//! cli pat_oat::`). The binary exists only with the `cli` feature.
#![cfg(feature = "cli")]

#[path = "../support/mod.rs"]
mod support;

// Unix only: elsewhere there is no disk cache.
#[cfg(unix)]
mod cache;
// Unix only: the helpers are `#!/bin/sh` scripts.
#[cfg(unix)]
mod docker_credentials;
// Unix only: the helpers are `#!/bin/sh` scripts.
#[cfg(unix)]
mod hostile_helpers;
// Unix only: the token cache.
#[cfg(unix)]
mod hostile_text;
// Where the global options go, and what each command's --help lists.
mod options;
mod pat_oat;
mod pat_oat_login;
mod registry;
mod stdin;
mod token_login_inspect;
