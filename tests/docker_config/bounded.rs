//! Docker's store read within bounds an attacker cannot move: a `config.json` that is a FIFO
//! or a device is an error at once, a link to a real config is followed (as the docker CLI
//! does), and a helper is stopped by the caller's deadline with everything it started.
//!
//! Unix only: FIFOs, and helpers as `#!/bin/sh` scripts.

use std::{
    fs,
    os::unix::fs::symlink,
    time::{Duration, Instant},
};

use crate::support::{docker::*, files::*};
use dockerhub_auth::{DockerCredentialStore, ErrorKind};
use serde_json::json;

#[test]
fn a_fifo_named_config_json_is_an_error_at_once() {
    let config = ConfigDir::new();
    mkfifo(&config.config_file());
    let store = config.store();
    let err = within_hang_bound(move || store.docker_hub_credentials().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    let message = err.to_string();
    assert!(
        message.contains("is a FIFO, not a regular file"),
        "{message}"
    );
    assert!(message.contains("config.json"), "{message}");
}

#[test]
fn a_device_named_config_json_is_an_error_at_once() {
    let config = ConfigDir::new();
    symlink("/dev/zero", config.config_file()).unwrap();
    let store = config.store();
    // Followed (a link), and refused for what it leads to: never read to the cap.
    let err = within_hang_bound(move || store.docker_hub_credentials().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    assert!(err.to_string().contains("is a device"), "{err}");
}

#[test]
fn a_config_json_linked_from_elsewhere_is_read() {
    // As dotfile managers (GNU stow, home-manager) leave it.
    let elsewhere = ConfigDir::with_json(auths_for("alice"));
    let config = ConfigDir::new();
    symlink(elsewhere.config_file(), config.config_file()).unwrap();
    let stored = found(&config.store()).unwrap();
    assert_eq!(stored.username(), Some("alice"));
}

#[test]
fn a_config_json_past_the_cap_is_refused() {
    let config = ConfigDir::new();
    let padding = " ".repeat(4 * 1024 * 1024);
    fs::write(config.config_file(), format!("{{}}{padding}")).unwrap();
    let err = config.store().docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    assert!(err.to_string().contains("larger than 4 MiB"), "{err}");
}

/// The store of a config naming helper `forking`, which starts a grandchild, writes its pid
/// to `forking.pid` in the helpers' directory, and hangs.
fn forking_store() -> (ConfigDir, DockerCredentialStore) {
    let config = with_helper("credsStore", "forking");
    let store = config.store();
    (config, store)
}

#[test]
fn the_deadline_stops_a_helper_with_everything_it_started() {
    let (_config, store) = forking_store();
    let pid_file = helpers().join("forking.pid");
    let _ = fs::remove_file(&pid_file);
    // The helper may run a minute, but the caller's deadline is in three seconds (time
    // enough for a loaded machine to start it and its grandchild).
    let store = store
        .helper_timeout(Duration::from_secs(60))
        .deadline_at(Instant::now() + Duration::from_secs(3));
    let err = within_hang_bound(move || store.docker_hub_credentials().unwrap_err());
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    let message = err.to_string();
    assert!(
        message.contains("`forking` did not answer within"),
        "{message}"
    );
    assert!(!message.contains("within 60s"), "{message}");
    // The grandchild (a `sleep 300` holding the helper's output open) went with the helper.
    let pid: i32 = fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    #[cfg(target_os = "linux")]
    assert!(
        exits_within_hang_bound(pid),
        "grandchild {pid} outlived the lookup"
    );
    let _ = pid;
}

#[test]
fn a_deadline_already_passed_runs_no_helper() {
    let config = with_helper("credsStore", "evil");
    let store = config.store().deadline_at(Instant::now());
    let err = store.docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    assert!(err.to_string().contains("was not run"), "{err}");
    assert!(!helpers().join("evil-ran").exists(), "the helper was run");
    // Without a helper to run, the deadline does not matter: `auths` is read.
    let auths = ConfigDir::with_json(json!({ "auths": { HUB: { "auth": base64("alice:pat") } } }));
    let store = auths.store().deadline_at(Instant::now());
    assert_eq!(found(&store).unwrap().username(), Some("alice"));
}
