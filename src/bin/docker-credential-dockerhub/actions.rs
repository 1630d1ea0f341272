//! The actions of the protocol, each reading the environment when it runs.

use std::collections::BTreeMap;

use dockerhub_auth::DiskCache;

use crate::{
    lookup::{Configured, lookup},
    protocol::{self, Failure},
    servers::Servers,
};

/// The servers and credentials this process's environment configures.
fn configured() -> Result<(Servers, Option<Configured>), Failure> {
    let var = |name: &str| std::env::var_os(name);
    Ok((Servers::from_vars(var)?, lookup(var)?))
}

/// `get`: the credentials for the server on stdin, or "not found".
pub(crate) fn get() -> Result<(), Failure> {
    let server = protocol::read_server()?;
    let (servers, configured) = configured()?;
    let Some(configured) = configured.filter(|_| servers.serves(&server)) else {
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
/// cached token of that username goes. Nothing to forget is not a failure.
pub(crate) fn erase() -> Result<(), Failure> {
    let server = protocol::read_server()?;
    let (servers, configured) = configured()?;
    let Some(configured) = configured.filter(|_| servers.serves(&server)) else {
        return Ok(());
    };
    DiskCache::default_location()
        .clear_identifier(configured.username())
        .map(drop)
        .map_err(|error| Failure::new(error.to_string()))
}

/// `list`: the servers it answers for, with their username; `{}` when no credentials are
/// configured.
pub(crate) fn list() -> Result<(), Failure> {
    let (servers, configured) = configured()?;
    let listed: BTreeMap<String, String> = match configured {
        Some(configured) => servers
            .keys()
            .into_iter()
            .map(|key| (key, configured.username().to_owned()))
            .collect(),
        None => BTreeMap::new(),
    };
    protocol::print_list(&listed)
}
