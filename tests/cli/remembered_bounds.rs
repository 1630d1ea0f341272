//! What the token cache remembers across runs is bounded: a server's `Retry-After` of years
//! is reported as it is and remembered for an hour, an entry from the future is not served,
//! and a token past its own `exp` never is.
//! Unix only: elsewhere there is no disk cache.

use std::path::Path;

use crate::support::{cli::*, files::*, *};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

fn token(server: &MockServer, dir: &Path) -> Cli {
    Cli::new(&["token", "--base-url", &server.base_url()])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", CANARY)
        .env("DOCKERHUB_AUTH_CACHE_DIR", dir)
}

fn token_route(server: &MockServer, claims: Value) -> Mock<'_> {
    let jwt = jwt(claims);
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200).json_body(json!({ "access_token": jwt }));
    })
}

#[test]
fn a_retry_after_of_years_exits_5_and_is_remembered_for_an_hour() {
    let server = MockServer::start();
    let limited = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(429)
            .header("retry-after", "999999999")
            .json_body(json!({ "detail": "Too Many Requests" }));
    });
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");

    let first = token(&server, &dir).run_within(HANG);
    assert_eq!(first.code, 5, "{}", first.stderr);
    // Reported as the server said it.
    assert!(
        first.stderr.contains("retry after 999999999s"),
        "{}",
        first.stderr
    );

    let second = token(&server, &dir).run_within(HANG);
    assert_eq!(second.code, 5, "{}", second.stderr);
    assert!(second.stderr.contains("remembered"), "{}", second.stderr);
    // Not retried before a time within the hour: a bare time of day, never a date years on.
    let until = second.stderr.split("not retried before ").nth(1).unwrap();
    assert!(
        until.starts_with(|c: char| c.is_ascii_digit()),
        "{}",
        second.stderr
    );
    assert_eq!(
        until.as_bytes()[2],
        b':',
        "a date, not a time: {}",
        second.stderr
    );
    limited.assert_calls(1);

    // An hour later (the entry written an hour earlier), the next run asks again.
    let failure = cache_entry(&dir, "failure");
    edit_entry(&failure, |entry| {
        shift_ms(entry, "/failure/at_ms", -HOUR_MS);
        shift_ms(entry, "/failure/until_ms", -HOUR_MS);
    });
    let later = token(&server, &dir).run_within(HANG);
    assert_eq!(later.code, 5, "{}", later.stderr);
    assert!(!later.stderr.contains("remembered"), "{}", later.stderr);
    limited.assert_calls(2);
}

#[test]
fn an_entry_from_the_future_is_not_served() {
    let server = MockServer::start();
    let mock = token_route(&server, hub_claims(now_unix()));
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    let first = token(&server, &dir).run_within(HANG);
    assert_eq!(first.code, 0, "{}", first.stderr);
    edit_entry(&cache_entry(&dir, "hub"), |entry| {
        shift_ms(entry, "/token/received_at_ms", HOUR_MS);
        shift_ms(entry, "/token/keep_until_ms", 24 * HOUR_MS);
    });
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    mock.assert_calls(2);
    // Replaced by the new token, which is served.
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    mock.assert_calls(2);
}

#[test]
fn a_token_past_its_own_exp_is_not_served() {
    let server = MockServer::start();
    // Issued twenty minutes ago for ten.
    let mock = token_route(&server, hub_claims(now_unix() - 1200));
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    for calls in [1, 2] {
        let run = token(&server, &dir).run_within(HANG);
        assert_eq!(run.code, 0, "{}", run.stderr);
        mock.assert_calls(calls);
    }
    // Nor when the entry claims to keep it a day.
    edit_entry(&cache_entry(&dir, "hub"), |entry| {
        shift_ms(entry, "/token/keep_until_ms", 24 * HOUR_MS);
    });
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    mock.assert_calls(3);
}
