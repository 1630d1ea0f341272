//! `examples/registry.rs` against a fake registry: the function its `main` calls, with the
//! fake's URL where `main` reads `DOCKERHUB_REGISTRY_URL`.

use httpmock::MockServer;
use serde_json::json;

use crate::support::registry::*;
use dockerhub_auth::Credentials;

// Compiled here as a module; its `main`, which reads the environment, is not called.
#[allow(dead_code)]
#[path = "../../examples/registry.rs"]
mod registry;

#[tokio::test]
async fn registry_gets_a_pull_token_and_the_pull_limit() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let alpine = server
        .mock_async(|when, then| {
            when.path("/token")
                .query_param("scope", "repository:library/alpine:pull");
            then.status(200)
                .json_body(json!({ "token": "alpine-token", "expires_in": 300 }));
        })
        .await;
    let probe_token = server
        .mock_async(|when, then| {
            when.path("/token")
                .query_param("scope", "repository:ratelimitpreview/test:pull");
            then.status(200)
                .json_body(json!({ "token": "probe-token", "expires_in": 300 }));
        })
        .await;
    let probe = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path("/v2/ratelimitpreview/test/manifests/latest");
            then.status(200)
                .header("ratelimit-limit", "100;w=21600")
                .header("ratelimit-remaining", "76;w=21600");
        })
        .await;
    let (token, limit) = registry::token_and_limit(
        Some(server.base_url()),
        &Credentials::anonymous(),
        &["alpine".to_owned()],
    )
    .await
    .unwrap();
    assert_eq!(token.expose_secret(), "alpine-token");
    assert_eq!((limit.remaining(), limit.limit()), (Some(76), Some(100)));
    ping.assert_calls_async(1).await;
    for mock in [&alpine, &probe_token, &probe] {
        mock.assert_calls_async(1).await;
    }
}
