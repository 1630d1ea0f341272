//! The three auth operations of `openapi/dockerhub-auth.yaml`: build the generated request,
//! send it, and turn the answer into a facade type or an [`Error`].
//!
//! Secrets travel in the generated bodies as [`Sensitive`], which wipes them when the body is
//! dropped, also when the caller drops the future half-way.

use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};

use crate::{
    codegen::types,
    error::{Error, ErrorKind, Result},
    login::{Login, SecondFactorChallenge},
    token::Token,
    wire::{
        Endpoint, Sensitive,
        classify::{HubMessage, Operation, classify, status_error},
    },
};

/// `POST /v2/auth/token`.
pub(crate) async fn create_access_token(
    endpoint: &Endpoint,
    identifier: &str,
    secret: &SecretString,
) -> Result<Token> {
    let body = types::AuthCreateAccessTokenRequest {
        identifier: identifier.to_owned(),
        secret: Sensitive::from(secret.clone()),
    };
    let client = endpoint.client()?;
    let result = client.auth_create_access_token(&body).await;
    let secrets = [secret.expose_secret()];
    match result {
        Ok(response) => token(response.into_inner().access_token),
        Err(error) => Err(classify(Operation::CreateAccessToken, &client, error, &secrets).await),
    }
}

/// `POST /v2/users/login`.
pub(crate) async fn login(
    endpoint: &Endpoint,
    username: &str,
    password: &SecretString,
) -> Result<Login> {
    let body = types::UsersLoginRequest {
        username: username.to_owned(),
        password: Sensitive::from(password.clone()),
    };
    let client = endpoint.client()?;
    let result = client.post_users_login(&body).await;
    let secrets = [password.expose_secret()];
    match result {
        Ok(response) => token(response.into_inner().token).map(Login::Authenticated),
        Err(progenitor_client::Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            let mut refusal = response.into_inner();
            match refusal
                .login_2fa_token
                .take()
                .filter(|t| !t.expose_secret().is_empty())
            {
                Some(login_2fa_token) => {
                    let message = refusal
                        .hub_message()
                        .map(|message| crate::scrub::scrub(message, &secrets));
                    Ok(Login::SecondFactorRequired(SecondFactorChallenge::new(
                        username,
                        login_2fa_token.into_secret(),
                        password.clone(),
                        message,
                    )))
                }
                None if is_second_factor_request(refusal.hub_message()) => {
                    Err(Error::new(ErrorKind::InvalidResponse)
                        .with_status(status)
                        .with_detail(
                            "docker hub asked for a second factor but sent no login_2fa_token",
                        ))
                }
                None => Err(status_error(
                    Operation::Login,
                    status,
                    None,
                    refusal.hub_message(),
                    None,
                    &secrets,
                )),
            }
        }
        Err(error) => Err(classify(Operation::Login, &client, error, &secrets).await),
    }
}

/// `POST /v2/users/2fa-login`.
pub(crate) async fn login_second_factor(
    endpoint: &Endpoint,
    challenge: &SecondFactorChallenge,
    code: &str,
) -> Result<Token> {
    let body = types::Users2FaLoginRequest {
        login_2fa_token: Sensitive::from(challenge.login_2fa_token().clone()),
        code: Sensitive::from(code),
    };
    let client = endpoint.client()?;
    let result = client.post_users2_fa_login(&body).await;
    // The password too: a server that echoes what it knows of the login may quote it here.
    let [login_2fa_token, password] = challenge.secrets();
    let secrets = [login_2fa_token, password, code];
    match result {
        Ok(response) => token(response.into_inner().token),
        Err(error) => Err(classify(Operation::SecondFactor, &client, error, &secrets).await),
    }
}

/// The `detail` Docker Hub has sent with `login_2fa_token` (docker/hub-tool matches on it,
/// `pkg/hub/client.go`).
fn is_second_factor_request(message: Option<&str>) -> bool {
    message.is_some_and(|m| m.contains("Require secondary authentication"))
}

/// Wraps a token from a success body, which must not be empty.
fn token(token: Sensitive) -> Result<Token> {
    if token.expose_secret().is_empty() {
        return Err(Error::new(ErrorKind::InvalidResponse)
            .with_status(200)
            .with_detail("the token in the response is empty"));
    }
    Ok(Token::new(token.into_secret(), SystemTime::now()))
}
