//! What Docker's store held for Docker Hub, and where it was found.

use std::{fmt, path::PathBuf};

use secrecy::SecretString;

use crate::credentials::Credentials;

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
/// let credentials = stored.into_credentials(); // for Hub::session or a Registry
/// # let _ = credentials;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct StoredCredentials {
    username: Option<String>,
    secret: Stored,
    source: CredentialSource,
}

/// The secret, by kind: only a password or access token works with Docker Hub's API; an
/// identity token works with a registry's token service.
#[derive(Clone)]
enum Stored {
    Secret(SecretString),
    IdentityToken(SecretString),
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
        token: SecretString,
        source: CredentialSource,
    ) -> StoredCredentials {
        StoredCredentials {
            username,
            secret: Stored::IdentityToken(token),
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
            Stored::IdentityToken(_) => None,
        }
    }

    /// Returns whether what is stored is an identity token (from a browser or SSO
    /// `docker login`) rather than a password or access token.
    pub fn is_identity_token(&self) -> bool {
        matches!(self.secret, Stored::IdentityToken(_))
    }

    /// Returns where the credentials were found.
    pub fn source(&self) -> &CredentialSource {
        &self.source
    }

    /// Returns the stored credentials as the one value every client takes: a username with
    /// its password or access token is [`Credentials::secret`] (for Docker's recommended
    /// route, `POST /v2/auth/token`, and Basic authentication at a registry); an identity
    /// token is [`Credentials::identity_token`] (for a registry's token service; Docker
    /// Hub's API refuses it, saying that a personal access token is needed).
    pub fn into_credentials(self) -> Credentials {
        match (self.secret, self.username) {
            (Stored::Secret(secret), Some(username)) => Credentials::secret(username, secret),
            // A secret is always stored with its username; without one it is unusable
            // but by a registry that asks for none, as an identity token.
            (Stored::Secret(token) | Stored::IdentityToken(token), _) => {
                Credentials::stored_identity_token(token, self.source.to_string())
            }
        }
    }
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
