//! What the registry commands share: their options, the [`Registry`] they talk to, and the
//! credentials they send (or not).

use clap::Args;
use dockerhub_auth::{Credentials, Registry};

use crate::{args::Global, failure::Failure, input};

/// The environment the registry commands read, for their help.
pub(crate) const ENVIRONMENT: &str = "\
Environment:
  DOCKERHUB_REGISTRY_URL  the registry, when --registry is not given
  DOCKERHUB_USERNAME      the username (or organization name), when --username is not given
  DOCKERHUB_TOKEN         the secret, when it does not come from stdin

No option takes a password or token as an argument (arguments are visible to other users).
Without --anonymous, credentials are needed: --username with --secret-stdin, or
DOCKERHUB_USERNAME with DOCKERHUB_TOKEN, or a prompt without echo when stdin is a terminal.";

/// The options of `registry-token` and `rate-limit`.
#[derive(Debug, Args)]
pub(crate) struct RegistryArgs {
    /// The registry [env: DOCKERHUB_REGISTRY_URL] [default: https://registry-1.docker.io]
    #[arg(long, value_name = "URL")]
    registry: Option<String>,

    /// Send no credentials: the token (and the limit) of anonymous pulls from this address
    #[arg(long, conflicts_with_all = ["username", "secret_stdin"])]
    anonymous: bool,

    /// The username, or the organization name for an organization access token
    /// [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "U")]
    username: Option<String>,

    /// Read the secret (password, personal or organization access token) from stdin (one
    /// line)
    #[arg(long)]
    secret_stdin: bool,
}

impl RegistryArgs {
    /// Returns the registry from `--registry` (else `DOCKERHUB_REGISTRY_URL`) and `--timeout`.
    pub(crate) fn registry(&self, global: &Global) -> Result<Registry, Failure> {
        let mut builder = Registry::builder()
            .user_agent(concat!("dockerhub-auth-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(url) = self
            .registry
            .clone()
            .or_else(|| std::env::var("DOCKERHUB_REGISTRY_URL").ok())
        {
            builder = builder.base_url(url);
        }
        if let Some(timeout) = global.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder.build()?)
    }

    /// Returns the credentials to send, the same way `token` finds them, or `None` with
    /// `--anonymous`.
    pub(crate) fn credentials(&self) -> Result<Option<Credentials>, Failure> {
        if self.anonymous {
            return Ok(None);
        }
        let username = input::username(self.username.clone()).map_err(|failure| {
            Failure::new(
                failure.code,
                format!("{}, or pass --anonymous", failure.message),
            )
        })?;
        let secret = input::secret(
            self.secret_stdin,
            "--secret-stdin",
            &format!("Docker Hub access token for {username}: "),
        )?;
        Ok(Some(Credentials::access_token(username, secret)))
    }
}
