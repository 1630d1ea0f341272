//! Who asks a registry's token service for a token: a username with its secret, or an
//! identity token. Anonymous requests have no account.

use secrecy::{ExposeSecret, SecretString};

use crate::{Credentials, Error, Result, credentials::Method, wire};

/// Who asks the token service for a token (anonymous requests have none).
#[derive(Clone)]
pub(super) enum Account {
    Basic {
        username: String,
        secret: SecretString,
    },
    Identity(SecretString),
}

impl Account {
    /// Returns the username and secret of `credentials`, refusing empty ones before any I/O.
    pub(super) fn from_credentials(credentials: &Credentials) -> Result<Account> {
        let (username, secret) = match credentials.method() {
            Method::AccessToken { identifier, secret } => (identifier, secret),
            Method::Password {
                username, password, ..
            } => (username, password),
        };
        if username.trim().is_empty() {
            return Err(Error::invalid_input("the username is empty"));
        }
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid_input("the secret is empty"));
        }
        Ok(Account::Basic {
            username: username.clone(),
            secret: secret.clone(),
        })
    }

    /// What tells this account apart in the token cache: its kind, name and secret (hashed
    /// there, never kept).
    pub(super) fn fingerprint_parts(&self) -> [&str; 3] {
        match self {
            Account::Basic { username, secret } => ["basic", username, secret.expose_secret()],
            Account::Identity(token) => ["identity", "", token.expose_secret()],
        }
    }

    pub(super) fn as_token_credentials(&self) -> wire::TokenCredentials<'_> {
        match self {
            Account::Basic { username, secret } => {
                wire::TokenCredentials::Basic { username, secret }
            }
            Account::Identity(token) => wire::TokenCredentials::Identity(token),
        }
    }
}
