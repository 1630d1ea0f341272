//! `examples/docker_credentials.rs` against a config file and a mock Hub: the function its
//! `main` calls, with the store `main` reads from the environment and the mock's URL.

use httpmock::MockServer;
use serde_json::json;

use crate::support::docker::{ConfigDir, HUB, base64};

// Compiled here as a module; its `main`, which reads the environment, is not called.
#[allow(dead_code)]
#[path = "../../examples/docker_credentials.rs"]
mod docker_credentials;

#[tokio::test]
async fn docker_credentials_uses_what_docker_login_stored() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/auth/token")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_stored" }));
            then.status(200)
                .json_body(json!({ "access_token": "from-stored" }));
        })
        .await;
    let config = ConfigDir::with_json(
        json!({ "auths": { HUB: { "auth": base64("alice:dckr_pat_stored") } } }),
    );
    let token =
        docker_credentials::token_from_docker_login(&config.store(), Some(server.base_url()))
            .await
            .unwrap()
            .expect("stored credentials");
    assert_eq!(token.expose_secret(), "from-stored");

    // Nothing stored is no token and no request.
    let empty = ConfigDir::new();
    let none = docker_credentials::token_from_docker_login(&empty.store(), Some(server.base_url()))
        .await
        .unwrap();
    assert!(none.is_none());
    mock.assert_calls_async(1).await;
}
