//! `DiskCache`: tokens and remembered failures shared by sessions that share nothing else,
//! as separate processes would. Every cache lives in a temporary directory.
//! Unix only: elsewhere there is no disk cache (see `DiskCache`).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::support::*;
use dockerhub_auth::{Credentials, DiskCache, ErrorKind, Hub, Session};
use httpmock::{Mock, MockServer};
use serde_json::json;

/// A cache in a fresh temporary directory (the `TempDir` must be kept alive).
fn cache() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

/// A session as a new process would have: its own hub, its own memory, the shared cache.
fn session(server: &MockServer, secret: &str, dir: &Path) -> Session {
    hub(server)
        .session_builder(Credentials::secret("alice", secret))
        .disk_cache(DiskCache::at(dir))
        .build()
}

async fn token_route(server: &MockServer) -> Mock<'_> {
    let claims = hub_claims(now_unix());
    server
        .mock_async(|when, then| {
            when.method("POST").path("/v2/auth/token");
            then.status(200)
                .json_body(json!({ "access_token": jwt(claims) }));
        })
        .await
}

/// The entry files of a cache directory.
fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect()
}

#[tokio::test]
async fn a_second_session_reuses_the_token_of_the_first() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let (_temp, dir) = cache();
    let first = session(&server, CANARY, &dir).token().await.unwrap();
    let second = session(&server, CANARY, &dir).token().await.unwrap();
    assert_eq!(first.expose_secret(), second.expose_secret());
    // It is the same token, received when the first session got it (stored to the ms).
    let apart = match first.received_at().duration_since(second.received_at()) {
        Ok(apart) => apart,
        Err(error) => error.duration(),
    };
    assert!(apart < Duration::from_secs(1), "{apart:?}");
    mock.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_cold_sessions_at_once_send_one_request() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(200)
                .delay(Duration::from_millis(200))
                .json_body(json!({ "access_token": jwt(hub_claims(now_unix())) }));
        })
        .await;
    let (_temp, dir) = cache();
    let sessions: Vec<_> = (0..20).map(|_| session(&server, CANARY, &dir)).collect();
    let tasks: Vec<_> = sessions
        .into_iter()
        .map(|session| tokio::spawn(async move { session.token().await }))
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().unwrap().expose_secret().to_owned());
    }
    mock.assert_calls_async(1).await;
    assert!(tokens.iter().all(|token| token == &tokens[0]));
}

#[tokio::test]
async fn a_rejected_secret_is_sent_once_and_a_new_secret_at_once() {
    let server = MockServer::start_async().await;
    let rejected = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_revoked" }));
            then.status(401)
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token")
                .json_body(json!({ "identifier": "alice", "secret": "dckr_pat_new" }));
            then.status(200)
                .json_body(json!({ "access_token": "fresh" }));
        })
        .await;
    let (_temp, dir) = cache();
    let first = session(&server, "dckr_pat_revoked", &dir)
        .token()
        .await
        .unwrap_err();
    assert!(!first.is_remembered());
    for _ in 0..5 {
        let err = session(&server, "dckr_pat_revoked", &dir)
            .token()
            .await
            .unwrap_err();
        assert!(err.is_remembered());
        assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            err.hub_message(),
            Some("Incorrect authentication credentials")
        );
    }
    rejected.assert_calls_async(1).await;
    let token = session(&server, "dckr_pat_new", &dir)
        .token()
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "fresh");
    accepted.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_rate_limit_is_shared_with_its_wait() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(429)
                .header("retry-after", "600")
                .json_body(json!({ "detail": "Too Many Requests" }));
        })
        .await;
    let (_temp, dir) = cache();
    session(&server, CANARY, &dir).token().await.unwrap_err();
    let err = session(&server, CANARY, &dir).token().await.unwrap_err();
    assert!(err.is_remembered());
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let wait = err.retry_after().unwrap();
    assert!(wait <= Duration::from_secs(600) && wait > Duration::from_secs(500));
    limited.assert_calls_async(1).await;
}

#[tokio::test]
async fn invalidate_ignores_what_was_on_disk_and_shares_the_new_token() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let (_temp, dir) = cache();
    let first = session(&server, CANARY, &dir);
    first.token().await.unwrap();
    first.invalidate();
    first.token().await.unwrap();
    mock.assert_calls_async(2).await;
    // The new token is stored: another session takes it.
    let other = session(&server, CANARY, &dir).token().await.unwrap();
    assert_eq!(
        other.expose_secret(),
        first.token().await.unwrap().expose_secret()
    );
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_damaged_entry_is_ignored_and_replaced() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let (_temp, dir) = cache();
    session(&server, CANARY, &dir).token().await.unwrap();
    let [entry] = entries(&dir).try_into().unwrap();
    let bytes = std::fs::read(&entry).unwrap();
    for damaged in [
        bytes[..bytes.len() / 2].to_vec(),
        b"\x00\xffnot json at all".to_vec(),
        br#"{"format":"something else","version":1}"#.to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&entry, &damaged).unwrap();
        let before = mock.calls_async().await;
        session(&server, CANARY, &dir).token().await.unwrap();
        assert_eq!(mock.calls_async().await, before + 1);
        // Replaced: the next session reads it.
        session(&server, CANARY, &dir).token().await.unwrap();
        assert_eq!(mock.calls_async().await, before + 1);
    }
}

#[tokio::test]
async fn no_file_holds_the_secret() {
    let server = MockServer::start_async().await;
    token_route(&server).await;
    respond(&server, "/v2/users/login", 401, json!({ "detail": "no" })).await;
    let (_temp, dir) = cache();
    session(&server, CANARY, &dir).token().await.unwrap();
    let password = "correct horse battery staple";
    hub(&server)
        .session_builder(Credentials::password("alice", password))
        .disk_cache(DiskCache::at(&dir))
        .build()
        .token()
        .await
        .unwrap_err();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(files.len() >= 3, "a key and two entries");
    for file in files {
        let path = file.unwrap().path();
        let content = std::fs::read(&path).unwrap();
        for secret in [CANARY, password, "alice"] {
            let found = content
                .windows(secret.len())
                .any(|window| window == secret.as_bytes());
            // The token itself carries alice's name; nothing else may.
            let allowed = secret == "alice";
            assert!(!found || allowed, "{secret} in {}", path.display());
            assert!(!path.to_string_lossy().contains(secret));
        }
    }
}

#[tokio::test]
async fn clear_identifier_removes_that_identifier_only() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let (_temp, dir) = cache();
    let bob = |dir: &Path| {
        hub(&server)
            .session_builder(Credentials::secret("bob", "dckr_pat_bob"))
            .disk_cache(DiskCache::at(dir))
            .build()
    };
    session(&server, CANARY, &dir).token().await.unwrap();
    bob(&dir).token().await.unwrap();
    mock.assert_calls_async(2).await;

    assert_eq!(DiskCache::at(&dir).clear_identifier("alice").unwrap(), 1);
    bob(&dir).token().await.unwrap();
    mock.assert_calls_async(2).await;
    session(&server, CANARY, &dir).token().await.unwrap();
    mock.assert_calls_async(3).await;

    assert_eq!(DiskCache::at(&dir).clear().unwrap(), 2);
    assert!(entries(&dir).is_empty());
    assert_eq!(DiskCache::at(dir.join("absent")).clear().unwrap(), 0);
}

#[tokio::test]
async fn without_a_cache_each_session_asks_hub() {
    let server = MockServer::start_async().await;
    let mock = token_route(&server).await;
    let hub: Hub = hub(&server);
    for _ in 0..2 {
        hub.session(Credentials::secret("alice", CANARY))
            .token()
            .await
            .unwrap();
    }
    mock.assert_calls_async(2).await;
}

#[cfg(unix)]
mod permissions {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[tokio::test]
    async fn the_directory_is_0700_and_every_file_0600() {
        let server = MockServer::start_async().await;
        token_route(&server).await;
        let (_temp, dir) = cache();
        session(&server, CANARY, &dir).token().await.unwrap();
        assert_eq!(mode(&dir), 0o700);
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(files.len() >= 3, "a key, an entry and its lock");
        for file in files {
            let path = file.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }

    #[tokio::test]
    async fn a_directory_others_can_write_is_not_used() {
        let server = MockServer::start_async().await;
        let mock = token_route(&server).await;
        let (_temp, dir) = cache();
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        for _ in 0..2 {
            session(&server, CANARY, &dir).token().await.unwrap();
        }
        mock.assert_calls_async(2).await;
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let err = DiskCache::at(&dir).clear().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cache);
    }

    #[tokio::test]
    async fn a_key_others_can_read_is_not_used() {
        let server = MockServer::start_async().await;
        let mock = token_route(&server).await;
        let (_temp, dir) = cache();
        session(&server, CANARY, &dir).token().await.unwrap();
        let key = dir.join("key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        session(&server, CANARY, &dir).token().await.unwrap();
        mock.assert_calls_async(2).await;
    }

    #[tokio::test]
    async fn an_entry_others_can_write_is_not_used_and_replaced() {
        let server = MockServer::start_async().await;
        let mock = token_route(&server).await;
        let (_temp, dir) = cache();
        session(&server, CANARY, &dir).token().await.unwrap();
        let [entry] = entries(&dir).try_into().unwrap();
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
        session(&server, CANARY, &dir).token().await.unwrap();
        mock.assert_calls_async(2).await;
        assert_eq!(mode(&entry), 0o600);
    }
}

#[tokio::test]
async fn nothing_printed_shows_the_secret() {
    let server = MockServer::start_async().await;
    respond(
        &server,
        "/v2/auth/token",
        401,
        json!({ "detail": format!("bad secret {CANARY}") }),
    )
    .await;
    let (_temp, dir) = cache();
    let builder = hub(&server)
        .session_builder(Credentials::secret("alice", CANARY))
        .disk_cache(DiskCache::at(&dir));
    let builder_debug = format!("{builder:?}");
    let first = builder.build();
    first.token().await.unwrap_err();
    let remembered = session(&server, CANARY, &dir).token().await.unwrap_err();
    assert!(remembered.is_remembered());
    for text in [
        builder_debug,
        format!("{first:?}"),
        format!("{remembered}"),
        format!("{remembered:?}"),
        format!("{:?}", DiskCache::at(&dir)),
    ] {
        assert!(!text.contains(CANARY), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn a_transient_failure_stays_in_its_process() {
    let server = MockServer::start_async().await;
    let down = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(503).body("down");
        })
        .await;
    let (_temp, dir) = cache();
    let first = session(&server, CANARY, &dir);
    let err = first.token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    // The same session answers from memory for the backoff…
    let again = first.token().await.unwrap_err();
    assert!(again.is_remembered());
    down.assert_calls_async(1).await;
    // …but nothing was written for another process: it asks at once.
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    let other = session(&server, CANARY, &dir).token().await.unwrap_err();
    assert_eq!(other.kind(), ErrorKind::Unavailable);
    assert!(!other.is_remembered());
    down.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_rejection_on_one_route_is_remembered_on_the_other() {
    let server = MockServer::start_async().await;
    let token_route = server
        .mock_async(|when, then| {
            when.path("/v2/auth/token");
            then.status(401)
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    let login_route = server
        .mock_async(|when, then| {
            when.path("/v2/users/login");
            then.status(401)
                .json_body(json!({ "detail": "Incorrect authentication credentials" }));
        })
        .await;
    let (_temp, dir) = cache();
    session(&server, CANARY, &dir).token().await.unwrap_err();
    // The password route with the same secret of the same account: one lockout.
    let login = hub(&server)
        .session_builder(Credentials::password("alice", CANARY))
        .disk_cache(DiskCache::at(&dir))
        .build();
    let err = login.token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsRejected);
    assert!(err.is_remembered());
    token_route.assert_calls_async(1).await;
    login_route.assert_calls_async(0).await;
}
