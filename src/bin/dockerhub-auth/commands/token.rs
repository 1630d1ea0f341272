//! `dockerhub-auth token`: `POST /v2/auth/token` with a PAT, OAT or password, through the
//! token cache.

use clap::Args;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{SecretOptions, WithCredentials},
    output::{TOKEN_JSON_HELP, print_token},
};

/// Exchange a personal access token, organization access token or password for a
/// short-lived token (POST /v2/auth/token)
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |arg| arg.help(TOKEN_JSON_HELP)),
    after_help = help::page(
        &[],
        help::HUB_VARIABLES,
        &[&help::credentials("--secret-stdin"), help::NO_SECRET_ARGUMENT, help::CACHE],
    ),
)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) options: WithCredentials<SecretOptions>,
}

pub(crate) async fn exec(ctx: &Context, _args: TokenArgs) -> Result<(), Failure> {
    let token = ctx.session().await?.token().await?;
    print_token(&token, ctx.json())
}
