//! `dockerhub-auth logout`: empties the token cache, or removes one identifier's entries. It
//! sends nothing, so it reads no global option but `-v`.

use clap::Args;
use dockerhub_auth::DiskCache;

use crate::{
    context::Context,
    failure::Failure,
    help,
    options::{GlobalOptions, sends_nothing},
    output,
};

/// Remove the tokens and remembered failures the token cache holds: all of them, or those
/// of one username (Docker's own files are never touched)
#[derive(Debug, Args)]
#[command(
    mut_args(sends_nothing),
    after_help = help::page(
        &["Never touches Docker's own files (~/.docker)."],
        &[help::CACHE_DIR],
        &[],
    ),
)]
pub(crate) struct LogoutArgs {
    /// Remove only this username's (or organization's) entries; without it, the whole cache
    /// is emptied (the environment's username is not read)
    #[arg(long, value_name = "USERNAME")]
    username: Option<String>,

    #[command(flatten)]
    pub(crate) options: GlobalOptions,
}

pub(crate) async fn exec(_ctx: &Context, args: LogoutArgs) -> Result<(), Failure> {
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
    output::say(&format!("removed {removed} cached entries{whose}{place}"));
    Ok(())
}
