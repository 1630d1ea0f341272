//! No secret ever reaches `Debug` or `Display`: every public type is formatted with a canary
//! secret inside it, through every flow.

use crate::support::*;
use dockerhub_auth::{Credentials, ErrorKind, Hub, Login};
use httpmock::MockServer;
use serde_json::json;

/// A JWT whose every part would be recognisable in output.
fn canary_jwt() -> String {
    format!(
        "{}.{CANARY}",
        jwt(hub_claims(1_800_000_000)).rsplit_once('.').unwrap().0
    )
}

fn assert_clean(texts: &[String]) {
    for text in texts {
        assert!(!text.contains(CANARY), "secret leaked: {text}");
        assert!(!text.contains(&canary_jwt()), "token leaked: {text}");
    }
}

#[tokio::test]
async fn hub_builder_and_tokens_never_show_secrets() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": canary_jwt() }),
    )
    .await;
    let builder = Hub::builder().base_url(server.base_url());
    let builder_debug = format!("{builder:?}");
    let hub = builder.build().unwrap();
    let token = hub.create_access_token("alice", CANARY).await.unwrap();
    assert_eq!(token.expose_secret(), canary_jwt());
    let credentials = Credentials::secret("alice", CANARY);
    let password = Credentials::password("alice", CANARY);
    let session_builder = hub.session_builder(credentials.clone());
    let session_builder_debug = format!("{session_builder:?}");
    let session = session_builder.build();
    let cold_session_debug = format!("{session:?}");
    session.token().await.unwrap();
    assert_clean(&[
        builder_debug,
        format!("{hub:?}"),
        format!("{credentials:?}"),
        format!("{password:?}"),
        session_builder_debug,
        cold_session_debug,
        format!("{session:?}"),
        format!("{token:?}"),
        format!("{:?}", token.claims()),
        format!("{:?}", token.authorization_header()),
    ]);
}

#[tokio::test]
async fn a_two_factor_flow_never_shows_the_password_the_login_2fa_token_or_the_code() {
    let server = MockServer::start_async().await;
    let login_2fa_token = format!("opaque-2fa-{CANARY}");
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({
            "detail": SECOND_FACTOR_DETAIL,
            "login_2fa_token": login_2fa_token
        }),
    )
    .await;
    let wrong = server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body_includes(r#"{"code":"111111"}"#);
            // A hostile server that echoes everything it was sent.
            then.status(401).json_body(json!({
                "detail": format!("bad code 111111 for {login_2fa_token}")
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/v2/users/2fa-login")
                .json_body_includes(r#"{"code":"222222"}"#);
            then.status(200).json_body(json!({ "token": canary_jwt() }));
        })
        .await;
    let hub = hub(&server);

    let login = hub.login("alice", CANARY).await.unwrap();
    let login_debug = format!("{login:?}");
    let Login::SecondFactorRequired(challenge) = login else {
        panic!("expected a challenge")
    };
    let err = hub
        .login_second_factor(&challenge, "111 111")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SecondFactorRejected);
    wrong.assert_calls_async(1).await;
    let token = hub.login_second_factor(&challenge, "222222").await.unwrap();
    let authenticated = Login::Authenticated(token.clone());

    assert_clean(&[
        login_debug,
        format!("{challenge:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!("{token:?}"),
        format!("{authenticated:?}"),
    ]);
    for text in [format!("{err}"), format!("{err:?}")] {
        assert!(!text.contains("111111"), "code leaked: {text}");
        assert!(
            !text.contains("opaque-2fa"),
            "login_2fa_token leaked: {text}"
        );
    }
}

#[tokio::test]
async fn errors_from_every_kind_of_answer_never_show_the_secret() {
    let bodies = [
        (401, format!(r#"{{"detail":"wrong secret {CANARY}"}}"#)),
        (
            403,
            format!(r#"{{"message":"{CANARY} may not be used here"}}"#),
        ),
        (429, format!("slow down, {CANARY}")),
        (500, format!("<html><title>{CANARY}</title></html>")),
        (200, format!(r#"{{"access_token": ["{CANARY}"]}}"#)),
        (200, format!(r#"{{"access_token": "{CANARY}"#)),
        (201, format!(r#"{{"access_token": "{CANARY}"}}"#)),
        (307, String::new()),
    ];
    for (status, body) in bodies {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path("/v2/auth/token");
                then.status(status)
                    .header("location", format!("https://evil.example/{CANARY}"))
                    .body(&body);
            })
            .await;
        let err = hub(&server)
            .create_access_token("alice", CANARY)
            .await
            .unwrap_err();
        let mut texts = vec![format!("{err}"), format!("{err:?}")];
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            texts.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
        assert_clean(&texts);
    }
}

/// A passphrase does not look like a token: only redaction of the known secret, done before
/// any excerpt is cut, can keep it out.
const PASSPHRASE: &str = "correct horse battery staple";

#[tokio::test]
async fn a_passphrase_echoed_after_kilobytes_of_text_never_shows_even_in_part() {
    let server = MockServer::start_async().await;
    let hub = hub(&server);
    // Around the 4 KiB excerpt window, and with blank filler that collapses to one space so
    // that whatever is left of the secret would land inside the excerpt.
    for filler in ["  ", "\n", "~ "] {
        for offset in [4060, 4070, 4080, 4085, 4090, 4095, 4096, 4100] {
            let mut body = filler.repeat(offset);
            body.truncate(offset);
            body.push_str(PASSPHRASE);
            let mock = server
                .mock_async(|when, then| {
                    when.path("/v2/users/login");
                    then.status(401).body(&body);
                })
                .await;
            let err = match hub.login("alice", PASSPHRASE).await {
                Err(err) => err,
                Ok(_) => panic!("a 401 is not a login"),
            };
            assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
            let shown = format!("{err} {err:?}");
            for word in PASSPHRASE.split(' ') {
                assert!(!shown.contains(word), "{offset}: {word:?} in {shown}");
            }
            mock.delete_async().await;
        }
    }
}

#[tokio::test]
async fn the_generated_types_and_errors_never_show_a_secret_either() {
    use dockerhub_auth::generated::types;
    let from = |json: serde_json::Value| json.to_string();
    let debugs = [
        format!(
            "{:?}",
            serde_json::from_str::<types::AuthCreateAccessTokenRequest>(&from(
                json!({ "identifier": "alice", "secret": CANARY })
            ))
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_str::<types::AuthCreateTokenResponse>(&from(
                json!({ "access_token": CANARY })
            ))
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_str::<types::UsersLoginRequest>(&from(
                json!({ "username": "alice", "password": CANARY })
            ))
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_str::<types::PostUsersLoginSuccessResponse>(&from(
                json!({ "token": CANARY })
            ))
            .unwrap()
        ),
        format!(
            "{:?}",
            serde_json::from_str::<types::Users2FaLoginRequest>(&from(
                json!({ "login_2fa_token": CANARY, "code": CANARY })
            ))
            .unwrap()
        ),
    ];
    assert_clean(&debugs);

    // What a caller of the generated client sees when Hub asks for a second factor: the
    // error value, printed with `{:?}` as an `unwrap` or a log line would.
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/users/login",
        401,
        json!({ "detail": SECOND_FACTOR_DETAIL, "login_2fa_token": CANARY }),
    )
    .await;
    let hub = hub(&server);
    let body = types::UsersLoginRequest {
        username: "alice".into(),
        password: CANARY.into(),
    };
    let err = hub.generated().post_users_login(&body).await.unwrap_err();
    assert_clean(&[format!("{err:?}"), format!("{err}"), format!("{body:?}")]);
}

#[tokio::test]
async fn tokens_glued_to_a_word_in_a_server_message_never_show() {
    let server = MockServer::start_async().await;
    let refusal = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(401)
                .json_body(json!({ "detail": glued_tokens_message() }));
        })
        .await;
    let proxy = server
        .mock_async(|when, then| {
            when.path("/v2/users/login");
            then.status(502).body(format!(
                "<html>bad gateway: {}</html>",
                glued_tokens_message()
            ));
        })
        .await;
    let hub = hub(&server);

    let err = hub.create_access_token("alice", CANARY).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    // What is around the tokens is still said.
    let message = err.hub_message().unwrap();
    assert!(
        message.starts_with("refused: session=[redacted]; key=[redacted]; x.[redacted]"),
        "{message}"
    );
    assert!(message.contains("([redacted]) abc[redacted]"), "{message}");
    let proxied = hub.login("alice", CANARY).await.unwrap_err();
    assert_eq!(proxied.kind(), ErrorKind::Unavailable);
    assert!(
        proxied
            .body_excerpt()
            .unwrap()
            .contains("session=[redacted]")
    );
    for err in [err, proxied] {
        assert_no_stranger_token(&format!("{err} {err:?}"));
    }
    refusal.assert_calls_async(1).await;
    proxy.assert_calls_async(1).await;
}
