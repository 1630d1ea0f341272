//! Credential helpers as small scripts that find, miss, fail, hang, or print garbage or
//! megabytes; what wins between `credHelpers`, `credsStore` and `auths`; helper names that
//! are paths.
//!
//! Unix only: the helpers are `#!/bin/sh` scripts (see `support/docker.rs`).

use std::{
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use crate::support::{CANARY, docker::*};
use dockerhub_auth::{CredentialSource, ErrorKind};
use serde_json::json;
use tempfile::TempDir;

#[test]
fn creds_store_helper_gives_username_secret_and_its_name_as_source() {
    let config = with_helper("credsStore", "found");
    let stored = found(&config.store()).unwrap();
    assert_eq!(
        (stored.username(), secret(&stored)),
        (Some("alice"), CANARY)
    );
    assert_eq!(
        stored.source(),
        &CredentialSource::Helper("found".to_owned())
    );
    assert_eq!(
        stored.source().to_string(),
        "docker credential helper `found`"
    );
    assert_no_canary(&[format!("{stored:?}")]);
}

#[test]
fn cred_helpers_for_docker_hub_win_over_creds_store_and_auths() {
    let config = ConfigDir::with_json(json!({
        "credHelpers": { "docker.io": "found", "quay.io": "failing" },
        "credsStore": "failing",
        "auths": { HUB: { "auth": base64("carol:from-auths") } },
    }));
    assert_eq!(found(&config.store()).unwrap().username(), Some("alice"));
}

#[test]
fn cred_helpers_for_other_registries_leave_creds_store_in_charge() {
    let config = ConfigDir::with_json(json!({
        "credHelpers": { "quay.io": "failing", "ghcr.io": "" },
        "credsStore": "other-user",
    }));
    assert_eq!(found(&config.store()).unwrap().username(), Some("bob"));
}

#[test]
fn a_helper_that_says_not_found_means_none_and_auths_are_not_read() {
    for helper in ["notfound", "empty"] {
        let config = ConfigDir::with_json(json!({
            "credsStore": helper,
            "auths": { HUB: { "auth": base64("carol:stale") } },
        }));
        assert!(found(&config.store()).is_none(), "{helper}");
    }
}

#[test]
fn a_helper_holding_hub_under_another_spelling_is_asked_for_it_too() {
    let config =
        ConfigDir::with_json(json!({ "credsStore": "spelled", "auths": { "docker.io": {} } }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(secret(&stored), "pat-under-docker-io");
}

#[test]
fn an_identity_token_from_a_helper_is_reported_as_one() {
    let stored = found(&with_helper("credsStore", "identity").store()).unwrap();
    assert!(stored.is_identity_token());
    assert_eq!(stored.username(), None);
    let err = session_refusal(stored.clone().into_credentials());
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string()
            .contains("docker credential helper `identity`"),
        "{err}"
    );
    assert_no_canary(&[err.to_string(), format!("{stored:?}")]);
}

/// Returns the error of a lookup through `helper`, checking it is a store error that names
/// the helper and shows no secret.
fn helper_error(helper: &str) -> String {
    helper_error_within(helper, Duration::from_millis(500))
}

/// [`helper_error`], with a helper timeout of `timeout`.
fn helper_error_within(helper: &str, timeout: Duration) -> String {
    let config = with_helper("credsStore", helper);
    let store = config.store().helper_timeout(timeout);
    let err = store.docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore, "{err}");
    let message = err.to_string();
    assert!(message.contains(&format!("`{helper}`")), "{message}");
    assert_no_canary(&[message.clone(), format!("{err:?}")]);
    message
}

#[test]
fn a_missing_helper_is_an_error_that_names_it() {
    let message = helper_error("nothere");
    assert!(message.contains("docker-credential-nothere"), "{message}");
}

#[test]
fn a_helper_file_that_is_not_executable_is_missing() {
    let message = helper_error("noexec");
    assert!(message.contains("not installed"), "{message}");
}

#[test]
fn a_failing_helper_is_named_with_its_status_and_never_quoted() {
    for helper in ["failing", "failing-stdout", "refusing", "refusing-stdout"] {
        let message = helper_error(helper);
        for expected in [
            format!("docker credential helper `{helper}` failed (exit status: 1)"),
            format!("run `docker-credential-{helper} get` by hand"),
        ] {
            assert!(message.contains(&expected), "{message}");
        }
        // Nothing it printed, on either stream: not the secret, not the words around it.
        for printed in [
            PLAIN_SECRET,
            "keychain",
            "cannot unlock",
            "second line",
            "pass not initialized",
        ] {
            assert!(!message.contains(printed), "{printed:?} in {message}");
        }
    }
    let err = with_helper("credsStore", "refusing")
        .store()
        .docker_hub_credentials()
        .unwrap_err();
    assert!(!format!("{err:?}").contains(PLAIN_SECRET), "{err:?}");
}

#[test]
fn a_helper_printing_garbage_is_an_error() {
    let message = helper_error("garbage");
    assert!(message.contains("not the credentials JSON"), "{message}");
    let message = helper_error("no-username");
    assert!(message.contains("no username"), "{message}");
}

#[test]
fn a_helper_printing_megabytes_is_stopped_at_the_cap() {
    // The cap, not the clock, stops it: with a minute to run (a loaded machine may take a
    // while to start the script), it is stopped once it has printed 64 KiB.
    for helper in ["megabytes", "megabytes-stderr"] {
        let message = helper_error_within(helper, Duration::from_secs(60));
        assert!(message.contains("more than 64 KiB"), "{message}");
    }
}

#[test]
fn a_hanging_helper_is_stopped_and_reaped() {
    // Two seconds: time enough for a loaded machine to start the script and let it write
    // its pid, which half a second was not always.
    let message = helper_error_within("hanging", Duration::from_secs(2));
    assert!(message.contains("did not answer within 2s"), "{message}");
    // The helper wrote its pid before exec'ing `sleep`; once the lookup returns, the process
    // is gone: killed, and waited for (a zombie would still be listed in /proc).
    let pid = fs::read_to_string(helpers().join("hanging.pid")).unwrap();
    let proc_entry = Path::new("/proc").join(pid.trim());
    if Path::new("/proc/self").exists() {
        assert!(!proc_entry.exists(), "helper {} is still there", pid.trim());
    }
}

#[test]
fn a_helper_name_that_is_not_a_plain_name_is_refused_and_never_run() {
    // `docker-credential-x/../evil` would resolve to the `evil` script if it were joined
    // onto the search path.
    fs::create_dir_all(helpers().join("docker-credential-x")).unwrap();
    for name in [
        "x/../docker-credential-evil",
        "../docker_config_helpers/docker-credential-evil",
        "..",
    ] {
        for key in ["credsStore", "credHelpers"] {
            let config = if key == "credsStore" {
                with_helper(key, name)
            } else {
                ConfigDir::with_json(json!({ "credHelpers": { HUB: name } }))
            };
            let err = config.store().docker_hub_credentials().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::CredentialStore);
            assert!(err.to_string().contains("refused"), "{err}");
        }
    }
    assert!(
        !helpers().join("evil-ran").exists(),
        "a helper given by path was run"
    );
}

#[test]
fn helpers_are_searched_for_only_in_the_given_path() {
    let config = with_helper("credsStore", "found");
    let elsewhere = TempDir::new().unwrap();
    let err = config
        .store()
        .search_path(elsewhere.path())
        .docker_hub_credentials()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    let path = std::env::join_paths([elsewhere.path(), helpers()]).unwrap();
    assert!(found(&config.store().search_path(path)).is_some());
}

#[test]
fn a_helper_in_a_relative_path_entry_is_never_run() {
    // The helpers' directory, spelled relative to the current directory: `../../…`.
    let cwd = std::env::current_dir().unwrap();
    let up: PathBuf = cwd.components().skip(1).map(|_| "..").collect();
    let relative = up.join(helpers().strip_prefix("/").unwrap());
    assert!(relative.is_relative());
    assert!(
        relative.join("docker-credential-found").exists(),
        "it resolves from here"
    );

    let config = with_helper("credsStore", "found");
    let path = std::env::join_paths([relative.as_path(), Path::new("."), Path::new("")]).unwrap();
    let err = config
        .store()
        .search_path(&path)
        .docker_hub_credentials()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    let message = err.to_string();
    assert!(message.contains("`found` is not installed"), "{message}");
    assert!(
        message.contains("relative PATH entries are not searched"),
        "{message}"
    );
    // The same directory, spelled absolute, is searched.
    let path = std::env::join_paths([relative.as_path(), helpers()]).unwrap();
    assert!(found(&config.store().search_path(path)).is_some());
}

#[test]
fn a_helper_named_in_docker_auth_config_is_run_too() {
    let store = store_from(&[
        (
            "DOCKER_AUTH_CONFIG",
            &json!({ "credsStore": "found" }).to_string().into(),
        ),
        ("PATH", &helpers().into()),
    ]);
    assert_eq!(
        found(&store).unwrap().source().to_string(),
        "docker credential helper `found`"
    );
}

#[test]
fn the_helper_for_docker_hub_is_named_without_running_it() {
    let config = ConfigDir::with_json(json!({
        "credHelpers": { "quay.io": "failing", "index.docker.io": "hanging" },
        "credsStore": "found",
    }));
    // `hanging` would take the whole timeout if it were run.
    assert_eq!(
        config.store().docker_hub_helper().unwrap().as_deref(),
        Some("hanging")
    );
    let config = with_helper("credsStore", "found");
    assert_eq!(
        config.store().docker_hub_helper().unwrap().as_deref(),
        Some("found")
    );
    assert_eq!(
        ConfigDir::with_json(auths_for("alice"))
            .store()
            .docker_hub_helper()
            .unwrap(),
        None
    );
}
