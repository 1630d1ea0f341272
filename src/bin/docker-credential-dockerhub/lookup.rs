//! Where the helper's credentials come from: the environment of the process that runs it,
//! and nothing else. Never Docker's config (it may name this very helper, which would then
//! ask itself) and never another credential helper.

use std::ffi::OsString;

use dockerhub_auth::SecretString;
use zeroize::Zeroizing;

use crate::protocol::Failure;

/// Credentials the environment configures: the username `get` and `list` answer with, and
/// how `get` gets its secret. No `Debug`: it holds the secret.
pub(crate) struct Configured {
    username: String,
    secret: Secret,
}

/// How `get` gets the secret it answers with.
enum Secret {
    /// `DOCKERHUB_TOKEN`: a password, personal or organization access token, answered as
    /// it was given (the registry's token service takes it as it is: no request here).
    AsGiven(SecretString),
}

impl Configured {
    /// The username, or organization name, the credentials are for.
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// Returns the secret `get` answers with.
    pub(crate) fn into_secret(self) -> Result<SecretString, Failure> {
        match self.secret {
            Secret::AsGiven(secret) => Ok(secret),
        }
    }
}

/// Returns the credentials the environment configures (`var` reads one variable), or
/// `None` when it configures none. An empty variable counts as unset: GitHub Actions gives
/// an empty string for a secret the workflow cannot read (a pull request from a fork), and
/// such a job pulls anonymously rather than fails.
///
/// Today: `DOCKERHUB_USERNAME` with `DOCKERHUB_TOKEN`, whose token is the secret as given.
///
/// OIDC plugs in here, and only here. When the library resolves credentials from the
/// environment with workload identity (`DOCKERHUB_OIDC_CONNECTIONID`, after
/// `DOCKERHUB_TOKEN` in the order of keyless CI's design), call it (without Docker's stored
/// credentials and without prompts) and add one [`Secret`] variant holding those
/// credentials, whose [`Configured::into_secret`] is the exchanged access token of a
/// session through the token cache (a cache hit sends nothing and builds no HTTP client),
/// with the organization as the username.
///
/// # Errors
///
/// When a variable is not UTF-8, when `DOCKERHUB_TOKEN` is set without
/// `DOCKERHUB_USERNAME`, or when the username is blank.
pub(crate) fn lookup(
    var: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<Configured>, Failure> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    let Some(token) = set("DOCKERHUB_TOKEN") else {
        return Ok(None);
    };
    let token = Zeroizing::new(
        token
            .into_string()
            .map_err(|_| Failure::new("DOCKERHUB_TOKEN is not valid UTF-8"))?,
    );
    let username = set("DOCKERHUB_USERNAME")
        .ok_or_else(|| {
            Failure::new(
                "DOCKERHUB_TOKEN is set but DOCKERHUB_USERNAME is not: set it to the username \
                 (or organization name) the token belongs to",
            )
        })?
        .into_string()
        .map_err(|_| Failure::new("DOCKERHUB_USERNAME is not valid UTF-8"))?;
    if username.trim().is_empty() {
        return Err(Failure::new("DOCKERHUB_USERNAME is blank"));
    }
    Ok(Some(Configured {
        username,
        secret: Secret::AsGiven(SecretString::from(token.as_str())),
    }))
}

#[cfg(test)]
mod tests {
    use dockerhub_auth::ExposeSecret as _;

    use super::*;

    fn lookup_in(vars: &[(&str, &str)]) -> Result<Option<Configured>, Failure> {
        lookup(|name| {
            vars.iter()
                .find(|(set, _)| *set == name)
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
