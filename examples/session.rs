//! A long-running program's token: a `Session` hands out a cached token, refreshes it ahead
//! of its expiry, and sends one request however many tasks ask at once.
//!
//! ```sh
//! DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_… cargo run --example session
//! ```
//!
//! Ten tasks ask for a token at once; Docker Hub sees one request. `DOCKERHUB_URL` points
//! it at another server (a mock Hub). With `DOCKERHUB_AUTH_CACHE_DIR` set, the token is also
//! kept on disk, so that the next run (another process) reuses it.

use std::{env, process::ExitCode};

use dockerhub_auth::{Credentials, DiskCache, Error, Hub, Session, Token};

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(username), Ok(secret)) = (env::var("DOCKERHUB_USERNAME"), env::var("DOCKERHUB_TOKEN"))
    else {
        eprintln!("session: set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN");
        return ExitCode::from(2);
    };
    let mut hub = Hub::builder();
    if let Ok(url) = env::var("DOCKERHUB_URL") {
        hub = hub.base_url(url);
    }
    let hub = match hub.build() {
        Ok(hub) => hub,
        Err(error) => {
            eprintln!("session: {error}");
            return ExitCode::from(2);
        }
    };
    let mut session = hub.session_builder(Credentials::secret(username, secret));
    if env::var_os("DOCKERHUB_AUTH_CACHE_DIR").is_some() {
        session = session.disk_cache(DiskCache::default_location());
    }
    match ten_tasks(&session.build()).await {
        Ok(tokens) => {
            let token = &tokens[0];
            eprintln!(
                "{} tasks got the same token; {} s of its life left",
                tokens.len(),
                token.expires_in().map_or(0, |left| left.as_secs())
            );
            println!("{}", token.expose_secret());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("session: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Asks `session` for a token from ten tasks at once: one request, ten answers.
pub async fn ten_tasks(session: &Session) -> Result<Vec<Token>, Error> {
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            // A clone is one reference count: all ten share one cache.
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.expect("the task ran to its end")?);
    }
    Ok(tokens)
}
