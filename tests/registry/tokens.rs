//! Registry tokens against a fake registry and token service on 127.0.0.1: the challenge
//! flow, how scopes and credentials travel (or do not), and token lifetimes. Refusals are in
//! `errors.rs`, the cache in `cache.rs`. Every mock's hit count is asserted.

use std::time::{Duration, SystemTime};

use crate::support::{CANARY, registry::*};
use base64::Engine as _;
use dockerhub_auth::{Credentials, RegistryScope};
use httpmock::MockServer;
use serde_json::json;

fn alice() -> Credentials {
    Credentials::secret("alice", CANARY)
}

fn scopes(texts: &[&str]) -> Vec<RegistryScope> {
    texts.iter().map(|text| text.parse().unwrap()).collect()
}

fn basic(username: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{secret}"));
    format!("Basic {encoded}")
}

#[tokio::test]
async fn the_challenge_names_the_token_service_and_its_service() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let token_route = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .query_param("service", DOCKER_HUB_SERVICE)
                .query_param("scope", "repository:library/alpine:pull");
            then.status(200).json_body(json!({
                "token": "registry-token-1",
                "access_token": "registry-token-1",
                "expires_in": 300,
                "issued_at": "2026-11-23T10:00:00Z"
            }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let token = registry
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "registry-token-1");
    assert_eq!(token.lifetime(), Duration::from_secs(300));
    assert_eq!(
        token.expires_at(),
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_428_300)
    );
    assert_eq!(token.expires_at_rfc3339(), "2026-11-23T10:05:00Z");
    assert_eq!(
        token.scopes(),
        &scopes(&["repository:library/alpine:pull"])[..]
    );
    assert_eq!(
        token.authorization_header().to_str().unwrap(),
        "Bearer registry-token-1"
    );
    ping.assert_calls_async(1).await;
    token_route.assert_calls_async(1).await;
}

#[tokio::test]
async fn each_scope_is_a_query_parameter_of_its_own() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let token_route = server
        .mock_async(|when, then| {
            when.method("GET").path("/token").is_true(|request| {
                let sent: Vec<String> = request
                    .query_params()
                    .into_iter()
                    .filter(|(name, _)| name == "scope")
                    .map(|(_, value)| value)
                    .collect();
                sent == [
                    "repository:library/alpine:pull",
                    "repository:acme/app:pull,push",
                    "registry:catalog:*",
                ]
            });
            then.status(200).json_body(json!({ "token": "t" }));
        })
        .await;
    let wanted = scopes(&[
        "alpine",
        "repository:acme/app:pull,push",
        "registry:catalog:*",
    ]);
    registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &wanted)
        .await
        .unwrap();
    token_route.assert_calls_async(1).await;
}

#[tokio::test]
async fn anonymous_requests_carry_no_credentials_at_all() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST").path("/token");
            then.status(200).json_body(json!({ "token": "from-form" }));
        })
        .await;
    let token_route = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .header_missing("authorization")
                .query_param_missing("account");
            then.status(200).json_body(json!({ "token": "anonymous" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "anonymous");
    token_route.assert_calls_async(1).await;
    form.assert_calls_async(0).await;
}

#[tokio::test]
async fn credentials_go_in_the_oauth2_form_first() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("authorization")
                .form_urlencoded_tuple("grant_type", "password")
                .form_urlencoded_tuple("username", "alice")
                .form_urlencoded_tuple("password", CANARY)
                .form_urlencoded_tuple("service", DOCKER_HUB_SERVICE)
                .form_urlencoded_tuple("client_id", "dockerhub-auth")
                .form_urlencoded_tuple(
                    "scope",
                    "repository:library/alpine:pull repository:acme/app:push",
                );
            then.status(200)
                .json_body(json!({ "access_token": "from-form", "expires_in": 300 }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method("GET").path("/token");
            then.status(200).json_body(json!({ "token": "from-get" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&alice(), &scopes(&["alpine", "repository:acme/app:push"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "from-form");
    form.assert_calls_async(1).await;
    get.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_token_service_without_the_form_gets_basic_authentication_on_get() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST").path("/token");
            then.status(404);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .header("authorization", basic("alice", CANARY))
                .query_param("account", "alice")
                .query_param("service", DOCKER_HUB_SERVICE)
                .query_param("scope", "repository:library/alpine:pull");
            then.status(200).json_body(json!({ "token": "from-get" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&alice(), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "from-get");
    form.assert_calls_async(1).await;
    get.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_service_that_is_not_docker_hubs_gets_get_once_after_refusing_the_form() {
    // GCR answers the form 404, others 405, ACR 400 and Artifactory 401: each takes GET.
    for status in [404, 405, 400, 401] {
        let server = MockServer::start_async().await;
        challenging(
            &server,
            &challenge(&server.url("/token"), "acr.example.test"),
        )
        .await;
        let form = server
            .mock_async(|when, then| {
                when.method("POST").path("/token");
                then.status(status)
                    .json_body(json!({ "errors": [{ "code": "UNSUPPORTED" }] }));
            })
            .await;
        let get = server
            .mock_async(|when, then| {
                when.method("GET")
                    .path("/token")
                    .header("authorization", basic("alice", CANARY))
                    .query_param("service", "acr.example.test");
                then.status(200).json_body(json!({ "token": "from-get" }));
            })
            .await;
        let token = registry_at(&server.base_url())
            .token(&alice(), &scopes(&["acme/app"]))
            .await
            .unwrap();
        assert_eq!(token.expose_secret(), "from-get", "{status}");
        form.assert_calls_async(1).await;
        get.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_token_without_expires_in_lives_60_seconds_from_its_arrival() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200).json_body(json!({ "token": "short" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(60));
    assert_eq!(token.issued_at(), None);
    assert_eq!(
        token.expires_at(),
        token.received_at() + Duration::from_secs(60)
    );
    // Received just now: most of its minute is left.
    let left = token.expires_in();
    assert!(
        left > Duration::from_secs(30) && left <= Duration::from_secs(60),
        "{left:?}"
    );
}

#[tokio::test]
async fn a_shorter_expires_in_counts_as_60_seconds() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200)
                .json_body(json!({ "token": "t", "expires_in": 5 }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(60));
}

#[tokio::test]
async fn a_token_with_only_access_token_is_a_token() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200)
                .json_body(json!({ "access_token": "only-access", "expires_in": 600 }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "only-access");
    assert_eq!(token.lifetime(), Duration::from_secs(600));
}

#[tokio::test]
async fn one_component_names_are_official_images_on_docker_hub_only() {
    let server = MockServer::start_async().await;
    challenging(&server, &challenge(&server.url("/token"), "my-registry")).await;
    let token_route = server
        .mock_async(|when, then| {
            when.path("/token")
                .query_param("service", "my-registry")
                .query_param("scope", "repository:alpine:pull");
            then.status(200).json_body(json!({ "token": "t" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.scopes(), &scopes(&["repository:alpine:pull"])[..]);
    token_route.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_scope_given_twice_is_asked_for_once() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let token_route = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/token")
                .query_param_count("scope", ".*", 1);
            then.status(200).json_body(json!({ "token": "t" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(
            &Credentials::anonymous(),
            &scopes(&["alpine", "library/alpine", "alpine"]),
        )
        .await
        .unwrap();
    assert_eq!(
        token.scopes(),
        &scopes(&["repository:library/alpine:pull"])[..]
    );
    token_route.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_identity_token_goes_as_the_refresh_token_grant_of_the_form() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let form = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .header_missing("authorization")
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("refresh_token", CANARY)
                .form_urlencoded_tuple("service", DOCKER_HUB_SERVICE)
                .form_urlencoded_tuple("client_id", "dockerhub-auth")
                .form_urlencoded_tuple("scope", "repository:library/alpine:pull")
                .form_urlencoded_tuple_missing("username")
                .form_urlencoded_tuple_missing("password");
            then.status(200)
                .json_body(json!({ "access_token": "from-identity", "expires_in": 300 }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method("GET").path("/token");
            then.status(200).json_body(json!({ "token": "from-get" }));
        })
        .await;
    let token = registry_at(&server.base_url())
        .token(&Credentials::identity_token(CANARY), &scopes(&["alpine"]))
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "from-identity");
    form.assert_calls_async(1).await;
    get.assert_calls_async(0).await;
}
