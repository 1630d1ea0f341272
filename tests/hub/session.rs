//! `Session`: the cache, the refresh margin, single flight, failures, cancellation.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{Credentials, ErrorKind, Session};
use httpmock::{Mock, MockServer};
use serde_json::json;

fn pat() -> Credentials {
    Credentials::secret("alice", "dckr_pat_abc")
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

/// Mocks the token route to answer `status` with Hub's JSON `detail` and `headers`, after
/// `delay`.
async fn failing_route<'a>(
    server: &'a MockServer,
    status: u16,
    detail: &str,
    headers: &[(&str, &str)],
    delay: Duration,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            let mut then = then
                .status(status)
                .delay(delay)
                .json_body(json!({ "detail": detail }));
            for (name, value) in headers {
                then = then.header(*name, *value);
            }
        })
        .await
}

/// Starts `n` callers of `session.token()` at once and returns their results.
async fn callers(
    session: &Session,
    n: usize,
) -> Vec<dockerhub_auth::Result<dockerhub_auth::Token>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_reaches_every_caller_and_is_sent_once() {
    let server = MockServer::start_async().await;
    let mock = failing_route(
        &server,
        401,
        "Incorrect authentication credentials",
        &[],
        Duration::from_millis(300),
    )
    .await;
    let session = hub(&server).session(pat());
    // Callers that join the refresh in flight get Hub's answer; any that come after it
    // get the same failure remembered. Either way, one request.
    for result in callers(&session, 100).await {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            err.hub_message(),
            Some("Incorrect authentication credentials")
        );
    }
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_rejection_is_not_sent_again_before_invalidate() {
    let server = MockServer::start_async().await;
    let mock = failing_route(
        &server,
        401,
        "Incorrect authentication credentials",
        &[],
        Duration::ZERO,
    )
    .await;
    let session = hub(&server).session(pat());
    let first = session.token().await.unwrap_err();
    assert!(!first.is_remembered());

    travel(Duration::from_secs(300)).await;
    let again = session.token().await.unwrap_err();
    assert!(again.is_remembered());
    assert_eq!(again.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(again.status(), Some(401));
    assert_eq!(again.hub_message(), first.hub_message());
    assert!(again.remembered_until().unwrap() > std::time::SystemTime::now());
    mock.assert_calls_async(1).await;

    session.invalidate();
    let after = session.token().await.unwrap_err();
    assert!(!after.is_remembered());
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rejection_is_sent_again_after_the_cool_down() {
    let server = MockServer::start_async().await;
    let mock = failing_route(
        &server,
        403,
        "SSO requires a personal access token",
        &[],
        Duration::ZERO,
    )
    .await;
    let session = hub(&server).session(pat());
    assert_eq!(
        session.token().await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    travel(Duration::from_secs(599)).await;
    assert!(session.token().await.unwrap_err().is_remembered());
    mock.assert_calls_async(1).await;
    travel(Duration::from_secs(2)).await; // past the ten minutes
    assert!(!session.token().await.unwrap_err().is_remembered());
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_cool_down_is_configurable() {
    let server = MockServer::start_async().await;
    let mock = failing_route(&server, 401, "no", &[], Duration::ZERO).await;
    let session = hub(&server)
        .session_builder(pat())
        .cool_down(Duration::from_secs(30))
        .build();
    session.token().await.unwrap_err();
    travel(Duration::from_secs(31)).await;
    session.token().await.unwrap_err();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rate_limit_keeps_every_caller_off_hub_until_its_end() {
    let server = MockServer::start_async().await;
    let mock = failing_route(
        &server,
        429,
        "Too Many Requests",
        &[("retry-after", "120")],
        Duration::from_millis(100),
    )
    .await;
    let session = hub(&server).session(pat());
    for result in callers(&session, 50).await {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert!(err.retry_after().unwrap() <= Duration::from_secs(120));
    }
    mock.assert_calls_async(1).await;

    travel(Duration::from_secs(100)).await;
    let err = session.token().await.unwrap_err();
    assert!(err.is_remembered());
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    // The wait that is left, not the one Hub first gave.
    assert!(err.retry_after().unwrap() <= Duration::from_secs(20));
    mock.assert_calls_async(1).await;

    travel(Duration::from_secs(21)).await;
    session.token().await.unwrap_err();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_transient_failure_is_tried_again_after_the_backoff() {
    let server = MockServer::start_async().await;
    let mock = failing_route(&server, 503, "maintenance", &[], Duration::ZERO).await;
    let session = hub(&server).session(pat());
    assert_eq!(
        session.token().await.unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    let err = session.token().await.unwrap_err();
    assert!(err.is_remembered());
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    mock.assert_calls_async(1).await;
    travel(Duration::from_secs(6)).await; // past the 5 s backoff
    session.token().await.unwrap_err();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_early_refresh_that_fails_keeps_serving_the_valid_token() {
    let server = MockServer::start_async().await;
    let good = token_route(&server, 600, Duration::ZERO).await;
    let session = hub(&server).session(pat());
    let token = session.token().await.unwrap();
    good.delete_async().await;
    let down = failing_route(&server, 503, "maintenance", &[], Duration::ZERO).await;

    travel(Duration::from_secs(541)).await; // inside the margin: refresh, which fails
    assert_eq!(
        session.token().await.unwrap().expose_secret(),
        token.expose_secret()
    );
    down.assert_calls_async(1).await;
    // Within the backoff, the valid token is handed out without a request.
    assert_eq!(
        session.token().await.unwrap().expose_secret(),
        token.expose_secret()
    );
    down.assert_calls_async(1).await;
    travel(Duration::from_secs(6)).await; // past the backoff: tried again
    assert_eq!(
        session.token().await.unwrap().expose_secret(),
        token.expose_secret()
    );
    down.assert_calls_async(2).await;

    // Ten seconds before its expiry the token is no longer handed out.
    travel(Duration::from_secs(44)).await;
    let err = session.token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    down.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_second_factor_nobody_can_give_is_not_remembered() {
    let server = MockServer::start_async().await;
    let login = respond(&server, "/v2/users/login", 401, second_factor_required()).await;
    let session = hub(&server).session(Credentials::password("alice", "hunter2hunter2"));
    for _ in 0..2 {
        let err = session.token().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SecondFactorRequired);
        assert!(!err.is_remembered());
    }
    login.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_second_factor_prompt_gives_the_code_when_hub_asks() {
    let server = MockServer::start_async().await;
    let login = respond(&server, "/v2/users/login", 401, second_factor_required()).await;
    let second_factor = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body(second_factor_answer("123456"));
            then.status(200).json_body(json!({ "token": "after-2fa" }));
        })
        .await;
    let session = hub(&server)
        .session_builder(Credentials::password("alice", "hunter2hunter2"))
        .second_factor_prompt(|| Some("123 456".into()))
        .build();
    assert_eq!(session.token().await.unwrap().expose_secret(), "after-2fa");
    login.assert_calls_async(1).await;
    second_factor.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_mistyped_code_from_a_prompt_is_not_remembered() {
    let server = MockServer::start_async().await;
    respond(&server, "/v2/users/login", 401, second_factor_required()).await;
    let second_factor = respond(
        &server,
        "/v2/users/2fa-login",
        401,
        json!({ "detail": "wrong code" }),
    )
    .await;
    let session = hub(&server)
        .session_builder(Credentials::password("alice", "hunter2hunter2"))
        .second_factor_prompt(|| Some("000000".into()))
        .build();
    for _ in 0..2 {
        let err = session.token().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SecondFactorRejected);
        assert!(!err.is_remembered());
    }
    second_factor.assert_calls_async(2).await;
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
    respond(&server, "/v2/users/login", 401, second_factor_required()).await;
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

#[cfg(feature = "totp")]
#[tokio::test]
async fn a_rejected_code_from_a_totp_secret_is_remembered() {
    // The code comes from the seed, not from a person: the next one would be rejected too.
    let server = MockServer::start_async().await;
    respond(&server, "/v2/users/login", 401, second_factor_required()).await;
    let second_factor = respond(
        &server,
        "/v2/users/2fa-login",
        401,
        json!({ "detail": "wrong code" }),
    )
    .await;
    let credentials = Credentials::password_with_totp(
        "alice",
        "hunter2hunter2",
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    )
    .unwrap();
    let session = hub(&server).session(credentials);
    assert!(!session.token().await.unwrap_err().is_remembered());
    let err = session.token().await.unwrap_err();
    assert!(err.is_remembered());
    assert_eq!(err.kind(), ErrorKind::SecondFactorRejected);
    second_factor.assert_calls_async(1).await;
}
