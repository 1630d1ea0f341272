//! [`RegistryLogin`]: what `docker login` would store for a registry, so that a Docker
//! credential helper can hand it out: a username and a secret for Basic authentication.

use std::{fmt, time::SystemTime};

use secrecy::SecretString;

use super::Registry;
use crate::{
    credentials::{Credentials, Method},
    error::Result,
};

/// The username docker's credential helpers answer with when the secret is an identity token.
const IDENTITY_TOKEN_USERNAME: &str = "<token>";

/// A username and a secret for a registry's Basic authentication, as `docker login` stores
/// them and a Docker credential helper hands them out (`{"Username", "Secret"}`), from
/// [`Registry::login`].
///
/// `Debug` shows the username and the expiry, never the secret.
#[derive(Clone)]
pub struct RegistryLogin {
    username: String,
    secret: SecretString,
    expires_at: Option<SystemTime>,
}

impl RegistryLogin {
    /// Returns the username: the account, the organization (OIDC credentials), or `<token>`
    /// for an identity token, as docker's credential helpers write it.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Returns the secret: a password or access token as given, an organization's exchanged
    /// OIDC token, or an identity token.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// Returns when the secret expires, when it does: an exchanged OIDC token's expiry.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

impl fmt::Debug for RegistryLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryLogin")
            .field("username", &self.username)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive() // the secret is never printed
    }
}

impl Registry {
    /// Returns what `docker login` would store for `credentials` at this registry (a
    /// username and a secret), for a Docker credential helper to hand out; `None` for
    /// [anonymous](Credentials::anonymous) credentials.
    ///
    /// A secret or password comes back as given, with nothing sent anywhere. OIDC
    /// credentials ([`Credentials::workload_identity`]) give the organization and its
    /// exchanged token, from this registry's token cache (memory, and the
    /// [disk cache](crate::RegistryBuilder::disk_cache) it was built with), with more than a
    /// minute (or a tenth) of its life left, else exchanged anew: the ID token is asked for
    /// and exchanged at the identity service, nothing is sent to the registry. A token served
    /// from the cache builds no HTTP client (no TLS set-up). An identity token comes back
    /// under the username `<token>`, as docker's helpers write it.
    ///
    /// # Errors
    ///
    /// [`InvalidInput`](crate::ErrorKind::InvalidInput) for empty credentials; for OIDC
    /// credentials, the errors of the exchange: [`CredentialsRejected`](crate::ErrorKind::CredentialsRejected)
    /// (a refused exchange, or the runner's refusal), [`RateLimited`](crate::ErrorKind::RateLimited),
    /// [`Timeout`](crate::ErrorKind::Timeout), [`Transport`](crate::ErrorKind::Transport),
    /// [`Unavailable`](crate::ErrorKind::Unavailable), [`InvalidResponse`](crate::ErrorKind::InvalidResponse),
    /// [`Runtime`](crate::ErrorKind::Runtime).
    #[tracing::instrument(name = "registry_login", skip_all)]
    pub async fn login(&self, credentials: &Credentials) -> Result<Option<RegistryLogin>> {
        credentials.account()?;
        let login = |username: &str, secret: &SecretString, expires_at| RegistryLogin {
            username: username.to_owned(),
            secret: secret.clone(),
            expires_at,
        };
        Ok(match credentials.method() {
            Method::Anonymous => None,
            Method::Secret { identifier, secret } => Some(login(identifier, secret, None)),
            Method::Password {
                username, password, ..
            } => Some(login(username, password, None)),
            Method::IdentityToken { token, .. } => {
                Some(login(IDENTITY_TOKEN_USERNAME, token, None))
            }
            Method::WorkloadIdentity(identity) => {
                let exchanged = self.inner.exchanged_token(identity).await?;
                Some(login(
                    identity.organization(),
                    exchanged.secret(),
                    Some(exchanged.expires_at()),
                ))
            }
        })
    }
}
