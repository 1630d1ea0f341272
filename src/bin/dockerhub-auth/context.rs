//! [`Context`]: what `main` builds once from the command line and hands to the command it
//! runs: the global options, the output mode, the token cache decision, where the command's
//! credentials come from, and the clients, each built on first use.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use dockerhub_auth::{
    Credentials, DiskCache, Hub, PullLimit, Registry, RegistryScope, RegistryToken, RetryPolicy,
    Session, Token,
};

use crate::{
    cache,
    credentials::{self, Request, SecretKind},
    failure::Failure,
    input,
    options::{CommandOptions, GlobalOptions},
    output,
};

/// The user agent of every request the command line sends.
const USER_AGENT: &str = concat!("dockerhub-auth-cli/", env!("CARGO_PKG_VERSION"));

/// What a command runs with. Nothing is sent, read or prompted for until the command asks.
pub(crate) struct Context {
    base_url: Option<String>,
    /// `--timeout`: the limit of the whole run, and of each request.
    timeout: Option<Duration>,
    /// When the run must be over by: `--timeout` from the start.
    ends_by: Option<Instant>,
    json: bool,
    /// `--no-cache`, before or after the command's name.
    no_cache: bool,
    credentials: Request,
    registry_url: Option<String>,
    hub: OnceLock<Hub>,
    registry: OnceLock<Registry>,
}

impl Context {
    /// Returns the context of a command, from its options (`command`) and the global options
    /// given before its name (`global`; those given after it win).
    pub(crate) fn new(global: &GlobalOptions, command: &dyn CommandOptions) -> Context {
        let given = command.global();
        let timeout = given.timeout.or(global.timeout);
        let ends_by = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        Context {
            base_url: given.base_url.clone().or_else(|| global.base_url.clone()),
            timeout,
            ends_by,
            json: given.json || global.json,
            no_cache: given.no_cache || global.no_cache,
            credentials: Request {
                ends_by,
                ..command.credentials()
            },
            registry_url: command.registry(),
            hub: OnceLock::new(),
            registry: OnceLock::new(),
        }
    }

    /// Returns whether to print JSON (`--json`) instead of text.
    pub(crate) fn json(&self) -> bool {
        self.json
    }

    /// Returns the hub, built on first use from `--base-url` (else `DOCKERHUB_URL`) and
    /// `--timeout`.
    pub(crate) fn hub(&self) -> Result<&Hub, Failure> {
        built_once(&self.hub, || {
            let mut builder = Hub::builder().user_agent(USER_AGENT).base_url_from_env();
            if let Some(url) = &self.base_url {
                builder = builder.base_url(url);
            }
            if let Some(timeout) = self.timeout {
                builder = builder.timeout(timeout);
            }
            if let Some(policy) = self.retry_policy() {
                builder = builder.retry_policy(policy);
            }
            builder.build()
        })
    }

    /// The default retry policy, over by the end of `--timeout` when it is given: no
    /// request, retry or wait for another process's refresh goes past it.
    fn retry_policy(&self) -> Option<RetryPolicy> {
        self.ends_by
            .map(|ends_by| RetryPolicy::default().deadline_at(ends_by))
    }

    /// Returns the registry, built on first use from `--registry` (else
    /// `DOCKERHUB_REGISTRY_URL`) and `--timeout`, with the token cache unless it is turned off.
    fn registry(&self) -> Result<&Registry, Failure> {
        built_once(&self.registry, || {
            let mut builder = Registry::builder()
                .user_agent(USER_AGENT)
                .base_url_from_env();
            if let Some(url) = &self.registry_url {
                builder = builder.base_url(url);
            }
            if let Some(timeout) = self.timeout {
                builder = builder.timeout(timeout);
            }
            if let Some(policy) = self.retry_policy() {
                builder = builder.retry_policy(policy);
            }
            if let Some(cache) = self.disk_cache() {
                builder = builder.disk_cache(cache);
            }
            builder.build()
        })
    }

    /// Returns the token cache, unless `--no-cache` or `DOCKERHUB_AUTH_NO_CACHE` turns it off.
    fn disk_cache(&self) -> Option<DiskCache> {
        cache::open(self.no_cache)
    }

    /// Returns a session at Docker Hub with the command's credentials, through the token
    /// cache. A password session completes the second factor with `--code`, else a prompt on
    /// a terminal, when Docker Hub asks for one (and not at all when the cache has a token).
    /// Nothing is sent before its first [`HubSession::token`].
    pub(crate) async fn session(&self) -> Result<HubSession, Failure> {
        let hub = self.hub()?;
        let resolved = credentials::resolve(&self.credentials, None).await?;
        let username = resolved.username().to_owned();
        let credentials = resolved.into_credentials();
        let oidc = credentials.is_workload_identity();
        let mut session = hub.session_builder(credentials);
        let kind = self.credentials.kind;
        if kind == SecretKind::Password {
            let code = self.credentials.code.clone();
            session = session.second_factor_prompt(move || match input::code(code.clone()) {
                Ok(code) => code,
                Err(failure) => {
                    output::say(&failure.message);
                    None
                }
            });
        }
        if let Some(cache) = self.disk_cache() {
            session = session.disk_cache(cache);
        }
        Ok(HubSession {
            session: session.build(),
            username,
            kind,
            oidc,
        })
    }

    /// Returns a registry token for `scopes`, with the command's credentials or none
    /// (`--anonymous`).
    pub(crate) async fn registry_token(
        &self,
        scopes: &[RegistryScope],
    ) -> Result<RegistryToken, Failure> {
        let credentials = self.registry_credentials().await?;
        Ok(self.registry()?.token(&credentials, scopes).await?)
    }

    /// Returns the registry's pull limit, for the command's credentials or for anonymous
    /// pulls from this address (`--anonymous`).
    pub(crate) async fn pull_limit(&self) -> Result<PullLimit, Failure> {
        let credentials = self.registry_credentials().await?;
        Ok(self.registry()?.pull_limit(&credentials).await?)
    }

    /// Returns the credentials a registry command sends, found the way `token` finds them,
    /// or none with `--anonymous`.
    async fn registry_credentials(&self) -> Result<Credentials, Failure> {
        if self.credentials.anonymous {
            return Ok(Credentials::anonymous());
        }
        // Docker's stored credentials are the registry's own host's.
        let registry = self.registry()?.base_url().to_owned();
        let resolved = credentials::resolve(&self.credentials, Some(&registry))
            .await
            .map_err(|failure| {
                Failure::new(
                    failure.code,
                    format!("{} (or pass --anonymous)", failure.message),
                )
            })?;
        Ok(resolved.into_credentials())
    }
}

/// Returns what `cell` holds, built by `build` the first time.
fn built_once<T>(
    cell: &OnceLock<T>,
    build: impl FnOnce() -> dockerhub_auth::Result<T>,
) -> Result<&T, Failure> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = build()?;
    Ok(cell.get_or_init(|| value))
}

/// A session at Docker Hub, and the username it logs in as.
pub(crate) struct HubSession {
    session: Session,
    username: String,
    kind: SecretKind,
    /// Whether its credentials are an organization's OIDC credentials.
    oidc: bool,
}

impl HubSession {
    /// Returns a token: from the cache, or from Docker Hub.
    pub(crate) async fn token(&self) -> Result<Token, Failure> {
        self.session.token().await.map_err(|error| match self.kind {
            SecretKind::Password => Failure::password_login(error),
            SecretKind::AccessToken => error.into(),
        })
    }

    /// The session, as a bearer for the access-token routes.
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// The username (or organization name) the session logs in as.
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// The username a token of this session is for: the organization, for OIDC credentials
    /// (whose token need not name it); else the one its claims name, if any.
    pub(crate) fn username_of<'a>(&'a self, token: &'a Token) -> Option<&'a str> {
        match self.oidc {
            true => Some(&self.username),
            false => token.claims().and_then(|claims| claims.username()),
        }
    }
}
