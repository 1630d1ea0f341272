//! The registry operations of `openapi/registry.yaml`: `GET /v2/` and the manifest `HEAD`
//! through the generated client, the token routes built by hand (their URL is the realm a
//! registry names at run time, which a generated path cannot be), all through the same
//! transport and classification as Hub's operations.

use std::time::SystemTime;

use base64::Engine as _;
use http::HeaderMap;
use reqwest::header::{CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use secrecy::{ExposeSecret, SecretString};
use url::Url;
use zeroize::Zeroizing;

use crate::{
    error::{Error, ErrorKind, Result},
    registry::{RegistryScope, RegistryToken},
    registry_codegen::types,
    wire::{
        Endpoint, Sensitive,
        classify::{
            Operation, body_error, classify, invalid_success_body, response_error, transport,
        },
    },
};

/// What this client calls itself to token services (`client_id`), which want one.
const CLIENT_ID: &str = "dockerhub-auth";

/// What `GET /v2/` said about authentication.
pub(crate) enum Ping {
    /// 200: the registry wants no credentials.
    Open,
    /// 401: the values of every `WWW-Authenticate` header of the answer.
    Challenged(Vec<String>),
}

/// `GET /v2/`.
pub(crate) async fn ping(endpoint: &Endpoint) -> Result<Ping> {
    let client = endpoint.registry_client(None)?;
    match client.ping_registry().await {
        Ok(_) => Ok(Ping::Open),
        Err(progenitor_client::Error::ErrorResponse(answer)) if answer.status() == 401 => {
            let challenges = answer
                .headers()
                .get_all(WWW_AUTHENTICATE)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect();
            Ok(Ping::Challenged(challenges))
        }
        Err(error) => Err(classify(Operation::RegistryPing, &client, error, &[]).await),
    }
}

/// `HEAD /v2/{namespace}/{repository}/manifests/{reference}` with `token`, when there is one,
/// and the `Accept` header of every image client (a Distribution registry answers 400 for a
/// v2 image without it). Returns the headers of the answer: of a 200, or of a 404 (the token was accepted, the
/// manifest does not exist).
pub(crate) async fn head_manifest(
    endpoint: &Endpoint,
    (namespace, repository): (&str, &str),
    reference: &str,
    token: Option<&RegistryToken>,
) -> Result<HeaderMap> {
    let client = endpoint.registry_client(token.map(RegistryToken::authorization_header))?;
    let secrets: Vec<&str> = token.iter().map(|t| t.expose_secret()).collect();
    // The spec's one value: the manifest types every image client accepts.
    let accept = types::HeadManifestAccept::default();
    match client
        .head_manifest(namespace, repository, reference, accept)
        .await
    {
        Ok(answer) => Ok(answer.headers().clone()),
        Err(progenitor_client::Error::ErrorResponse(answer)) => Ok(answer.headers().clone()),
        Err(error) => Err(classify(Operation::RegistryManifest, &client, error, &secrets).await),
    }
}

/// A token request: where to, for what, and as whom.
pub(crate) struct TokenRequest<'a> {
    pub(crate) realm: &'a Url,
    pub(crate) service: Option<&'a str>,
    /// As sent: on Docker Hub, already under `library/` where that applies.
    pub(crate) scopes: &'a [RegistryScope],
    /// `None` asks anonymously.
    pub(crate) credentials: Option<TokenCredentials<'a>>,
    /// Whether the token service is Docker Hub's, which takes the OAuth2 form: a 400 or 401
    /// from it is its answer, never a reason to ask again with `GET` (a second try would
    /// count as another failed login).
    pub(crate) docker_hub: bool,
}

/// What a token request proves who it is with.
#[derive(Clone, Copy)]
pub(crate) enum TokenCredentials<'a> {
    /// A username with its password or access token.
    Basic {
        username: &'a str,
        secret: &'a SecretString,
    },
    /// An identity token: the OAuth2 refresh token `docker login` stores after a web login.
    Identity(&'a SecretString),
}

/// Gets a token from the realm.
///
/// - With a username and secret: the OAuth2 form (`POST`, password grant) first, and once
///   `GET` with Basic authentication when the token service does not take the form: it
///   answers 404 (GCR) or 405, or, when it is not Docker Hub's, 400 (ACR) or 401
///   (Artifactory), as containerd's resolver does.
/// - With an identity token: the OAuth2 form (refresh-token grant) only; `GET` cannot carry
///   one, so a 400 or 401 is the answer.
/// - Anonymously: `GET` without an `Authorization` header.
pub(crate) async fn fetch_token(
    endpoint: &Endpoint,
    request: &TokenRequest<'_>,
) -> Result<RegistryToken> {
    match request.credentials {
        None => get_token(endpoint, request, &[]).await,
        Some(TokenCredentials::Basic { username, secret }) => {
            // A server may echo the request: the secret, and the Basic credentials built
            // from it, are scrubbed from anything it says.
            let pair = Zeroizing::new(format!("{username}:{}", secret.expose_secret()));
            let basic =
                Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()));
            let secrets = [secret.expose_secret(), basic.as_str()];
            let grant = Grant::Password { username, secret };
            match post_token(endpoint, request, grant, &secrets).await? {
                Some(token) => Ok(token),
                None => get_token(endpoint, request, &secrets).await,
            }
        }
        Some(TokenCredentials::Identity(identity_token)) => {
            let secrets = [identity_token.expose_secret()];
            let grant = Grant::RefreshToken(identity_token);
            post_token(endpoint, request, grant, &secrets)
                .await?
                .ok_or_else(|| {
                    Error::new(ErrorKind::UnexpectedResponse).with_detail(
                        "the token service does not offer the OAuth2 form, the only way to \
                         use an identity token",
                    )
                })
        }
    }
}

/// The grant of an OAuth2 form.
enum Grant<'a> {
    Password {
        username: &'a str,
        secret: &'a SecretString,
    },
    RefreshToken(&'a SecretString),
}

/// The OAuth2 form; `None` when the token service does not take it and `GET` may be tried
/// instead ([`takes_no_form`]).
async fn post_token(
    endpoint: &Endpoint,
    request: &TokenRequest<'_>,
    grant: Grant<'_>,
    secrets: &[&str],
) -> Result<Option<RegistryToken>> {
    let is_password = matches!(grant, Grant::Password { .. });
    let (grant_type, username, password, refresh_token) = match grant {
        Grant::Password { username, secret } => (
            types::TokenFormGrantType::Password,
            Some(username.to_owned()),
            Some(Sensitive::from(secret.clone())),
            None,
        ),
        Grant::RefreshToken(token) => (
            types::TokenFormGrantType::RefreshToken,
            None,
            None,
            Some(Sensitive::from(token.clone())),
        ),
    };
    let form = types::TokenForm {
        grant_type,
        service: request.service.map(str::to_owned),
        client_id: CLIENT_ID.to_owned(),
        scope: (!request.scopes.is_empty()).then(|| {
            let scopes: Vec<&str> = request.scopes.iter().map(RegistryScope::as_str).collect();
            scopes.join(" ")
        }),
        // No new refresh token is asked for: this client would have nowhere safe to keep it.
        access_type: None,
        username,
        password,
        refresh_token,
    };
    let body = Zeroizing::new(
        serde_urlencoded::to_string(&form)
            .map_err(|_| Error::invalid_input("the token request could not be encoded"))?,
    );
    let http = endpoint.http()?;
    let http_request = http
        .post(request.realm.clone())
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(body.as_bytes().to_vec())
        .build()
        .map_err(|_| Error::invalid_input("the token request could not be built"))?;
    let response = endpoint
        .send(http, http_request, "PostToken")
        .await
        .map_err(transport)?;
    if takes_no_form(response.status().as_u16(), is_password, request.docker_hub) {
        return Ok(None);
    }
    token_from(response, request, secrets).await.map(Some)
}

/// Whether a token service that answered the OAuth2 form with `status` does not take the
/// form. 404 and 405 say so. ACR answers 400 and Artifactory 401 to a form they do not
/// take, so these count too, but only for a password grant (an identity token has no other
/// form: the answer is the answer) and never from Docker Hub's token service, which takes
/// the form and means a refusal.
fn takes_no_form(status: u16, is_password: bool, docker_hub: bool) -> bool {
    match status {
        404 | 405 => true,
        400 | 401 => is_password && !docker_hub,
        _ => false,
    }
}

/// The `GET` form: `service`, one `scope` parameter per scope, and with credentials
/// `account` and Basic authentication.
async fn get_token(
    endpoint: &Endpoint,
    request: &TokenRequest<'_>,
    secrets: &[&str],
) -> Result<RegistryToken> {
    let mut url = request.realm.clone();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(service) = request.service {
        pairs.push(("service", service));
    }
    pairs.extend(request.scopes.iter().map(|scope| ("scope", scope.as_str())));
    let basic = match request.credentials {
        Some(TokenCredentials::Basic { username, secret }) => Some((username, secret)),
        _ => None,
    };
    if let Some((username, _)) = basic {
        pairs.push(("account", username));
    }
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    let http = endpoint.http()?;
    let mut builder = http.get(url);
    if let Some((username, secret)) = basic {
        // reqwest marks the header sensitive.
        builder = builder.basic_auth(username, Some(secret.expose_secret()));
    }
    let http_request = builder
        .build()
        .map_err(|_| Error::invalid_input("the token request could not be built"))?;
    let response = endpoint
        .send(http, http_request, "GetToken")
        .await
        .map_err(transport)?;
    token_from(response, request, secrets).await
}

/// Turns the token service's answer into a token, or into the error it means.
async fn token_from(
    response: reqwest::Response,
    request: &TokenRequest<'_>,
    secrets: &[&str],
) -> Result<RegistryToken> {
    let status = response.status().as_u16();
    if !response.status().is_success() {
        return Err(response_error(Operation::RegistryToken, response, secrets).await);
    }
    let body = response
        .bytes()
        .await
        .map_err(|error| body_error(Operation::RegistryToken, status, error, secrets))?;
    let answer: types::TokenResponse =
        serde_json::from_slice(&body).map_err(|error| invalid_success_body(status, &error))?;
    // `access_token` and `token` are the same value; when both come, `access_token` wins,
    // as in Distribution's own client.
    let secret = [answer.access_token, answer.token]
        .into_iter()
        .flatten()
        .find(|token| !token.expose_secret().is_empty())
        .ok_or_else(|| {
            Error::new(ErrorKind::InvalidResponse)
                .with_status(status)
                .with_detail("the token service's answer has neither token nor access_token")
        })?;
    Ok(RegistryToken::new(
        secret.into_secret(),
        answer.expires_in,
        answer.issued_at.as_deref(),
        SystemTime::now(),
        request.scopes.to_vec(),
    ))
}
