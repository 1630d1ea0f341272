//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password.

use clap::Args;

use crate::{args::Global, failure::Failure, hub::hub, input, output::print_token};

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
    let token = hub.create_access_token(&username, secret).await?;
    print_token(&token, global.json)
}
