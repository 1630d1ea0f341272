//! `examples/rotate_pat.rs` against a mock Hub: the function its `main` calls, with the
//! mock's URL where `main` reads `DOCKERHUB_URL`.

use httpmock::{Method::*, MockServer};
use serde_json::json;

use crate::support::tokens::{bearer, pat};
use dockerhub_auth::ExposeSecret;

// Compiled here as a module; its `main`, which reads the environment, is not called.
#[allow(dead_code)]
#[path = "../../examples/rotate_pat.rs"]
mod rotate_pat;

#[tokio::test]
async fn rotate_pat_lists_then_rotates_with_a_password_login() {
    let server = MockServer::start_async().await;
    let login = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/login");
            then.status(200).json_body(json!({ "token": bearer() }));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens");
            then.status(200)
                .json_body(json!({ "next": null, "results": [pat("old-id", "ci")] }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/old-id");
            then.status(200).json_body(pat("old-id", "ci"));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(201).json_body(json!({
                "uuid": "new-id", "is_active": true, "token": "dckr_pat_NEW_secret_value" }));
        })
        .await;
    let proof = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/auth/token")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_NEW_secret_value" }));
            then.status(200)
                .json_body(json!({ "access_token": "not-a-jwt" }));
        })
        .await;
    let deactivate = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path("/v2/access-tokens/old-id")
                .json_body(json!({ "is_active": false }));
            then.status(200)
                .json_body(json!({ "uuid": "old-id", "is_active": false }));
        })
        .await;

    let url = Some(server.base_url());
    let listed = rotate_pat::rotate(url.clone(), "alice", "pw".into(), None).await;
    assert!(listed.unwrap().is_none());
    list.assert_calls_async(1).await;

    let secret = rotate_pat::rotate(url, "alice", "pw".into(), Some("old-id"))
        .await
        .unwrap()
        .expect("the new secret");
    assert_eq!(secret.expose_secret(), "dckr_pat_NEW_secret_value");
    // One login per run of the example (each builds its own session).
    login.assert_calls_async(2).await;
    for mock in [&get, &create, &proof, &deactivate] {
        mock.assert_calls_async(1).await;
    }
}
