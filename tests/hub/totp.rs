//! Feature `totp`: a session for a two-factor account completes the second factor itself.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::support::*;
use dockerhub_auth::{Credentials, ErrorKind, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;

/// An account's TOTP secret: RFC 6238's SHA1 seed, "12345678901234567890", in base32.
const TOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const LOGIN_2FA_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2dpbi0yZmEifQ.c2ln";

/// The code an authenticator app shows for the seed `seconds` after the epoch.
fn code_at(seconds: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(TOTP_SECRET).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_digits(6)
        .with_step_duration(30)
        .build()
        .unwrap();
    totp.generate(seconds).to_string()
}

async fn two_factor_login(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/v2/users/login")
                .json_body(json!({ "username": "alice", "password": "hunter2hunter2" }));
            then.status(401).json_body(json!({
                "detail": SECOND_FACTOR_DETAIL,
                "login_2fa_token": LOGIN_2FA_TOKEN
            }));
        })
        .await
}

#[tokio::test]
async fn a_session_with_the_totp_secret_logs_in_unattended() {
    let server = MockServer::start_async().await;
    let login = two_factor_login(&server).await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The code of the current 30 s step, or of a neighbour should the test cross a boundary.
    let mut accepted = Vec::new();
    for seconds in [now - 30, now, now + 30] {
        accepted.push(
            server
                .mock_async(|when, then| {
                    when.path("/v2/users/2fa-login").json_body(
                        json!({ "login_2fa_token": LOGIN_2FA_TOKEN, "code": code_at(seconds) }),
                    );
                    then.status(200)
                        .json_body(json!({ "token": "unattended-jwt" }));
                })
                .await,
        );
    }
    let credentials =
        Credentials::password_with_totp("alice", "hunter2hunter2", TOTP_SECRET).unwrap();
    let session = hub(&server).session(credentials);

    let token = session.token().await.unwrap();

    assert_eq!(token.expose_secret(), "unattended-jwt");
    login.assert_calls_async(1).await;
    let mut calls = 0;
    for mock in &accepted {
        calls += mock.calls_async().await;
    }
    assert_eq!(
        calls, 1,
        "exactly one code was sent, and it was a valid one"
    );
}

#[tokio::test]
async fn a_rejected_code_is_reported_and_not_retried() {
    let server = MockServer::start_async().await;
    two_factor_login(&server).await;
    let rejected = respond(
        &server,
        "/v2/users/2fa-login",
        401,
        json!({ "detail": "Incorrect authentication credentials" }),
    )
    .await;
    let credentials =
        Credentials::password_with_totp("alice", "hunter2hunter2", TOTP_SECRET).unwrap();
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let err = hub.session(credentials).token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SecondFactorRejected);
    rejected.assert_calls_async(1).await;
}

#[test]
fn a_secret_that_is_not_base32_is_refused_up_front() {
    let err = Credentials::password_with_totp("alice", "pw", "not base32!").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn debug_says_a_totp_secret_is_set_but_never_shows_it() {
    let credentials =
        Credentials::password_with_totp("alice", "hunter2hunter2", TOTP_SECRET).unwrap();
    let debug = format!("{credentials:?}");
    assert!(debug.contains("totp: true"), "{debug}");
    assert!(
        !debug.contains(TOTP_SECRET) && !debug.contains("hunter2"),
        "{debug}"
    );
}
