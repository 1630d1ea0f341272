//! Registry tokens are cached per (credentials, scope set): reused while they have life
//! left, asked for once however many tasks want the same one, and asked for again after
//! `invalidate`. The challenge is asked for once per registry client.

use std::time::Duration;

use crate::support::{CANARY, registry::*};
use dockerhub_auth::{Credentials, ErrorKind, RegistryScope};
use httpmock::{Mock, MockServer};
use serde_json::json;

fn scopes(texts: &[&str]) -> Vec<RegistryScope> {
    texts.iter().map(|text| text.parse().unwrap()).collect()
}

async fn tokens(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200)
                .json_body(json!({ "token": "cached", "expires_in": 300 }));
        })
        .await
}

#[tokio::test]
async fn the_same_scope_set_in_any_order_is_one_token() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let token_route = tokens(&server).await;
    let registry = registry_at(&server.base_url());
    let a = scopes(&["alpine", "acme/app"]);
    let b = scopes(&["acme/app", "alpine", "alpine"]);
    registry.token(&Credentials::anonymous(), &a).await.unwrap();
    registry.token(&Credentials::anonymous(), &b).await.unwrap();
    token_route.assert_calls_async(1).await;
    ping.assert_calls_async(1).await;
}

#[tokio::test]
async fn another_scope_set_or_other_credentials_get_their_own_token() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let token_route = tokens(&server).await;
    let registry = registry_at(&server.base_url());
    let alice = Credentials::secret("alice", CANARY);
    let bob = Credentials::secret("bob", CANARY);
    registry
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    registry
        .token(&Credentials::anonymous(), &scopes(&["debian"]))
        .await
        .unwrap();
    registry.token(&alice, &scopes(&["alpine"])).await.unwrap();
    registry.token(&bob, &scopes(&["alpine"])).await.unwrap();
    // Cached by now, each of them.
    registry
        .token(&Credentials::anonymous(), &scopes(&["alpine"]))
        .await
        .unwrap();
    registry.token(&alice, &scopes(&["alpine"])).await.unwrap();
    registry
        .token(&Credentials::secret("alice", CANARY), &scopes(&["alpine"]))
        .await
        .unwrap();
    // Each credentialed token: the form (POST) once, which answers.
    token_route.assert_calls_async(4).await;
    ping.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_asking_at_once_send_one_request() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    // Slow enough that every task asks while the first request is in flight.
    let token_route = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(json!({ "token": "cached", "expires_in": 300 }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    // The challenge is asked for first, so that the burst below is about the token alone.
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    let wanted = scopes(&["alpine"]);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let registry = registry.clone();
            let wanted = wanted.clone();
            tokio::spawn(async move { registry.token(&Credentials::anonymous(), &wanted).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().expose_secret(), "cached");
    }
    token_route.assert_calls_async(2).await;
    ping.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_transient_failure_is_answered_again_for_a_short_backoff_then_tried_again() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let refused = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(503).body("down").up_to_n_times(1);
        })
        .await;
    let token_route = tokens(&server).await;
    let registry = registry_at(&server.base_url());
    let first = registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Unavailable);
    // Within the backoff: the same failure, without a request.
    let again = registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Unavailable);
    assert!(again.is_remembered());
    refused.assert_calls_async(1).await;
    travel(Duration::from_secs(6)).await;
    let token = registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "cached");
    token_route.assert_calls_async(1).await;
}

#[tokio::test]
async fn rejected_credentials_are_not_sent_again_until_invalidate() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let refused = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(401)
                .json_body(json!({ "details": "incorrect username or password" }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let alice = Credentials::secret("alice", CANARY);
    for _ in 0..5 {
        let err = registry.token(&alice, &[]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    }
    // Each refusal counts toward Docker Hub's lockout of the name: it was sent once (the
    // OAuth2 form; the GET fallback is for a 404, not a 401).
    refused.assert_calls_async(1).await;
    registry.invalidate();
    registry.token(&alice, &[]).await.unwrap_err();
    refused.assert_calls_async(2).await;
}

#[tokio::test]
async fn invalidate_asks_again_for_the_challenge_and_the_token() {
    let server = MockServer::start_async().await;
    let ping = docker_hub_challenge(&server).await;
    let token_route = tokens(&server).await;
    let registry = registry_at(&server.base_url());
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    registry.invalidate();
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    token_route.assert_calls_async(2).await;
    ping.assert_calls_async(2).await;
}

/// Moves tokio's clock forward by `by` without sleeping, then lets it run again: the cache
/// measures token age on this clock.
async fn travel(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

#[tokio::test]
async fn a_token_is_fetched_again_when_a_minute_of_its_life_is_left() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let token_route = tokens(&server).await; // 300 s: reused for 240 s
    let registry = registry_at(&server.base_url());
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    travel(Duration::from_secs(239)).await;
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    token_route.assert_calls_async(1).await;
    travel(Duration::from_secs(2)).await;
    registry
        .token(&Credentials::anonymous(), &[])
        .await
        .unwrap();
    token_route.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rejected_secret_is_not_sent_again_for_another_scope_set() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let refused = server
        .mock_async(|when, then| {
            when.path("/token");
            then.status(401)
                .json_body(json!({ "details": "incorrect username or password" }));
        })
        .await;
    let registry = registry_at(&server.base_url());
    let alice = Credentials::secret("alice", CANARY);
    for scope in ["alpine", "debian", "acme/app", "acme/db"] {
        let err = registry.token(&alice, &scopes(&[scope])).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected, "{scope}");
    }
    // What was refused is the secret, whatever scopes it was sent for: once, not four times.
    refused.assert_calls_async(1).await;
    // The pull-limit probe asks with the same secret: refused from memory too.
    let err = registry.pull_limit(&alice).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert!(err.is_remembered());
    refused.assert_calls_async(1).await;
    // Another secret is another question.
    let fixed = Credentials::secret("alice", "dckr_pat_fixed");
    registry
        .token(&fixed, &scopes(&["alpine"]))
        .await
        .unwrap_err();
    refused.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_identity_token_gets_a_pull_limit_too() {
    let server = MockServer::start_async().await;
    docker_hub_challenge(&server).await;
    let token_route = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/token")
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("scope", "repository:ratelimitpreview/test:pull");
            then.status(200)
                .json_body(json!({ "access_token": "for-the-probe", "expires_in": 300 }));
        })
        .await;
    let probe = server
        .mock_async(|when, then| {
            when.method("HEAD")
                .path("/v2/ratelimitpreview/test/manifests/latest")
                .header("authorization", "Bearer for-the-probe");
            then.status(200)
                .header("ratelimit-limit", "200;w=21600")
                .header("ratelimit-remaining", "150;w=21600");
        })
        .await;
    let registry = registry_at(&server.base_url());
    let limit = registry
        .pull_limit(&Credentials::identity_token(CANARY))
        .await
        .unwrap();
    assert_eq!((limit.remaining(), limit.limit()), (Some(150), Some(200)));
    token_route.assert_calls_async(1).await;
    probe.assert_calls_async(1).await;
}
