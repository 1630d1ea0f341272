//! How a [`Session`](super::Session) gets a new token from Docker Hub, and what its tokens
//! are filed under.

use std::sync::Arc;

use secrecy::SecretString;
use tracing::Instrument as _;

use crate::{
    cache::{DOCKER_HUB, Fetch, KeyMaterial, RefusalKey},
    credentials::{Credentials, Method},
    error::{Error, ErrorKind, Result},
    hub::Hub,
    login::{Login, normalize_code},
    token::Token,
};

/// Asks a person for a second-factor code; `None` when nobody can give one.
pub(super) type Prompt = Arc<dyn Fn() -> Option<SecretString> + Send + Sync>;

/// The route of `/v2/auth/token`, part of a cache key.
const ACCESS_TOKEN_ROUTE: &str = "/v2/auth/token";
/// The route of `/v2/users/login` (and its second factor), part of a cache key.
const LOGIN_ROUTE: &str = "/v2/users/login";

/// Returns the fetch of a session: the operation its credentials use, in a
/// `session_refresh` span.
pub(super) fn fetch(hub: Hub, credentials: Credentials, prompt: Option<Prompt>) -> Fetch<Token> {
    Arc::new(move || {
        let (hub, credentials, prompt) = (hub.clone(), credentials.clone(), prompt.clone());
        Box::pin(
            async move { get(&hub, &credentials, prompt.as_ref()).await }
                .instrument(tracing::info_span!("session_refresh")),
        )
    })
}

/// Returns what the session's tokens are filed under (base URL, route, identifier, secret)
/// and what a refusal of its secret is (the secret at Docker Hub, whatever the route: one
/// account, one lockout). The TOTP secret is not part of either: a password's token is the
/// same with or without it.
pub(super) fn key_material(hub: &Hub, credentials: &Credentials) -> (KeyMaterial, RefusalKey) {
    let (route, identifier, secret) = match credentials.method() {
        Method::Secret { identifier, secret } => {
            (ACCESS_TOKEN_ROUTE, identifier.as_str(), Some(secret))
        }
        Method::Password {
            username, password, ..
        } => (LOGIN_ROUTE, username.as_str(), Some(password)),
        // Refused before any request: nothing is ever filed under these. (OIDC credentials
        // have a token source of their own kind: `workload`.)
        Method::Anonymous | Method::IdentityToken { .. } | Method::WorkloadIdentity(_) => {
            ("", "", None)
        }
    };
    let grant = KeyMaterial::new(hub.base_url(), route, identifier, secret.cloned());
    let refusal = KeyMaterial::refusal(DOCKER_HUB, identifier, secret.cloned());
    let refusal = Arc::new(refusal);
    let key: RefusalKey = Arc::new(move || {
        let refusal = refusal.clone();
        Box::pin(async move { Ok(KeyMaterial::clone(&refusal)) })
    });
    (grant, key)
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

async fn get(hub: &Hub, credentials: &Credentials, prompt: Option<&Prompt>) -> Result<Token> {
    match credentials.method() {
        Method::Secret { identifier, secret } => {
            hub.exchange_access_token(identifier, secret).await
        }
        Method::Anonymous => Err(Error::invalid_input(
            "docker hub's API needs an account: anonymous credentials get no token there",
        )),
        // A session with these fetches with `workload::fetch`, never here.
        Method::WorkloadIdentity(_) => Err(Error::invalid_input(
            "OIDC credentials get their token from docker's identity service",
        )),
        Method::IdentityToken { source, .. } => {
            let found = source.as_deref().unwrap_or("these credentials");
            Err(Error::invalid_input(format!(
                "{found} holds only an identity token for Docker Hub (from a browser or SSO \
                 `docker login`), and Docker Hub's token API does not accept identity tokens: \
                 a personal access token is needed (`docker login -u NAME` with the token as \
                 password, or DOCKERHUB_TOKEN)"
            )))
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
                let error = Error::new(ErrorKind::SecondFactorRequired).with_detail(
                    "the account has two-factor authentication; give the session its TOTP \
                     secret or a second-factor prompt, or use a personal access token",
                );
                // Hub's own words, as every error from an answer carries them (scrubbed
                // when the challenge was read).
                Err(match challenge.hub_message() {
                    Some(message) => error.with_hub_message(message, &[]),
                    None => error,
                })
            }
        },
    }
}

/// Calls the prompt on a thread where it may block; `None` without a prompt or a code.
async fn ask(prompt: Option<&Prompt>) -> Option<SecretString> {
    let prompt = prompt?.clone();
    tokio::task::spawn_blocking(move || prompt()).await.ok()?
}
