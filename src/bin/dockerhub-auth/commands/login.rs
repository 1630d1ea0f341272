//! `dockerhub-auth login`: `POST /v2/users/login`, then `/v2/users/2fa-login` when Docker Hub
//! asks for a second factor.

use clap::Args;
use dockerhub_auth::{Hub, Login, Token};

use crate::{
    args::Global,
    credentials::{self, Request, Resolved},
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

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long)]
    no_docker_config: bool,

    /// The one-time TOTP or recovery code, for an account with two-factor authentication
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
}

pub(crate) async fn run(args: LoginArgs, global: &Global) -> Result<(), Failure> {
    let hub = hub(global)?;
    let request = Request {
        username: args.username,
        from_stdin: args.password_stdin,
        stdin_flag: "--password-stdin",
        no_docker_config: args.no_docker_config,
        secret_name: "password",
    };
    let (token, _) = password_login(&hub, request, args.code).await?;
    print_token(&token, global.json)
}

/// Logs in with a password from the sources of `request`, completing the second factor with
/// `code` (else a prompt on a terminal) when Docker Hub asks for one. Returns the token and
/// the username it was issued to.
pub(crate) async fn password_login(
    hub: &Hub,
    request: Request,
    code: Option<String>,
) -> Result<(Token, String), Failure> {
    let Resolved {
        username,
        secret: password,
    } = credentials::resolve(request).await?;
    let token = match hub.login(&username, password).await? {
        Login::Authenticated(token) => token,
        Login::SecondFactorRequired(challenge) => {
            let code = input::code(code)?.ok_or_else(|| {
                Failure::new(
                    EXIT_SECOND_FACTOR,
                    "docker hub requires a second factor for this account: pass --code, or \
                     run in a terminal to be asked for it",
                )
            })?;
            hub.login_second_factor(&challenge, code).await?
        }
    };
    Ok((token, username))
}
