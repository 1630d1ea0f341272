//! What the registry commands share: their options, the [`Registry`] they talk to, and the
//! credentials they send (or not).

use clap::Args;
use dockerhub_auth::{Credentials, Registry};

use crate::{
    args::Global,
    cache,
    credentials::{Resolved, SecretArgs},
    failure::Failure,
};

/// The environment the registry commands read, for their help.
pub(crate) const ENVIRONMENT: &str = "\
Environment:
  DOCKERHUB_REGISTRY_URL  the registry, when --registry is not given
  DOCKERHUB_USERNAME      the username (or organization name), when --username is not given
  DOCKERHUB_TOKEN         the secret, when it does not come from stdin

No option takes a password or token as an argument (arguments are visible to other users).
Without --anonymous, credentials are needed, found as `token` finds them: --username with
--secret-stdin, DOCKERHUB_USERNAME with DOCKERHUB_TOKEN, what `docker login` stored (unless
--no-docker-config), or a prompt without echo when stdin is a terminal.";

/// The options of `registry-token` and `rate-limit`.
#[derive(Debug, Args)]
pub(crate) struct RegistryArgs {
    /// The registry [env: DOCKERHUB_REGISTRY_URL] [default: https://registry-1.docker.io]
    #[arg(long, value_name = "URL")]
    registry: Option<String>,

    /// Send no credentials: the token (and the limit) of anonymous pulls from this address
    #[arg(long, conflicts_with_all = ["username", "secret_stdin", "no_docker_config"])]
    anonymous: bool,

    #[command(flatten)]
    credentials: SecretArgs,
}

impl RegistryArgs {
    /// Returns the registry from `--registry` (else `DOCKERHUB_REGISTRY_URL`) and `--timeout`,
    /// with the token cache unless it is turned off.
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
        if let Some(cache) = cache::disk_cache(global) {
            builder = builder.disk_cache(cache);
        }
        Ok(builder.build()?)
    }

    /// Returns the credentials to send, found the way `token` finds them (flags,
    /// `DOCKERHUB_*`, Docker's stored credentials, a prompt), or none with `--anonymous`.
    pub(crate) async fn credentials(&self) -> Result<Credentials, Failure> {
        if self.anonymous {
            return Ok(Credentials::anonymous());
        }
        let Resolved { username, secret } =
            self.credentials.resolve().await.map_err(|failure| {
                Failure::new(
                    failure.code,
                    format!("{} (or pass --anonymous)", failure.message),
                )
            })?;
        Ok(Credentials::secret(username, secret))
    }
}
