//! The credentials `docker login` stored: Docker's config files, credential helpers as
//! small scripts, and Debian's real `docker-credential-pass` when installed.
//!
//! One test binary, one module per concept (run one with
//! `cargo test --test docker_config config_files::`).

#[path = "../support/mod.rs"]
mod support;

// Files that are not regular, links, the cap, and helpers stopped by the caller's deadline.
#[cfg(unix)]
mod bounded;
mod config_files;
// Credentials from the environment, as the command line finds them.
#[cfg(unix)]
mod environment;
mod examples;
mod registry_hosts;
// Unix only: the helpers are `#!/bin/sh` scripts, and pass is reached through one.
#[cfg(unix)]
mod docker_credential_pass;
#[cfg(unix)]
mod scripted_helpers;
