//! `dockerhub-auth login`: `POST /v2/users/login`, then `/v2/users/2fa-login` when Docker Hub
//! asks for a second factor.

use clap::Args;
use dockerhub_auth::Login;

use crate::{
    args::Global,
    failure::{EXIT_SECOND_FACTOR, Failure},
    hub::hub,
    input,
    output::print_token,
};

/// Log in with a password or personal access token, with the second factor when Docker Hub
/// asks for one (POST /v2/users/login, /v2/users/2fa-login)
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The username [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "U")]
    username: Option<String>,

    /// Read the password from stdin (one line)
    #[arg(long)]
    password_stdin: bool,

    /// The one-time TOTP or recovery code, for an account with two-factor authentication
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
}

pub(crate) async fn run(args: LoginArgs, global: &Global) -> Result<(), Failure> {
    let username = input::username(args.username)?;
    let password = input::secret(
        args.password_stdin,
        "--password-stdin",
        &format!("Docker Hub password for {username}: "),
    )?;
    let hub = hub(global)?;
    let token = match hub.login(&username, password).await? {
        Login::Authenticated(token) => token,
        Login::SecondFactorRequired(challenge) => {
            let code = input::code(args.code)?.ok_or_else(|| {
                Failure::new(
                    EXIT_SECOND_FACTOR,
                    "docker hub requires a second factor for this account: pass --code, or \
                     run in a terminal to be asked for it",
                )
            })?;
            hub.login_second_factor(&challenge, code).await?
        }
    };
    print_token(&token, global.json)
}
