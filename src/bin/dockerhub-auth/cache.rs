//! The token cache every command that gets a token uses, unless `--no-cache` or
//! `DOCKERHUB_AUTH_NO_CACHE` says not to.

use std::env;

use dockerhub_auth::DiskCache;

/// Returns whether to use the token cache: not with `--no-cache` (`flag`) or
/// `DOCKERHUB_AUTH_NO_CACHE`.
pub(crate) fn wanted(flag: bool) -> bool {
    !flag && !turned_off(env::var("DOCKERHUB_AUTH_NO_CACHE").ok().as_deref())
}

/// Returns the token cache at its default location (`DOCKERHUB_AUTH_CACHE_DIR`, else
/// `$XDG_RUNTIME_DIR/dockerhub-auth`, else the user's cache directory), or `None` when it is
/// not `wanted`.
pub(crate) fn open(wanted: bool) -> Option<DiskCache> {
    if !wanted {
        tracing::debug!("not using the token cache");
        return None;
    }
    let cache = DiskCache::default_location();
    match cache.dir() {
        Some(dir) => tracing::debug!(dir = %dir.display(), "using the token cache"),
        None => tracing::debug!("no token cache: no cache directory"),
    }
    Some(cache)
}

/// Returns whether `DOCKERHUB_AUTH_NO_CACHE` turns the cache off: any value but empty, `0`
/// or `false`.
fn turned_off(value: Option<&str>) -> bool {
    value.is_some_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}
