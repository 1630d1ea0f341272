//! Where a command's username and secret come from, first match wins:
//!
//! 1. `--secret-stdin` / `--password-stdin`, with `--username` (else `DOCKERHUB_USERNAME`);
//! 2. `DOCKERHUB_TOKEN`, with `--username` (else `DOCKERHUB_USERNAME`);
//! 3. the credentials `docker login` stored for Docker Hub (unless `--no-docker-config`); when
//!    a username was given, only if the stored one is the same;
//! 4. a prompt without echo, when stdin is a terminal;
//! 5. else exit 2, with a message listing everything looked at.
//!
//! `-v` names the source used, never the secret.

use std::{
    env,
    io::{self, IsTerminal},
};

use dockerhub_auth::{Credentials, DockerCredentialStore, SecretString, StoredCredentials};
use zeroize::Zeroizing;

use crate::{failure::Failure, input, output};

/// What a command's secret is, which decides the flag that reads it from stdin, the prompt,
/// and how it is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// A password, personal or organization access token, exchanged at `/v2/auth/token` or
    /// sent to a registry's token service (`token`, `registry-token`, `rate-limit`).
    #[default]
    AccessToken,
    /// A password, for a login at `/v2/users/login` with a second factor if Docker Hub asks
    /// for one (`login`, `pat`, `oat`).
    Password,
}

impl SecretKind {
    /// The flag that reads the secret from stdin.
    fn stdin_flag(self) -> &'static str {
        match self {
            SecretKind::AccessToken => "--secret-stdin",
            SecretKind::Password => "--password-stdin",
        }
    }

    /// What the secret is, for the prompt.
    fn name(self) -> &'static str {
        match self {
            SecretKind::AccessToken => "access token",
            SecretKind::Password => "password",
        }
    }
}

/// How a command finds its credentials, from its options. The default asks every source
/// for an access token.
#[derive(Default)]
pub(crate) struct Request {
    /// What the secret is.
    pub(crate) kind: SecretKind,
    /// `--username`.
    pub(crate) username: Option<String>,
    /// `--secret-stdin` or `--password-stdin`.
    pub(crate) from_stdin: bool,
    /// `--no-docker-config`.
    pub(crate) no_docker_config: bool,
    /// `--anonymous`: send none.
    pub(crate) anonymous: bool,
    /// `--code`: the second factor of a password login.
    pub(crate) code: Option<String>,
}

/// A username and its secret, from one source.
pub(crate) struct Resolved {
    username: String,
    secret: SecretString,
    kind: SecretKind,
}

impl Resolved {
    /// The username (or organization name).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// Returns the library's credentials for this username and secret: the one place the
    /// command line builds them.
    pub(crate) fn into_credentials(self) -> Credentials {
        match self.kind {
            SecretKind::AccessToken => Credentials::secret(self.username, self.secret),
            SecretKind::Password => Credentials::password(self.username, self.secret),
        }
    }
}

/// Returns the credentials of the first source that has them.
pub(crate) async fn resolve(request: &Request) -> Result<Resolved, Failure> {
    let (username, secret) = first_found(request).await?;
    Ok(Resolved {
        username,
        secret,
        kind: request.kind,
    })
}

/// The first source's username and secret.
async fn first_found(request: &Request) -> Result<(String, SecretString), Failure> {
    let stdin_flag = request.kind.stdin_flag();
    let username = given_username(request.username.clone())?;
    if request.from_stdin {
        let secret = input::secret_from_stdin()?;
        return Ok(found(require(username)?, secret, stdin_flag));
    }
    if let Some(secret) = env::var_os("DOCKERHUB_TOKEN") {
        let secret = Zeroizing::new(
            secret
                .into_string()
                .map_err(|_| Failure::usage("DOCKERHUB_TOKEN is not valid UTF-8"))?,
        );
        if secret.is_empty() {
            return Err(Failure::usage("the secret is empty"));
        }
        let secret = SecretString::from(secret.as_str());
        return Ok(found(require(username)?, secret, "DOCKERHUB_TOKEN"));
    }

    let mut looked_at = vec![
        format!("--username with {stdin_flag} ({stdin_flag} not given)"),
        "DOCKERHUB_USERNAME with DOCKERHUB_TOKEN (DOCKERHUB_TOKEN not set)".to_owned(),
    ];
    // Stored credentials that cannot be used: why, and the username they are for.
    let mut unusable = None;
    if request.no_docker_config {
        looked_at.push("Docker's stored credentials (skipped: --no-docker-config)".to_owned());
    } else {
        let store = DockerCredentialStore::from_env();
        let stored = store
            .docker_hub_credentials_async()
            .await
            .map_err(docker_store_failure)?;
        match stored {
            None => {
                // Only for the message: which helper said it holds nothing.
                let helper = match store.docker_hub_helper() {
                    Ok(Some(name)) => format!(" and docker credential helper `{name}`"),
                    _ => String::new(),
                };
                looked_at.push(format!(
                    "Docker's stored credentials in {store}{helper} (none for Docker Hub)"
                ));
            }
            Some(stored) => match use_stored(&stored, username.as_deref()) {
                Ok(resolved) => return Ok(resolved),
                Err(why) => {
                    looked_at.push(why.clone());
                    unusable = Some((why, stored.username().map(str::to_owned)));
                }
            },
        }
    }

    if io::stdin().is_terminal() {
        let mut stored_username = None;
        if let Some((why, username)) = unusable {
            output::say(&why);
            stored_username = username;
        }
        let username = require(username.or(stored_username))?;
        // The username may come from Docker's stored credentials: shown escaped.
        let prompt = format!(
            "Docker Hub {} for {}: ",
            request.kind.name(),
            output::escape(&username)
        );
        let secret = input::secret_from_prompt(&prompt)?;
        return Ok(found(username, secret, "the terminal prompt"));
    }
    looked_at.push("a prompt on the terminal (stdin is not a terminal)".to_owned());
    Err(Failure::usage(format!(
        "no usable credentials for Docker Hub; looked at: {}",
        looked_at.join("; ")
    )))
}

/// Returns the stored credentials when they are for the username asked for (if any) and
/// hold a password or access token; else why not, in a phrase for the list of what was
/// looked at.
fn use_stored(
    stored: &StoredCredentials,
    wanted: Option<&str>,
) -> Result<(String, SecretString), String> {
    let source = stored.source();
    if let (Some(wanted), Some(stored_user)) = (wanted, stored.username())
        && wanted != stored_user
    {
        return Err(format!(
            "Docker's stored credentials from {source} (for {stored_user}, not {wanted})"
        ));
    }
    match (stored.username(), stored.secret()) {
        (Some(username), Some(secret)) => Ok(found(
            username.to_owned(),
            secret.clone(),
            &source.to_string(),
        )),
        _ => Err(format!(
            "{source} holds only an identity token for Docker Hub (from a browser or SSO \
             `docker login`), which Docker Hub's token API does not accept: a personal access \
             token is needed (`docker login -u NAME` with the token as password, or \
             DOCKERHUB_TOKEN)"
        )),
    }
}

/// Logs where the credentials came from (with `-v`), never the secret.
fn found(username: String, secret: SecretString, source: &str) -> (String, SecretString) {
    tracing::debug!(%username, source, "using these docker hub credentials");
    (username, secret)
}

/// Returns `--username`, else `DOCKERHUB_USERNAME`, refusing a blank one.
fn given_username(flag: Option<String>) -> Result<Option<String>, Failure> {
    let username = flag.or_else(|| env::var("DOCKERHUB_USERNAME").ok());
    if username.as_ref().is_some_and(|name| name.trim().is_empty()) {
        return Err(Failure::usage("the username is empty"));
    }
    Ok(username)
}

fn require(username: Option<String>) -> Result<String, Failure> {
    username.ok_or_else(|| Failure::usage("no username: pass --username or set DOCKERHUB_USERNAME"))
}

/// A store that cannot be read stops the command, with the way around it.
fn docker_store_failure(error: dockerhub_auth::Error) -> Failure {
    let mut failure = Failure::from(error);
    failure
        .message
        .push_str(" (pass --no-docker-config to skip Docker's stored credentials)");
    failure
}
