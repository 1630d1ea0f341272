//! [`Credentials`]: how to authenticate, one value for every client.

use std::{fmt, sync::Arc};

use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "totp")]
use crate::totp::Totp;
use crate::{
    error::{Error, Result},
    workload::{Workload, WorkloadIdentity},
};

/// How to authenticate: one value that every client takes. [`Hub::session`] logs in with it
/// again and again; [`Registry::token`] and [`Registry::pull_limit`] ask a registry's token
/// service with it.
///
/// | constructor | Docker Hub's API ([`Session`]) | a registry ([`Registry`]) |
/// | --- | --- | --- |
/// | [`secret`](Self::secret) (a password, PAT or OAT) | `POST /v2/auth/token` | Basic `identifier:secret` |
/// | [`password`](Self::password) | `POST /v2/users/login` (+ `2fa-login`) | Basic `username:password` |
/// | [`identity_token`](Self::identity_token) | refused: Hub's API does not take one | the OAuth2 form, `grant_type=refresh_token` |
/// | [`workload_identity`](Self::workload_identity) (OIDC, keyless CI) | an ID token exchanged at Docker's identity service; the exchanged token is the bearer | Basic `organization:exchanged token` |
/// | [`anonymous`](Self::anonymous) | refused: Hub's API needs an account | no `Authorization` at all |
///
/// Cloning is cheap (one reference count). `Debug` shows the kind and the name, never the
/// secret.
///
/// ```
/// use dockerhub_auth::Credentials;
///
/// let pat = Credentials::secret("alice", "dckr_pat_example");
/// let oat = Credentials::secret("acme-org", "dckr_oat_example");
/// let legacy = Credentials::password("alice", "correct horse battery staple");
/// let public_pulls = Credentials::anonymous();
/// # let _ = (pat, oat, legacy, public_pulls);
/// ```
///
/// [`Hub::session`]: crate::Hub::session
/// [`Session`]: crate::Session
/// [`Registry`]: crate::Registry
/// [`Registry::token`]: crate::Registry::token
/// [`Registry::pull_limit`]: crate::Registry::pull_limit
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Method>,
}

/// One variant per way of authenticating; private so that fields can change.
pub(crate) enum Method {
    /// No credentials: anonymous pulls.
    Anonymous,
    /// A username (or organization name) with a password, PAT or OAT: `POST /v2/auth/token`
    /// on Docker Hub's API, Basic authentication at a registry's token service.
    Secret {
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
    /// The OAuth2 refresh token `docker login` stores after a web or SSO login, and where it
    /// was found (for the message that says Docker Hub's API refuses it).
    IdentityToken {
        token: SecretString,
        source: Option<String>,
    },
    /// An organization's OIDC credentials (keyless CI): an ID token, exchanged at Docker's
    /// identity service for a short-lived token of the organization. Checked when built.
    WorkloadIdentity(Arc<Workload>),
}

impl Credentials {
    /// Returns credentials of a username with its password or personal access token
    /// (`dckr_pat_…`), or of an organization name with an organization access token
    /// (`dckr_oat_…`): the secret is what `--secret-stdin` reads.
    ///
    /// A [`Session`](crate::Session) exchanges them at Docker's recommended route,
    /// `POST /v2/auth/token`, which has no second factor: for a two-factor account use a
    /// personal access token here, or [`password_with_totp`][totp] (feature `totp`). A
    /// registry's token service gets them as Basic authentication.
    ///
    #[cfg_attr(feature = "totp", doc = "[totp]: Self::password_with_totp")]
    #[cfg_attr(
        not(feature = "totp"),
        doc = "[totp]: https://docs.rs/dockerhub-auth/latest/dockerhub_auth/struct.Credentials.html#method.password_with_totp"
    )]
    pub fn secret(identifier: impl Into<String>, secret: impl Into<SecretString>) -> Self {
        Credentials::of(Method::Secret {
            identifier: identifier.into(),
            secret: secret.into(),
        })
    }

    /// Returns credentials for the older login route, `POST /v2/users/login`, with a
    /// password or personal access token.
    ///
    /// A session with these credentials fails with
    /// [`ErrorKind::SecondFactorRequired`](crate::ErrorKind::SecondFactorRequired) when the
    /// account has two-factor authentication, since nobody is there to type a code (unless
    /// it has a [prompt](crate::SessionBuilder::second_factor_prompt)). A registry's token
    /// service gets them as Basic authentication, like [`secret`](Self::secret)'s.
    pub fn password(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Credentials::of(Method::Password {
            username: username.into(),
            password: password.into(),
            #[cfg(feature = "totp")]
            totp: None,
        })
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
    ) -> Result<Self> {
        Ok(Credentials::of(Method::Password {
            username: username.into(),
            password: password.into(),
            totp: Some(Totp::from_base32(&totp_secret.into())?),
        }))
    }

    /// Returns credentials of an identity token: the OAuth2 refresh token `docker login`
    /// stores (as `identitytoken`) after a web or SSO login.
    ///
    /// A registry's token service takes it in the OAuth2 form (`POST`,
    /// `grant_type=refresh_token`), the only request that can carry it. Docker Hub's API
    /// does not take it: a session with it fails with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), saying that a personal
    /// access token is needed.
    pub fn identity_token(token: impl Into<SecretString>) -> Self {
        Credentials::of(Method::IdentityToken {
            token: token.into(),
            source: None,
        })
    }

    /// Returns the OIDC credentials of an organization (keyless CI): ID tokens from GitHub
    /// Actions (or given, or from a function of the caller's), exchanged at Docker's identity
    /// service through one of the organization's OIDC connections for a short-lived token of
    /// the organization. No secret is stored anywhere.
    ///
    /// A [`Session`](crate::Session) hands out the exchanged token as its bearer token,
    /// exchanging a new ID token ahead of expiry (single flight, as for every credential); a
    /// refused exchange (no ruleset matched, a deactivated connection) is
    /// [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected) with the service's
    /// description, remembered like a rejected secret. A registry's token service gets
    /// `organization:exchanged token` as Basic authentication. Docker's actions use the token
    /// the same two ways; whether Docker Hub's `/v2/` routes (access tokens, repositories)
    /// accept it as a bearer is not documented.
    ///
    /// The exchange uses the transport settings and retry policy of the client that asks
    /// ([`Hub`](crate::Hub) or [`Registry`](crate::Registry)), which also cache its tokens
    /// (and, with a [`DiskCache`](crate::DiskCache), share them with other processes of the
    /// same job).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput), before any request, for
    /// an empty organization, a connection ID that is not a UUID, a lifetime outside 300 to
    /// 3600 seconds, an identity URL on `http://` for a host that is not loopback (or with a
    /// username, query or fragment), an empty given ID token, or a
    /// [GitHub Actions source](crate::IdTokenSource::github_actions) without the runner's
    /// variables (the message says to add `permissions: id-token: write` to the job).
    pub fn workload_identity(identity: WorkloadIdentity) -> Result<Self> {
        Ok(Credentials::of(Method::WorkloadIdentity(Arc::new(
            Workload::check(identity)?,
        ))))
    }

    /// Returns identity-token credentials found in `source` of Docker's store.
    pub(crate) fn stored_identity_token(token: SecretString, source: String) -> Self {
        Credentials::of(Method::IdentityToken {
            token,
            source: Some(source),
        })
    }

    /// Returns no credentials at all, as for pulling public images from a registry.
    ///
    /// Docker Hub's API needs an account: a session with these fails with
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    pub fn anonymous() -> Self {
        Credentials::of(Method::Anonymous)
    }

    /// Returns whether these are [no credentials](Self::anonymous).
    pub fn is_anonymous(&self) -> bool {
        matches!(self.method(), Method::Anonymous)
    }

    /// Returns whether these are an organization's OIDC credentials
    /// ([`workload_identity`](Self::workload_identity)), which give a token but cannot log
    /// in with a password (as managing access tokens needs).
    pub fn is_workload_identity(&self) -> bool {
        matches!(self.method(), Method::WorkloadIdentity(_))
    }

    /// Returns the username or organization name, when the credentials have one.
    pub fn identifier(&self) -> Option<&str> {
        match self.method() {
            Method::Secret { identifier, .. } => Some(identifier),
            Method::Password { username, .. } => Some(username),
            Method::WorkloadIdentity(workload) => Some(workload.organization()),
            Method::Anonymous | Method::IdentityToken { .. } => None,
        }
    }

    fn of(method: Method) -> Self {
        Credentials {
            inner: Arc::new(method),
        }
    }

    pub(crate) fn method(&self) -> &Method {
        &self.inner
    }

    /// Returns the identifier and secret of credentials that have both, refusing empty ones
    /// before any I/O; `None` for anonymous credentials, identity tokens and OIDC
    /// credentials (checked when they were built).
    pub(crate) fn account(&self) -> Result<Option<(&str, &SecretString)>> {
        let (identifier, secret) = match self.method() {
            Method::Secret { identifier, secret } => (identifier, secret),
            Method::Password {
                username, password, ..
            } => (username, password),
            Method::Anonymous | Method::WorkloadIdentity(_) => return Ok(None),
            Method::IdentityToken { token, .. } => {
                if token.expose_secret().trim().is_empty() {
                    return Err(Error::invalid_input("the identity token is empty"));
                }
                return Ok(None);
            }
        };
        if identifier.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid_input("the secret is empty"));
        }
        Ok(Some((identifier, secret)))
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.method() {
            Method::Anonymous => f.write_str("Credentials::Anonymous"),
            Method::Secret { identifier, .. } => f
                .debug_struct("Credentials::Secret")
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
            Method::IdentityToken { .. } => f
                .debug_struct("Credentials::IdentityToken")
                .finish_non_exhaustive(),
            // Its own Debug shows the organization, connection and source, never a token.
            Method::WorkloadIdentity(workload) => fmt::Debug::fmt(workload, f),
        }
    }
}
