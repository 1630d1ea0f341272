//! `dockerhub-auth logout`: empties the token cache, or removes one identifier's entries.

use clap::Args;
use dockerhub_auth::DiskCache;

use crate::failure::Failure;

/// Remove the tokens and remembered failures the token cache holds: all of them, or those
/// of one username (Docker's own files are never touched)
#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// Remove only this username's (or organization's) entries; DOCKERHUB_USERNAME is not
    /// read, so that a bare `logout` always empties the whole cache
    #[arg(long, value_name = "U")]
    username: Option<String>,
}

pub(crate) fn run(args: LogoutArgs) -> Result<(), Failure> {
    let cache = DiskCache::default_location();
    let removed = match &args.username {
        Some(username) if username.trim().is_empty() => {
            return Err(Failure::usage("the username is empty"));
        }
        Some(username) => cache.clear_identifier(username)?,
        None => cache.clear()?,
    };
    let place = cache
        .dir()
        .map(|dir| format!(" from {}", dir.display()))
        .unwrap_or_default();
    let whose = args
        .username
        .map(|username| format!(" of {username}"))
        .unwrap_or_default();
    eprintln!("dockerhub-auth: removed {removed} cached entries{whose}{place}");
    Ok(())
}
