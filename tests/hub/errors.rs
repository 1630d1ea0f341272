//! How every kind of answer Docker Hub (or a proxy in front of it) gives becomes an error:
//! undeclared statuses, rate limits in each `Retry-After` form, HTML and plain-text pages,
//! oversized bodies.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{Error, ErrorKind};
use httpmock::MockServer;
use serde_json::json;

/// Sends `POST /v2/auth/token` to a server answering `status`, `headers` and `body`.
async fn answer(status: u16, headers: &[(&str, String)], body: &str) -> Error {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method("POST").path("/v2/auth/token");
            let mut then = then.status(status).body(body);
            for (name, value) in headers {
                then = then.header(*name, value);
            }
        })
        .await;
    let err = hub(&server)
        .create_access_token("alice", "dckr_pat_abcdef")
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    err
}

fn assert_wait(err: &Error, expected_secs: u64) {
    let wait = err.retry_after().expect("a wait");
    // Timestamps are measured against the clock; allow for the second the test takes.
    let expected = Duration::from_secs(expected_secs);
    assert!(
        wait <= expected && wait + Duration::from_secs(3) >= expected,
        "wait {wait:?}, expected about {expected:?}"
    );
}

#[tokio::test]
async fn rate_limit_with_retry_after_in_seconds() {
    let err = answer(
        429,
        &[("retry-after", "30".into())],
        r#"{"detail":"Rate limit exceeded"}"#,
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(err.hub_message(), Some("Rate limit exceeded"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn rate_limit_with_retry_after_as_unix_timestamp_is_reported_as_wait() {
    let at = now_unix() + 120;
    let headers = [
        ("retry-after", at.to_string()),
        ("x-ratelimit-limit", "180".into()),
        ("x-ratelimit-remaining", "0".into()),
        ("x-ratelimit-reset", at.to_string()),
    ];
    let err = answer(429, &headers, "").await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_wait(&err, 120);
}

#[tokio::test]
async fn rate_limit_with_retry_after_as_http_date() {
    let at = std::time::SystemTime::now() + Duration::from_secs(90);
    let err = answer(429, &[("retry-after", httpdate::fmt_http_date(at))], "").await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_wait(&err, 90);
}

#[tokio::test]
async fn rate_limit_without_retry_after_falls_back_to_rate_limit_reset() {
    let at = now_unix() + 45;
    let err = answer(429, &[("x-ratelimit-reset", at.to_string())], "").await;
    assert_wait(&err, 45);
}

#[tokio::test]
async fn rate_limit_as_plain_text_keeps_an_excerpt() {
    let err = answer(
        429,
        &[("content-type", "text/plain".into())],
        "Too Many Requests (HAP429).\n",
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), None);
    assert_eq!(err.body_excerpt(), Some("Too Many Requests (HAP429)."));
    assert!(err.to_string().contains("HAP429"), "{err}");
}

#[tokio::test]
async fn a_bad_gateway_html_page_is_unavailable_with_its_title() {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
                <body><center><h1>502 Bad Gateway</h1></center></body></html>";
    let err = answer(502, &[("content-type", "text/html".into())], page).await;
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.body_excerpt(), Some("502 Bad Gateway"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn server_errors_are_unavailable_and_only_gateway_errors_retryable() {
    for (status, retryable) in [(500, false), (502, true), (503, true), (504, true)] {
        let err = answer(status, &[], "").await;
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{status}");
        assert_eq!(err.is_retryable(), retryable, "{status}");
    }
}

#[tokio::test]
async fn service_unavailable_keeps_its_retry_after() {
    let err = answer(503, &[("retry-after", "5".into())], "").await;
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
}

#[tokio::test]
async fn other_statuses_are_unexpected_responses() {
    for status in [301, 400, 404, 405, 418] {
        let err = answer(status, &[], r#"{"message":"nope"}"#).await;
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{status}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.hub_message(), Some("nope"));
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn an_undeclared_success_status_is_an_invalid_response() {
    let err = answer(204, &[], "").await;
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert_eq!(err.status(), Some(204));
}

#[tokio::test]
async fn nothing_of_an_undeclared_success_body_reaches_the_error() {
    let err = answer(201, &[], r#"{"access_token":"opaque-but-secret"}"#).await;
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert_eq!(err.body_excerpt(), None);
    assert!(!format!("{err} {err:?}").contains("opaque-but-secret"));
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start_async().await;
    let big = json!({ "access_token": "a".repeat(2 * 1024 * 1024) }).to_string();
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(200).body(&big);
        })
        .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn an_error_status_with_a_huge_body_keeps_its_meaning() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(503).body("x".repeat(2 * 1024 * 1024));
        })
        .await;
    let err = hub(&server)
        .create_access_token("alice", "x1234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(err.body_excerpt(), None);
}

#[tokio::test]
async fn a_server_echoing_the_secret_does_not_get_it_into_the_error() {
    for status in [200, 401, 429, 502] {
        let body = format!(r#"{{"detail":"bad secret {CANARY}"}}"#);
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path("/v2/auth/token");
                then.status(status).body(&body);
            })
            .await;
        let err = hub(&server)
            .create_access_token("alice", CANARY)
            .await
            .unwrap_err();
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(CANARY), "{status}: {text}");
        }
    }
}

#[tokio::test]
async fn a_connection_failure_names_the_host_and_port_it_tried() {
    let url = closed_port_url();
    let err = hub_at(&url)
        .create_access_token("alice", "dckr_pat_abcdef")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.is_retryable());
    let host_and_port = url.trim_start_matches("http://");
    assert_eq!(
        err.to_string(),
        format!("could not talk to docker hub: could not connect to {host_and_port}")
    );
}
