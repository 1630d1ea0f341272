//! Uses the credentials `docker login` stored: finds them the way the docker CLI does (a
//! config file, or the credential helper it names) and gets a Docker Hub token with them.
//!
//! ```sh
//! docker login -u alice           # with a personal access token as the password
//! cargo run --example docker_credentials
//! ```
//!
//! It reads `DOCKER_AUTH_CONFIG`, else `$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`, and prints where the credentials came from (never the secret).
//! `DOCKERHUB_URL` points the token request at another server (a mock Hub).

use std::{env, process::ExitCode};

use dockerhub_auth::{DockerCredentialStore, Error, Hub, Token};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let url = env::var("DOCKERHUB_URL").ok();
    match token_from_docker_login(&DockerCredentialStore::from_env(), url).await {
        Ok(Some(token)) => {
            println!("{}", token.expose_secret());
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("nothing stored for Docker Hub: run `docker login` first");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("docker_credentials: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Returns a token for the Docker Hub credentials in `store`; `None` when it has none.
pub async fn token_from_docker_login(
    store: &DockerCredentialStore,
    hub_url: Option<String>,
) -> Result<Option<Token>, Error> {
    // Reading a file or running a helper blocks: the `_async` variant does it on tokio's
    // blocking pool.
    let Some(stored) = store.docker_hub_credentials_async().await? else {
        return Ok(None);
    };
    eprintln!("using the credentials of {}", stored.source());
    let mut hub = Hub::builder();
    if let Some(url) = hub_url {
        hub = hub.base_url(url);
    }
    let session = hub.build()?.session(stored.into_credentials());
    session.token().await.map(Some)
}
