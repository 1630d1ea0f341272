//! Where the helper's credentials come from: the environment of the process that runs it,
//! through the library's [`CredentialLookup`] without Docker's stored credentials (Docker's
//! config may name this very helper, which would then ask itself) and without prompts; and,
//! for OIDC credentials, the token cache.

use std::ffi::OsString;

use dockerhub_auth::{CredentialLookup, Credentials, DiskCache, Registry, SecretString};

use crate::protocol::Failure;

/// Credentials the environment configures: the username `get` and `list` answer with, and
/// the credentials `get` turns into its secret. No `Debug`: they hold a secret.
pub(crate) struct Configured {
    username: String,
    credentials: Credentials,
}

impl Configured {
    /// The username, or organization name, the credentials are for.
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// Returns the secret `get` answers with: `DOCKERHUB_TOKEN` as given (no request), or
    /// the organization's exchanged OIDC token, through the token cache (a token with at
    /// least a minute of life left; a cache hit sends nothing and builds no HTTP client).
    ///
    /// The runtime is built here, for this one call: `version`, `list` and a failed lookup
    /// never start one.
    pub(crate) fn into_secret(self) -> Result<SecretString, Failure> {
        let failed = |error: dockerhub_auth::Error| Failure::new(error.to_string());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| Failure::new(format!("cannot start the async runtime: {error}")))?;
        let mut registry = Registry::builder()
            .user_agent(concat!(
                "docker-credential-dockerhub/",
                env!("CARGO_PKG_VERSION")
            ))
            .base_url_from_env();
        if let Some(cache) = DiskCache::from_env() {
            registry = registry.disk_cache(cache);
        }
        let registry = registry.build().map_err(failed)?;
        let login = runtime
            .block_on(registry.login(&self.credentials))
            .map_err(failed)?;
        // Anonymous credentials are never configured (see `lookup`).
        login
            .map(|login| login.secret().clone())
            .ok_or_else(Failure::not_found)
    }
}

/// Returns the credentials the environment configures (`var` reads one variable), or `None`
/// when it configures none: `DOCKERHUB_USERNAME` with `DOCKERHUB_TOKEN`, else an OIDC
/// connection (`DOCKERHUB_OIDC_CONNECTIONID` with the organization in `DOCKERHUB_USERNAME`,
/// `DOCKERHUB_OIDC_EXPIREIN`, `DOCKERHUB_IDENTITY_URL`, and `DOCKERHUB_OIDC_ID_TOKEN` or
/// GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`), in keyless CI's order. An empty
/// variable counts as unset: GitHub Actions gives an empty string for a secret the workflow
/// cannot read (a pull request from a fork), and such a job pulls anonymously rather than
/// fails.
///
/// # Errors
///
/// What the library refuses before any request: a variable that is not UTF-8, a token
/// without a username, a blank username, an OIDC connection that is not a UUID, a lifetime
/// outside 300 to 3600 seconds, an identity URL that is not `https://` (or loopback).
pub(crate) fn lookup(
    var: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<Configured>, Failure> {
    let outcome = CredentialLookup::from_vars(var)
        .docker_config(false)
        .find()
        .map_err(|error| Failure::new(error.to_string()))?;
    Ok(outcome
        .into_credentials()
        .filter(|credentials| !credentials.is_anonymous())
        .and_then(|credentials| {
            let username = credentials.identifier()?.to_owned();
            Some(Configured {
                username,
                credentials,
            })
        }))
}

/// Returns the username (or organization) credentials are configured for, without looking
/// at or checking a secret: `DOCKERHUB_USERNAME` when `DOCKERHUB_TOKEN` or
/// `DOCKERHUB_OIDC_CONNECTIONID` is set too (empty counts as unset, as in [`lookup`]), for
/// `list` and `erase`, which need the name only.
pub(crate) fn configured_username(var: impl Fn(&str) -> Option<OsString>) -> Option<String> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    let username = set("DOCKERHUB_USERNAME")?.into_string().ok()?;
    let configured =
        set("DOCKERHUB_TOKEN").is_some() || set("DOCKERHUB_OIDC_CONNECTIONID").is_some();
    (configured && !username.trim().is_empty()).then_some(username)
}

#[cfg(test)]
mod tests {
    use dockerhub_auth::ExposeSecret as _;

    use super::*;

    fn lookup_in(vars: &[(&str, &str)]) -> Result<Option<Configured>, Failure> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        lookup(move |name| {
            vars.iter()
                .find(|(set, _)| set == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn a_username_and_token_are_answered_as_given() {
        let configured = lookup_in(&[
            ("DOCKERHUB_USERNAME", "alice"),
            ("DOCKERHUB_TOKEN", "dckr_pat_example"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(configured.username(), "alice");
        let secret = configured.into_secret().unwrap();
        assert_eq!(secret.expose_secret(), "dckr_pat_example");
    }

    #[test]
    fn no_token_or_an_empty_one_configures_nothing() {
        assert!(lookup_in(&[]).unwrap().is_none());
        assert!(
            lookup_in(&[("DOCKERHUB_USERNAME", "alice")])
                .unwrap()
                .is_none()
        );
        let empty = lookup_in(&[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", "")]);
        assert!(empty.unwrap().is_none());
    }

    #[test]
    fn an_oidc_connection_configures_the_organization() {
        let configured = lookup_in(&[
            ("DOCKERHUB_USERNAME", "acme"),
            (
                "DOCKERHUB_OIDC_CONNECTIONID",
                "867f2f0e-5a3c-4a71-9a0e-7d3c3a1f0b42",
            ),
            ("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.id.token"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(configured.username(), "acme");
    }

    fn username_in(vars: &[(&str, &str)]) -> Option<String> {
        configured_username(|name| {
            vars.iter()
                .find(|(set, _)| *set == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    #[test]
    fn the_configured_username_needs_no_secret_but_a_configured_source() {
        let connection = (
            "DOCKERHUB_OIDC_CONNECTIONID",
            "867f2f0e-5a3c-4a71-9a0e-7d3c3a1f0b42",
        );
        // No ID token variables: `get` would fail, `list` and `erase` still know the name.
        let acme = username_in(&[("DOCKERHUB_USERNAME", "acme"), connection]);
        assert_eq!(acme.as_deref(), Some("acme"));
        let alice = username_in(&[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", "t")]);
        assert_eq!(alice.as_deref(), Some("alice"));
        for vars in [
            &[("DOCKERHUB_USERNAME", "alice")][..],
            &[("DOCKERHUB_USERNAME", "alice"), ("DOCKERHUB_TOKEN", "")],
            &[("DOCKERHUB_USERNAME", " "), ("DOCKERHUB_TOKEN", "t")],
            &[("DOCKERHUB_TOKEN", "t")],
            &[connection],
        ] {
            assert_eq!(username_in(vars), None, "{vars:?}");
        }
    }

    #[test]
    fn a_token_without_a_username_is_a_failure_that_names_the_variable() {
        for vars in [
            &[("DOCKERHUB_TOKEN", "dckr_pat_example")][..],
            &[
                ("DOCKERHUB_TOKEN", "dckr_pat_example"),
                ("DOCKERHUB_USERNAME", ""),
            ],
            &[
                ("DOCKERHUB_TOKEN", "dckr_pat_example"),
                ("DOCKERHUB_USERNAME", "  "),
            ],
        ] {
            let failure = lookup_in(vars).err().expect("a failure");
            let message = format!("{failure:?}");
            assert!(message.contains("DOCKERHUB_USERNAME"), "{message}");
            assert!(!message.contains("dckr_pat_example"), "{message}");
        }
    }
}
