//! OIDC credentials (keyless CI) with a `Session` when something fails: every refusal shape
//! is "credentials rejected" with the service's words and remembered, the runner's refusal
//! stops before the exchange, 429 and 5xx follow the retry policy, invalid settings are
//! refused before any request, and nothing printed holds a token.

use std::time::Duration;

use super::workload::{credentials, runner};
use crate::support::{oidc::*, *};
use dockerhub_auth::{Credentials, ErrorKind, IdTokenSource, RetryPolicy, WorkloadIdentity};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn every_refusal_shape_is_credentials_rejected_with_the_services_words_and_remembered() {
    let cases = [
        (
            400,
            "application/json",
            r#"{"error":"invalid_grant","error_description":"no ruleset matched the ID token"}"#,
            "no ruleset matched the ID token",
        ),
        (
            401,
            "application/json",
            r#"{"message":"the OIDC connection is deactivated"}"#,
            "the OIDC connection is deactivated",
        ),
        (
            403,
            "text/plain",
            "Forbidden: the OIDC connection was deleted",
            "Forbidden: the OIDC connection was deleted",
        ),
        (
            403,
            "application/json",
            r#"{"error":"access_denied"}"#,
            "access_denied",
        ),
    ];
    for (status, content_type, body, words) in cases {
        let server = MockServer::start_async().await;
        let refused = server
            .mock_async(refusing(status, content_type, body))
            .await;
        let id = id_token(&server.base_url(), "refused");
        let session =
            hub(&server).session(credentials(&server, IdTokenSource::id_token(id.as_str())));
        let error = session.token().await.unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::CredentialsRejected,
            "{status}: {error}"
        );
        assert_eq!(error.status(), Some(status));
        let shown = error.to_string();
        assert!(shown.contains(words), "{status}: {shown}");
        // What a person needs to see why a ruleset did not match, and never the token.
        assert!(shown.contains(SUBJECT), "{shown}");
        assert!(shown.contains("OIDC connection 867f…"), "{shown}");
        assert!(!shown.contains(&id) && !format!("{error:?}").contains(&id));
        let again = session.token().await.unwrap_err();
        assert!(again.is_remembered(), "{again}");
        assert_eq!(again.kind(), ErrorKind::CredentialsRejected);
        refused.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_refusal_from_the_runner_is_rejected_credentials_and_nothing_is_exchanged() {
    let server = MockServer::start_async().await;
    let runner_refusal = server
        .mock_async(|when, then| {
            when.method("GET").path("/jobs/9/idtoken");
            then.status(401)
                .json_body(json!({ "message": format!("bad token {RUNNER_TOKEN}") }));
        })
        .await;
    let exchange = server
        .mock_async(|when, then| {
            when.path("/oauth/token");
            then.status(200)
                .json_body(json!({ "access_token": ACCESS_TOKEN }));
        })
        .await;
    let error = hub(&server)
        .session(credentials(&server, runner(&server, "9")))
        .token()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("GitHub Actions"), "{shown}");
    assert!(!shown.contains(RUNNER_TOKEN), "{shown}");
    runner_refusal.assert_calls_async(1).await;
    exchange.assert_calls_async(0).await;
}

#[tokio::test]
async fn rate_limits_and_gateway_errors_are_retried_by_the_retry_policy() {
    let server = MockServer::start_async().await;
    let id = id_token(&server.base_url(), "retried");
    let limited = server
        .mock_async(|when, then| {
            when.method("POST").path("/oauth/token");
            then.status(429)
                .header("retry-after", "0")
                .body("slow down")
                .up_to_n_times(1);
        })
        .await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method("POST").path("/oauth/token");
            then.status(503).body("<title>503</title>").up_to_n_times(1);
        })
        .await;
    let exchange = server
        .mock_async(identity(
            &id,
            CONNECTION,
            300,
            json!({ "access_token": ACCESS_TOKEN }),
        ))
        .await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let token = hub
        .session(credentials(&server, IdTokenSource::id_token(id.as_str())))
        .token()
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), ACCESS_TOKEN);
    limited.assert_calls_async(1).await;
    unavailable.assert_calls_async(1).await;
    exchange.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_long_rate_limit_is_returned_at_once_with_its_wait_and_remembered() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method("POST").path("/oauth/token");
            then.status(429).header("retry-after", "3600").json_body(
                json!({ "error": "slow_down", "error_description": "too many exchanges" }),
            );
        })
        .await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let session = hub.session(credentials(
        &server,
        IdTokenSource::id_token("eyJ.id.token"),
    ));
    let error = session.token().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert!(
        error.retry_after() >= Some(Duration::from_secs(3500)),
        "{error}"
    );
    assert!(error.to_string().contains("too many exchanges"), "{error}");
    assert!(session.token().await.unwrap_err().is_remembered());
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn invalid_oidc_settings_are_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({ "access_token": ACCESS_TOKEN }));
        })
        .await;
    let source = || IdTokenSource::id_token("eyJ.id.token");
    let on = |identity: WorkloadIdentity| identity.identity_url(server.base_url());
    for identity in [
        on(WorkloadIdentity::new(ORG, "867f6ef4", source())),
        on(WorkloadIdentity::new(
            ORG,
            format!("{CONNECTION}-x"),
            source(),
        )),
        on(WorkloadIdentity::new(ORG, CONNECTION, source()).expires_in(Duration::from_secs(60))),
        on(WorkloadIdentity::new(ORG, CONNECTION, source()).expires_in(Duration::from_secs(7200))),
        on(WorkloadIdentity::new("", CONNECTION, source())),
        on(WorkloadIdentity::new(
            ORG,
            CONNECTION,
            IdTokenSource::id_token(""),
        )),
        WorkloadIdentity::new(ORG, CONNECTION, source()).identity_url("http://identity.example"),
    ] {
        let shown = format!("{identity:?}");
        let error = Credentials::workload_identity(identity).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{shown}: {error}");
    }
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn no_debug_or_error_shows_the_id_token_the_runner_token_or_the_access_token() {
    let server = MockServer::start_async().await;
    let audience = server.base_url();
    let id = id_token(&audience, "debug");
    server.mock_async(github("3", &audience, &id)).await;
    // A service that echoes the ID token it was sent.
    let echo = format!("refused subject_token={id}");
    let refused = server
        .mock_async(refusing(
            403,
            "application/json",
            &json!({ "message": echo }).to_string(),
        ))
        .await;
    let credentials = credentials(&server, runner(&server, "3"));
    let session = hub(&server).session(credentials.clone());
    let error = session.token().await.unwrap_err();
    let identity = WorkloadIdentity::new(ORG, CONNECTION, runner(&server, "3"));
    for text in [
        format!("{credentials:?}"),
        format!("{session:?}"),
        format!("{identity:?}"),
        format!("{error}"),
        format!("{error:?}"),
    ] {
        for secret in [id.as_str(), RUNNER_TOKEN, ACCESS_TOKEN] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    refused.assert_calls_async(1).await;
}
