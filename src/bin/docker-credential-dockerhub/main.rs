//! `docker-credential-dockerhub`: Docker Hub's credentials for docker, buildx, crane, skopeo
//! and every other client of Docker's credential-helper protocol, from the environment of
//! the job, never stored.
//!
//! The protocol (docker/docker-credential-helpers, `client/client.go`): the action is the
//! first argument, its payload comes on stdin, the answer goes to stdout; a failure is one
//! line on stdout and exit status 1. A client runs `docker-credential-dockerhub get` when its
//! config names `dockerhub` in `credHelpers` (`dockerhub-auth configure-docker` writes that).
//!
//! - `get`: stdin is a server. For Docker Hub (under every spelling) and the host of
//!   `DOCKERHUB_REGISTRY_URL`, with credentials configured, it prints `{"ServerURL",
//!   "Username", "Secret"}`; otherwise `credentials not found in native keychain` (exit 1),
//!   which clients read as "no credentials here".
//! - `store`: stores nothing (exit 1, saying where the credentials come from).
//! - `erase`: forgets the tokens the token cache holds for that server's username.
//! - `list`: the servers it answers for, with their username (`{}` when none).
//! - `version`: one line.
//!
//! It reads the environment and the token cache only: never Docker's config, never another
//! helper (Docker's config may name this very helper). Built only with the `cli` feature,
//! on the library's public API. The files import downward only: `actions` over `lookup`
//! (where the credentials come from) and `servers` (which servers it answers for), over
//! `protocol` (stdin, stdout and failures).

mod actions;
mod lookup;
mod protocol;
mod servers;

use std::{ffi::OsStr, process::ExitCode};

use crate::protocol::Failure;

/// What `version` prints.
const VERSION: &str = concat!(
    "docker-credential-dockerhub (dockerhub-auth) ",
    env!("CARGO_PKG_VERSION")
);

/// What the helper says when it is run without an action, or with `--help`.
const USAGE: &str = "Usage: docker-credential-dockerhub <store|get|erase|list|version>";

fn main() -> ExitCode {
    let action = std::env::args_os().nth(1);
    let outcome = match action.as_deref().map(OsStr::to_string_lossy).as_deref() {
        Some("get") => actions::get(),
        Some("store") => actions::store(),
        Some("erase") => actions::erase(),
        Some("list") => actions::list(),
        Some("version" | "--version" | "-v") => protocol::print_line(VERSION),
        Some("--help" | "-h") => protocol::print_line(USAGE),
        Some(other) => Err(Failure::new(format!(
            "unknown credential action `{other}`; {USAGE}"
        ))),
        None => Err(Failure::new(USAGE)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
