//! The blocking API, from a plain `fn main` with no async runtime anywhere: a session's
//! token, then the same again from the cache.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_… cargo run --example blocking --features blocking
//! ```
//!
//! `DOCKERHUB_URL` points it at another server (a mock Hub).

use std::{env, process::ExitCode};

use dockerhub_auth::{Credentials, Error, Token, blocking::Hub};

fn main() -> ExitCode {
    let (Ok(username), Ok(secret)) = (env::var("DOCKERHUB_USERNAME"), env::var("DOCKERHUB_TOKEN"))
    else {
        eprintln!("blocking: set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN");
        return ExitCode::from(2);
    };
    match token_twice(
        env::var("DOCKERHUB_URL").ok(),
        Credentials::secret(username, secret),
    ) {
        Ok(token) => {
            println!("{}", token.expose_secret());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("blocking: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Gets a token from a blocking session, then asks again: the second comes from the cache,
/// on this thread, without a request.
pub fn token_twice(hub_url: Option<String>, credentials: Credentials) -> Result<Token, Error> {
    let mut hub = Hub::builder();
    if let Some(url) = hub_url {
        hub = hub.base_url(url);
    }
    // The hub starts its runtime thread; it stops when the last handle is dropped.
    let session = hub.build()?.session(credentials);
    let first = session.token()?;
    let again = session.token()?;
    eprintln!(
        "the same token twice: {}",
        first.expose_secret() == again.expose_secret()
    );
    Ok(again)
}
