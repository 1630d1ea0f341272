//! The credentials `docker login` stored: Docker's config files, credential helpers as
//! small scripts, and Debian's real `docker-credential-pass` when installed.
//!
//! One test binary, one module per concept (run one with
//! `cargo test --test docker_config config_files::`).

#[path = "../support/mod.rs"]
mod support;

mod config_files;
mod examples;
// Unix only: the helpers are `#!/bin/sh` scripts, and pass is reached through one.
#[cfg(unix)]
mod docker_credential_pass;
#[cfg(unix)]
mod scripted_helpers;
