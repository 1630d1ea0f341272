//! The token cache `token` and `login` use, unless `--no-cache` or `DOCKERHUB_AUTH_NO_CACHE`
//! says not to.

use std::env;

use dockerhub_auth::{DiskCache, SessionBuilder};

use crate::args::Global;

/// Adds the token cache at its default location (`DOCKERHUB_AUTH_CACHE_DIR`, else
/// `$XDG_RUNTIME_DIR/dockerhub-auth`, else the user's cache directory) to `session`, unless
/// the cache is turned off.
pub(crate) fn with_cache(session: SessionBuilder, global: &Global) -> SessionBuilder {
    if global.no_cache || turned_off(env::var("DOCKERHUB_AUTH_NO_CACHE").ok().as_deref()) {
        tracing::debug!("not using the token cache");
        return session;
    }
    let cache = DiskCache::default_location();
    match cache.dir() {
        Some(dir) => tracing::debug!(dir = %dir.display(), "using the token cache"),
        None => tracing::debug!("no token cache: no cache directory"),
    }
    session.disk_cache(cache)
}

/// Returns whether `DOCKERHUB_AUTH_NO_CACHE` turns the cache off: any value but empty, `0`
/// or `false`.
fn turned_off(value: Option<&str>) -> bool {
    value.is_some_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}
