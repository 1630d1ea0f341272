//! Gets a Docker Hub bearer token and prints it on stdout.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_… cargo run --example get_token
//! ```
//!
//! `DOCKERHUB_TOKEN` may be a personal access token, an organization access token (with the
//! organization name as `DOCKERHUB_USERNAME`) or a password. `DOCKERHUB_URL` points the
//! request somewhere other than `https://hub.docker.com`. Messages go to stderr, so
//! `TOKEN=$(cargo run -q --example get_token)` captures only the token.

use std::{env, process::ExitCode};

use dockerhub_auth::{Hub, SecretString};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("get_token: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let username = env::var("DOCKERHUB_USERNAME")
        .map_err(|_| "set DOCKERHUB_USERNAME to your Docker Hub username".to_owned())?;
    let secret = env::var("DOCKERHUB_TOKEN")
        .map(SecretString::from)
        .map_err(|_| "set DOCKERHUB_TOKEN to a personal access token".to_owned())?;
    let mut builder = Hub::builder().user_agent("get-token-example");
    if let Ok(url) = env::var("DOCKERHUB_URL") {
        builder = builder.base_url(url);
    }
    let hub = builder.build().map_err(|e| e.to_string())?;

    let token = hub
        .create_access_token(&username, secret)
        .await
        .map_err(|e| e.to_string())?;
    match token.expires_at() {
        Some(at) => eprintln!(
            "token for {username}, expires at {}",
            httpdate::fmt_http_date(at)
        ),
        None => eprintln!("token for {username}, expiry unknown"),
    }
    println!("{}", token.expose_secret());
    Ok(())
}
