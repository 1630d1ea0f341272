//! `dockerhub-auth login`: `POST /v2/users/login`, then `/v2/users/2fa-login` when Docker Hub
//! asks for a second factor, through the token cache.
//!
//! The cache entry is keyed on the username and the password, like `token`'s on its secret:
//! a cached token (a two-factor login's too) is printed without asking for a code, and a
//! rejected password is answered from the cache. A rejected code is not remembered: a
//! person may have mistyped it.

use clap::Args;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{PasswordOptions, WithCredentials},
    output::{TOKEN_JSON_HELP, print_token},
};

/// Log in with a password or personal access token, with the second factor when Docker Hub
/// asks for one (POST /v2/users/login, /v2/users/2fa-login)
#[derive(Debug, Args)]
#[command(
    mut_arg("json", |arg| arg.help(TOKEN_JSON_HELP)),
    after_help = help::page(
        &["The second-factor code comes from --code, else from a prompt when stdin is a \
           terminal; otherwise the command exits with 4."],
        help::HUB_VARIABLES,
        &[&help::credentials("--password-stdin"), help::NO_SECRET_ARGUMENT_BUT_CODE, help::CACHE],
    ),
)]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) options: WithCredentials<PasswordOptions>,
}

pub(crate) async fn exec(ctx: &Context, _args: LoginArgs) -> Result<(), Failure> {
    let session = ctx.session().await?;
    let token = session.token().await?;
    print_token(&token, session.username_of(&token), ctx.json())
}
