//! Where the bearer token of the access-token routes comes from and goes: a token issued
//! from an access token is refused with its own error, a session's refused token is
//! refreshed once, a fixed token never, a create is not retried once it may have happened,
//! invalid input sends nothing, and no secret shows in an error or in `Debug`.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use crate::support::{
    CANARY, builder, hub, hub_claims, jwt, now_unix,
    tokens::{bearer, pat},
};
use dockerhub_auth::{
    Credentials, ErrorKind, NewOrgAccessToken, NewPersonalAccessToken, PatScope, RetryPolicy,
    Token, TokenUpdate,
};
use futures_util::StreamExt as _;
use httpmock::{Method::*, MockServer};
use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

#[tokio::test]
async fn a_token_issued_from_a_personal_access_token_is_refused_for_management() {
    let server = MockServer::start_async().await;
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/auth/token");
            then.status(200)
                .json_body(json!({ "access_token": jwt(hub_claims(now_unix())) }));
        })
        .await;
    let refusal = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens");
            then.status(403).json_body(json!({
                "message": "token issued from personal access token is not allowed",
                "errinfo": {}
            }));
        })
        .await;
    let hub = hub(&server);
    let session = hub.session(Credentials::secret("alice", CANARY));

    let items: Vec<_> = hub.personal_access_tokens(&session).list().collect().await;

    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PasswordLoginRequired);
    let message = error.to_string();
    assert!(message.contains("password login"), "{message}");
    assert!(
        message.contains("token issued from personal access token"),
        "{message}"
    );
    assert_eq!(items.len(), 1);
    exchange.assert_calls_async(1).await; // a 403 is not a reason to refresh
    refusal.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_issued_from_an_org_access_token_is_refused_and_a_non_owner_is_forbidden() {
    let server = MockServer::start_async().await;
    let refusal = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/orgs/acme/access-tokens/a7");
            then.status(403).json_body(json!({
                "message": "token issued from organization access token is not allowed"
            }));
        })
        .await;
    let forbidden = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/orgs/other/access-tokens/a7");
            then.status(403).json_body(json!({ "detail": "forbidden" }));
        })
        .await;
    let hub = hub(&server);

    let oat_derived = hub
        .org_access_tokens(Token::from_secret(bearer()), "acme")
        .get("a7")
        .await
        .unwrap_err();
    let not_owner = hub
        .org_access_tokens(Token::from_secret(bearer()), "other")
        .get("a7")
        .await
        .unwrap_err();

    assert_eq!(oat_derived.kind(), ErrorKind::PasswordLoginRequired);
    assert_eq!(not_owner.kind(), ErrorKind::Forbidden);
    refusal.assert_calls_async(1).await;
    forbidden.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_401_is_returned_after_one_refresh() {
    let server = MockServer::start_async().await;
    let login = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/login");
            then.status(200).json_body(json!({ "token": bearer() }));
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/id-1");
            then.status(401)
                .json_body(json!({ "detail": "Token is expired" }));
        })
        .await;
    let hub = hub(&server);
    let session = hub.session(Credentials::password("alice", CANARY));

    let error = hub
        .personal_access_tokens(&session)
        .get("id-1")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    assert_eq!(error.hub_message(), Some("Token is expired"));
    login.assert_calls_async(2).await;
    refused.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_fixed_token_is_not_refreshed_after_a_401() {
    let server = MockServer::start_async().await;
    let refused = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/access-tokens/id-1");
            then.status(401)
                .json_body(json!({ "message": "unauthorized", "errinfo": {} }));
        })
        .await;

    let error = hub(&server)
        .personal_access_tokens(Token::from_secret(bearer()))
        .delete("id-1")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::CredentialsRejected);
    refused.assert_calls_async(1).await;
}

/// A Hub that answers its first login with one token and later ones with another, and
/// refuses the first token: what a session meets when its token is revoked.
async fn hub_that_revokes_the_first_token() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let (mut logins, revoked, fresh) = (0, bearer(), format!("{}.fresh", bearer()));
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&request).to_string();
            let line = head.lines().next().unwrap_or_default().to_owned();
            let (status, body) = if line.starts_with("POST /v2/users/login") {
                logins += 1;
                let token = if logins == 1 { &revoked } else { &fresh };
                log.lock().unwrap().push("login".to_owned());
                (200, json!({ "token": token }))
            } else if head.contains(&format!("Bearer {revoked}\r\n")) {
                log.lock().unwrap().push("revoked".to_owned());
                (401, json!({ "detail": "Token is expired" }))
            } else if head.contains(&format!("Bearer {fresh}\r\n")) {
                log.lock().unwrap().push("fresh".to_owned());
                (200, pat("id-1", "ci"))
            } else {
                (400, json!({ "detail": "unexpected request" }))
            };
            let body = body.to_string();
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    (base_url, seen)
}

#[tokio::test]
async fn a_401_refreshes_the_sessions_token_once() {
    let (base_url, seen) = hub_that_revokes_the_first_token().await;
    let hub = crate::support::hub_at(&base_url);
    let session = hub.session(Credentials::password("alice", CANARY));

    let token = hub
        .personal_access_tokens(&session)
        .get("id-1")
        .await
        .unwrap();

    assert_eq!(token.id(), "id-1");
    assert_eq!(
        *seen.lock().unwrap(),
        ["login", "revoked", "login", "fresh"]
    );
}

#[tokio::test]
async fn a_create_that_may_have_happened_is_not_retried_but_reads_are() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(502)
                .body("<html><title>502 Bad Gateway</title></html>");
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/access-tokens/id-1");
            then.status(502)
                .body("<html><title>502 Bad Gateway</title></html>");
        })
        .await;
    let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(1));
    let hub = builder(&server.base_url())
        .retry_policy(policy)
        .build()
        .unwrap();
    let tokens = hub.personal_access_tokens(Token::from_secret(bearer()));

    let created = tokens
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();
    let read = tokens.get("id-1").await.unwrap_err();

    assert_eq!(created.kind(), ErrorKind::Unavailable);
    assert!(!created.is_retryable());
    assert_eq!(read.kind(), ErrorKind::Unavailable);
    create.assert_calls_async(1).await;
    get.assert_calls_async(3).await;
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let hub = hub(&server);
    let pats = hub.personal_access_tokens(Token::from_secret(bearer()));
    let oats = hub.org_access_tokens(Token::from_secret(bearer()), "");
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);

    let errors = [
        pats.get(" ").await.unwrap_err(),
        pats.delete("").await.unwrap_err(),
        pats.update("id-1", TokenUpdate::new()).await.unwrap_err(),
        pats.update("id-1", TokenUpdate::new().label("x".repeat(101)))
            .await
            .unwrap_err(),
        pats.create(NewPersonalAccessToken::new("ci"))
            .await
            .unwrap_err(),
        pats.create(NewPersonalAccessToken::new("").scope(PatScope::REPO_READ))
            .await
            .unwrap_err(),
        pats.create(NewPersonalAccessToken::new("ci").scope(PatScope::new(" ")))
            .await
            .unwrap_err(),
        pats.create(
            NewPersonalAccessToken::new("ci")
                .scope(PatScope::REPO_READ)
                .expires_at(yesterday),
        )
        .await
        .unwrap_err(),
        oats.get("a7").await.unwrap_err(),
        pats.rotate("").await.unwrap_err(),
    ];

    for error in errors {
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    }
    any.assert_calls_async(0).await;
    // The same checks, for a program that refuses bad input before it logs in.
    let valid = NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ);
    assert!(valid.validate().is_ok());
    for invalid in [
        NewPersonalAccessToken::new("ci"),
        NewPersonalAccessToken::new("ci").scope(PatScope::new("")),
        valid.clone().expires_at(yesterday),
    ] {
        assert_eq!(
            invalid.validate().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }
    assert!(NewOrgAccessToken::new(" ").validate().is_err());
}

#[tokio::test]
async fn a_session_of_another_hub_never_sends_its_token_here() {
    let server = MockServer::start_async().await;
    let other = MockServer::start_async().await;
    let login = other
        .mock_async(|when, then| {
            when.method(POST).path("/v2/users/login");
            then.status(200).json_body(json!({ "token": bearer() }));
        })
        .await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(pat("id-1", "ci"));
        })
        .await;
    let session = hub(&other).session(Credentials::password("alice", CANARY));

    let error = hub(&server)
        .personal_access_tokens(&session)
        .get("id-1")
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    login.assert_calls_async(0).await;
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn secrets_never_show_in_errors_or_debug_output() {
    let server = MockServer::start_async().await;
    let token = bearer();
    // A hostile answer that echoes the bearer token and a created secret.
    let echo = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/access-tokens");
            then.status(400).json_body(json!({
                "fields": { "token_label": ["bad"] },
                "text": format!("rejected Bearer {token} and {CANARY}")
            }));
        })
        .await;
    let hub = hub(&server);
    let bearer = Token::from_secret(token.clone());
    let tokens = hub.personal_access_tokens(&bearer);

    let error = tokens
        .create(NewPersonalAccessToken::new("ci").scope(PatScope::REPO_READ))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::UnexpectedResponse);
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{tokens:?}"),
        format!("{:?}", dockerhub_auth::Bearer::from(&bearer)),
    ] {
        assert!(!text.contains(&token), "bearer token leaked: {text}");
        assert!(!text.contains(CANARY), "secret leaked: {text}");
    }
    echo.assert_calls_async(1).await;
}
