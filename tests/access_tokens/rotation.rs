//! Rotating access tokens against a mock Hub: a successor with the same scopes, resources
//! and lifetime, proven at /v2/auth/token before the old token is deactivated; and when the
//! proof fails, the successor deleted and the old token left as it was.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use crate::support::{
    assert_conforms, docker_request_schema_at, hub,
    tokens::{assert_oat_body_conforms, bearer, oat, pat, recorded, recorder},
};
use dockerhub_auth::{ErrorKind, ExposeSecret, Token, generated::Timestamp};
use httpmock::{Method::*, MockServer};
use serde_json::{Value, json};

/// The mocks of a rotation of `old-id` into `new-id`, with the proof's answer.
struct Rotation<'a> {
    get: httpmock::Mock<'a>,
    create: httpmock::Mock<'a>,
    proof: httpmock::Mock<'a>,
    deactivate: httpmock::Mock<'a>,
    delete_new: httpmock::Mock<'a>,
    created_body: Arc<Mutex<Option<Value>>>,
}

async fn rotation_mocks<'a>(
    server: &'a MockServer,
    collection: &str,
    identifier: &str,
    old: Value,
    proof_status: u16,
) -> Rotation<'a> {
    let (created_body, record) = recorder();
    let id_field = if old.get("uuid").is_some() {
        "uuid"
    } else {
        "id"
    };
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{collection}/old-id"));
            then.status(200).json_body(old.clone());
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path(collection).is_true(record);
            then.status(201).json_body(json!({
                id_field: "new-id", "is_active": true, "token": "dckr_pat_NEW_secret_value"
            }));
        })
        .await;
    let proof = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/auth/token").json_body(
                json!({ "identifier": identifier, "secret": "dckr_pat_NEW_secret_value" }),
            );
            match proof_status {
                200 => then
                    .status(200)
                    .json_body(json!({ "access_token": "not-a-jwt" })),
                status => then
                    .status(status)
                    .json_body(json!({ "message": "unauthorized", "errinfo": {} })),
            };
        })
        .await;
    let deactivate = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("{collection}/old-id"))
                .json_body(json!({ "is_active": false }));
            then.status(200)
                .json_body(json!({ id_field: "old-id", "is_active": false }));
        })
        .await;
    let delete_new = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("{collection}/new-id"));
            then.status(204);
        })
        .await;
    Rotation {
        get,
        create,
        proof,
        deactivate,
        delete_new,
        created_body,
    }
}

/// Today's date as a rotation label writes it.
fn today() -> String {
    Timestamp::from(SystemTime::now()).as_str()[..10].to_owned()
}

#[tokio::test]
async fn rotate_creates_a_twin_proves_it_and_deactivates_the_old_token() {
    let server = MockServer::start_async().await;
    let mut old = pat("old-id", "ci");
    old["scopes"] = json!(["repo:write"]);
    old["created_at"] = json!("2026-01-01T00:00:00Z");
    old["expires_at"] = json!("2026-03-02T00:00:00Z"); // a 60-day token
    let mocks = rotation_mocks(&server, "/v2/access-tokens", "alice", old, 200).await;

    let before = SystemTime::now();
    let rotation = hub(&server)
        .personal_access_tokens(Token::from_secret(bearer())) // its claims name alice
        .rotate("old-id")
        .await
        .unwrap();

    assert_eq!(
        rotation.secret().expose_secret(),
        "dckr_pat_NEW_secret_value"
    );
    assert_eq!(rotation.token().id(), "new-id");
    assert!(!rotation.previous().is_active());
    assert!(rotation.deactivation_error().is_none());
    assert!(!format!("{rotation:?}").contains("dckr_pat_NEW"));
    let body = recorded(&mocks.created_body);
    assert_eq!(body["token_label"], format!("ci (rotated {})", today()));
    assert_eq!(body["scopes"], json!(["repo:write"]));
    let expires = Timestamp::from(body["expires_at"].as_str().unwrap().to_owned())
        .to_system_time()
        .unwrap();
    let sixty_days = Duration::from_secs(60 * 86_400);
    assert!(expires >= before + sixty_days - Duration::from_secs(1));
    assert!(expires <= SystemTime::now() + sixty_days);
    assert_conforms(
        &body,
        &docker_request_schema_at("post", "/v2/access-tokens"),
    );
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.deactivate] {
        mock.assert_calls_async(1).await;
    }
    mocks.delete_new.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_rotation_whose_check_fails_deletes_the_new_token_and_leaves_the_old_one() {
    let server = MockServer::start_async().await;
    let mocks = rotation_mocks(
        &server,
        "/v2/access-tokens",
        "alice",
        pat("old-id", "ci"),
        401,
    )
    .await;

    let error = hub(&server)
        .personal_access_tokens(Token::from_secret(bearer()))
        .rotate("old-id")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    let message = error.to_string();
    assert!(
        message.contains("was deleted") && message.contains("unchanged"),
        "{message}"
    );
    assert!(!message.contains("dckr_pat_NEW"), "{message}");
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.delete_new] {
        mock.assert_calls_async(1).await;
    }
    mocks.deactivate.assert_calls_async(0).await; // the old token stays active
}

#[tokio::test]
async fn org_rotation_proves_the_new_token_with_the_org_name() {
    let server = MockServer::start_async().await;
    let mut old = oat("old-id", "ci");
    old["description"] = json!("build farm");
    old["resources"] =
        json!([{ "type": "TYPE_REPO", "path": "acme/app", "scopes": ["scope-image-push"] }]);
    let mocks = rotation_mocks(&server, "/v2/orgs/acme/access-tokens", "acme", old, 200).await;

    let rotation = hub(&server)
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .rotate("old-id")
        .await
        .unwrap();

    assert_eq!(rotation.token().id(), "new-id");
    let body = recorded(&mocks.created_body);
    assert_eq!(
        body,
        json!({ "label": format!("ci (rotated {})", today()), "description": "build farm",
                "resources": [{ "type": "TYPE_REPO", "path": "acme/app",
                                "scopes": ["scope-image-push"] }] })
    );
    assert_oat_body_conforms(
        &body,
        docker_request_schema_at("post", "/v2/orgs/{name}/access-tokens"),
    );
    for mock in [&mocks.get, &mocks.create, &mocks.proof, &mocks.deactivate] {
        mock.assert_calls_async(1).await;
    }
    mocks.delete_new.assert_calls_async(0).await;
}
