//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password, through the
//! token cache.

use clap::Args;
use dockerhub_auth::Credentials;

use crate::{
    args::Global,
    cache::with_cache,
    credentials::{Resolved, SecretArgs},
    failure::Failure,
    hub::hub,
    output::print_token,
};

/// Exchange a personal access token, organization access token or password for a
/// short-lived token (POST /v2/auth/token)
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    credentials: SecretArgs,
}

pub(crate) async fn run(args: TokenArgs, global: &Global) -> Result<(), Failure> {
    let hub = hub(global)?;
    let Resolved { username, secret } = args.credentials.resolve().await?;
    let session = hub.session_builder(Credentials::secret(username, secret));
    let token = with_cache(session, global).build().token().await?;
    print_token(&token, global.json)
}
