//! `Hub::create_access_token` (`POST /v2/auth/token`) against a mock Docker Hub.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::ErrorKind;
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn a_pat_is_exchanged_for_a_jwt_with_decoded_claims() {
    let server = MockServer::start_async().await;
    let jwt = jwt(hub_claims(1_800_000_000));
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/auth/token")
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_abc" }));
            then.status(200).json_body(json!({ "access_token": jwt }));
        })
        .await;

    let token = hub(&server)
        .create_access_token("alice", "dckr_pat_abc")
        .await
        .unwrap();

    mock.assert_calls_async(1).await;
    assert_eq!(token.expose_secret(), jwt);
    assert_eq!(token.expires_at(), Some(unix(1_800_000_600)));
    assert_eq!(token.lifetime(), Some(Duration::from_secs(600)));
    let claims = token.claims().unwrap();
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.source(), Some("docker_pat|3f1e"));
    assert_eq!(claims.scope(), Some("repo:public_read"));
}

#[tokio::test]
async fn the_request_body_is_what_dockers_spec_requires() {
    let body =
        json!({ "identifier": "acme-org", "secret": "dckr_oat_0123456789abcdef0123456789abcdef" });
    assert_conforms(&body, &docker_request_schema("/v2/auth/token"));

    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/auth/token")
                .json_body(body.clone());
            then.status(200)
                .json_body(json!({ "access_token": "opaque" }));
        })
        .await;
    hub(&server)
        .create_access_token("acme-org", "dckr_oat_0123456789abcdef0123456789abcdef")
        .await
        .unwrap();
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_opaque_token_is_still_a_token() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": "opaque-token", "extra": 1 }),
    )
    .await;
    let token = hub(&server)
        .create_access_token("alice", "pw")
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "opaque-token");
    assert!(token.claims().is_none());
    assert_eq!(token.expires_at(), None);
}

#[tokio::test]
async fn empty_identifier_or_secret_is_refused_without_a_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let hub = hub(&server);
    for (identifier, secret) in [("", "dckr_pat_x"), ("   ", "dckr_pat_x"), ("alice", "")] {
        let err = hub
            .create_access_token(identifier, secret)
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidInput,
            "{identifier:?}/{secret:?}"
        );
    }
    mock.assert_calls_async(0).await;
}

#[tokio::test]
async fn unauthorized_carries_hubs_message() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/auth/token",
        401,
        json!({ "message": "unauthorized", "errinfo": {} }),
    )
    .await;
    let err = hub(&server)
        .create_access_token("alice", "dckr_pat_wrong")
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.hub_message(), Some("unauthorized"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn unauthorized_with_detail_prefers_the_detail() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        401,
        json!({
            "detail": "Incorrect authentication credentials",
            "message": "unauthorized"
        }),
    )
    .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(
        err.hub_message(),
        Some("Incorrect authentication credentials")
    );
}

#[tokio::test]
async fn unauthorized_with_a_body_that_is_not_json_is_still_rejected_credentials() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(401)
                .header("content-type", "text/html")
                .body("<html><title>401 Authorization Required</title></html>");
        })
        .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.body_excerpt(), Some("401 Authorization Required"));
}

#[tokio::test]
async fn a_pat_derived_token_refusal_is_forbidden() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        403,
        json!({ "message": "token issued from personal access token", "errinfo": {} }),
    )
    .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));
    assert_eq!(
        err.hub_message(),
        Some("token issued from personal access token")
    );
}

#[tokio::test]
async fn a_200_without_a_token_is_an_invalid_response() {
    for body in [
        json!({}),
        json!({ "token": "wrong-field" }),
        json!({ "access_token": "" }),
    ] {
        let server = MockServer::start_async().await;
        respond(&server, "/v2/auth/token", 200, body.clone()).await;
        let err = hub(&server)
            .create_access_token("alice", "x1234")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{body}");
        assert_eq!(err.status(), Some(200));
    }
}

#[tokio::test]
async fn garbage_json_is_an_invalid_response() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(200)
                .header("content-type", "application/json")
                .body("{\"access_token\": \"eyJ.truncated");
        })
        .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(!err.to_string().contains("eyJ.truncated"), "{err}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_the_secret_goes_nowhere_else() {
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({ "access_token": "stolen" }));
        })
        .await;
    let server = MockServer::start_async().await;
    let redirect = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(307)
                .header("location", elsewhere.url("/v2/auth/token"));
        })
        .await;

    let err = hub(&server)
        .create_access_token("alice", CANARY)
        .await
        .unwrap_err();

    redirect.assert_calls_async(1).await;
    stolen.assert_calls_async(0).await;
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(err.status(), Some(307));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let silent = RawServer::start(Reply::Silence).await;
    let hub = builder(&silent.base_url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "x1234").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_retryable());
    assert_eq!(silent.connections(), 1);
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    // Bind, learn the port, and close it again: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hub = hub_at(&format!("http://127.0.0.1:{port}"));
    let err = hub.create_access_token("alice", "x1234").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_retryable(), "a refused connection never reached Hub");
    assert!(std::error::Error::source(&err).is_some());
}
