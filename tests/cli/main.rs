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
// FIFOs, links, a foreign key and foreign temporaries where the CLI reads and writes.
#[cfg(unix)]
mod hostile_files;
// Unix only: a spy helper is a `#!/bin/sh` script, and only Unix has a token cache.
#[cfg(unix)]
mod credential_helper;
// Unix only: the modes of Docker's config and its directory.
#[cfg(unix)]
mod configure_docker;
// Unix only: runs share the disk cache.
#[cfg(unix)]
mod oidc;
#[cfg(unix)]
mod oidc_cache;
#[cfg(unix)]
mod oidc_failures;
// Unix only: the helpers are `#!/bin/sh` scripts.
#[cfg(unix)]
mod hostile_helpers;
// Unix only: the token cache.
#[cfg(unix)]
mod hostile_text;
// Where the global options go, and what each command's --help lists.
mod options;
// --timeout as the limit of a whole run: a hanging helper, retries.
#[cfg(unix)]
mod overall_deadline;
mod pat_oat;
mod pat_oat_login;
mod registry;
// How long the cache believes what it remembers across runs.
#[cfg(unix)]
mod remembered_bounds;
mod stdin;
mod token_login_inspect;
