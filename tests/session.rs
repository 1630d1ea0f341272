//! `Session`: the cache, the refresh margin, single flight, failures, cancellation.

mod common;

use std::time::Duration;

use common::*;
use dockerhub_auth::{Credentials, ErrorKind, Hub, Session};
use httpmock::{Mock, MockServer};
use serde_json::json;

fn pat() -> Credentials {
    Credentials::access_token("alice", "dckr_pat_abc")
}

/// A token route answering a JWT issued now for `life` seconds, after `delay`.
async fn token_route(server: &MockServer, life: u64, delay: Duration) -> Mock<'_> {
    let iat = now_unix();
    let claims =
        json!({ "iat": iat, "exp": iat + life, "https://hub.docker.com": { "username": "alice" } });
    server
        .mock_async(|when, then| {
            when.method("POST").path("/v2/auth/token");
            then.status(200)
                .delay(delay)
                .json_body(json!({ "access_token": jwt(claims) }));
        })
        .await
}

/// Moves tokio's clock forward by `by` without sleeping, then lets it run again: the
/// session measures token age on this clock.
async fn travel(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_a_cold_session_send_one_request() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::from_millis(300)).await;
    let session = hub(&server).session(pat());

    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap().unwrap());
    }

    mock.assert_calls_async(1).await;
    assert!(
        tokens
            .iter()
            .all(|t| t.expose_secret() == tokens[0].expose_secret())
    );
}

#[tokio::test]
async fn a_token_with_most_of_its_life_left_is_reused() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    let first = session.token().await.unwrap();
    travel(Duration::from_secs(539)).await; // 61 s left: more than the 60 s margin
    let second = session.token().await.unwrap();
    assert_eq!(first.expose_secret(), second.expose_secret());
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_inside_the_margin_is_refreshed() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    session.token().await.unwrap();
    travel(Duration::from_secs(541)).await; // 59 s left: inside the 60 s margin
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_margin_is_ten_percent_of_a_long_lifetime() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 3600, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    session.token().await.unwrap();
    travel(Duration::from_secs(3230)).await; // 370 s left: more than 10% (360 s)
    session.token().await.unwrap();
    mock.assert_calls_async(1).await;
    travel(Duration::from_secs(20)).await; // 350 s left: inside it
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_margin_is_configurable() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::ZERO).await;
    let session = hub(&server)
        .session_builder(pat())
        .refresh_margin(Duration::from_secs(300))
        .build();
    session.token().await.unwrap();
    travel(Duration::from_secs(301)).await;
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_token_without_exp_is_reused_for_five_minutes() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": "opaque" }),
    )
    .await;
    let session = hub(&server).session(pat());
    session.token().await.unwrap();
    travel(Duration::from_secs(299)).await;
    session.token().await.unwrap();
    mock.assert_calls_async(1).await;
    travel(Duration::from_secs(2)).await;
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn reuse_without_expiry_is_configurable() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": "opaque" }),
    )
    .await;
    let session = hub(&server)
        .session_builder(pat())
        .reuse_without_expiry(Duration::ZERO)
        .build();
    session.token().await.unwrap();
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_token_shorter_than_the_margin_is_reused_for_half_its_life() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 40, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    session.token().await.unwrap();
    travel(Duration::from_secs(19)).await;
    session.token().await.unwrap();
    mock.assert_calls_async(1).await;
    travel(Duration::from_secs(2)).await;
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn invalidate_forces_a_refresh() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    session.token().await.unwrap();
    session.invalidate();
    session.token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_reaches_every_waiter_and_is_not_cached() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(401)
                .delay(Duration::from_millis(300))
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    let session = hub(&server).session(pat());
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    for caller in callers {
        let err = caller.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
        assert_eq!(
            err.hub_message(),
            Some("Incorrect authentication credentials")
        );
    }
    mock.assert_calls_async(1).await;

    let err = session.token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_cancelled_caller_does_not_break_the_others() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::from_millis(300)).await;
    let session = hub(&server).session(pat());

    // The first caller starts the refresh, then gives up long before Hub answers.
    let gave_up = tokio::time::timeout(Duration::from_millis(50), session.token()).await;
    assert!(gave_up.is_err(), "the mock answers after 300 ms");

    let token = session.token().await.unwrap();
    assert_eq!(
        session.token().await.unwrap().expose_secret(),
        token.expose_secret()
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_password_session_logs_in_on_the_login_route() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users/login")
                .json_body(json!({ "username": "alice", "password": "hunter2hunter2" }));
            then.status(200).json_body(json!({ "token": "legacy-jwt" }));
        })
        .await;
    let session = hub(&server).session(Credentials::password("alice", "hunter2hunter2"));
    assert_eq!(session.token().await.unwrap().expose_secret(), "legacy-jwt");
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_two_factor_account_without_a_totp_secret_cannot_refresh_unattended() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({
            "detail": SECOND_FACTOR_DETAIL,
            "login_2fa_token": "eyJ.login-2fa.token"
        }),
    )
    .await;
    let second_factor = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login");
            then.status(200);
        })
        .await;
    let session = hub(&server).session(Credentials::password("alice", "hunter2hunter2"));
    let err = session.token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SecondFactorRequired);
    second_factor.assert_calls_async(0).await;
}

#[tokio::test]
async fn clones_share_one_cache() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, 600, Duration::ZERO).await;
    let session: Session = hub(&server).session(pat());
    let clone = session.clone();
    session.token().await.unwrap();
    clone.token().await.unwrap();
    mock.assert_calls_async(1).await;
    assert_eq!(clone.hub().base_url(), server.base_url());
}

#[test]
fn outside_a_runtime_there_is_an_error_not_a_panic() {
    let session = Hub::builder().build().unwrap().session(pat());
    let err = futures_util::FutureExt::now_or_never(session.token())
        .expect("fails at once")
        .unwrap_err();
    // A problem of the calling program, not a network failure.
    assert_eq!(err.kind(), ErrorKind::Runtime);
    assert!(!err.is_retryable());
}

#[test]
fn operations_outside_a_runtime_fail_with_runtime_and_send_nothing() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let hub = hub(&server);
    let err = futures_util::FutureExt::now_or_never(hub.create_access_token("alice", "pw12"))
        .expect("fails at once")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    let err = futures_util::FutureExt::now_or_never(hub.login("alice", "pw12"))
        .expect("fails at once")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
    mock.assert_calls(0);
}
