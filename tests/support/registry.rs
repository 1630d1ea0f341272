//! A fake registry and token service on one local mock server: `GET /v2/` answers with a
//! Bearer challenge whose realm is the same server's `/token`.

use std::time::Duration;

use dockerhub_auth::{Registry, RegistryBuilder, RetryPolicy};
use httpmock::{Mock, MockServer};

/// The service of Docker Hub's challenge.
pub const DOCKER_HUB_SERVICE: &str = "registry.docker.io";

/// A registry client for `base_url`, with a short timeout and no retries, so that each
/// test sees exactly how one answer is classified.
pub fn registry_at(base_url: &str) -> Registry {
    registry_builder(base_url).build().unwrap()
}

/// The builder behind [`registry_at`], for tests that change one more setting.
pub fn registry_builder(base_url: &str) -> RegistryBuilder {
    Registry::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::never())
}

/// The challenge Docker Hub sends, with the realm at `realm`.
pub fn challenge(realm: &str, service: &str) -> String {
    format!(r#"Bearer realm="{realm}",service="{service}""#)
}

/// Mocks `GET /v2/` to answer 401 with `challenge`, and the registry error body Docker Hub
/// sends with it.
pub async fn challenging<'a>(server: &'a MockServer, challenge: &str) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method("GET").path("/v2/");
            then.status(401)
                .header("www-authenticate", challenge)
                .header("content-type", "application/json")
                .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#);
        })
        .await
}

/// Mocks `GET /v2/` to send Docker Hub's challenge with the realm on this server.
pub async fn docker_hub_challenge(server: &MockServer) -> Mock<'_> {
    challenging(
        server,
        &challenge(&server.url("/token"), DOCKER_HUB_SERVICE),
    )
    .await
}
