//! What the async API needs from its caller: a tokio runtime, with time and I/O enabled.
//! Without one, each call that needs a request says so by name, and sends nothing; a
//! runtime without timers or I/O cannot be detected beforehand (tokio has no public,
//! non-panicking way to ask), and fails with tokio's own message naming the fix.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{Credentials, Error, ErrorKind, Login};
use futures_util::FutureExt as _;
use httpmock::MockServer;
use serde_json::json;

fn pat() -> Credentials {
    Credentials::secret("alice", "dckr_pat_abc")
}

/// Polls `call` once, outside any runtime: it must fail at once.
fn at_once<T: std::fmt::Debug>(call: impl Future<Output = dockerhub_auth::Result<T>>) -> Error {
    call.now_or_never().expect("fails at once").unwrap_err()
}

fn assert_names_the_call(error: &Error, call: &str) {
    // A problem of the calling program, not a network failure.
    assert_eq!(error.kind(), ErrorKind::Runtime, "{call}");
    assert!(!error.is_retryable());
    assert!(
        error.to_string().starts_with(&format!(
            "{call} needs a tokio runtime, with time and I/O enabled, and none is running"
        )),
        "{error}"
    );
}

#[test]
fn outside_a_runtime_each_operation_names_itself_and_sends_nothing() {
    let server = MockServer::start();
    let hub = hub(&server);
    // A challenge to answer, from a login made inside a runtime.
    let challenge = {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut login = server.mock(|when, then| {
            when.path("/v2/users/login");
            then.status(401).json_body(second_factor_required());
        });
        let Ok(Login::SecondFactorRequired(challenge)) =
            runtime.block_on(hub.login("alice", "password"))
        else {
            panic!("the mock asks for a second factor");
        };
        login.assert_calls(1);
        login.delete();
        challenge
    };
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let errors = [
        (
            "Hub::create_access_token",
            at_once(hub.create_access_token("alice", "pw12")),
        ),
        ("Hub::login", at_once(hub.login("alice", "pw12"))),
        (
            "Hub::login_second_factor",
            at_once(hub.login_second_factor(&challenge, "123456")),
        ),
        ("Session::token", at_once(hub.session(pat()).token())),
        (
            "managing access tokens",
            at_once(hub.personal_access_tokens(hub.session(pat())).get("4c1e")),
        ),
    ];
    for (call, error) in &errors {
        assert_names_the_call(error, call);
    }
    mock.assert_calls(0);
}

#[test]
fn a_cached_token_needs_no_runtime() {
    let server = MockServer::start();
    let claims = hub_claims(now_unix());
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(200)
            .json_body(json!({ "access_token": jwt(claims) }));
    });
    let session = hub(&server).session(pat());
    let first = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(session.token())
        .unwrap();
    let cached = session.token().now_or_never().expect("at once").unwrap();
    assert_eq!(first.expose_secret(), cached.expose_secret());
    mock.assert_calls(1);
}

/// A hub whose requests would go to a port nobody listens on: reaching the network at all
/// would be a transport error, not the panic these tests expect.
fn unreachable_hub() -> dockerhub_auth::Hub {
    builder(&closed_port_url())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[test]
#[should_panic(expected = "timers are disabled. Call `enable_time` on the runtime builder")]
fn a_runtime_without_timers_fails_with_tokios_message_naming_the_fix() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let error = runtime.block_on(unreachable_hub().create_access_token("alice", "pw12"));
    // Not reached: tokio panics before the request is sent.
    panic!("no panic: {error:?}");
}

#[test]
#[should_panic(expected = "IO is disabled. Call `enable_io` on the runtime builder")]
fn a_runtime_without_io_fails_with_tokios_message_naming_the_fix() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let error = runtime.block_on(unreachable_hub().create_access_token("alice", "pw12"));
    panic!("no panic: {error:?}");
}
