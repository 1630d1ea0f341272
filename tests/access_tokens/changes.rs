//! Creating, updating and deleting access tokens against a mock Hub, with every body checked
//! against Docker's published request schemas.

use crate::support::{
    CANARY, assert_conforms, docker_request_schema_at, hub,
    tokens::{assert_oat_body_conforms, bearer, oat, pat, recorded, recorder},
};
use dockerhub_auth::{
    ErrorKind, ExposeSecret, NewOrgAccessToken, NewPersonalAccessToken, OatResource, OatScope,
    PatScope, Token, TokenUpdate,
};
use httpmock::{Method::*, MockServer};
use serde_json::json;

#[tokio::test]
async fn create_returns_the_secret_and_sends_dockers_body() {
    let server = MockServer::start_async().await;
    let (body, record) = recorder();
    let mut answer = pat("new-id", "ci");
    answer["token"] = json!(CANARY);
    answer["expires_at"] = json!("2027-01-15T08:00:00Z");
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/access-tokens")
                .header_exists("authorization")
                .is_true(record);
            then.status(201).json_body(answer);
        })
        .await;

    let expires = crate::support::unix(1_800_000_000); // 2027-01-15T08:00:00Z
    let created = hub(&server)
        .personal_access_tokens(Token::from_secret(bearer()))
        .create(
            NewPersonalAccessToken::new("ci")
                .scope(PatScope::REPO_WRITE)
                .scope(PatScope::new("repo:sandbox"))
                .expires_at(expires),
        )
        .await
        .unwrap();

    assert_eq!(created.secret().expose_secret(), CANARY);
    assert_eq!(created.token().id(), "new-id");
    assert_eq!(created.token().expires_at(), Some(expires));
    assert!(!format!("{created:?}").contains(CANARY));
    let body = recorded(&body);
    assert_eq!(
        body,
        json!({ "token_label": "ci", "scopes": ["repo:write", "repo:sandbox"],
                "expires_at": "2027-01-15T08:00:00Z" })
    );
    assert_conforms(
        &body,
        &docker_request_schema_at("post", "/v2/access-tokens"),
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_created_token_without_its_secret_is_an_invalid_response_naming_it() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(201).json_body(pat("new-id", "ci"));
        })
        .await;

    let error = hub(&server)
        .personal_access_tokens(Token::from_secret(bearer()))
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.to_string().contains("new-id"), "{error}");
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn org_create_sends_dockers_body_with_its_resources() {
    let server = MockServer::start_async().await;
    let (body, record) = recorder();
    let mut answer = oat("a7", "ci");
    answer["token"] = json!("dckr_oat_new");
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/orgs/acme/access-tokens")
                .is_true(record);
            then.status(201).json_body(answer);
        })
        .await;

    let created = hub(&server)
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .create(
            NewOrgAccessToken::new("ci")
                .description("build farm")
                .resource(OatResource::repository("acme/*", [OatScope::IMAGE_PUSH]))
                .resource(OatResource::organization(
                    "acme",
                    [OatScope::REPOSITORY_LIST],
                )),
        )
        .await
        .unwrap();

    assert_eq!(created.secret().expose_secret(), "dckr_oat_new");
    let body = recorded(&body);
    assert_eq!(
        body,
        json!({ "label": "ci", "description": "build farm", "resources": [
            { "type": "TYPE_REPO", "path": "acme/*", "scopes": ["scope-image-push"] },
            { "type": "TYPE_ORG", "path": "acme", "scopes": ["scope-repository-list"] }
        ]})
    );
    assert_oat_body_conforms(
        &body,
        docker_request_schema_at("post", "/v2/orgs/{name}/access-tokens"),
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn update_and_delete_send_dockers_requests() {
    let server = MockServer::start_async().await;
    let (pat_body, record_pat) = recorder();
    let (oat_body, record_oat) = recorder();
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v2/access-tokens/id-1")
                .is_true(record_pat);
            then.status(200)
                .json_body(json!({ "uuid": "id-1", "is_active": false }));
        })
        .await;
    let patch_org = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v2/orgs/acme/access-tokens/a7")
                .is_true(record_oat);
            then.status(200)
                .json_body(json!({ "id": "a7", "label": "renamed", "is_active": true }));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/access-tokens/id-1");
            then.status(204);
        })
        .await;
    let delete_org = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/orgs/acme/access-tokens/a7");
            then.status(204);
        })
        .await;
    let hub = hub(&server);
    let (pats, oats) = (
        hub.personal_access_tokens(Token::from_secret(bearer())),
        hub.org_access_tokens(Token::from_secret(bearer()), "acme"),
    );

    let updated = pats
        .update("id-1", TokenUpdate::new().active(false))
        .await
        .unwrap();
    let renamed = oats
        .update("a7", TokenUpdate::new().label("renamed").active(true))
        .await
        .unwrap();
    pats.delete("id-1").await.unwrap();
    oats.delete("a7").await.unwrap();

    assert!(!updated.is_active());
    assert_eq!(renamed.label(), "renamed");
    let (pat_body, oat_body) = (recorded(&pat_body), recorded(&oat_body));
    assert_eq!(pat_body, json!({ "is_active": false }));
    assert_eq!(oat_body, json!({ "label": "renamed", "is_active": true }));
    assert_conforms(
        &pat_body,
        &docker_request_schema_at("patch", "/v2/access-tokens/{uuid}"),
    );
    assert_oat_body_conforms(
        &oat_body,
        docker_request_schema_at(
            "patch",
            "/v2/orgs/{org_name}/access-tokens/{access_token_id}",
        ),
    );
    for mock in [patch, patch_org, delete, delete_org] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_unknown_id_is_not_found_with_hubs_message() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/nope");
            then.status(404)
                .json_body(json!({ "detail": "Not found." }));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path("/v2/access-tokens/nope"); // 404 not in Docker's spec here
            then.status(404)
                .json_body(json!({ "message": "token not found" }));
        })
        .await;
    let tokens = hub(&server).personal_access_tokens(Token::from_secret(bearer()));

    let error = tokens.get("nope").await.unwrap_err();
    assert_eq!(
        (error.kind(), error.status(), error.hub_message()),
        (ErrorKind::NotFound, Some(404), Some("Not found."))
    );
    let error = tokens
        .update("nope", TokenUpdate::new().active(false))
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.hub_message()),
        (ErrorKind::NotFound, Some("token not found"))
    );
    get.assert_calls_async(1).await;
    patch.assert_calls_async(1).await;
}

#[tokio::test]
async fn another_success_status_is_still_read_as_the_answer() {
    let server = MockServer::start_async().await;
    let mut answer = pat("new-id", "ci");
    answer["token"] = json!(CANARY);
    // Docker's spec says 201 and 204; an answer with 200 and 202 must not lose the secret
    // or report a done delete as failed.
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(200).json_body(answer);
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/access-tokens/new-id");
            then.status(202);
        })
        .await;
    let garbled = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/new-id");
            then.status(203).body(format!("not json {CANARY}"));
        })
        .await;
    let tokens = hub(&server).personal_access_tokens(Token::from_secret(bearer()));

    let created = tokens
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap();
    tokens.delete("new-id").await.unwrap();
    let error = tokens.get("new-id").await.unwrap_err();

    assert_eq!(created.secret().expose_secret(), CANARY);
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(!format!("{error} {error:?}").contains(CANARY));
    create.assert_calls_async(1).await;
    delete.assert_calls_async(1).await;
    garbled.assert_calls_async(1).await;
}
