//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password, or the OIDC
//! exchange of an organization's ID token, through the token cache.

use clap::Args;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{SecretOptions, WithCredentials},
    output::{TOKEN_JSON_HELP, print_token},
};

/// Exchange a personal access token, organization access token or password for a
/// short-lived token (POST /v2/auth/token), or an OIDC ID token for an organization's
/// (keyless CI)
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |arg| arg.help(TOKEN_JSON_HELP)),
    after_help = help::page(
        &[],
        help::TOKEN_VARIABLES,
        &[help::TOKEN_CREDENTIALS, help::OIDC, help::NO_SECRET_ARGUMENT, help::CACHE],
    ),
)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) options: WithCredentials<SecretOptions>,
}

pub(crate) async fn exec(ctx: &Context, _args: TokenArgs) -> Result<(), Failure> {
    let session = ctx.session().await?;
    let token = session.token().await?;
    print_token(&token, session.username_of(&token), ctx.json())
}
