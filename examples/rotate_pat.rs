//! Rotates a personal access token: creates its successor with the same scopes, proves the
//! new secret works, and only then deactivates the old token. Prints the new secret.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_PASSWORD='…' cargo run --example rotate_pat -- TOKEN_ID
//! ```
//!
//! Without a token id it lists the account's tokens. Managing access tokens needs a bearer
//! token from a password login: Docker Hub refuses one issued from an access token.
//! `DOCKERHUB_URL` points it at another server (a mock Hub).

use std::{env, process::ExitCode};

use dockerhub_auth::{Credentials, Error, ExposeSecret, Hub, SecretString};
use futures_util::TryStreamExt as _;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (Ok(username), Ok(password)) = (
        env::var("DOCKERHUB_USERNAME"),
        env::var("DOCKERHUB_PASSWORD"),
    ) else {
        eprintln!("rotate_pat: set DOCKERHUB_USERNAME and DOCKERHUB_PASSWORD");
        return ExitCode::from(2);
    };
    let id = env::args().nth(1);
    let url = env::var("DOCKERHUB_URL").ok();
    match rotate(url, &username, password.into(), id.as_deref()).await {
        Ok(Some(secret)) => {
            println!("{}", secret.expose_secret());
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rotate_pat: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Rotates the token `id` and returns its successor's secret; without an id, lists the
/// tokens (on stderr) and returns `None`.
pub async fn rotate(
    hub_url: Option<String>,
    username: &str,
    password: SecretString,
    id: Option<&str>,
) -> Result<Option<SecretString>, Error> {
    let mut hub = Hub::builder();
    if let Some(url) = hub_url {
        hub = hub.base_url(url);
    }
    let hub = hub.build()?;
    let session = hub.session(Credentials::password(username, password));
    let tokens = hub.personal_access_tokens(&session);
    let Some(id) = id else {
        let all: Vec<_> = tokens.list().try_collect().await?;
        for token in all {
            eprintln!(
                "{}  {}  active: {}",
                token.id(),
                token.label(),
                token.is_active()
            );
        }
        return Ok(None);
    };
    let rotation = tokens.rotate(id).await?;
    eprintln!(
        "{} replaces {} (now inactive)",
        rotation.token().id(),
        rotation.previous().id()
    );
    if let Some(error) = rotation.deactivation_error() {
        // The new secret works; the old one could not be deactivated: say so, go on.
        eprintln!("the old token is still active: {error}");
    }
    Ok(Some(rotation.secret().clone()))
}
