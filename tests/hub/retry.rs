//! Retries: what is retried and what never is, Hub's wait in each form, the cap, backoff.
//! Every mock's hit count is asserted: it is what Docker Hub's lockout counts.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{ErrorKind, Hub, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;

/// A hub with the default policy but backoffs of a millisecond, so tests stay quick.
fn retrying(server: &MockServer) -> Hub {
    builder(&server.base_url())
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap()
}

/// Mocks a route that fails `failures` times with `status` and `headers`, then succeeds.
async fn flaky<'a>(
    server: &'a MockServer,
    failures: usize,
    status: u16,
    headers: &[(&str, String)],
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let failing = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            let mut then = then
                .status(status)
                .body(r#"{"detail":"try later"}"#)
                .up_to_n_times(failures);
            for (name, value) in headers {
                then = then.header(*name, value);
            }
        })
        .await;
    let succeeding = respond(
        server,
        "/v2/auth/token",
        200,
        json!({ "access_token": "after-retry" }),
    )
    .await;
    (failing, succeeding)
}

#[tokio::test]
async fn gateway_errors_are_retried_with_backoff_until_success() {
    for status in [502, 503, 504] {
        let server = MockServer::start_async().await;
        let (failing, succeeding) = flaky(&server, 2, status, &[]).await;
        let token = retrying(&server)
            .create_access_token("alice", "pw12")
            .await
            .unwrap();
        assert_eq!(token.expose_secret(), "after-retry");
        failing.assert_calls_async(2).await;
        succeeding.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_rate_limit_with_retry_after_zero_is_retried_at_once() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = flaky(&server, 1, 429, &[("retry-after", "0".into())]).await;
    retrying(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap();
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(1).await;
}

#[tokio::test]
async fn retry_after_as_a_past_http_date_is_retried_at_once() {
    let server = MockServer::start_async().await;
    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
    let (failing, succeeding) = flaky(&server, 1, 429, &[("retry-after", past)]).await;
    retrying(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap();
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(1).await;
}

#[tokio::test]
async fn retry_after_as_a_past_unix_timestamp_is_a_moment_not_decades() {
    // Read as seconds, 1.7e9 would be 54 years, far above the cap: no retry. Read as the
    // moment it is, it has passed: retry at once.
    let server = MockServer::start_async().await;
    let past = (now_unix() - 5).to_string();
    let (failing, succeeding) = flaky(&server, 1, 429, &[("retry-after", past)]).await;
    retrying(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap();
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_wait_longer_than_the_cap_is_returned_at_once_not_slept() {
    for (header, value, expected) in [
        ("retry-after", "3600".to_owned(), 3600),
        ("retry-after", (now_unix() + 600).to_string(), 600),
        (
            "retry-after",
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120)),
            120,
        ),
        ("x-ratelimit-reset", (now_unix() + 300).to_string(), 300),
    ] {
        let server = MockServer::start_async().await;
        let (failing, succeeding) = flaky(&server, 1, 429, &[(header, value.clone())]).await;
        let err = retrying(&server)
            .create_access_token("alice", "pw12")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{header}: {value}");
        let wait = err.retry_after().unwrap();
        assert!(
            wait <= Duration::from_secs(expected)
                && wait + Duration::from_secs(3) >= Duration::from_secs(expected),
            "{header}: {value} gave {wait:?}"
        );
        failing.assert_calls_async(1).await;
        succeeding.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn the_cap_is_configurable() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = flaky(&server, 1, 429, &[("retry-after", "1".into())]).await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().max_wait(Duration::from_millis(500)))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(0).await;
}

#[tokio::test]
async fn rejected_credentials_are_never_retried() {
    for status in [400, 401, 403, 404] {
        let server = MockServer::start_async().await;
        let (failing, succeeding) = flaky(&server, 1, status, &[("retry-after", "0".into())]).await;
        let err = retrying(&server)
            .create_access_token("alice", "pw12")
            .await
            .unwrap_err();
        assert_ne!(err.kind(), ErrorKind::RateLimited);
        failing.assert_calls_async(1).await;
        succeeding.assert_calls_async(0).await;
    }
}

#[tokio::test]
async fn a_failed_login_is_never_retried() {
    let server = MockServer::start_async().await;
    let mock = respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "detail": "Incorrect authentication credentials" }),
    )
    .await;
    let err = retrying(&server)
        .login("alice", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let server = MockServer::start_async().await;
    let (failing, _) = flaky(&server, 1, 500, &[]).await;
    let err = retrying(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    failing.assert_calls_async(1).await;
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_returned() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = flaky(&server, 10, 503, &[]).await;
    let err = retrying(&server)
        .create_access_token("alice", "pw12")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(err.hub_message(), Some("try later"));
    failing.assert_calls_async(3).await;
    succeeding.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_number_of_attempts_is_configurable() {
    let server = MockServer::start_async().await;
    let (failing, _) = flaky(&server, 10, 503, &[]).await;
    let hub = builder(&server.base_url())
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(5)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    hub.create_access_token("alice", "pw12").await.unwrap_err();
    failing.assert_calls_async(5).await;
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let (failing, _) = flaky(&server, 10, 503, &[]).await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    hub.create_access_token("alice", "pw12").await.unwrap_err();
    failing.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_timeout_after_the_request_was_sent_is_not_retried() {
    // The server read the whole request: Hub may have counted a failed login, so sending
    // the secret again could only add strikes toward the lockout.
    let silent = RawServer::start(Reply::Silence).await;
    let hub = builder(&silent.base_url)
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    for result in [
        hub.create_access_token("alice", "pw12").await.map(|_| ()),
        hub.login("alice", "pw12").await.map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        // The caller may still decide to try again later.
        assert!(err.is_retryable());
    }
    assert_eq!(silent.connections(), 2);
}

/// Answers `/v2/auth/token` after half a minute: an attempt a deadline must end.
async fn slow_token_route(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(200)
                .delay(Duration::from_secs(30))
                .json_body(json!({ "access_token": "late" }));
        })
        .await
}

// The deadlines below leave two seconds for the request to reach the server: building the
// HTTP client (on first use) and connecting take longer than 100 ms on a loaded machine.
#[tokio::test]
async fn the_deadline_ends_a_slow_attempt() {
    let server = MockServer::start_async().await;
    let slow = slow_token_route(&server).await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().deadline(Duration::from_secs(2)))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    slow.assert_calls_async(1).await;
}

#[tokio::test]
async fn no_retry_is_made_whose_wait_ends_past_the_deadline() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = flaky(&server, 1, 503, &[("retry-after", "2".into())]).await;
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().deadline(Duration::from_secs(1)))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(0).await;
}

#[tokio::test]
async fn one_instant_bounds_every_operation_wherever_it_starts() {
    let server = MockServer::start_async().await;
    let (failing, succeeding) = flaky(&server, 1, 503, &[("retry-after", "2".into())]).await;
    let ends_by = std::time::Instant::now() + Duration::from_secs(1);
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().deadline_at(ends_by))
        .build()
        .unwrap();
    // The wait Hub asks for would end past the instant: no retry.
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(0).await;

    // An operation that starts once the instant has passed sends nothing.
    let over = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().deadline_at(std::time::Instant::now()))
        .build()
        .unwrap();
    let err = over.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("deadline"), "{err}");
    failing.assert_calls_async(1).await;
    succeeding.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_instant_ends_a_slow_attempt() {
    let server = MockServer::start_async().await;
    let slow = slow_token_route(&server).await;
    let ends_by = std::time::Instant::now() + Duration::from_secs(2);
    let hub = builder(&server.base_url())
        .retry_policy(RetryPolicy::default().deadline_at(ends_by))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    slow.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_connection_cut_after_the_request_is_not_retried() {
    // The request reached the server, which may have counted a failed login.
    let server = RawServer::start(Reply::Bytes(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{".to_vec(),
    ))
    .await;
    let hub = builder(&server.base_url)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = hub.create_access_token("alice", "pw12").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(server.connections(), 1);
}
