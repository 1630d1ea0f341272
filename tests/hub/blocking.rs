//! `dockerhub_auth::blocking`: the hub and sessions from threads without a runtime, and
//! their guarantees across threads. Their runtime thread, and calls made inside a runtime,
//! are in `blocking_runtime.rs`.

use std::{
    sync::{Arc, Barrier},
    time::Duration,
};

use crate::support::*;
use dockerhub_auth::{Credentials, DiskCache, ErrorKind, Login};
use httpmock::MockServer;
use serde_json::json;

fn pat() -> Credentials {
    Credentials::secret("alice", "dckr_pat_abc")
}

/// A token route on a mock served by httpmock's own thread: the tests' threads run no
/// runtime at all.
pub(super) fn token_route(server: &MockServer, delay: Duration) -> httpmock::Mock<'_> {
    let claims = hub_claims(now_unix());
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200)
            .delay(delay)
            .json_body(json!({ "access_token": jwt(claims) }));
    })
}

#[test]
fn a_plain_thread_gets_tokens_and_logs_in_with_a_second_factor() {
    let server = MockServer::start();
    let exchange = token_route(&server, Duration::ZERO);
    let login = server.mock(|when, then| {
        when.method("POST").path("/v2/users/login");
        then.status(401).json_body(second_factor_required());
    });
    let second = server.mock(|when, then| {
        when.method("POST")
            .path("/v2/users/2fa-login")
            .json_body(second_factor_answer("123456"));
        then.status(200).json_body(json!({ "token": "from-2fa" }));
    });
    let hub = blocking_hub(&server.base_url());

    let token = hub.create_access_token("alice", "dckr_pat_abc").unwrap();
    assert_eq!(token.claims().unwrap().username(), Some("alice"));
    let Login::SecondFactorRequired(challenge) = hub.login("alice", "password").unwrap() else {
        panic!("the account asks for a second factor");
    };
    let token = hub.login_second_factor(&challenge, "123 456").unwrap();
    assert_eq!(token.expose_secret(), "from-2fa");

    exchange.assert_calls(1);
    login.assert_calls(1);
    second.assert_calls(1);
}

#[test]
fn sixty_four_threads_on_one_session_send_one_request() {
    let server = MockServer::start();
    // Slow enough that every thread asks while the one request is in flight.
    let mock = token_route(&server, Duration::from_millis(300));
    let session = blocking_hub(&server.base_url()).session(pat());
    let start = Arc::new(Barrier::new(64));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let (session, start) = (session.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                session.token()
            })
        })
        .collect();
    let tokens: Vec<_> = threads
        .into_iter()
        .map(|thread| thread.join().unwrap().unwrap())
        .collect();
    mock.assert_calls(1);
    assert!(
        tokens
            .iter()
            .all(|t| t.expose_secret() == tokens[0].expose_secret())
    );
}

#[test]
fn a_rejection_is_remembered_until_invalidate() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(401)
            .json_body(json!({ "detail": "Incorrect authentication credentials" }));
    });
    let session = blocking_hub(&server.base_url()).session(pat());
    let first = session.token().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::CredentialsRejected);
    assert!(!first.is_remembered());
    // From another thread too, without a request.
    let again = std::thread::scope(|scope| scope.spawn(|| session.token()).join().unwrap());
    let again = again.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::CredentialsRejected);
    assert!(again.is_remembered());
    mock.assert_calls(1);

    session.invalidate();
    assert!(!session.token().unwrap_err().is_remembered());
    mock.assert_calls(2);
}

#[test]
fn two_hubs_share_tokens_through_the_disk_cache() {
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::at(dir.path().join("cache"));
    // Two hubs, two runtime threads: as two processes would.
    let sessions = [(), ()].map(|()| {
        blocking_hub(&server.base_url())
            .session_builder(pat())
            .disk_cache(cache.clone())
            .build()
    });
    let first = sessions[0].token().unwrap();
    let second = sessions[1].token().unwrap();
    assert_eq!(first.expose_secret(), second.expose_secret());
    mock.assert_calls(1);
}

#[test]
fn a_second_factor_prompt_runs_while_the_caller_waits() {
    let server = MockServer::start();
    let login = server.mock(|when, then| {
        when.method("POST").path("/v2/users/login");
        then.status(401).json_body(second_factor_required());
    });
    let second = server.mock(|when, then| {
        when.method("POST")
            .path("/v2/users/2fa-login")
            .json_body(second_factor_answer("654321"));
        then.status(200)
            .json_body(json!({ "token": "from-prompt" }));
    });
    let session = blocking_hub(&server.base_url())
        .session_builder(Credentials::password("alice", "password"))
        .second_factor_prompt(|| Some("654-321".into()))
        .build();
    assert_eq!(session.token().unwrap().expose_secret(), "from-prompt");
    login.assert_calls(1);
    second.assert_calls(1);
}
