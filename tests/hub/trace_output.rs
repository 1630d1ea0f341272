//! Observability: spans per operation and attempt, and not one secret in everything this
//! crate and its HTTP stack log at TRACE level.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use crate::support::{trace::ThreadDefault as _, *};
use dockerhub_auth::{Credentials, Hub, Login, RetryPolicy};
use httpmock::MockServer;
use serde_json::json;
use tracing::Instrument as _;
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    prelude::*,
};

/// Everything written to the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const LOGIN_2FA_TOKEN: &str = "opaque-login-2fa-token-7f3a";
const PASSWORD: &str = "password-8c1d-hunter2";
const CODE: &str = "392817";

// The subscriber is this test's alone: see `ThreadDefault`.
#[tokio::test]
async fn no_secret_or_token_appears_in_trace_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at TRACE, except the mock server's own logs: it records the bodies it
    // receives, which is its job and not this crate's output.
    let everything_but_the_mock = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("httpmock", LevelFilter::OFF);
    let _subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .with_filter(everything_but_the_mock),
        )
        .set_thread_default();

    let server = MockServer::start_async().await;
    let issued = jwt(hub_claims(1_800_000_000));
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({
            "detail": SECOND_FACTOR_DETAIL,
            "login_2fa_token": LOGIN_2FA_TOKEN
        }),
    )
    .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body_includes(r#"{"code":"000000"}"#);
            then.status(401)
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body_includes(format!(r#"{{"code":"{CODE}"}}"#));
            then.status(200).json_body(json!({ "token": issued }));
        })
        .await;
    let throttled = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(429)
                .header("retry-after", "0")
                .body("slow down")
                .up_to_n_times(1);
        })
        .await;
    let exchanged = respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": issued }),
    )
    .await;
    let hub = Hub::builder()
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();

    // A full two-factor login, with one wrong code.
    let Login::SecondFactorRequired(challenge) = hub.login("alice", PASSWORD).await.unwrap() else {
        panic!("expected a challenge");
    };
    hub.login_second_factor(&challenge, "000 000")
        .await
        .unwrap_err();
    let token = hub.login_second_factor(&challenge, CODE).await.unwrap();
    assert_eq!(token.expose_secret(), issued);
    // A token exchange that is rate limited once, then retried, through a session.
    // The refresh runs on a task of its own, yet its span is a child of the caller's.
    let session = hub.session(Credentials::secret("alice", CANARY));
    session
        .token()
        .instrument(tracing::info_span!("caller"))
        .await
        .unwrap();
    throttled.assert_calls_async(1).await;
    exchanged.assert_calls_async(1).await;

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture worked, and the spans carry what an operator needs.
    for expected in [
        "login:attempt",
        "login_second_factor:attempt",
        "caller:session_refresh:create_access_token:attempt",
        "attempt=1",
        "attempt=2",
        "status=429",
        "status=200",
        "retrying",
        "wait_ms=0",
    ] {
        assert!(
            output.contains(expected),
            "no {expected:?} in the trace output:\n{output}"
        );
    }
    for secret in [PASSWORD, CANARY, LOGIN_2FA_TOKEN, CODE, issued.as_str()] {
        assert!(!output.contains(secret), "{secret} leaked into:\n{output}");
    }
    // The JWT's signature alone would be enough to recognise it.
    assert!(!output.contains(issued.rsplit('.').next().unwrap()));
}
