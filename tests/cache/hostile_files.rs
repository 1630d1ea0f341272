//! A token cache directory an attacker (or an accident) has prepared: a FIFO or a link where
//! the cache's files go, a link as the directory, a key it did not write, temporaries it did
//! not make. Nothing hangs, nothing is followed, nothing foreign is replaced or removed.
//! Unix only: elsewhere there is no disk cache.

use std::{
    os::unix::fs::symlink,
    path::{Path, PathBuf},
};

use crate::support::{files::*, *};
use dockerhub_auth::{Credentials, DiskCache, ErrorKind, Session};
use httpmock::{Mock, MockServer};
use serde_json::json;

fn cache() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

fn session(server: &MockServer, dir: &Path) -> Session {
    hub(server)
        .session_builder(Credentials::secret("alice", CANARY))
        .disk_cache(DiskCache::at(dir))
        .build()
}

fn token_route(server: &MockServer) -> Mock<'_> {
    let claims = hub_claims(now_unix());
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200)
            .json_body(json!({ "access_token": jwt(claims) }));
    })
}

/// Gets a token with a session of its own, on a runtime of its own, failing the test if it
/// hangs.
fn token_within_bound(server: &MockServer, dir: &Path) {
    let session = session(server, dir);
    within_hang_bound(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(session.token()).unwrap();
    });
}

/// Fills the cache once, and returns the lock file of its one token entry.
fn filled(server: &MockServer, dir: &Path) -> (PathBuf, PathBuf) {
    token_within_bound(server, dir);
    let entry = cache_entry(dir, "hub");
    (entry.clone(), entry.with_extension("lock"))
}

#[test]
fn a_fifo_as_entry_key_or_lock_never_hangs_a_session() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (_temp, dir) = cache();
    let (entry, lock) = filled(&server, &dir);
    mock.assert_calls(1);

    // An entry that is a FIFO is ignored, and replaced by the next token.
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    token_within_bound(&server, &dir);
    mock.assert_calls(2);
    assert!(std::fs::symlink_metadata(&entry).unwrap().is_file());
    token_within_bound(&server, &dir);
    mock.assert_calls(2);

    // A lock that is a FIFO: the cache is not used (a request each time), never a hang.
    std::fs::remove_file(&entry).unwrap();
    std::fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    for calls in [3, 4] {
        token_within_bound(&server, &dir);
        mock.assert_calls(calls);
    }
    std::fs::remove_file(&lock).unwrap();

    // A key that is a FIFO: the cache is not used, and the FIFO is left where it is.
    let key = dir.join("key");
    std::fs::remove_file(&key).unwrap();
    mkfifo(&key);
    token_within_bound(&server, &dir);
    mock.assert_calls(5);
    assert!(!std::fs::symlink_metadata(&key).unwrap().is_file());
}

#[test]
fn a_linked_lock_is_not_followed() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (temp, dir) = cache();
    let (entry, lock) = filled(&server, &dir);
    std::fs::remove_file(&lock).unwrap();
    std::fs::remove_file(&entry).unwrap();
    // A link to a file that does not exist yet: following it would create the file.
    let target = temp.path().join("created-through-the-link");
    symlink(&target, &lock).unwrap();
    for calls in [2, 3] {
        token_within_bound(&server, &dir);
        mock.assert_calls(calls);
    }
    assert!(!target.exists(), "the lock was opened through the link");
    assert!(std::fs::symlink_metadata(&lock).unwrap().is_symlink());
    assert!(cache_entries(&dir).is_empty(), "the cache was written");
}

#[test]
fn a_linked_entry_is_not_read() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (temp, dir) = cache();
    let (entry, _) = filled(&server, &dir);
    // The entry moved elsewhere and linked back: a valid token, but not through a link.
    let elsewhere = temp.path().join("entry-elsewhere.json");
    std::fs::rename(&entry, &elsewhere).unwrap();
    symlink(&elsewhere, &entry).unwrap();
    token_within_bound(&server, &dir);
    mock.assert_calls(2);
    // Replaced by a file of its own; what the link pointed at is untouched.
    assert!(std::fs::symlink_metadata(&entry).unwrap().is_file());
    assert!(elsewhere.exists());
}

#[test]
fn a_linked_cache_directory_is_refused() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let temp = tempfile::tempdir().unwrap();
    let real = temp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let link = temp.path().join("token-cache");
    symlink(&real, &link).unwrap();
    for calls in [1, 2] {
        token_within_bound(&server, &link);
        mock.assert_calls(calls);
    }
    assert_eq!(
        std::fs::read_dir(&real).unwrap().count(),
        0,
        "used through the link"
    );
    let err = DiskCache::at(&link).clear().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cache);
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

#[test]
fn a_foreign_key_is_never_replaced_and_the_cache_is_not_used() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (_temp, dir) = cache();
    filled(&server, &dir);
    let key = dir.join("key");
    for (foreign, calls) in [(&b"short"[..], 3), (&[7u8; 33][..], 5), (&b""[..], 7)] {
        std::fs::write(&key, foreign).unwrap();
        for _ in 0..2 {
            token_within_bound(&server, &dir);
        }
        mock.assert_calls(calls);
        assert_eq!(
            std::fs::read(&key).unwrap(),
            foreign,
            "the key was replaced"
        );
        // logout says why it cannot clear, and leaves everything in place.
        let err = DiskCache::at(&dir).clear().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cache);
        assert!(err.to_string().contains("not a key"), "{err}");
        assert_eq!(cache_entries(&dir).len(), 1);
    }
}

#[test]
fn clear_removes_only_the_temporaries_the_cache_makes() {
    let server = MockServer::start();
    token_route(&server);
    let (_temp, dir) = cache();
    filled(&server, &dir);
    let name = "0".repeat(64);
    let ours = [format!(".{name}.4242.0.tmp"), ".key.17.3.tmp".to_owned()];
    let foreign = [
        ".bashrc.tmp",
        ".notes.tmp",
        ".key.tmp",
        ".key.17.tmp",
        ".key.x.3.tmp",
        ".key.17.3.4.tmp",
        "..tmp",
    ];
    for file in ours.iter().map(String::as_str).chain(foreign) {
        std::fs::write(dir.join(file), b"").unwrap();
    }
    assert_eq!(DiskCache::at(&dir).clear().unwrap(), 1);
    for file in ours {
        assert!(!dir.join(&file).exists(), "{file} was left");
    }
    for file in foreign {
        assert!(dir.join(file).exists(), "{file} was removed");
    }
    assert!(dir.join("key").exists());
}
