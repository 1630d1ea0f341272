//! `Hub::login` (`POST /v2/users/login`) against a mock Docker Hub.

use crate::support::*;
use dockerhub_auth::{ErrorKind, Login};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn correct_credentials_give_a_token() {
    let body = json!({ "username": "alice", "password": "hunter2hunter2" });
    assert_conforms(&body, &docker_request_schema("/v2/users/login"));
    let server = MockServer::start_async().await;
    let jwt = jwt(hub_claims(1_800_000_000));
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/users/login")
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200).json_body(json!({ "token": jwt }));
        })
        .await;

    let login = hub(&server).login("alice", "hunter2hunter2").await.unwrap();

    mock.assert_calls_async(1).await;
    let Login::Authenticated(token) = login else {
        panic!("expected a token, got {login:?}");
    };
    assert_eq!(token.expose_secret(), jwt);
    assert_eq!(token.claims().unwrap().username(), Some("alice"));
}

#[tokio::test]
async fn a_wrong_password_is_rejected_with_hubs_detail() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "detail": "Incorrect authentication credentials" }),
    )
    .await;
    let err = hub(&server)
        .login("alice", "wrong-password")
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.hub_message(),
        Some("Incorrect authentication credentials")
    );
    assert_eq!(
        err.to_string(),
        "docker hub rejected the credentials (http 401): Incorrect authentication credentials"
    );
}

#[tokio::test]
async fn the_unauthorized_shape_without_detail_is_rejected_credentials() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "message": "unauthorized", "errinfo": {} }),
    )
    .await;
    let err = hub(&server)
        .login("alice", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(err.hub_message(), Some("unauthorized"));
}

#[tokio::test]
async fn a_two_factor_account_gets_a_challenge_not_an_error() {
    let server = MockServer::start_async().await;
    respond(&server, "/v2/users/login", 401, second_factor_required()).await;
    let login = hub(&server).login("alice", "hunter2hunter2").await.unwrap();
    let Login::SecondFactorRequired(challenge) = login else {
        panic!("expected a challenge, got {login:?}");
    };
    assert_eq!(challenge.username(), "alice");
    assert_eq!(challenge.hub_message(), Some(SECOND_FACTOR_DETAIL));
}

#[tokio::test]
async fn a_null_login_2fa_token_is_a_plain_rejection() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({
            "detail": "Incorrect authentication credentials",
            "login_2fa_token": null
        }),
    )
    .await;
    let err = hub(&server)
        .login("alice", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
}

#[tokio::test]
async fn a_second_factor_request_without_its_token_is_an_invalid_response() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "detail": SECOND_FACTOR_DETAIL }),
    )
    .await;
    let err = hub(&server)
        .login("alice", "hunter2hunter2")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn a_200_without_a_token_is_an_invalid_response() {
    let server = MockServer::start_async().await;
    respond(&server, "/v2/users/login", 200, json!({ "detail": "ok" })).await;
    let err = hub(&server)
        .login("alice", "hunter2hunter2")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn empty_username_or_password_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let hub = hub(&server);
    for (username, password) in [("", "pw"), ("\t", "pw"), ("alice", "")] {
        let err = hub.login(username, password).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    mock.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_rate_limited_login_is_not_a_credentials_problem() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users/login");
            then.status(429)
                .header("retry-after", "600")
                .body("toomanyrequests: too many failed login attempts for username or IP address");
        })
        .await;
    let err = hub(&server)
        .login("alice", "hunter2hunter2")
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(600)));
}

#[tokio::test]
async fn an_organization_access_token_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "detail": "Cannot log into an organization account" }),
    )
    .await;
    let oat = "dckr_oat_CANARY_must_not_print_0123456";
    let err = hub(&server).login("acme-org", oat).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // The message says why and what to do instead, and never shows the token.
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("/v2/auth/token"), "{shown}");
    assert!(!shown.contains(oat), "{shown}");
    mock.assert_calls_async(0).await;
}
