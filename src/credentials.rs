//! [`Credentials`]: what a [`Session`](crate::Session) logs in with, again and again.

use std::{fmt, sync::Arc};

use secrecy::SecretString;

#[cfg(feature = "totp")]
use crate::totp::Totp;
use crate::{CredentialSource, DockerCredentialStore};

/// The account a [`Session`](crate::Session) gets its tokens for, and how.
///
/// Cloning is cheap (one reference count). `Debug` shows the route and the name, never the
/// secret.
///
/// ```
/// use dockerhub_auth::Credentials;
///
/// let pat = Credentials::access_token("alice", "dckr_pat_example");
/// let oat = Credentials::access_token("acme-org", "dckr_oat_example");
/// let legacy = Credentials::password("alice", "correct horse battery staple");
/// # let _ = (pat, oat, legacy);
/// ```
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Method>,
}

/// One variant per way of logging in; private so that fields can change.
pub(crate) enum Method {
    /// `POST /v2/auth/token` with a password, PAT or OAT.
    AccessToken {
        identifier: String,
        secret: SecretString,
    },
    /// `POST /v2/users/login`, then `/v2/users/2fa-login` when Hub asks for it.
    Password {
        username: String,
        password: SecretString,
        #[cfg(feature = "totp")]
        totp: Option<Totp>,
    },
}

impl Credentials {
    /// Returns credentials for Docker's recommended route, `POST /v2/auth/token`: a
    /// username with a personal access token (or password), or an organization name with an
    /// organization access token.
    ///
    /// This route has no second factor: for a two-factor account use a personal access
    /// token here, or [`password_with_totp`](Self::password_with_totp).
    pub fn access_token(identifier: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        Credentials {
            inner: Arc::new(Method::AccessToken {
                identifier: identifier.into(),
                secret: secret.into(),
            }),
        }
    }

    /// Returns credentials for the older login route, `POST /v2/users/login`, with a
    /// password or personal access token.
    ///
    /// A session with these credentials fails with
    /// [`ErrorKind::SecondFactorRequired`](crate::ErrorKind::SecondFactorRequired) when the
    /// account has two-factor authentication, since nobody is there to type a code.
    pub fn password(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Credentials {
            inner: Arc::new(Method::Password {
                username: username.into(),
                password: password.into(),
                #[cfg(feature = "totp")]
                totp: None,
            }),
        }
    }

    /// Returns credentials for a two-factor account that completes its second factor
    /// itself, from the account's TOTP secret (the base32 key behind its QR code), so that a
    /// session can log in unattended.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when `totp_secret` is not
    /// base32, or is shorter than 80 bits.
    ///
    /// # Security
    ///
    /// The TOTP secret is the second factor itself: whoever holds it and the password holds
    /// the account. Keep it where you keep the password.
    #[cfg(feature = "totp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "totp")))]
    pub fn password_with_totp(
        username: impl Into<String>,
        password: impl Into<SecretString>,
        totp_secret: impl Into<SecretString>,
    ) -> crate::Result<Self> {
        Ok(Credentials {
            inner: Arc::new(Method::Password {
                username: username.into(),
                password: password.into(),
                totp: Some(Totp::from_base32(&totp_secret.into())?),
            }),
        })
    }

    /// Returns the Docker Hub credentials `docker login` stored, for
    /// [`access_token`](Self::access_token), with where they were found; or `None` when
    /// Docker's store holds none.
    ///
    /// Reads the store the docker CLI would read in this process
    /// ([`DockerCredentialStore::from_env`]): `DOCKER_AUTH_CONFIG`, else
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, and the credential helper
    /// it names. This blocks (a file, perhaps a helper process): from async code, use
    /// [`DockerCredentialStore::docker_hub_credentials_async`] and
    /// [`StoredCredentials::into_credentials`](crate::StoredCredentials::into_credentials).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), dockerhub_auth::Error> {
    /// use dockerhub_auth::{Credentials, Hub};
    ///
    /// let Some((credentials, source)) = Credentials::from_docker_store()? else {
    ///     return Ok(()); // nothing stored: ask the user instead
    /// };
    /// eprintln!("using Docker Hub credentials from {source}");
    /// let session = Hub::builder().build()?.session(credentials);
    /// # let _ = session;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore) when Docker's
    ///   store cannot be read (see [`DockerCredentialStore::docker_hub_credentials`]).
    /// - [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when all it holds for
    ///   Docker Hub is an identity token, which Docker Hub's token API does not accept; the
    ///   message says so and what to do.
    pub fn from_docker_store() -> crate::Result<Option<(Self, CredentialSource)>> {
        let Some(stored) = DockerCredentialStore::from_env().docker_hub_credentials()? else {
            return Ok(None);
        };
        let source = stored.source().clone();
        Ok(Some((stored.into_credentials()?, source)))
    }

    pub(crate) fn method(&self) -> &Method {
        &self.inner
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.method() {
            Method::AccessToken { identifier, .. } => f
                .debug_struct("Credentials::AccessToken")
                .field("identifier", identifier)
                .finish_non_exhaustive(),
            Method::Password {
                username,
                #[cfg(feature = "totp")]
                totp,
                ..
            } => {
                let mut debug = f.debug_struct("Credentials::Password");
                debug.field("username", username);
                #[cfg(feature = "totp")]
                debug.field("totp", &totp.is_some());
                debug.finish_non_exhaustive()
            }
        }
    }
}
