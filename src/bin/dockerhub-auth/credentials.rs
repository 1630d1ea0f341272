//! Where a command's credentials come from, first match wins:
//!
//! 1. `--secret-stdin` / `--password-stdin`, with `--username` (else `DOCKERHUB_USERNAME`);
//! 2. to 5. the library's [`CredentialLookup`], given the command's flags: `--oidc-connection`,
//!    `DOCKERHUB_TOKEN`, `DOCKERHUB_OIDC_CONNECTIONID`, then what `docker login` stored
//!    (unless `--no-docker-config`; for a registry, what it stored for that registry's host);
//!    with a username given, stored credentials only if they are that username's;
//! 6. a prompt without echo, when stdin is a terminal;
//! 7. else exit 2, with a message listing everything looked at.
//!
//! `-v` names the source used, never the secret.

use std::{
    io::{self, IsTerminal},
    time::{Duration, Instant},
};

use dockerhub_auth::{
    CredentialLookup, Credentials, DockerCredentialStore, ErrorKind, SecretString,
};

use crate::{failure::Failure, input, output};

/// What a command's secret is, which decides the flag that reads it from stdin, the prompt,
/// and how it is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// A password, personal or organization access token, exchanged at `/v2/auth/token` or
    /// sent to a registry's token service (`token`, `registry-token`, `rate-limit`); or OIDC
    /// credentials.
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
#[derive(Clone, Default)]
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
    /// When the run must be over by (`--timeout`): a credential helper still running then
    /// is stopped.
    pub(crate) ends_by: Option<Instant>,
    /// `--oidc-connection`.
    pub(crate) oidc_connection: Option<String>,
    /// `--oidc-expires-in`.
    pub(crate) oidc_expires_in: Option<Duration>,
    /// `--identity-url`.
    pub(crate) identity_url: Option<String>,
}

/// The credentials of one source, and the username (or organization) they are for.
pub(crate) struct Resolved {
    credentials: Credentials,
    username: String,
}

impl Resolved {
    /// The username (or organization name).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// The library's credentials.
    pub(crate) fn into_credentials(self) -> Credentials {
        self.credentials
    }
}

/// Returns the credentials of the first source that has them; with `registry`, Docker's
/// stored credentials are those of that registry's host.
pub(crate) async fn resolve(
    request: &Request,
    registry: Option<&str>,
) -> Result<Resolved, Failure> {
    let stdin_flag = request.kind.stdin_flag();
    if request.from_stdin {
        let username = require(given_username(request)?)?;
        let secret = input::secret_from_stdin()?;
        tracing::debug!(%username, source = stdin_flag, "using these credentials");
        return Ok(with_secret(request.kind, username, secret));
    }

    // Docker's store comes last, and only there may a helper run: the variables are looked
    // at first on their own, so that the Ctrl-C watcher (a thread) is set up only for a run
    // that gets that far, never for a cache hit with a token in the environment.
    let lookup = lookup(request, registry);
    let mut outcome =
        (lookup.clone().docker_config(false).find_async().await).map_err(lookup_failure)?;
    if outcome.credentials().is_none() && !request.no_docker_config {
        stop_helpers_on_signals();
        outcome = lookup.find_async().await.map_err(lookup_failure)?;
    }
    let found = outcome.credentials().cloned();
    if let Some(credentials) = found {
        let username = credentials.identifier().unwrap_or_default().to_owned();
        return Ok(Resolved {
            credentials,
            username,
        });
    }

    if io::stdin().is_terminal() {
        if let Some(why) = outcome.unusable_stored() {
            output::say(why);
        }
        let stored = outcome.unusable_stored_username().map(str::to_owned);
        let username = require(given_username(request)?.or(stored))?;
        // The username may come from Docker's stored credentials: shown escaped.
        let prompt = format!(
            "Docker Hub {} for {}: ",
            request.kind.name(),
            output::escape(&username)
        );
        let secret = input::secret_from_prompt(&prompt)?;
        tracing::debug!(%username, source = "the terminal prompt", "using these credentials");
        return Ok(with_secret(request.kind, username, secret));
    }
    let mut looked_at = vec![format!(
        "--username with {stdin_flag} ({stdin_flag} not given)"
    )];
    looked_at.extend(outcome.looked_at().iter().map(|entry| {
        match request.no_docker_config && entry.starts_with("Docker's stored credentials (skipped")
        {
            true => "Docker's stored credentials (skipped: --no-docker-config)".to_owned(),
            false => entry.clone(),
        }
    }));
    looked_at.push("a prompt on the terminal (stdin is not a terminal)".to_owned());
    let whose = registry.map_or("Docker Hub".to_owned(), |url| format!("registry {url}"));
    Err(Failure::usage(format!(
        "no usable credentials for {whose}; looked at: {}",
        looked_at.join("; ")
    )))
}

/// The library's lookup, with the command's flags.
fn lookup(request: &Request, registry: Option<&str>) -> CredentialLookup {
    let mut lookup = CredentialLookup::from_env()
        .docker_config(!request.no_docker_config)
        .password_login(request.kind == SecretKind::Password);
    if let Some(username) = &request.username {
        lookup = lookup.username(username);
    }
    if let Some(connection) = &request.oidc_connection {
        lookup = lookup.oidc_connection(connection);
    }
    if let Some(lifetime) = request.oidc_expires_in {
        lookup = lookup.oidc_expires_in(lifetime);
    }
    if let Some(url) = &request.identity_url {
        lookup = lookup.identity_url(url);
    }
    if let Some(registry) = registry {
        lookup = lookup.registry(registry);
    }
    if let Some(ends_by) = request.ends_by {
        // A credential helper still running when the run must be over is stopped.
        lookup = lookup.docker_store(DockerCredentialStore::from_env().deadline_at(ends_by));
    }
    lookup
}

/// Makes a Ctrl-C, a `SIGTERM` or a lost terminal (`SIGHUP`) stop the credential helpers
/// still running, with what they started, before the CLI dies of the signal as it would
/// have without this: a helper runs in a process group of its own, which the terminal's
/// signals do not reach. Set up once, for a run that reads Docker's store; without it (no
/// thread to spare) a signal still ends the CLI.
fn stop_helpers_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::{
            consts::{SIGHUP, SIGINT, SIGTERM},
            iterator::Signals,
            low_level::emulate_default_handler,
        };
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // The watcher takes the signals itself, and says when it has: a helper started
            // after this returns is covered. No thread, no change: the signals end the CLI
            // as before.
            let (ready, taken) = std::sync::mpsc::channel();
            let watcher = std::thread::Builder::new()
                .name("signals".to_owned())
                .spawn(move || {
                    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
                        return;
                    };
                    let _ = ready.send(());
                    if let Some(signal) = signals.forever().next() {
                        DockerCredentialStore::stop_running_helpers();
                        let _ = emulate_default_handler(signal);
                        // Only if the signal could not end the process itself.
                        std::process::exit(128 + signal);
                    }
                });
            if watcher.is_ok() {
                let _ = taken.recv();
            }
        });
    }
}

/// Credentials of a secret read from stdin or a prompt, for the command's kind.
fn with_secret(kind: SecretKind, username: String, secret: SecretString) -> Resolved {
    let credentials = match kind {
        SecretKind::AccessToken => Credentials::secret(&username, secret),
        SecretKind::Password => Credentials::password(&username, secret),
    };
    Resolved {
        credentials,
        username,
    }
}

/// Returns `--username`, else `DOCKERHUB_USERNAME`, refusing a blank one.
fn given_username(request: &Request) -> Result<Option<String>, Failure> {
    let username = request
        .username
        .clone()
        .or_else(|| std::env::var("DOCKERHUB_USERNAME").ok());
    if username.as_ref().is_some_and(|name| name.trim().is_empty()) {
        return Err(Failure::usage("the username is empty"));
    }
    Ok(username)
}

fn require(username: Option<String>) -> Result<String, Failure> {
    username.ok_or_else(|| Failure::usage("no username: pass --username or set DOCKERHUB_USERNAME"))
}

/// A store that cannot be read stops the command, with the way around it.
fn lookup_failure(error: dockerhub_auth::Error) -> Failure {
    let store = error.kind() == ErrorKind::CredentialStore;
    let mut failure = Failure::from(error);
    if store {
        failure
            .message
            .push_str(" (pass --no-docker-config to skip Docker's stored credentials)");
    }
    failure
}
