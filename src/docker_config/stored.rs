//! What Docker's store held for Docker Hub, and where it was found.

use std::{fmt, path::PathBuf};

use secrecy::SecretString;

use crate::{Credentials, Error, Result};

/// Where Docker's stored credentials for Docker Hub were found.
///
/// `Display` gives a short phrase for messages and `-v` output ("docker credential helper
/// `pass`", "`auths` in /home/alice/.docker/config.json", "DOCKER_AUTH_CONFIG"); no variant
/// holds a secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialSource {
    /// A credential helper, `docker-credential-<name>`, named by `credHelpers` or
    /// `credsStore`.
    Helper(String),
    /// The `auths` section of a `config.json` file.
    ConfigFile(PathBuf),
    /// The `auths` section of the JSON in the `DOCKER_AUTH_CONFIG` environment variable (or
    /// given to [`DockerCredentialStore::from_json`](crate::DockerCredentialStore::from_json)).
    AuthConfigVariable,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Helper(name) => write!(f, "docker credential helper `{name}`"),
            CredentialSource::ConfigFile(path) => write!(f, "`auths` in {}", path.display()),
            CredentialSource::AuthConfigVariable => f.write_str("DOCKER_AUTH_CONFIG"),
        }
    }
}

/// Docker Hub's credentials as `docker login` stored them: a username with a password or
/// access token, or an identity token.
///
/// `Debug` shows the username, the kind and the source, never the secret.
///
/// ```
/// # fn main() -> Result<(), dockerhub_auth::Error> {
/// use dockerhub_auth::{DockerCredentialStore, ExposeSecret};
///
/// // "alice:dckr_pat_example", base64-encoded, as `docker login` writes it.
/// let store = DockerCredentialStore::from_json(
///     r#"{"auths": {"https://index.docker.io/v1/": {"auth": "YWxpY2U6ZGNrcl9wYXRfZXhhbXBsZQ=="}}}"#,
/// );
/// let stored = store.docker_hub_credentials()?.expect("stored above");
/// assert_eq!(stored.username(), Some("alice"));
/// assert_eq!(stored.source().to_string(), "DOCKER_AUTH_CONFIG");
/// # assert_eq!(stored.secret().map(|s| s.expose_secret()), Some("dckr_pat_example"));
/// let credentials = stored.into_credentials()?; // for Hub::session
/// # let _ = credentials;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct StoredCredentials {
    username: Option<String>,
    secret: Stored,
    source: CredentialSource,
}

/// The secret, by kind: only a password or access token works with Docker Hub's API.
#[derive(Clone)]
enum Stored {
    Secret(SecretString),
    /// The token itself is not kept: nothing in this crate can use it.
    IdentityToken,
}

impl StoredCredentials {
    pub(crate) fn with_secret(
        username: String,
        secret: SecretString,
        source: CredentialSource,
    ) -> StoredCredentials {
        StoredCredentials {
            username: Some(username),
            secret: Stored::Secret(secret),
            source,
        }
    }

    pub(crate) fn with_identity_token(
        username: Option<String>,
        source: CredentialSource,
    ) -> StoredCredentials {
        StoredCredentials {
            username,
            secret: Stored::IdentityToken,
            source,
        }
    }

    /// Returns the stored username: always there with a password or access token, and
    /// there with an identity token only when Docker's config recorded it.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// Returns the stored password or access token, or `None` when what is stored is an
    /// identity token.
    pub fn secret(&self) -> Option<&SecretString> {
        match &self.secret {
            Stored::Secret(secret) => Some(secret),
            Stored::IdentityToken => None,
        }
    }

    /// Returns whether what is stored is an identity token (from a browser or SSO
    /// `docker login`) rather than a password or access token.
    pub fn is_identity_token(&self) -> bool {
        matches!(self.secret, Stored::IdentityToken)
    }

    /// Returns where the credentials were found.
    pub fn source(&self) -> &CredentialSource {
        &self.source
    }

    /// Returns [`Credentials::access_token`] with the stored username and secret, for
    /// Docker's recommended route, `POST /v2/auth/token`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when what is stored is an
    /// identity token, which that route does not accept; the message says what was found and
    /// that a personal access token is needed.
    pub fn into_credentials(self) -> Result<Credentials> {
        match (self.secret, self.username) {
            (Stored::Secret(secret), Some(username)) => {
                Ok(Credentials::access_token(username, secret))
            }
            _ => Err(identity_token_error(&self.source)),
        }
    }
}

/// The plain explanation for an identity token: what was found, and what to do instead.
pub(crate) fn identity_token_error(source: &CredentialSource) -> Error {
    Error::invalid_input(format!(
        "{source} holds only an identity token for Docker Hub (from a browser or SSO \
         `docker login`), and Docker Hub's token API does not accept identity tokens: a \
         personal access token is needed (`docker login -u NAME` with the token as \
         password, or DOCKERHUB_TOKEN)"
    ))
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredentials")
            .field("username", &self.username)
            .field("identity_token", &self.is_identity_token())
            .field("source", &self.source)
            .finish_non_exhaustive() // the secret is never printed
    }
}
