//! Docker's stored credentials for a registry, looked up as docker looks them up before it
//! talks to that registry: Docker Hub's entry for Docker Hub's registry only, and for any
//! other registry the entry of its host (`credHelpers[host]`, else `credsStore`, else
//! `auths[host]`), so that Docker Hub's secret never goes to another registry's token
//! service.
//!
//! docker reduces every key to a host with `ConvertToHostname` (docker/cli
//! `cli/config/credentials`): the scheme and any path go, so `https://myreg.example:5000/v2/`
//! is the key of `myreg.example:5000`.

use super::{
    DockerCredentialStore, StoredCredentials,
    config::{ConfigFile, Entry, Origin},
    stored_from,
};
use crate::{
    error::{Error, ErrorKind, Result},
    registry::DOCKER_HUB_HOSTS,
};

impl DockerCredentialStore {
    /// Returns the credentials this store holds for the registry `registry` (a URL, such as
    /// `https://registry-1.docker.io`, or a host with its port, such as `ghcr.io` or
    /// `127.0.0.1:5000`), as docker would send them there; `None` when it holds none.
    ///
    /// For Docker Hub's registry (`registry-1.docker.io`, `index.docker.io`, `docker.io`,
    /// `registry.hub.docker.com`, `registry.docker.io`) these are
    /// [Docker Hub's credentials](Self::docker_hub_credentials). For any other registry they
    /// are those stored for its host: the helper `credHelpers` names for it, else the one
    /// `credsStore` names (asked for the host), else the `auths` entry of the host (any key
    /// whose host it is, `https://` or not). Docker Hub's entry is never the answer for
    /// another registry (a mirror included), so its secret never reaches that registry's token
    /// service.
    ///
    /// This blocks, like [`docker_hub_credentials`](Self::docker_hub_credentials); from async
    /// code, use [`registry_credentials_async`](Self::registry_credentials_async).
    ///
    /// # Errors
    ///
    /// As [`docker_hub_credentials`](Self::docker_hub_credentials), and
    /// [`ErrorKind::InvalidInput`] for a registry without a host.
    pub fn registry_credentials(&self, registry: &str) -> Result<Option<StoredCredentials>> {
        let host = registry_host(registry)?;
        if is_docker_hub_host(&host) {
            return self.docker_hub_credentials();
        }
        if self.helper_timeout.is_zero() {
            return Err(Error::invalid_input(
                "the credential helper timeout is zero",
            ));
        }
        let Some((config, origin)) = self.config()? else {
            return Ok(None);
        };
        let found = match config.helper_for_host(&host) {
            Some(name) => self.ask_helper(name, &config.server_urls_for_host(&host))?,
            None => config
                .entry_for_host(&host, &origin)?
                .map(|entry| stored_from(entry, &origin)),
        };
        match &found {
            Some(stored) => {
                tracing::debug!(registry = %host, source = %stored.source(), "found stored credentials");
            }
            None => {
                tracing::debug!(registry = %host, store = %self, "no stored credentials for the registry")
            }
        }
        Ok(found)
    }

    /// Returns the credentials this store holds for `registry`, as
    /// [`registry_credentials`](Self::registry_credentials) does, on Tokio's blocking thread
    /// pool so that the runtime is not blocked.
    ///
    /// # Errors
    ///
    /// As [`registry_credentials`](Self::registry_credentials), and [`ErrorKind::Runtime`]
    /// when called outside a tokio runtime, or when the runtime shut down before the lookup
    /// finished.
    pub async fn registry_credentials_async(
        &self,
        registry: &str,
    ) -> Result<Option<StoredCredentials>> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::new(ErrorKind::Runtime)
                .with_detail("the lookup needs a tokio runtime and none is running")
        })?;
        let (store, registry) = (self.clone(), registry.to_owned());
        runtime
            .spawn_blocking(move || store.registry_credentials(&registry))
            .await
            .map_err(|_| {
                Error::new(ErrorKind::Runtime)
                    .with_detail("the runtime shut down before the lookup finished")
            })?
    }

    /// Returns the name of the credential helper this store's config names for `registry`
    /// (as [`registry_credentials`](Self::registry_credentials) would ask it), without
    /// running it; `None` when the config names none. For messages. This blocks on reading
    /// the config file.
    ///
    /// # Errors
    ///
    /// As [`docker_hub_helper`](Self::docker_hub_helper), and [`ErrorKind::InvalidInput`]
    /// for a registry without a host.
    pub fn registry_helper(&self, registry: &str) -> Result<Option<String>> {
        let host = registry_host(registry)?;
        if is_docker_hub_host(&host) {
            return self.docker_hub_helper();
        }
        Ok(self
            .config()?
            .and_then(|(config, _)| config.helper_for_host(&host).map(str::to_owned)))
    }
}

impl ConfigFile {
    /// Returns the helper that holds `host`'s credentials: the one `credHelpers` names for a
    /// key of that host, else the one `credsStore` names.
    fn helper_for_host(&self, host: &str) -> Option<&str> {
        let named = |name: &&String| !name.trim().is_empty();
        let from_cred_helpers = self.cred_helpers.as_ref().and_then(|helpers| {
            keys_of(host, helpers.keys())
                .into_iter()
                .find_map(|key| helpers.get(key).filter(named))
        });
        from_cred_helpers
            .or(self.creds_store.as_ref().filter(named))
            .map(String::as_str)
    }

    /// Returns the server URLs a helper may hold `host`'s credentials under: the host itself
    /// (what docker asks), then the config's other keys of that host.
    fn server_urls_for_host(&self, host: &str) -> Vec<String> {
        let keys = self
            .auths
            .iter()
            .flat_map(|auths| auths.keys())
            .chain(self.cred_helpers.iter().flat_map(|helpers| helpers.keys()));
        let mut urls = vec![host.to_owned()];
        for key in keys_of(host, keys) {
            if !urls.contains(key) {
                urls.push(key.clone());
            }
        }
        urls
    }

    /// Returns what `auths` holds for `host`: its exact key first, then any other key of that
    /// host, in the keys' order.
    fn entry_for_host(&self, host: &str, origin: &Origin) -> Result<Option<Entry>> {
        let Some(auths) = &self.auths else {
            return Ok(None);
        };
        for key in keys_of(host, auths.keys()) {
            if let Some(entry) = auths.get(key)
                && let Some(found) = entry.decode(key, origin)?
            {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

/// Returns the keys whose host is `host`, the key equal to it first, then in order (so that
/// the choice never depends on a map's order).
fn keys_of<'a>(host: &str, keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut matching: Vec<&String> = keys
        .filter(|key| hostname(key).eq_ignore_ascii_case(host))
        .collect();
    matching.sort_by_key(|key| (key.as_str() != host, key.as_str()));
    matching
}

/// Returns the host (with its port) of a key or a registry, as docker's `ConvertToHostname`
/// does: without the scheme and anything after the first `/`.
fn hostname(key: &str) -> &str {
    let key = key.trim();
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    rest.split('/').next().unwrap_or(rest)
}

/// Returns the host of `registry`, refusing one without a host.
fn registry_host(registry: &str) -> Result<String> {
    let host = hostname(registry);
    if host.is_empty() {
        return Err(Error::invalid_input("the registry has no host"));
    }
    Ok(host.to_ascii_lowercase())
}

/// Returns whether `host` (with its port, if any) is one of Docker Hub's registry hosts.
fn is_docker_hub_host(host: &str) -> bool {
    let name = host.strip_suffix(":443").unwrap_or(host);
    DOCKER_HUB_HOSTS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_reduce_to_their_host_as_docker_does() {
        for (key, host) in [
            ("127.0.0.1:5000", "127.0.0.1:5000"),
            ("http://127.0.0.1:5000", "127.0.0.1:5000"),
            ("https://myreg.example:5000/v2/", "myreg.example:5000"),
            ("ghcr.io", "ghcr.io"),
            ("https://index.docker.io/v1/", "index.docker.io"),
        ] {
            assert_eq!(hostname(key), host, "{key}");
        }
    }

    #[test]
    fn docker_hubs_hosts_are_recognised_and_mirrors_are_not() {
        for host in [
            "registry-1.docker.io",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io:443",
        ] {
            assert!(is_docker_hub_host(host), "{host}");
        }
        for host in [
            "127.0.0.1:5000",
            "mirror.gcr.io",
            "registry-1.docker.io.example.com",
        ] {
            assert!(!is_docker_hub_host(host), "{host}");
        }
    }

    #[test]
    fn the_exact_key_comes_first_then_the_others_in_order() {
        let keys: Vec<String> = [
            "https://ghcr.io",
            "ghcr.io",
            "http://ghcr.io/v2/",
            "quay.io",
        ]
        .map(str::to_owned)
        .to_vec();
        let found: Vec<&str> = keys_of("ghcr.io", keys.iter())
            .into_iter()
            .map(String::as_str)
            .collect();
        assert_eq!(found, ["ghcr.io", "http://ghcr.io/v2/", "https://ghcr.io"]);
    }
}
