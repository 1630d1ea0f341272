//! `dockerhub-auth`: Docker Hub bearer tokens for shell scripts and CI jobs.
//!
//! Replaces `curl … /v2/users/login | jq -r .token`. Built only with the `cli` feature, and
//! only on top of the library's public API.

mod args;
mod input;

use std::{
    fmt::Display,
    io::{self, Write},
    process::ExitCode,
};

use clap::Parser;
use dockerhub_auth::{ErrorKind, Hub, Login, Token};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

use crate::args::{Cli, Command, Global};

/// A failure to report: one line on stderr, and the exit code of the contract.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Exit code 2: a usage error or invalid input, found before any request.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<dockerhub_auth::Error> for Failure {
    fn from(error: dockerhub_auth::Error) -> Self {
        let code = match error.kind() {
            ErrorKind::InvalidInput => 2,
            ErrorKind::CredentialsRejected | ErrorKind::Forbidden => 3,
            ErrorKind::SecondFactorRequired | ErrorKind::SecondFactorRejected => 4,
            ErrorKind::RateLimited => 5,
            ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Unavailable => 6,
            _ => 1,
        };
        Failure {
            code,
            message: with_root_cause(&error),
        }
    }
}

/// The error's own line, and for a transport failure what the operating system said.
fn with_root_cause(error: &dockerhub_auth::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    if std::ptr::addr_eq(cause, error) {
        error.to_string()
    } else {
        format!("{error} ({cause})")
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("dockerhub-auth: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Token {
            username,
            secret_stdin,
        } => {
            let username = input::username(username)?;
            let secret = input::secret(
                secret_stdin,
                "--secret-stdin",
                &format!("Docker Hub access token for {username}: "),
            )?;
            let hub = hub(&cli.global)?;
            let token = hub.create_access_token(&username, secret).await?;
            print_token(&token, cli.global.json)
        }
        Command::Login {
            username,
            password_stdin,
            code,
        } => {
            let username = input::username(username)?;
            let password = input::secret(
                password_stdin,
                "--password-stdin",
                &format!("Docker Hub password for {username}: "),
            )?;
            let hub = hub(&cli.global)?;
            let token = match hub.login(&username, password).await? {
                Login::Authenticated(token) => token,
                Login::SecondFactorRequired(challenge) => {
                    let code = input::code(code)?.ok_or_else(|| Failure {
                        code: 4,
                        message: "docker hub requires a second factor for this account: pass \
                                  --code, or run in a terminal to be asked for it"
                            .to_owned(),
                    })?;
                    hub.login_second_factor(&challenge, code).await?
                }
                _ => {
                    return Err(Failure {
                        code: 1,
                        message: "docker hub answered the login in a way this version does \
                                  not know"
                            .to_owned(),
                    });
                }
            };
            print_token(&token, cli.global.json)
        }
        Command::Inspect { token } => {
            let token = Token::from_secret(input::token(token)?.as_str());
            let claims = token.claims().ok_or_else(|| Failure {
                code: 1,
                message: "the token is not a JWT: it has no claims to show".to_owned(),
            })?;
            let json = serde_json::to_string_pretty(claims).map_err(output_failure)?;
            write_stdout(&json)
        }
    }
}

fn hub(global: &Global) -> Result<Hub, Failure> {
    let mut builder =
        Hub::builder().user_agent(concat!("dockerhub-auth-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = global
        .base_url
        .clone()
        .or_else(|| std::env::var("DOCKERHUB_URL").ok())
    {
        builder = builder.base_url(url);
    }
    if let Some(timeout) = global.timeout {
        builder = builder.timeout(timeout);
    }
    Ok(builder.build()?)
}

/// Prints the token alone on one line, or `{"token", "expires_at", "username"}` with
/// `--json`.
fn print_token(token: &Token, json: bool) -> Result<(), Failure> {
    if !json {
        return write_stdout(token.expose_secret());
    }
    let document = serde_json::json!({
        "token": token.expose_secret(),
        "expires_at": token
            .expires_at()
            .map(|at| humantime::format_rfc3339_seconds(at).to_string()),
        "username": token.claims().and_then(|claims| claims.username()),
    });
    write_stdout(&document.to_string())
}

fn write_stdout(line: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(output_failure)
}

fn output_failure(error: impl Display) -> Failure {
    Failure {
        code: 1,
        message: format!("cannot write the output: {error}"),
    }
}

/// `-v`: this crate's events on stderr; `-vv`: the HTTP stack's too. The library never
/// records a secret, a token or a body in them.
fn init_tracing(verbose: u8) {
    let filter = match verbose {
        0 => return,
        1 => Targets::new()
            .with_target("dockerhub_auth", LevelFilter::DEBUG)
            .with_default(LevelFilter::WARN),
        _ => Targets::new().with_default(LevelFilter::TRACE),
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(io::stderr)
                .with_filter(filter),
        )
        .init();
}
