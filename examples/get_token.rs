//! Gets a Docker Hub bearer token and prints it on stdout.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_… cargo run --example get_token
//! ```
//!
//! `DOCKERHUB_TOKEN` may be a personal access token, an organization access token (with the
//! organization name as `DOCKERHUB_USERNAME`) or a password. `DOCKERHUB_URL` points the
//! request somewhere other than `https://hub.docker.com` (a mirror, or a mock Hub). Messages
//! go to stderr, so `TOKEN=$(cargo run -q --example get_token)` captures only the token.

use std::{env, process::ExitCode};

use dockerhub_auth::{Error, Hub, SecretString, Token};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (Ok(username), Ok(secret)) = (env::var("DOCKERHUB_USERNAME"), env::var("DOCKERHUB_TOKEN"))
    else {
        eprintln!(
            "get_token: set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN (a personal access token)"
        );
        return ExitCode::from(2);
    };
    let token = match get_token(env::var("DOCKERHUB_URL").ok(), &username, secret.into()).await {
        Ok(token) => token,
        Err(error) => {
            // One line that says what happened, with Docker Hub's own words; never a secret.
            eprintln!("get_token: {error}");
            return ExitCode::FAILURE;
        }
    };
    match token.expires_at_rfc3339() {
        Some(at) => eprintln!("token for {username}, expires at {at}"),
        None => eprintln!("token for {username}, expiry unknown"),
    }
    println!("{}", token.expose_secret());
    ExitCode::SUCCESS
}

/// Exchanges `secret` for a bearer token at `POST /v2/auth/token`, Docker's recommended
/// route, on `hub_url` (Docker Hub itself when `None`).
pub async fn get_token(
    hub_url: Option<String>,
    username: &str,
    secret: SecretString,
) -> Result<Token, Error> {
    let mut hub = Hub::builder().user_agent("get-token-example/1.0");
    if let Some(url) = hub_url {
        hub = hub.base_url(url);
    }
    hub.build()?.create_access_token(username, secret).await
}
