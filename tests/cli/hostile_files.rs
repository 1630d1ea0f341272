//! The binary against files an attacker (or an accident) has put where it reads: a FIFO
//! named `config.json`, a FIFO or a link where the token cache keeps an entry, its key or a
//! lock, a linked cache directory, a key it did not write, temporaries it did not make. No
//! run hangs, nothing is followed, nothing foreign is replaced or removed, and each problem
//! is one warning naming the file.
//! Unix only: FIFOs, links, and the disk cache.

use std::{
    os::unix::fs::symlink,
    path::{Path, PathBuf},
};

use crate::support::{cli::*, files::*, *};
use httpmock::{Mock, MockServer};
use serde_json::json;

/// `token` as alice with the canary from DOCKERHUB_TOKEN, with the cache in `dir`.
fn token(server: &MockServer, dir: &Path) -> Cli {
    Cli::new(&["token", "--base-url", &server.base_url()])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", CANARY)
        .env("DOCKERHUB_AUTH_CACHE_DIR", dir)
}

fn token_route(server: &MockServer) -> Mock<'_> {
    let jwt = jwt(hub_claims(now_unix()));
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200).json_body(json!({ "access_token": jwt }));
    })
}

/// Asserts that a run printed a token and exactly one line on stderr: a warning holding
/// each of `words`.
fn assert_one_warning(run: &Run, words: &[&str]) {
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.trim().is_empty());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].starts_with("dockerhub-auth: warning: "),
        "{}",
        run.stderr
    );
    for word in words {
        assert!(lines[0].contains(word), "no {word:?} in {}", run.stderr);
    }
    assert!(!run.stderr.contains(CANARY));
}

fn cache_dir() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("token-cache");
    (temp, dir)
}

#[test]
fn a_fifo_named_config_json_is_an_error_at_once() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let cli =
        Cli::new(&["token", "--base-url", &server.base_url()]).env("DOCKERHUB_USERNAME", "alice");
    mkfifo(&cli.home().join(".docker/config.json"));
    let run = cli.run_within(HANG);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("config.json is a FIFO, not a regular file"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--no-docker-config"), "{}", run.stderr);
    mock.assert_calls(0);
}

#[test]
fn a_fifo_as_cache_entry_lock_or_key_never_hangs_the_cli() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (_temp, dir) = cache_dir();
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    let entry = cache_entry(&dir, "hub");
    let lock = entry.with_extension("lock");
    let entry_name = entry.file_name().unwrap().to_str().unwrap().to_owned();
    let lock_name = lock.file_name().unwrap().to_str().unwrap().to_owned();

    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);
    let run = token(&server, &dir).run_within(HANG);
    assert_one_warning(&run, &[&entry_name, "FIFO", "ignoring it"]);
    mock.assert_calls(2);

    // The entry was replaced; now the lock is a FIFO (and the entry gone, so it is needed).
    std::fs::remove_file(&entry).unwrap();
    std::fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    let run = token(&server, &dir).run_within(HANG);
    assert_one_warning(&run, &[&lock_name, "FIFO", "without the token cache"]);
    mock.assert_calls(3);
    std::fs::remove_file(&lock).unwrap();

    let key = dir.join("key");
    std::fs::remove_file(&key).unwrap();
    mkfifo(&key);
    let run = token(&server, &dir).run_within(HANG);
    assert_one_warning(&run, &["key", "FIFO", "without the token cache"]);
    mock.assert_calls(4);
}

#[test]
fn a_linked_lock_is_not_followed() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let (temp, dir) = cache_dir();
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    let entry = cache_entry(&dir, "hub");
    let lock = entry.with_extension("lock");
    std::fs::remove_file(&entry).unwrap();
    std::fs::remove_file(&lock).unwrap();
    let target = temp.path().join("made-through-the-link");
    symlink(&target, &lock).unwrap();
    let run = token(&server, &dir).run_within(HANG);
    assert_one_warning(&run, &["lock", "symbolic link", "without the token cache"]);
    mock.assert_calls(2);
    assert!(!target.exists(), "the lock was created through the link");
}

#[test]
fn a_linked_cache_directory_is_refused_with_one_warning() {
    let server = MockServer::start();
    let mock = token_route(&server);
    let temp = tempfile::tempdir().unwrap();
    let real = temp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let link = temp.path().join("token-cache");
    symlink(&real, &link).unwrap();
    for calls in [1, 2] {
        let run = token(&server, &link).run_within(HANG);
        assert_one_warning(&run, &["token-cache", "symbolic link"]);
        mock.assert_calls(calls);
    }
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0);
}

#[test]
fn a_foreign_key_in_a_chosen_directory_is_never_replaced() {
    let server = MockServer::start();
    let mock = token_route(&server);
    // A directory of the user's that happens to hold a file named `key`.
    let (_temp, dir) = cache_dir();
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let key = dir.join("key");
    let mine = b"ssh-ed25519 AAAA... my key, not a cache's";
    std::fs::write(&key, mine).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    for calls in [1, 2] {
        let run = token(&server, &dir).run_within(HANG);
        assert_one_warning(
            &run,
            &[&key.display().to_string(), "not a key this program wrote"],
        );
        mock.assert_calls(calls);
    }
    assert_eq!(std::fs::read(&key).unwrap(), mine);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "files were added"
    );
    // logout refuses too, and says why.
    let run = Cli::new(&["logout"])
        .env("DOCKERHUB_AUTH_CACHE_DIR", &dir)
        .run_within(HANG);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("not a key this program wrote"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&key).unwrap(), mine);
}

#[test]
fn logout_removes_only_the_temporaries_the_cache_makes() {
    let server = MockServer::start();
    token_route(&server);
    let (_temp, dir) = cache_dir();
    assert_eq!(token(&server, &dir).run_within(HANG).code, 0);
    let ours = format!(".{}.123.0.tmp", "a".repeat(64));
    let foreign = [".draft.tmp", ".key.tmp", ".config.json.4.5.tmp"];
    for file in foreign.iter().copied().chain([ours.as_str()]) {
        std::fs::write(dir.join(file), b"").unwrap();
    }
    let run = Cli::new(&["logout"])
        .env("DOCKERHUB_AUTH_CACHE_DIR", &dir)
        .run_within(HANG);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!dir.join(&ours).exists());
    for file in foreign {
        assert!(dir.join(file).exists(), "logout removed {file}");
    }
}
