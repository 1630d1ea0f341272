//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password, through the
//! token cache.

use clap::Args;
use dockerhub_auth::Credentials;

use crate::{
    args::Global, cache::with_cache, failure::Failure, hub::hub, input, output::print_token,
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
}

pub(crate) async fn run(args: TokenArgs, global: &Global) -> Result<(), Failure> {
    let username = input::username(args.username)?;
    let secret = input::secret(
        args.secret_stdin,
        "--secret-stdin",
        &format!("Docker Hub access token for {username}: "),
    )?;
    let hub = hub(global)?;
    let session = hub.session_builder(Credentials::access_token(username, secret));
    let token = with_cache(session, global).build().token().await?;
    print_token(&token, global.json)
}
