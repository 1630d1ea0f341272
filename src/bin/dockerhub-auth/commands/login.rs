//! `dockerhub-auth login`: `POST /v2/users/login`, then `/v2/users/2fa-login` when Docker Hub
//! asks for a second factor, through the token cache.
//!
//! The cache entry is keyed on the username and the password, like `token`'s on its secret:
//! a cached token (a two-factor login's too) is printed without asking for a code, and a
//! rejected password is answered from the cache. A rejected code is not remembered: a
//! person may have mistyped it.

use clap::Args;
use dockerhub_auth::{Credentials, ErrorKind, Hub, Session};

use crate::{
    args::Global,
    cache::with_cache,
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
    #[command(flatten)]
    password: PasswordArgs,
}

/// How `login`, `pat` and `oat` log in: with a password (Docker Hub refuses to manage tokens
/// for a token issued from an access token). Global, so that `pat` and `oat` take them
/// after their verb too.
#[derive(Debug, Args)]
pub(crate) struct PasswordArgs {
    /// The username (for `oat`, an owner of the organization) [env: DOCKERHUB_USERNAME]
    #[arg(long, value_name = "U", global = true)]
    username: Option<String>,

    /// Read the password from stdin (one line)
    #[arg(long, global = true)]
    password_stdin: bool,

    /// Do not use the credentials `docker login` stored (Docker's config and credential
    /// helpers)
    #[arg(long, global = true)]
    no_docker_config: bool,

    /// The one-time TOTP or recovery code, for an account with two-factor authentication
    #[arg(long, value_name = "CODE", global = true)]
    code: Option<String>,
}

pub(crate) async fn run(args: LoginArgs, global: &Global) -> Result<(), Failure> {
    let hub = hub(global)?;
    let login = password_login(&hub, args.password, global).await?;
    let token = login.session.token().await.map_err(second_factor_failure)?;
    print_token(&token, global.json)
}

/// A password login's session (through the token cache unless it is turned off), and the
/// username it logs in as.
pub(crate) struct PasswordLogin {
    pub(crate) session: Session,
    pub(crate) username: String,
}

/// Returns a session that logs in with a password from the sources `args` name, completing
/// the second factor with `--code` (else a prompt on a terminal) when Docker Hub asks for
/// one.
/// Nothing is sent before its first `token()`.
pub(crate) async fn password_login(
    hub: &Hub,
    args: PasswordArgs,
    global: &Global,
) -> Result<PasswordLogin, Failure> {
    let Resolved {
        username,
        secret: password,
    } = credentials::resolve(Request {
        username: args.username,
        from_stdin: args.password_stdin,
        stdin_flag: "--password-stdin",
        no_docker_config: args.no_docker_config,
        secret_name: "password",
    })
    .await?;
    let code = args.code;
    // Asked only when Hub wants a second factor, and not at all when the cache has a token.
    let session = hub
        .session_builder(Credentials::password(username.clone(), password))
        .second_factor_prompt(move || match input::code(code.clone()) {
            Ok(code) => code,
            Err(failure) => {
                eprintln!("dockerhub-auth: {}", failure.message);
                None
            }
        });
    Ok(PasswordLogin {
        session: with_cache(session, global).build(),
        username,
    })
}

/// The failure for an error of a password session: a second factor nobody could give is
/// exit 4 with what to do.
pub(crate) fn second_factor_failure(error: dockerhub_auth::Error) -> Failure {
    if error.kind() == ErrorKind::SecondFactorRequired {
        return Failure::new(
            EXIT_SECOND_FACTOR,
            "docker hub requires a second factor for this account: pass --code, or run in a \
             terminal to be asked for it",
        );
    }
    error.into()
}
