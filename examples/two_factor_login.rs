//! Logs in to an account with two-factor authentication: the password, then a TOTP code or
//! a recovery code when Docker Hub asks for one.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_PASSWORD='…' cargo run --example two_factor_login
//! ```
//!
//! The code is read from `DOCKERHUB_2FA_CODE` when set, else from a line on stdin. Only the
//! older login route (`POST /v2/users/login`) knows two-factor accounts; for unattended use,
//! a personal access token (`get_token`) needs no code. `DOCKERHUB_URL` points it at
//! another server (a mock Hub).

use std::{env, io, process::ExitCode};

use dockerhub_auth::{Error, Hub, Login, SecretString, Token};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (Ok(username), Ok(password)) = (
        env::var("DOCKERHUB_USERNAME"),
        env::var("DOCKERHUB_PASSWORD"),
    ) else {
        eprintln!("two_factor_login: set DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD");
        return ExitCode::from(2);
    };
    let ask_for_code = || match env::var("DOCKERHUB_2FA_CODE") {
        Ok(code) => code,
        Err(_) => {
            eprint!("two-factor code: ");
            let mut line = String::new();
            let _ = io::stdin().read_line(&mut line);
            line
        }
    };
    let url = env::var("DOCKERHUB_URL").ok();
    match login(url, &username, password.into(), ask_for_code).await {
        Ok(token) => {
            eprintln!("logged in as {username}");
            println!("{}", token.expose_secret());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("two_factor_login: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Logs in with `password`, and with a code from `ask_for_code` when the account has a
/// second factor. The code is asked for only then; spaces and dashes in it are ignored.
pub async fn login(
    hub_url: Option<String>,
    username: &str,
    password: SecretString,
    ask_for_code: impl FnOnce() -> String,
) -> Result<Token, Error> {
    let mut hub = Hub::builder();
    if let Some(url) = hub_url {
        hub = hub.base_url(url);
    }
    let hub = hub.build()?;
    match hub.login(username, password).await? {
        Login::Authenticated(token) => Ok(token),
        // An answer, not an error: the challenge can wait while a person types.
        Login::SecondFactorRequired(challenge) => {
            hub.login_second_factor(&challenge, ask_for_code()).await
        }
    }
}
