//! The pull-limit probe against a fake registry: a pull token for `ratelimitpreview/test`,
//! a `HEAD` of its manifest with it, and the limit read from the headers in each form
//! Docker Hub has used, or absent ("not reported", never zero).

use std::time::Duration;

use crate::support::{CANARY, registry::*};
use dockerhub_auth::{Credentials, ErrorKind, PullLimit, Registry};
use httpmock::{Mock, MockServer};
use serde_json::json;

const PROBE: &str = "/v2/ratelimitpreview/test/manifests/latest";

/// Mocks the token route to issue `probe-token` for the probe's scope only.
async fn probe_token(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .query_param("scope", "repository:ratelimitpreview/test:pull");
            then.status(200)
                .json_body(json!({ "token": "probe-token", "expires_in": 300 }));
        })
        .await
}

/// Mocks the probe's `HEAD` to answer `status` with `headers`, if it carries the token.
async fn probe<'a>(server: &'a MockServer, status: u16, headers: &[(&str, &str)]) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path(PROBE)
                .header("authorization", "Bearer probe-token");
            let mut then = then.status(status);
            for (name, value) in headers {
                then = then.header(*name, *value);
            }
        })
        .await
}

async fn anonymous_limit(headers: &[(&str, &str)]) -> PullLimit {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let token_route = probe_token(&server).await;
    let head = probe(&server, 200, headers).await;
    let limit = registry_at(&server.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap();
    token_route.assert_calls_async(1).await;
    head.assert_calls_async(1).await;
    limit
}

#[tokio::test]
async fn docker_hubs_headers_give_limit_remaining_window_and_source() {
    let limit = anonymous_limit(&[
        ("ratelimit-limit", "100;w=21600"),
        ("ratelimit-remaining", "76;w=21600"),
        ("docker-ratelimit-source", "203.0.113.7"),
    ])
    .await;
    assert_eq!(limit.limit(), Some(100));
    assert_eq!(limit.remaining(), Some(76));
    assert_eq!(limit.window(), Some(Duration::from_secs(21_600)));
    assert_eq!(limit.source(), Some("203.0.113.7"));
    assert!(limit.is_reported());
}

#[tokio::test]
async fn the_window_is_read_not_assumed() {
    let limit = anonymous_limit(&[
        ("RateLimit-Limit", "200;w=3600"),
        ("RateLimit-Remaining", "199;w=3600"),
    ])
    .await;
    assert_eq!(
        (limit.limit(), limit.remaining(), limit.window()),
        (Some(200), Some(199), Some(Duration::from_secs(3600)))
    );
    assert_eq!(limit.source(), None);
}

#[tokio::test]
async fn quotas_without_a_window_or_in_the_list_form_are_read() {
    let bare = anonymous_limit(&[("ratelimit-limit", "100"), ("ratelimit-remaining", "0")]).await;
    assert_eq!(
        (bare.limit(), bare.remaining(), bare.window()),
        (Some(100), Some(0), None)
    );
    let listed = anonymous_limit(&[
        ("ratelimit-limit", "100, 100;w=21600"),
        ("ratelimit-remaining", "12, 12;w=21600"),
    ])
    .await;
    assert_eq!(
        (listed.limit(), listed.remaining(), listed.window()),
        (Some(100), Some(12), Some(Duration::from_secs(21_600)))
    );
}

#[tokio::test]
async fn no_headers_is_not_reported_rather_than_zero() {
    let limit = anonymous_limit(&[]).await;
    assert!(!limit.is_reported());
    assert_eq!((limit.limit(), limit.remaining()), (None, None));
    let garbage = anonymous_limit(&[("ratelimit-limit", "unlimited")]).await;
    assert!(!garbage.is_reported());
}

#[tokio::test]
async fn an_authenticated_probe_uses_the_accounts_token() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("username", "alice")
                .form_urlencoded_tuple("scope", "repository:ratelimitpreview/test:pull");
            then.status(200)
                .json_body(json!({ "access_token": "probe-token" }));
        })
        .await;
    let head = probe(
        &server,
        200,
        &[
            ("ratelimit-limit", "200;w=21600"),
            ("ratelimit-remaining", "150;w=21600"),
            ("docker-ratelimit-source", "c7f3a2e0-account-id"),
        ],
    )
    .await;
    let limit = registry_at(&server.base_url())
        .pull_limit(&Credentials::secret("alice", CANARY))
        .await
        .unwrap();
    assert_eq!(limit.source(), Some("c7f3a2e0-account-id"));
    assert_eq!(limit.remaining(), Some(150));
    form.assert_calls_async(1).await;
    head.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_missing_manifest_still_answers_the_probe() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    probe_token(&server).await;
    let head = probe(&server, 404, &[]).await;
    let limit = registry_at(&server.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap();
    assert!(!limit.is_reported());
    head.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_registry_without_authentication_is_probed_without_a_token() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/v2/");
            then.status(200).body("{}");
        })
        .await;
    let head = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path(PROBE)
                .header_missing("authorization");
            then.status(200).header("ratelimit-remaining", "9");
        })
        .await;
    let limit = registry_at(&server.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap();
    assert_eq!((limit.limit(), limit.remaining()), (None, Some(9)));
    head.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_probe_token_is_rejected_credentials() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    probe_token(&server).await;
    let head = probe(&server, 401, &[]).await;
    let error = registry_at(&server.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(error.status(), Some(401));
    head.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_probe_goes_to_the_registrys_path_prefix() {
    let server = MockServer::start_async().await;
    let ping = server
        .mock_async(|when, then| {
            when.method("GET").path("/mirror/v2/");
            then.status(200);
        })
        .await;
    let head = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path("/mirror/v2/ratelimitpreview/test/manifests/latest");
            then.status(200).header("ratelimit-limit", "100;w=21600");
        })
        .await;
    let registry: Registry = registry_at(&server.url("/mirror/"));
    let limit = registry
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap();
    assert_eq!(limit.limit(), Some(100));
    ping.assert_calls_async(1).await;
    head.assert_calls_async(1).await;
}

/// The manifest types every image client accepts, in the `Accept` header of the probe.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

#[tokio::test]
async fn the_probe_accepts_every_manifest_type_as_image_clients_do() {
    // A Distribution registry (and so a pull-through mirror) answers 400 for a v2 image
    // when the request does not say it reads v2 manifests.
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    probe_token(&server).await;
    let without = server
        .mock_async(|when, then| {
            when.method("HEAD").path(PROBE).header_missing("accept");
            then.status(400);
        })
        .await;
    let with = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path(PROBE)
                .header("authorization", "Bearer probe-token")
                .header("accept", MANIFEST_TYPES);
            then.status(200)
                .header("ratelimit-limit", "100;w=21600")
                .header("ratelimit-remaining", "99;w=21600");
        })
        .await;

    let limit = registry_at(&server.base_url())
        .pull_limit(&Credentials::anonymous())
        .await
        .unwrap();

    assert_eq!((limit.limit(), limit.remaining()), (Some(100), Some(99)));
    with.assert_calls_async(1).await;
    without.assert_calls_async(0).await;
}
