//! What the disk remembers is data from an earlier process, not a promise: a wait is
//! remembered for an hour at most (the server's `Retry-After` still reported as it is), an
//! entry from the future is not served, and a token past its own `exp` never is.
//! Unix only: elsewhere there is no disk cache.

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use crate::support::{files::*, *};
use dockerhub_auth::{Credentials, DiskCache, ErrorKind, Session};
use httpmock::{Mock, MockServer};
use serde_json::json;

const HOUR: Duration = Duration::from_secs(3600);

fn cache() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

fn session(server: &MockServer, dir: &Path) -> Session {
    hub(server)
        .session_builder(Credentials::secret("alice", CANARY))
        .disk_cache(DiskCache::at(dir))
        .build()
}

async fn rate_limited<'a>(server: &'a MockServer, retry_after: &str) -> Mock<'a> {
    let retry_after = retry_after.to_owned();
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(429)
                .header("retry-after", retry_after)
                .json_body(json!({ "detail": "Too Many Requests" }));
        })
        .await
}

async fn token_route(server: &MockServer, claims: serde_json::Value) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method("POST").path("/v2/auth/token");
            then.status(200)
                .json_body(json!({ "access_token": jwt(claims) }));
        })
        .await
}

#[tokio::test]
async fn a_retry_after_of_years_is_reported_as_it_is_and_remembered_an_hour() {
    let server = MockServer::start_async().await;
    let limited = rate_limited(&server, "999999999").await;
    let (_temp, dir) = cache();
    let first = session(&server, &dir).token().await.unwrap_err();
    assert_eq!(first.kind(), ErrorKind::RateLimited);
    assert!(!first.is_remembered());
    assert_eq!(first.retry_after(), Some(Duration::from_secs(999_999_999)));

    let again = session(&server, &dir).token().await.unwrap_err();
    assert!(again.is_remembered(), "{again}");
    let until = again.remembered_until().unwrap();
    assert!(until <= SystemTime::now() + HOUR, "{again}");
    assert!(again.retry_after().unwrap() <= HOUR, "{again}");
    limited.assert_calls_async(1).await;

    // An hour later (the entry's times moved an hour back), a request is sent again.
    let failure = cache_entry(&dir, "failure");
    edit_entry(&failure, |entry| {
        shift_ms(entry, "/failure/at_ms", -HOUR_MS);
        shift_ms(entry, "/failure/until_ms", -HOUR_MS);
    });
    let later = session(&server, &dir).token().await.unwrap_err();
    assert!(!later.is_remembered(), "{later}");
    limited.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_failure_stored_for_years_is_believed_for_an_hour_from_when_it_happened() {
    let server = MockServer::start_async().await;
    let limited = rate_limited(&server, "600").await;
    let (_temp, dir) = cache();
    session(&server, &dir).token().await.unwrap_err();
    let failure = cache_entry(&dir, "failure");
    // As an older version (or someone) wrote it: until 2058.
    edit_entry(&failure, |entry| {
        entry["failure"]["until_ms"] = json!(2_800_000_000_000u64);
    });
    let again = session(&server, &dir).token().await.unwrap_err();
    assert!(again.is_remembered());
    assert!(again.remembered_until().unwrap() <= SystemTime::now() + HOUR);
    limited.assert_calls_async(1).await;
    // Happened 59 minutes ago: one minute left, whatever `until` says.
    edit_entry(&failure, |entry| {
        shift_ms(entry, "/failure/at_ms", -59 * 60 * 1000)
    });
    let again = session(&server, &dir).token().await.unwrap_err();
    assert!(again.remembered_until().unwrap() <= SystemTime::now() + Duration::from_secs(60));
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_failure_from_the_future_is_ignored_and_replaced() {
    let server = MockServer::start_async().await;
    let limited = rate_limited(&server, "600").await;
    let (_temp, dir) = cache();
    session(&server, &dir).token().await.unwrap_err();
    let failure = cache_entry(&dir, "failure");
    edit_entry(&failure, |entry| {
        shift_ms(entry, "/failure/at_ms", 2 * HOUR_MS);
        shift_ms(entry, "/failure/until_ms", 2 * HOUR_MS);
    });
    let err = session(&server, &dir).token().await.unwrap_err();
    assert!(!err.is_remembered(), "{err}");
    limited.assert_calls_async(2).await;
    // Replaced by the new answer, which the next session believes.
    let at = read_entry(&failure)["failure"]["at_ms"].as_u64().unwrap();
    assert!(unix(at / 1000) <= SystemTime::now());
    assert!(
        session(&server, &dir)
            .token()
            .await
            .unwrap_err()
            .is_remembered()
    );
    limited.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_token_received_in_the_future_is_not_served() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server, hub_claims(now_unix())).await;
    let (_temp, dir) = cache();
    session(&server, &dir).token().await.unwrap();
    let entry = cache_entry(&dir, "hub");
    // Received an hour from now, kept for a day: not believed.
    edit_entry(&entry, |entry| {
        shift_ms(entry, "/token/received_at_ms", HOUR_MS);
        shift_ms(entry, "/token/keep_until_ms", 24 * HOUR_MS);
    });
    session(&server, &dir).token().await.unwrap();
    mock.assert_calls_async(2).await;
    // Replaced: the next session is served from it.
    session(&server, &dir).token().await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_token_past_its_own_exp_is_never_served_from_disk() {
    let server = MockServer::start_async().await;
    // Issued 11 minutes ago for 10: a whole lifetime from its arrival, but expired.
    let mock = token_route(&server, hub_claims(now_unix() - 660)).await;
    let (_temp, dir) = cache();
    session(&server, &dir).token().await.unwrap();
    session(&server, &dir).token().await.unwrap();
    mock.assert_calls_async(2).await;
    // Even an entry that says it is kept for a day.
    let entry = cache_entry(&dir, "hub");
    edit_entry(&entry, |entry| {
        shift_ms(entry, "/token/keep_until_ms", 24 * HOUR_MS);
    });
    session(&server, &dir).token().await.unwrap();
    mock.assert_calls_async(3).await;
}
