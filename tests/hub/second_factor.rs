//! `Hub::login_second_factor` (`POST /v2/users/2fa-login`) and the challenge it consumes.

use crate::support::*;
use dockerhub_auth::{ErrorKind, Hub, Login, SecondFactorChallenge};
use httpmock::MockServer;
use serde_json::json;

const LOGIN_2FA_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2dpbi0yZmEifQ.c2ln";

/// Logs in as a two-factor account and returns the challenge.
async fn challenge(server: &MockServer, hub: &Hub) -> SecondFactorChallenge {
    respond(
        server,
        "/v2/users/login",
        401,
        json!({
            "detail": SECOND_FACTOR_DETAIL,
            "login_2fa_token": LOGIN_2FA_TOKEN
        }),
    )
    .await;
    match hub.login("alice", "hunter2hunter2").await.unwrap() {
        Login::SecondFactorRequired(challenge) => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

#[tokio::test]
async fn the_code_is_sent_as_a_string_without_spaces() {
    let server = MockServer::start_async().await;
    let hub = hub(&server);
    let challenge = challenge(&server, &hub).await;
    let body = json!({ "login_2fa_token": LOGIN_2FA_TOKEN, "code": "012345" });
    assert_conforms(&body, &docker_request_schema("/v2/users/2fa-login"));
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/users/2fa-login")
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200).json_body(json!({ "token": "the-jwt" }));
        })
        .await;

    let token = hub
        .login_second_factor(&challenge, " 012 345 ")
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(token.expose_secret(), "the-jwt");
}

#[tokio::test]
async fn a_wrong_code_leaves_the_challenge_usable() {
    let server = MockServer::start_async().await;
    let hub = hub(&server);
    let challenge = challenge(&server, &hub).await;
    let wrong = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body(json!({ "login_2fa_token": LOGIN_2FA_TOKEN, "code": "000000" }));
            then.status(401)
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    let right = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body(json!({ "login_2fa_token": LOGIN_2FA_TOKEN, "code": "123456" }));
            then.status(200).json_body(json!({ "token": "the-jwt" }));
        })
        .await;

    let err = hub
        .login_second_factor(&challenge, "000000")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SecondFactorRejected);
    assert_eq!(
        err.hub_message(),
        Some("Incorrect authentication credentials")
    );
    assert!(!err.is_retryable());

    let token = hub
        .login_second_factor(&challenge, "123-456")
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "the-jwt");
    wrong.assert_calls_async(1).await;
    right.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_recovery_code_is_accepted() {
    let server = MockServer::start_async().await;
    let hub = hub(&server);
    let challenge = challenge(&server, &hub).await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body(json!({ "login_2fa_token": LOGIN_2FA_TOKEN, "code": "a1b2c3d4e5f6" }));
            then.status(200).json_body(json!({ "token": "the-jwt" }));
        })
        .await;
    hub.login_second_factor(&challenge, "a1b2-c3d4-e5f6")
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_empty_code_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let hub = hub(&server);
    let challenge = challenge(&server, &hub).await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login");
            then.status(200);
        })
        .await;
    for code in ["", "   ", "-"] {
        let err = hub.login_second_factor(&challenge, code).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{code:?}");
    }
    mock.assert_calls_async(0).await;
}

/// A password with no token's shape: only knowing it keeps it out of an error.
const PASSWORD: &str = "hunter2hunter2";

#[tokio::test]
async fn an_answer_of_the_second_step_that_echoes_the_password_never_shows_it() {
    let answers = [
        (
            401,
            json!({ "detail": format!("wrong code for alice:{PASSWORD}") }).to_string(),
        ),
        (
            500,
            json!({ "message": format!("oops (password={PASSWORD})") }).to_string(),
        ),
        (
            500,
            format!("<html>internal error, password {PASSWORD}</html>"),
        ),
    ];
    for (status, body) in answers {
        let server = MockServer::start_async().await;
        let hub = hub(&server);
        let second_step = server
            .mock_async(|when, then| {
                when.path("/v2/users/2fa-login");
                then.status(status).body(&body);
            })
            .await;
        // Through the challenge a caller holds…
        let err = hub
            .login_second_factor(&challenge(&server, &hub).await, "123456")
            .await
            .unwrap_err();
        // …and through a session that logs in with the password and asks for the code.
        let session = hub
            .session_builder(dockerhub_auth::Credentials::password("alice", PASSWORD))
            .second_factor_prompt(|| Some("123456".into()))
            .build();
        let from_session = session.token().await.unwrap_err();
        for err in [err, from_session] {
            let shown = format!(
                "{err} {err:?} {:?} {:?}",
                err.hub_message(),
                err.body_excerpt()
            );
            assert!(!shown.contains(PASSWORD), "{status}: {shown}");
            assert!(!shown.contains("hunter2"), "{status}: {shown}");
            assert!(shown.contains("[redacted]"), "{status}: {shown}");
        }
        second_step.assert_calls_async(2).await;
    }
}
