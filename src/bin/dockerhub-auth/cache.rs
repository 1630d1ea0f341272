//! The token cache every command that gets a token uses, unless `--no-cache` or
//! `DOCKERHUB_AUTH_NO_CACHE` says not to.

use dockerhub_auth::DiskCache;

/// Returns the token cache at its default location (`DOCKERHUB_AUTH_CACHE_DIR`, else
/// `$XDG_RUNTIME_DIR/dockerhub-auth`, else the user's cache directory), or `None` with
/// `--no-cache` (`no_cache`) or `DOCKERHUB_AUTH_NO_CACHE`.
pub(crate) fn open(no_cache: bool) -> Option<DiskCache> {
    let Some(cache) = DiskCache::from_env().filter(|_| !no_cache) else {
        tracing::debug!("not using the token cache");
        return None;
    };
    match cache.dir() {
        Some(dir) => tracing::debug!(dir = %dir.display(), "using the token cache"),
        None => tracing::debug!("no token cache: no cache directory"),
    }
    Some(cache)
}
