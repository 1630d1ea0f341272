//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password, through the
//! token cache.

use clap::Args;
use dockerhub_auth::Credentials;

use crate::{
    args::Global,
    cache::with_cache,
    credentials::{self, Request, Resolved},
    failure::Failure,
    hub::hub,
    output::print_token,
};

/// Exchange a personal access token, organization access token or password for a
/// short-lived token (POST /v2/auth/token)
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// The username, or the organization name for an organization access token
    /// [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "U")]
    username: Option<String>,

    /// Read the secret from stdin (one line)
    #[arg(long)]
    secret_stdin: bool,

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long)]
    no_docker_config: bool,
}

pub(crate) async fn run(args: TokenArgs, global: &Global) -> Result<(), Failure> {
    let hub = hub(global)?;
    let Resolved { username, secret } = credentials::resolve(Request {
        username: args.username,
        from_stdin: args.secret_stdin,
        stdin_flag: "--secret-stdin",
        no_docker_config: args.no_docker_config,
        secret_name: "access token",
    })
    .await?;
    let session = hub.session_builder(Credentials::access_token(username, secret));
    let token = with_cache(session, global).build().token().await?;
    print_token(&token, global.json)
}
