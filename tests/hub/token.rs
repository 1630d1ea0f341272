//! `Token` and `Claims`: what a caller can read from the token Hub issues.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::Token;
use httpmock::MockServer;
use serde_json::json;

/// Gets a token whose string is `access_token` from a mock Hub.
async fn token(access_token: &str) -> Token {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        200,
        json!({ "access_token": access_token }),
    )
    .await;
    hub(&server)
        .create_access_token("alice", "dckr_pat_abc")
        .await
        .unwrap()
}

#[tokio::test]
async fn the_authorization_header_is_bearer_and_sensitive() {
    let token = token("abc.def.ghi").await;
    let header = token.authorization_header();
    assert_eq!(header.to_str().unwrap(), "Bearer abc.def.ghi");
    assert!(header.is_sensitive());
    assert!(!format!("{header:?}").contains("abc.def.ghi"));
}

#[tokio::test]
async fn hub_claims_are_readable() {
    let token = token(&jwt(hub_claims(1_800_000_000))).await;
    let claims = token.claims().unwrap();
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.uuid(), Some("0b3c"));
    assert_eq!(claims.source(), Some("docker_pat|3f1e"));
    assert_eq!(claims.scope(), Some("repo:public_read"));
    assert_eq!(claims.jwt_id(), Some("jti-1"));
    assert_eq!(claims.issued_at(), Some(unix(1_800_000_000)));
    assert_eq!(token.expires_at(), Some(unix(1_800_000_600)));
    assert_eq!(token.lifetime(), Some(Duration::from_secs(600)));
    assert_eq!(claims.as_map()["aud"], "https://hub.docker.com");
}

#[tokio::test]
async fn a_jwt_without_exp_has_claims_but_no_expiry() {
    let token = token(&jwt(
        json!({ "https://hub.docker.com": { "username": "alice" } }),
    ))
    .await;
    assert_eq!(token.claims().unwrap().username(), Some("alice"));
    assert_eq!(token.expires_at(), None);
    assert_eq!(token.lifetime(), None);
}

#[tokio::test]
async fn claims_serialize_as_the_jwt_payload() {
    let claims = hub_claims(1_800_000_000);
    let token = token(&jwt(claims.clone())).await;
    assert_eq!(
        serde_json::to_value(token.claims().unwrap()).unwrap(),
        claims
    );
}

#[tokio::test]
async fn debug_shows_expiry_and_username_but_not_the_token() {
    let jwt = jwt(hub_claims(1_800_000_000));
    let token = token(&jwt).await;
    let debug = format!("{token:?}");
    assert!(debug.contains("alice"), "{debug}");
    assert!(debug.contains("expires_at"), "{debug}");
    assert!(!debug.contains(&jwt), "{debug}");
    assert!(!debug.contains("bm90LWEtcmVhbC1zaWduYXR1cmU"), "{debug}");
}

#[tokio::test]
async fn a_clone_shares_the_secret_instead_of_copying_it() {
    let token = token("shared").await;
    let clone = token.clone();
    // Cheap to clone, and no second copy of the secret to wipe: both point at one string.
    assert!(std::ptr::eq(clone.expose_secret(), token.expose_secret()));
}

#[tokio::test]
async fn the_expiry_prints_in_rfc_3339_and_as_time_left() {
    let expired = token(&jwt(hub_claims(1_700_000_000))).await;
    assert_eq!(
        expired.expires_at_rfc3339().as_deref(),
        Some("2023-11-14T22:23:20Z")
    );
    assert_eq!(expired.expires_in(), Some(Duration::ZERO));

    let fresh = token(&jwt(hub_claims(now_unix()))).await;
    let left = fresh.expires_in().unwrap();
    // Issued this second for 600 s; the test takes far less than a minute.
    assert!(
        left > Duration::from_secs(540) && left <= Duration::from_secs(600),
        "{left:?}"
    );

    let opaque = token("not-a-jwt").await;
    assert_eq!(opaque.expires_in(), None);
    assert_eq!(opaque.expires_at_rfc3339(), None);
}
