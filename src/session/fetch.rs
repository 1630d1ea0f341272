//! How a [`Session`](super::Session) gets a new token from Docker Hub, and what its tokens
//! are filed under.

use std::{sync::Arc, time::Duration};

use secrecy::SecretString;
use tracing::Instrument as _;

use super::builder::Prompt;
use crate::{
    Credentials, Error, ErrorKind, Hub, Login, Result, Token,
    cache::{Fetch, Fresh, KeyMaterial},
    credentials::Method,
    login::normalize_code,
};

/// The route of `/v2/auth/token`, part of a cache key.
const ACCESS_TOKEN_ROUTE: &str = "/v2/auth/token";
/// The route of `/v2/users/login` (and its second factor), part of a cache key.
const LOGIN_ROUTE: &str = "/v2/users/login";

/// Returns the fetch of a session: the operation its credentials use, in a
/// `session_refresh` span.
pub(super) fn fetch(hub: Hub, credentials: Credentials, prompt: Option<Prompt>) -> Fetch {
    Arc::new(move || {
        let (hub, credentials, prompt) = (hub.clone(), credentials.clone(), prompt.clone());
        Box::pin(
            async move {
                let token = get(&hub, &credentials, prompt.as_ref()).await?;
                Ok(Fresh {
                    lifetime: lifetime(&token),
                    token,
                })
            }
            .instrument(tracing::info_span!("session_refresh")),
        )
    })
}

/// Returns the material of the session's cache key: base URL, route, identifier, secret.
/// The TOTP secret is not part of it: a password's token is the same with or without it.
pub(super) fn key_material(hub: &Hub, credentials: &Credentials) -> KeyMaterial {
    let (route, identifier, secret) = match credentials.method() {
        Method::AccessToken { identifier, secret } => (ACCESS_TOKEN_ROUTE, identifier, secret),
        Method::Password {
            username, password, ..
        } => (LOGIN_ROUTE, username, password),
    };
    KeyMaterial::new(
        hub.base_url(),
        route,
        identifier.as_str(),
        Some(secret.clone()),
    )
}

/// Returns whether the credentials produce their own second-factor codes, so that a
/// rejected code is a rejection to remember.
pub(super) fn has_totp(credentials: &Credentials) -> bool {
    match credentials.method() {
        #[cfg(feature = "totp")]
        Method::Password { totp, .. } => totp.is_some(),
        _ => false,
    }
}

/// Returns how long a token lives from its arrival ([`Token::lifetime`]: `exp − iat`, or
/// `exp` less its arrival without `iat`); zero when `exp` is before that, `None` without `exp`.
fn lifetime(token: &Token) -> Option<Duration> {
    token
        .expires_at()
        .map(|_| token.lifetime().unwrap_or_default())
}

async fn get(hub: &Hub, credentials: &Credentials, prompt: Option<&Prompt>) -> Result<Token> {
    match credentials.method() {
        Method::AccessToken { identifier, secret } => {
            hub.exchange_access_token(identifier, secret).await
        }
        Method::Password {
            username,
            password,
            #[cfg(feature = "totp")]
            totp,
        } => match hub.login_with(username, password).await? {
            Login::Authenticated(token) => Ok(token),
            Login::SecondFactorRequired(challenge) => {
                #[cfg(feature = "totp")]
                if let Some(totp) = totp {
                    let code = totp.code_at(std::time::SystemTime::now());
                    return hub.complete_second_factor(&challenge, &code).await;
                }
                if let Some(code) = ask(prompt).await {
                    let code = normalize_code(&code)?;
                    return hub.complete_second_factor(&challenge, &code).await;
                }
                Err(Error::new(ErrorKind::SecondFactorRequired).with_detail(
                    "the account has two-factor authentication; give the session its TOTP \
                     secret or a second-factor prompt, or use a personal access token",
                ))
            }
        },
    }
}

/// Calls the prompt on a thread where it may block; `None` without a prompt or a code.
async fn ask(prompt: Option<&Prompt>) -> Option<SecretString> {
    let prompt = prompt?.clone();
    tokio::task::spawn_blocking(move || prompt()).await.ok()?
}
