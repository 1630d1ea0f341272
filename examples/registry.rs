//! Gets a registry token for pulling (and pushing) images, and Docker Hub's pull limit.
//!
//! ```sh
//! cargo run --example registry -- library/alpine                       # anonymous
//! DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_… \
//!     cargo run --example registry -- repository:alice/app:pull,push
//! ```
//!
//! Each argument is a scope: a repository name (`alpine` is `library/alpine` on Docker
//! Hub) means a pull. Without `DOCKERHUB_USERNAME` and `DOCKERHUB_TOKEN` it asks
//! anonymously. `DOCKERHUB_REGISTRY_URL` points it at another registry (or a mock); its
//! challenge names the token service.

use std::{env, process::ExitCode};

use dockerhub_auth::{Credentials, Error, PullLimit, Registry, RegistryScope, RegistryToken};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let credentials = match (env::var("DOCKERHUB_USERNAME"), env::var("DOCKERHUB_TOKEN")) {
        (Ok(username), Ok(secret)) => Credentials::secret(username, secret),
        _ => Credentials::anonymous(),
    };
    let scopes: Vec<String> = env::args().skip(1).collect();
    let url = env::var("DOCKERHUB_REGISTRY_URL").ok();
    match token_and_limit(url, &credentials, &scopes).await {
        Ok((token, limit)) => {
            eprintln!(
                "a token for {} scope(s), until {}",
                token.scopes().len(),
                token.expires_at_rfc3339()
            );
            match (limit.remaining(), limit.limit()) {
                (Some(left), Some(of)) => eprintln!("{left} of {of} pulls left"),
                _ => eprintln!("no pull limit reported"), // never read as zero
            }
            println!("{}", token.expose_secret());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("registry: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Returns a token for `scopes` and the pull limit of `credentials` at the registry at
/// `registry_url` (Docker Hub's when `None`).
pub async fn token_and_limit(
    registry_url: Option<String>,
    credentials: &Credentials,
    scopes: &[String],
) -> Result<(RegistryToken, PullLimit), Error> {
    let mut registry = Registry::builder();
    if let Some(url) = registry_url {
        registry = registry.base_url(url);
    }
    let registry = registry.build()?;
    let scopes = scopes
        .iter()
        .map(|scope| RegistryScope::parse(scope))
        .collect::<Result<Vec<_>, _>>()?;
    let token = registry.token(credentials, &scopes).await?;
    // Docker's probe: a HEAD that is not counted as a pull.
    let limit = registry.pull_limit(credentials).await?;
    Ok((token, limit))
}
