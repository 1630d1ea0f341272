//! The runnable examples of `examples/` that talk to Docker Hub's API, run against a mock
//! Hub: each test calls the function the example's `main` calls, with the mock's URL where
//! `main` reads `DOCKERHUB_URL`. (`.ci/run` also runs `get_token`, `session` and `blocking`
//! whole, against `.ci/mock_hub.py`.)

use httpmock::MockServer;
use serde_json::json;

use crate::support::*;
use dockerhub_auth::Credentials;

// Each example is compiled here as a module; its `main`, which reads the environment, is not
// called.
#[allow(dead_code)]
#[path = "../../examples/get_token.rs"]
mod get_token;

#[allow(dead_code)]
#[path = "../../examples/session.rs"]
mod session;

#[allow(dead_code)]
#[path = "../../examples/two_factor_login.rs"]
mod two_factor_login;

#[cfg(feature = "blocking")]
#[allow(dead_code)]
#[path = "../../examples/blocking.rs"]
mod blocking;

async fn token_route(server: &MockServer) -> httpmock::Mock<'_> {
    let claims = hub_claims(now_unix());
    server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/auth/token")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_example" }));
            then.status(200)
                .json_body(json!({ "access_token": jwt(claims) }));
        })
        .await
}

#[tokio::test]
async fn get_token_exchanges_the_secret() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let token = get_token::get_token(Some(server.base_url()), "alice", "dckr_pat_example".into())
        .await
        .unwrap();
    assert_eq!(token.claims().unwrap().username(), Some("alice"));
    mock.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_answers_ten_tasks_with_one_request() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let session = hub(&server).session(Credentials::secret("alice", "dckr_pat_example"));
    let tokens = session::ten_tasks(&session).await.unwrap();
    assert_eq!(tokens.len(), 10);
    assert!(
        tokens
            .iter()
            .all(|t| t.expose_secret() == tokens[0].expose_secret())
    );
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn two_factor_login_asks_for_the_code_only_when_hub_does() {
    let server = MockServer::start_async().await;
    let login = server
        .mock_async(|when, then| {
            when.method("POST").path("/v2/users/login");
            then.status(401).json_body(second_factor_required());
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v2/users/2fa-login")
                .json_body(second_factor_answer("123456"));
            then.status(200).json_body(json!({ "token": "from-2fa" }));
        })
        .await;
    let token = two_factor_login::login(Some(server.base_url()), "alice", "pw".into(), || {
        "123 456\n".to_owned()
    })
    .await
    .unwrap();
    assert_eq!(token.expose_secret(), "from-2fa");
    login.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_gets_a_token_then_the_same_from_the_cache() {
    let server = MockServer::start();
    let claims = hub_claims(now_unix());
    let mock = server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200)
            .json_body(json!({ "access_token": jwt(claims) }));
    });
    let token = blocking::token_twice(
        Some(server.base_url()),
        Credentials::secret("alice", "dckr_pat_example"),
    )
    .unwrap();
    assert_eq!(token.claims().unwrap().username(), Some("alice"));
    mock.assert_calls(1);
}
