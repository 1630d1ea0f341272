//! The actions of the protocol, each reading the environment when it runs.

use std::collections::BTreeMap;

use dockerhub_auth::DiskCache;

use crate::{
    lookup::{configured_username, lookup},
    protocol::{self, Failure},
    servers::Servers,
};

/// The servers this process's environment makes the helper answer for.
fn servers() -> Result<Servers, Failure> {
    Servers::from_vars(|name| std::env::var_os(name))
}

/// `get`: the credentials for the server on stdin, or "not found". A server it does not
/// answer for is "not found" before the credentials are looked at: a job whose credentials
/// are incomplete still lets a client ask about other registries.
pub(crate) fn get() -> Result<(), Failure> {
    let server = protocol::read_server()?;
    if !servers()?.serves(&server) {
        return Err(Failure::not_found());
    }
    let Some(configured) = lookup(|name| std::env::var_os(name))? else {
        return Err(Failure::not_found());
    };
    let username = configured.username().to_owned();
    let secret = configured.into_secret()?;
    protocol::print_credentials(&server, &username, &secret)
}

/// `store`: nothing is stored; the payload (which holds a secret) is read and dropped.
pub(crate) fn store() -> Result<(), Failure> {
    protocol::discard_stdin();
    Err(Failure::new(
        "docker-credential-dockerhub stores nothing: it answers with the credentials in the \
         environment of the process that runs it (DOCKERHUB_USERNAME with DOCKERHUB_TOKEN, or an OIDC connection: DOCKERHUB_OIDC_CONNECTIONID); \
         set them there instead of logging in",
    ))
}

/// `erase`: forgets what the token cache holds for the username of the server on stdin.
/// The cache files its tokens by username (or organization), not by server, so every
/// cached token of that username goes. It needs no secret (an ID token may be gone by
/// then), and nothing to forget is not a failure.
pub(crate) fn erase() -> Result<(), Failure> {
    let server = protocol::read_server()?;
    if !servers()?.serves(&server) {
        return Ok(());
    }
    let Some(username) = configured_username(|name| std::env::var_os(name)) else {
        return Ok(());
    };
    DiskCache::default_location()
        .clear_identifier(&username)
        .map(drop)
        .map_err(|error| Failure::new(error.to_string()))
}

/// `list`: the servers it answers for, with their username; `{}` when no credentials are
/// configured. It needs no secret: only the names.
pub(crate) fn list() -> Result<(), Failure> {
    let servers = servers()?;
    let listed: BTreeMap<String, String> = match configured_username(|name| std::env::var_os(name))
    {
        Some(username) => servers
            .keys()
            .into_iter()
            .map(|key| (key, username.clone()))
            .collect(),
        None => BTreeMap::new(),
    };
    protocol::print_list(&listed)
}
