//! Which servers the helper answers for: Docker Hub under every spelling its clients use,
//! and the registry `DOCKERHUB_REGISTRY_URL` names (a mirror), by host and port.

use std::ffi::OsString;

use dockerhub_auth::DockerCredentialStore;
use url::Url;

use crate::protocol::Failure;

/// The key Docker itself uses for Docker Hub, which `list` reports.
pub(crate) const DOCKER_HUB: &str = "https://index.docker.io/v1/";

/// The servers the helper answers for.
pub(crate) struct Servers {
    /// The host and port of `DOCKERHUB_REGISTRY_URL`, when set.
    mirror: Option<Address>,
}

/// A host, and its port when not the default of its scheme.
#[derive(PartialEq, Eq)]
struct Address {
    host: String,
    port: Option<u16>,
}

impl Address {
    /// Returns the host and port of a URL, or of a server given without a scheme
    /// (`127.0.0.1:5000`, as skopeo asks), which is read as `https://`.
    fn of(server: &str) -> Option<Address> {
        let server = server.trim();
        let url = match server.contains("://") {
            true => Url::parse(server),
            false => Url::parse(&format!("https://{server}")),
        }
        .ok()?;
        Some(Address {
            host: url.host_str()?.to_owned(),
            port: url.port(),
        })
    }

    /// `host` or `host:port`, as Docker's config keys a registry.
    fn key(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }
}

impl Servers {
    /// Returns the servers the environment (`var` reads one variable) makes the helper
    /// answer for. An empty `DOCKERHUB_REGISTRY_URL` counts as unset.
    ///
    /// # Errors
    ///
    /// When `DOCKERHUB_REGISTRY_URL` is not a URL with a host.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Servers, Failure> {
        let Some(value) = var("DOCKERHUB_REGISTRY_URL").filter(|value| !value.is_empty()) else {
            return Ok(Servers { mirror: None });
        };
        let mirror = value
            .to_str()
            .filter(|url| url.contains("://"))
            .and_then(Address::of)
            .ok_or_else(|| {
                Failure::new(
                    "DOCKERHUB_REGISTRY_URL is not a URL with a host (for example \
                     https://mirror.example.com)",
                )
            })?;
        Ok(Servers {
            mirror: Some(mirror),
        })
    }

    /// Returns whether the helper answers for `server` (as a client gives it: a URL, or a
    /// host with or without a port).
    pub(crate) fn serves(&self, server: &str) -> bool {
        DockerCredentialStore::is_docker_hub_key(server)
            || self
                .mirror
                .as_ref()
                .is_some_and(|mirror| Address::of(server).as_ref() == Some(mirror))
    }

    /// Returns the keys `list` reports: Docker Hub's, and the mirror's `host[:port]`.
    pub(crate) fn keys(&self) -> Vec<String> {
        let mut keys = vec![DOCKER_HUB.to_owned()];
        keys.extend(self.mirror.as_ref().map(Address::key));
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(mirror: Option<&str>) -> Servers {
        Servers::from_vars(|name| {
            assert_eq!(name, "DOCKERHUB_REGISTRY_URL");
            mirror.map(OsString::from)
        })
        .unwrap()
    }

    #[test]
    fn a_mirror_is_served_by_host_and_port_whatever_the_scheme_and_path() {
        let servers = servers(Some("http://127.0.0.1:5000"));
        for server in [
            "127.0.0.1:5000",
            "http://127.0.0.1:5000",
            "https://127.0.0.1:5000/",
            "http://127.0.0.1:5000/v2/",
        ] {
            assert!(servers.serves(server), "{server}");
        }
        for server in ["127.0.0.1", "127.0.0.1:5001", "localhost:5000", "ghcr.io"] {
            assert!(!servers.serves(server), "{server}");
        }
        assert_eq!(servers.keys(), [DOCKER_HUB, "127.0.0.1:5000"]);
    }

    #[test]
    fn a_mirror_on_its_schemes_default_port_is_served_without_it() {
        let servers = servers(Some("https://Mirror.Example.com/"));
        assert!(servers.serves("mirror.example.com"));
        assert!(servers.serves("https://mirror.example.com:443/v2/"));
        assert!(!servers.serves("mirror.example.com:5000"));
        assert!(!servers.serves("mirror.example.com.evil.example"));
        assert_eq!(servers.keys(), [DOCKER_HUB, "mirror.example.com"]);
    }

    #[test]
    fn docker_hub_is_served_with_or_without_a_mirror() {
        for servers in [servers(None), servers(Some("http://127.0.0.1:5000"))] {
            assert!(servers.serves("https://index.docker.io/v1/"));
            assert!(servers.serves("docker.io"));
            assert!(!servers.serves("quay.io"));
        }
        assert_eq!(servers(Some("")).keys(), [DOCKER_HUB]);
    }

    #[test]
    fn a_mirror_that_is_not_a_url_is_refused() {
        for value in ["mirror.example.com", "https://", "not a url"] {
            let refused = Servers::from_vars(|_| Some(OsString::from(value)));
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|failure| format!("{failure:?}").contains("DOCKERHUB_REGISTRY_URL")),
                "{value}"
            );
        }
    }
}
