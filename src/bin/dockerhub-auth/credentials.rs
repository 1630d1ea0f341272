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

use clap::Args;
use dockerhub_auth::{DockerCredentialStore, SecretString, StoredCredentials};
use zeroize::Zeroizing;

use crate::{failure::Failure, input};

/// The options of the commands that exchange an access token (or a password): `token`,
/// `registry-token` and `rate-limit`.
#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// The username, or the organization name for an organization access token
    /// [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "U")]
    username: Option<String>,

    /// Read the secret (password, personal or organization access token) from stdin (one
    /// line)
    #[arg(long)]
    secret_stdin: bool,

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long)]
    no_docker_config: bool,
}

impl SecretArgs {
    /// Returns the username and secret from the first source that has them.
    pub(crate) async fn resolve(&self) -> Result<Resolved, Failure> {
        resolve(Request {
            username: self.username.clone(),
            from_stdin: self.secret_stdin,
            stdin_flag: "--secret-stdin",
            no_docker_config: self.no_docker_config,
            secret_name: "access token",
        })
        .await
    }
}

/// How a command asks for its credentials.
pub(crate) struct Request {
    /// `--username`.
    pub(crate) username: Option<String>,
    /// `--secret-stdin` or `--password-stdin`.
    pub(crate) from_stdin: bool,
    /// The name of that flag, for messages.
    pub(crate) stdin_flag: &'static str,
    /// `--no-docker-config`.
    pub(crate) no_docker_config: bool,
    /// What the secret is, for the prompt: "access token" or "password".
    pub(crate) secret_name: &'static str,
}

/// A username and its secret, from one source.
pub(crate) struct Resolved {
    pub(crate) username: String,
    pub(crate) secret: SecretString,
}

/// Returns the credentials of the first source that has them.
pub(crate) async fn resolve(request: Request) -> Result<Resolved, Failure> {
    let username = given_username(request.username)?;
    if request.from_stdin {
        let secret = input::secret_from_stdin()?;
        return Ok(found(require(username)?, secret, request.stdin_flag));
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
        format!(
            "--username with {flag} ({flag} not given)",
            flag = request.stdin_flag
        ),
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
            eprintln!("dockerhub-auth: {why}");
            stored_username = username;
        }
        let username = require(username.or(stored_username))?;
        let prompt = format!("Docker Hub {} for {username}: ", request.secret_name);
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
fn use_stored(stored: &StoredCredentials, wanted: Option<&str>) -> Result<Resolved, String> {
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
fn found(username: String, secret: SecretString, source: &str) -> Resolved {
    tracing::debug!(%username, source, "using these docker hub credentials");
    Resolved { username, secret }
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
