//! `dockerhub-auth login`: `POST /v2/users/login`, then `/v2/users/2fa-login` when Docker Hub
//! asks for a second factor, through the token cache.
//!
//! The cache entry is keyed on the username and the password, like `token`'s on its secret:
//! a cached token (a two-factor login's too) is printed without asking for a code, and a
//! rejected password is answered from the cache. A rejected code is not remembered: a
//! person may have mistyped it.

use clap::Args;
use dockerhub_auth::{Credentials, ErrorKind};

use crate::{
    args::Global,
    cache::with_cache,
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
    let flag = args.code;
    // Asked only when Hub wants a second factor, and not at all when the cache has a token.
    let session = hub
        .session_builder(Credentials::password(username, password))
        .second_factor_prompt(move || match input::code(flag.clone()) {
            Ok(code) => code,
            Err(failure) => {
                eprintln!("dockerhub-auth: {}", failure.message);
                None
            }
        });
    let token = match with_cache(session, global).build().token().await {
        Ok(token) => token,
        Err(error) if error.kind() == ErrorKind::SecondFactorRequired => {
            return Err(Failure::new(
                EXIT_SECOND_FACTOR,
                "docker hub requires a second factor for this account: pass --code, or run \
                 in a terminal to be asked for it",
            ));
        }
        Err(error) => return Err(error.into()),
    };
    print_token(&token, global.json)
}
