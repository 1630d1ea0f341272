//! The ten access-token operations of `openapi/dockerhub-auth.yaml`: build the generated
//! request, send it with the bearer token, and turn the answer into facade types or an
//! [`Error`].
//!
//! A created token's secret arrives as [`Sensitive`] and is moved, not copied, into the
//! [`CreatedToken`]; list and get answers carry an empty `token`, which is dropped.

use std::num::NonZeroU64;

use progenitor_client::Error as GeneratedError;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use crate::{
    access_tokens::{
        CreatedToken, NewOrgAccessToken, NewPersonalAccessToken, OatResource, OatResourceKind,
        OatScope, OrgAccessToken, PatScope, PersonalAccessToken, TokenUpdate,
    },
    access_tokens::{Described, Page},
    codegen::{Client, types},
    error::{Error, ErrorKind, Result},
    token::Token,
    wire::{
        Endpoint, Sensitive, Timestamp,
        classify::{Operation, classify},
    },
};

/// `GET /v2/access-tokens`.
pub(crate) async fn list_personal_access_tokens(
    endpoint: &Endpoint,
    bearer: &Token,
    page: NonZeroU64,
    page_size: NonZeroU64,
) -> Result<Page<PersonalAccessToken>> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client
        .list_personal_access_tokens(Some(page), Some(page_size))
        .await;
    let body = answer(&client, result, bearer).await?;
    Ok(Page {
        items: body.results.into_iter().map(personal).collect(),
        has_next: has_next(body.next.as_deref()),
    })
}

/// `POST /v2/access-tokens`.
pub(crate) async fn create_personal_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    new: &NewPersonalAccessToken,
) -> Result<CreatedToken<PersonalAccessToken>> {
    let body = types::CreateAccessTokenRequest {
        token_label: new.label.as_str().try_into().map_err(|_| label_length())?,
        scopes: new.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        expires_at: new.expires_at.map(Timestamp::from),
    };
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.create_personal_access_token(&body).await;
    let mut token = answer(&client, result, bearer).await?;
    let secret = token.token.take();
    created(personal(token)?, secret)
}

/// `GET /v2/access-tokens/{uuid}`.
pub(crate) async fn get_personal_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    id: &str,
) -> Result<PersonalAccessToken> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.get_personal_access_token(id).await;
    personal(answer(&client, result, bearer).await?)
}

/// `PATCH /v2/access-tokens/{uuid}`.
pub(crate) async fn update_personal_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    id: &str,
    update: &TokenUpdate,
) -> Result<PersonalAccessToken> {
    let token_label = match &update.label {
        Some(label) => Some(label.as_str().try_into().map_err(|_| label_length())?),
        None => None,
    };
    let body = types::PatchAccessTokenRequest {
        token_label,
        is_active: update.active,
    };
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.update_personal_access_token(id, &body).await;
    personal(answer(&client, result, bearer).await?)
}

/// `DELETE /v2/access-tokens/{uuid}`.
pub(crate) async fn delete_personal_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    id: &str,
) -> Result<()> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.delete_personal_access_token(id).await;
    deleted(&client, result, bearer).await
}

/// `GET /v2/orgs/{name}/access-tokens`.
pub(crate) async fn list_org_access_tokens(
    endpoint: &Endpoint,
    bearer: &Token,
    org: &str,
    page: NonZeroU64,
    page_size: NonZeroU64,
) -> Result<Page<OrgAccessToken>> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client
        .list_org_access_tokens(org, Some(page), Some(page_size))
        .await;
    let body = answer(&client, result, bearer).await?;
    Ok(Page {
        items: body.results.into_iter().map(organization).collect(),
        has_next: has_next(body.next.as_deref()),
    })
}

/// `POST /v2/orgs/{name}/access-tokens`.
pub(crate) async fn create_org_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    org: &str,
    new: &NewOrgAccessToken,
) -> Result<CreatedToken<OrgAccessToken>> {
    let body = types::CreateOrgAccessTokenRequest {
        label: new.label.clone(),
        description: new.description.clone(),
        resources: new.resources.iter().map(resource_request).collect(),
        expires_at: new.expires_at.map(Timestamp::from),
    };
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.create_org_access_token(org, &body).await;
    let mut token = answer(&client, result, bearer).await?;
    let secret = token.token.take();
    created(organization(token)?, secret)
}

/// `GET /v2/orgs/{org_name}/access-tokens/{access_token_id}`.
pub(crate) async fn get_org_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    org: &str,
    id: &str,
) -> Result<OrgAccessToken> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.get_org_access_token(org, id).await;
    organization(answer(&client, result, bearer).await?)
}

/// `PATCH /v2/orgs/{org_name}/access-tokens/{access_token_id}`.
pub(crate) async fn update_org_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    org: &str,
    id: &str,
    update: &TokenUpdate,
) -> Result<OrgAccessToken> {
    let body = types::UpdateOrgAccessTokenRequest {
        label: update.label.clone(),
        is_active: update.active,
        description: None,
        resources: Vec::new(),
    };
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.update_org_access_token(org, id, &body).await;
    organization(answer(&client, result, bearer).await?)
}

/// `DELETE /v2/orgs/{org_name}/access-tokens/{access_token_id}`.
pub(crate) async fn delete_org_access_token(
    endpoint: &Endpoint,
    bearer: &Token,
    org: &str,
    id: &str,
) -> Result<()> {
    let client = endpoint.client_with_bearer(bearer)?;
    let result = client.delete_org_access_token(org, id).await;
    deleted(&client, result, bearer).await
}

/// What a generated call of these routes returns.
type Generated<T> = std::result::Result<
    progenitor_client::ResponseValue<T>,
    progenitor_client::Error<types::AccessTokenError>,
>;

/// Returns the body of a success, or the classified failure.
///
/// Docker's spec declares one success status per operation; another 2xx (a create answered
/// with 200, say) is read as the same answer rather than lost, since for a create it holds
/// the only copy of the new secret.
async fn answer<T: DeserializeOwned>(
    client: &Client,
    result: Generated<T>,
    bearer: &Token,
) -> Result<T> {
    let error = match result {
        Ok(response) => return Ok(response.into_inner()),
        Err(GeneratedError::UnexpectedResponse(response)) if response.status().is_success() => {
            match response.bytes().await {
                Ok(body) => match serde_json::from_slice(&body) {
                    Ok(value) => return Ok(value),
                    Err(error) => GeneratedError::InvalidResponsePayload(body, error),
                },
                Err(error) => GeneratedError::ResponseBodyError(error),
            }
        }
        Err(error) => error,
    };
    Err(refused(client, error, bearer).await)
}

/// Returns whether a delete succeeded: 204 as Docker's spec says, or any other 2xx
/// (docker/hub-tool `pkg/hub/tokens.go` notes a 202 from the older token routes).
async fn deleted(client: &Client, result: Generated<()>, bearer: &Token) -> Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(GeneratedError::UnexpectedResponse(response)) if response.status().is_success() => {
            Ok(())
        }
        Err(error) => Err(refused(client, error, bearer).await),
    }
}

/// Classifies a failed call of these routes, with the bearer token among the secrets no
/// message may show.
async fn refused(
    client: &Client,
    error: GeneratedError<types::AccessTokenError>,
    bearer: &Token,
) -> Error {
    classify(
        Operation::ManageAccessTokens,
        client,
        error,
        &[bearer.expose_secret()],
    )
    .await
}

/// Reads a personal access token; one without an id cannot be acted on.
fn personal(token: types::AccessToken) -> Result<PersonalAccessToken> {
    Ok(PersonalAccessToken {
        id: token.uuid.filter(|id| !id.is_empty()).ok_or_else(no_id)?,
        label: token.token_label.unwrap_or_default(),
        scopes: token.scopes.into_iter().map(PatScope::from).collect(),
        is_active: token.is_active.unwrap_or(true),
        created_at: time(token.created_at),
        last_used_at: time(token.last_used),
        expires_at: time(token.expires_at),
        client_id: token.client_id,
        generated_by: token.generated_by,
        creator_ip: token.creator_ip,
        creator_user_agent: token.creator_ua,
    })
}

/// Reads an organization access token; one without an id cannot be acted on.
fn organization(token: types::OrgAccessToken) -> Result<OrgAccessToken> {
    Ok(OrgAccessToken {
        id: token.id.filter(|id| !id.is_empty()).ok_or_else(no_id)?,
        label: token.label.unwrap_or_default(),
        description: token.description,
        created_by: token.created_by,
        is_active: token.is_active.unwrap_or(true),
        created_at: time(token.created_at),
        last_used_at: time(token.last_used_at),
        expires_at: time(token.expires_at),
        resources: token
            .resources
            .into_iter()
            .map(|resource| OatResource {
                kind: OatResourceKind::from(resource.type_),
                path: resource.path,
                scopes: resource.scopes.into_iter().map(OatScope::from).collect(),
            })
            .collect(),
    })
}

fn resource_request(resource: &OatResource) -> types::OrgAccessTokenResource {
    types::OrgAccessTokenResource {
        type_: resource.kind.as_str().to_owned(),
        path: resource.path.clone(),
        scopes: resource
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
    }
}

/// Pairs a created token with its secret, which the answer must hold.
fn created<T>(token: T, secret: Option<Sensitive>) -> Result<CreatedToken<T>>
where
    T: Described,
{
    match secret.filter(|secret| !secret.expose_secret().is_empty()) {
        Some(secret) => Ok(CreatedToken::new(token, secret.into_secret())),
        None => Err(Error::new(ErrorKind::InvalidResponse)
            .with_status(201)
            .with_detail(format!(
                "docker hub created token {} but sent no secret for it: delete it and try again",
                crate::scrub::scrub(token.id(), &[])
            ))),
    }
}

/// A timestamp as a point in time; one that is not RFC 3339 is treated as absent.
fn time(timestamp: Option<Timestamp>) -> Option<std::time::SystemTime> {
    timestamp.as_ref().and_then(Timestamp::to_system_time)
}

/// Whether a list answer says there is a next page. Only the presence of the link counts:
/// it is never followed (`access_tokens/pages.rs`).
fn has_next(link: Option<&str>) -> bool {
    link.is_some_and(|link| !link.trim().is_empty())
}

fn no_id() -> Error {
    Error::new(ErrorKind::InvalidResponse).with_detail("a token in docker hub's answer has no id")
}

fn label_length() -> Error {
    Error::invalid_input("the label must be 1 to 100 characters long")
}
