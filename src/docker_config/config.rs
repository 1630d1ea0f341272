//! Docker's `config.json`: the three fields that say where credentials are, and the many
//! ways people and tools spell Docker Hub's key.
//!
//! Only `auths`, `credsStore` and `credHelpers` are read; every other field is ignored.
//! Secrets go straight into [`SecretString`]s, and nothing read here is ever put in an
//! error: a malformed file is reported by its line and column only, because `serde_json`'s
//! own messages quote the offending value.

use std::{collections::HashMap, fmt, path::PathBuf};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::{docker_config::store_error, error::Result};

/// Docker Hub's key as `docker login` writes it, and what helpers are asked for first.
pub(crate) const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Where a config's JSON came from, for messages: never what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The `DOCKER_AUTH_CONFIG` environment variable (or JSON given to the store).
    Variable,
    /// A `config.json` file.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Variable => f.write_str("DOCKER_AUTH_CONFIG"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The parts of Docker's config that matter here. `null` is accepted wherever Go's decoder
/// accepts it.
#[derive(Default, Deserialize)]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub(super) auths: Option<HashMap<String, AuthEntry>>,
    #[serde(default, rename = "credsStore")]
    pub(super) creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    pub(super) cred_helpers: Option<HashMap<String, String>>,
}

/// One entry of `auths`. Every field is optional; `docker login` with a credential store
/// leaves an empty `{}` here.
#[derive(Default, Deserialize)]
pub(super) struct AuthEntry {
    #[serde(default)]
    auth: Option<SecretString>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<SecretString>,
    #[serde(default, alias = "identityToken", alias = "IdentityToken")]
    identitytoken: Option<SecretString>,
}

/// What an `auths` entry for Docker Hub holds.
pub(crate) enum Entry {
    /// A username and a password or access token.
    Secret {
        username: String,
        secret: SecretString,
    },
    /// An identity token (a browser or SSO login), with the username when it was stored.
    IdentityToken {
        username: Option<String>,
        token: SecretString,
    },
}

impl ConfigFile {
    /// Parses a config's JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore) when the text is not
    /// a JSON object of the expected shape; the message gives the line and column only.
    pub(crate) fn parse(json: &str, origin: &Origin) -> Result<ConfigFile> {
        if json.trim().is_empty() {
            // Docker reads an empty file as an empty config.
            return Ok(ConfigFile::default());
        }
        serde_json::from_str(json).map_err(|err| {
            let what = match err.classify() {
                serde_json::error::Category::Data => "a config of an unexpected shape",
                serde_json::error::Category::Eof => "truncated JSON",
                _ => "malformed JSON",
            };
            store_error(format!(
                "{what} in {origin} (line {}, column {})",
                err.line(),
                err.column()
            ))
        })
    }

    /// Returns the helper that holds Docker Hub's credentials: the one `credHelpers` names
    /// for a spelling of Hub's key, else the one `credsStore` names.
    pub(crate) fn hub_helper(&self) -> Option<&str> {
        let named = |name: &&String| !name.trim().is_empty();
        let from_cred_helpers = self.cred_helpers.as_ref().and_then(|helpers| {
            hub_keys(helpers.keys())
                .into_iter()
                .find_map(|key| helpers.get(key).filter(named))
        });
        from_cred_helpers
            .or(self.creds_store.as_ref().filter(named))
            .map(String::as_str)
    }

    /// Returns the spellings of Docker Hub's key this config uses in `auths` and
    /// `credHelpers`, best first: the server URLs a helper may hold Hub's credentials under.
    pub(crate) fn hub_server_urls(&self) -> Vec<String> {
        let keys = self
            .auths
            .iter()
            .flat_map(HashMap::keys)
            .chain(self.cred_helpers.iter().flat_map(HashMap::keys));
        let mut urls: Vec<String> = vec![DOCKER_HUB_KEY.to_owned()];
        for key in hub_keys(keys) {
            if !urls.contains(key) {
                urls.push(key.clone());
            }
        }
        urls
    }

    /// Returns the credentials `auths` holds for Docker Hub, from the best-ranked spelling of
    /// its key that holds any.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore) when Hub's `auth` is
    /// not base64 of `user:secret`.
    pub(crate) fn hub_entry(&self, origin: &Origin) -> Result<Option<Entry>> {
        let Some(auths) = &self.auths else {
            return Ok(None);
        };
        for key in hub_keys(auths.keys()) {
            if let Some(entry) = auths.get(key)
                && let Some(found) = entry.decode(key, origin)?
            {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

impl AuthEntry {
    /// Returns what the entry holds, as Docker reads it: `auth` wins over `username` and
    /// `password`; an identity token counts only when there is no password.
    pub(super) fn decode(&self, key: &str, origin: &Origin) -> Result<Option<Entry>> {
        let from_auth = match &self.auth {
            Some(auth) if !auth.expose_secret().trim().is_empty() => {
                Some(decode_auth(auth.expose_secret()).ok_or_else(|| {
                    store_error(format!(
                        "the `auth` of `{key}` in {origin} is not base64 of `user:secret`"
                    ))
                })?)
            }
            _ => None,
        };
        let (username, secret) = match from_auth {
            Some((username, secret)) => (Some(username), Some(secret)),
            None => (
                self.username.clone().filter(|name| !name.is_empty()),
                self.password.clone(),
            ),
        };
        let secret = secret.filter(|secret| !secret.expose_secret().is_empty());
        let identity_token = self
            .identitytoken
            .clone()
            .filter(|token| !token.expose_secret().is_empty());
        match (username, secret, identity_token) {
            (Some(username), Some(secret), _) => Ok(Some(Entry::Secret { username, secret })),
            (username, _, Some(token)) => Ok(Some(Entry::IdentityToken { username, token })),
            _ => Ok(None),
        }
    }
}

/// Decodes `auth`: base64 (padded or not) of `user:secret`, with a non-empty user.
fn decode_auth(auth: &str) -> Option<(String, SecretString)> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = Zeroizing::new(engine.decode(auth.trim()).ok()?);
    let text = std::str::from_utf8(&bytes).ok()?;
    let (username, secret) = text.split_once(':')?;
    if username.is_empty() {
        return None;
    }
    // Docker trims NULs that some tools left at the end of the secret.
    Some((
        username.to_owned(),
        SecretString::from(secret.trim_matches('\0')),
    ))
}

/// Returns the keys that are spellings of Docker Hub's, best first, ties broken by the key
/// so that the choice never depends on a map's order.
fn hub_keys<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut ranked: Vec<(u8, &String)> = keys
        .filter_map(|key| hub_key_rank(key).map(|rank| (rank, key)))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, key)| key).collect()
}

/// Returns how good a spelling of Docker Hub's key `key` is (0 is `DOCKER_HUB_KEY` itself),
/// or `None` when it names another registry.
///
/// Accepted: `index.docker.io`, `docker.io` and `registry-1.docker.io`, in any case, with
/// `https://`, `http://` or no scheme, and with no path, `/`, `/v1` or `/v1/`.
pub(crate) fn hub_key_rank(key: &str) -> Option<u8> {
    let key = key.trim();
    if key == DOCKER_HUB_KEY {
        return Some(0);
    }
    let lower = key.to_ascii_lowercase();
    let (scheme_rank, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (0, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (2, rest)
    } else {
        (1, lower.as_str())
    };
    let (host, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    let path_rank = match path {
        "/v1/" => 0,
        "/v1" => 1,
        "/" => 2,
        "" => 3,
        _ => return None,
    };
    let host_rank = match host {
        "index.docker.io" => 0,
        "docker.io" => 1,
        "registry-1.docker.io" => 2,
        _ => return None,
    };
    Some(1 + host_rank * 12 + scheme_rank * 4 + path_rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_docker_hub_is_recognised() {
        for key in [
            "https://index.docker.io/v1/",
            "https://index.docker.io/v1",
            "https://index.docker.io/",
            "https://index.docker.io",
            "index.docker.io/v1/",
            "index.docker.io",
            "INDEX.DOCKER.IO",
            "http://index.docker.io/v1/",
            "docker.io",
            "https://docker.io/v1/",
            "docker.io/",
            "registry-1.docker.io",
            "https://registry-1.docker.io/v1/",
        ] {
            assert!(hub_key_rank(key).is_some(), "{key}");
        }
    }

    #[test]
    fn other_registries_and_paths_are_not_docker_hub() {
        for key in [
            "quay.io",
            "ghcr.io",
            "https://index.docker.io/v2/",
            "docker.io/library",
            "index.docker.io.evil.example",
            "evil.example/index.docker.io",
            "https://hub.docker.com",
            "",
        ] {
            assert_eq!(hub_key_rank(key), None, "{key}");
        }
    }

    #[test]
    fn the_canonical_key_ranks_first_then_index_then_docker_io() {
        let canonical = hub_key_rank(DOCKER_HUB_KEY);
        let index = hub_key_rank("index.docker.io");
        let docker_io = hub_key_rank("https://docker.io/v1/");
        let registry = hub_key_rank("https://registry-1.docker.io/v1/");
        assert!(canonical < index && index < docker_io && docker_io < registry);
    }

    #[test]
    fn auth_decodes_with_or_without_padding_and_trims_nuls() {
        for auth in ["YWxpY2U6czNjcjN0AA==", "YWxpY2U6czNjcjN0AA"] {
            let (user, secret) = decode_auth(auth).unwrap();
            assert_eq!((user.as_str(), secret.expose_secret()), ("alice", "s3cr3t"));
        }
    }

    #[test]
    fn auth_without_colon_or_user_is_refused() {
        // "alice" and ":secret"
        assert!(decode_auth("YWxpY2U=").is_none());
        assert!(decode_auth("OnNlY3JldA==").is_none());
        assert!(decode_auth("not base64!").is_none());
    }
}
