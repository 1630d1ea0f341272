//! Docker's stored credentials in config files: every shape, and where the config comes
//! from (`DOCKER_AUTH_CONFIG`, `DOCKER_CONFIG`, `HOME`).
//!
//! Nothing here reads the real `~/.docker` or mutates the process environment: each test
//! builds its store from a temporary directory, or from variables it passes in.

use std::fs;

use crate::support::{CANARY, docker::*};
use dockerhub_auth::{CredentialSource, DockerCredentialStore, ErrorKind};
use serde_json::{Value, json};
use tempfile::TempDir;

// ---- config files -------------------------------------------------------------------------

#[test]
fn auth_in_auths_gives_username_secret_and_the_file_as_source() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: { "auth": base64(&format!("alice:{CANARY}")) } }
    }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(stored.username(), Some("alice"));
    assert_eq!(secret(&stored), CANARY);
    assert!(!stored.is_identity_token());
    assert_eq!(
        stored.source(),
        &CredentialSource::ConfigFile(config.config_file())
    );
    assert_eq!(
        stored.source().to_string(),
        format!("`auths` in {}", config.config_file().display())
    );
    assert_no_canary(&[format!("{stored:?}"), format!("{:?}", config.store())]);
}

#[test]
fn username_and_password_in_auths_are_used_without_auth() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: { "username": "alice", "password": CANARY } }
    }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(
        (stored.username(), secret(&stored)),
        (Some("alice"), CANARY)
    );
}

#[test]
fn auth_wins_over_username_and_password_as_docker_reads_it() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: {
            "auth": base64("alice:from-auth"),
            "username": "bob",
            "password": "from-fields",
        } }
    }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(
        (stored.username(), secret(&stored)),
        (Some("alice"), "from-auth")
    );
}

#[test]
fn every_spelling_of_docker_hubs_key_is_found() {
    for key in [
        "https://index.docker.io/v1/",
        "https://index.docker.io/v1",
        "https://index.docker.io/",
        "index.docker.io",
        "index.docker.io/v1/",
        "docker.io",
        "https://docker.io/v1/",
        "registry-1.docker.io",
        "https://registry-1.docker.io",
        "http://index.docker.io/v1/",
    ] {
        let config =
            ConfigDir::with_json(json!({ "auths": { key: { "auth": base64("alice:pat") } } }));
        let stored = found(&config.store());
        assert_eq!(
            stored.as_ref().and_then(|s| s.username()),
            Some("alice"),
            "{key}"
        );
    }
}

#[test]
fn the_canonical_key_wins_over_other_spellings() {
    let config = ConfigDir::with_json(json!({ "auths": {
        "docker.io": { "auth": base64("bob:other") },
        "registry-1.docker.io": { "auth": base64("carol:other") },
        HUB: { "auth": base64("alice:canonical") },
    } }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(
        (stored.username(), secret(&stored)),
        (Some("alice"), "canonical")
    );
}

#[test]
fn an_empty_canonical_entry_falls_through_to_another_spelling() {
    let config = ConfigDir::with_json(json!({ "auths": {
        HUB: {},
        "docker.io": { "auth": base64("alice:pat") },
    } }));
    assert_eq!(found(&config.store()).unwrap().username(), Some("alice"));
}

#[test]
fn other_registries_only_is_none() {
    let config = ConfigDir::with_json(json!({ "auths": {
        "quay.io": { "auth": base64("alice:pat") },
        "ghcr.io": { "username": "alice", "password": "pat" },
        "https://index.docker.io/v2/": { "auth": base64("alice:pat") },
    } }));
    assert!(found(&config.store()).is_none());
}

#[test]
fn empty_configs_of_every_shape_are_none() {
    for text in [
        "",
        "{}",
        r#"{"auths": {}}"#,
        r#"{"auths": null}"#,
        r#"{"auths": {"https://index.docker.io/v1/": {}}}"#,
        r#"{"auths": {"https://index.docker.io/v1/": {"auth": ""}}}"#,
        r#"{"auths": {"https://index.docker.io/v1/": {"username": "alice"}}}"#,
        r#"{"credsStore": "", "credHelpers": {}}"#,
        r#"{"psFormat": "table", "experimental": "enabled"}"#,
    ] {
        let config = ConfigDir::with_text(text);
        assert!(found(&config.store()).is_none(), "{text}");
    }
}

#[test]
fn no_config_file_or_no_directory_is_none() {
    let config = ConfigDir::new();
    assert!(found(&config.store()).is_none());
    let store = DockerCredentialStore::from_config_dir(config.path().join("does-not-exist"));
    assert!(found(&store).is_none());
}

#[test]
fn malformed_json_is_an_error_naming_the_file_and_quoting_nothing() {
    for text in [
        format!(r#"{{"auths": {{"{HUB}": {{"auth": "{CANARY}""#),
        format!(r#"{{"auths": "{CANARY}"}}"#),
        format!(r#"{{"auths": {{"{HUB}": {{"password": ["{CANARY}"]}}}}}}"#),
        format!("[\"{CANARY}\"]"),
        "not json".to_owned(),
    ] {
        let config = ConfigDir::with_text(&text);
        let err = config.store().docker_hub_credentials().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialStore, "{text}");
        let message = err.to_string();
        assert!(
            message.contains(&config.config_file().display().to_string()),
            "{message}"
        );
        assert_no_canary(&[message, format!("{err:?}")]);
    }
}

#[test]
fn a_wrong_base64_auth_is_an_error_that_names_the_key_not_the_value() {
    for auth in [
        format!("{CANARY}!!"),
        base64(&format!("alice{CANARY}")), // no colon
        base64(&format!(":{CANARY}")),     // no username
    ] {
        let config = ConfigDir::with_json(json!({ "auths": { HUB: { "auth": auth } } }));
        let err = config.store().docker_hub_credentials().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CredentialStore);
        let message = err.to_string();
        assert!(
            message.contains("`auth`") && message.contains(HUB),
            "{message}"
        );
        assert!(!message.contains(&auth), "{message}");
        assert_no_canary(&[message, format!("{err:?}")]);
    }
}

#[test]
fn a_config_path_that_is_a_directory_is_an_error() {
    let config = ConfigDir::new();
    fs::create_dir(config.config_file()).unwrap();
    let err = config.store().docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
}

#[test]
fn an_identity_token_alone_is_found_but_docker_hubs_api_refuses_it() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: { "auth": base64("alice:"), "identitytoken": CANARY } }
    }));
    let stored = found(&config.store()).unwrap();
    assert!(stored.is_identity_token());
    assert!(stored.secret().is_none());
    assert_eq!(stored.username(), Some("alice"));
    let credentials = stored.clone().into_credentials();
    assert!(format!("{credentials:?}").contains("IdentityToken"));
    let err = session_refusal(credentials);
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("identity token"), "{message}");
    assert!(message.contains("personal access token"), "{message}");
    assert!(message.contains(&stored.source().to_string()), "{message}");
    assert_no_canary(&[message, format!("{err:?}"), format!("{stored:?}")]);
}

#[test]
fn a_password_wins_over_an_identity_token() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: { "auth": base64("alice:pat"), "identitytoken": "refresh" } }
    }));
    let stored = found(&config.store()).unwrap();
    assert!(!stored.is_identity_token());
    assert_eq!(secret(&stored), "pat");
}

#[test]
fn stored_credentials_become_secret_credentials() {
    let config = ConfigDir::with_json(
        json!({ "auths": { HUB: { "auth": base64(&format!("alice:{CANARY}")) } } }),
    );
    let credentials = found(&config.store()).unwrap().into_credentials();
    let debug = format!("{credentials:?}");
    assert!(
        debug.contains("Secret") && debug.contains("alice"),
        "{debug}"
    );
    assert_no_canary(&[debug]);
}

#[test]
fn a_zero_helper_timeout_is_invalid_input() {
    let config = ConfigDir::with_json(json!({}));
    let err = config
        .store()
        .helper_timeout(std::time::Duration::ZERO)
        .docker_hub_credentials()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

// ---- where the config comes from -----------------------------------------------------------

/// A home directory with `.docker/config.json` holding `config`.
fn home_with(config: Value) -> TempDir {
    let home = TempDir::new().unwrap();
    fs::create_dir(home.path().join(".docker")).unwrap();
    fs::write(home.path().join(".docker/config.json"), config.to_string()).unwrap();
    home
}

#[test]
fn docker_auth_config_is_used_instead_of_the_files() {
    let docker_config = ConfigDir::with_json(auths_for("from-docker-config"));
    let home = home_with(auths_for("from-home"));
    let store = store_from(&[
        (
            "DOCKER_AUTH_CONFIG",
            &auths_for("from-variable").to_string().into(),
        ),
        ("DOCKER_CONFIG", &docker_config.path().into()),
        ("HOME", &home.path().into()),
    ]);
    assert_eq!(store.to_string(), "DOCKER_AUTH_CONFIG");
    let stored = found(&store).unwrap();
    assert_eq!(stored.username(), Some("from-variable"));
    assert_eq!(stored.source(), &CredentialSource::AuthConfigVariable);
    assert_eq!(stored.source().to_string(), "DOCKER_AUTH_CONFIG");

    // Set, but with nothing for Docker Hub: the files are still not read.
    let store = store_from(&[
        (
            "DOCKER_AUTH_CONFIG",
            &json!({ "auths": {} }).to_string().into(),
        ),
        ("HOME", &home.path().into()),
    ]);
    assert!(found(&store).is_none());
}

#[test]
fn docker_config_is_used_instead_of_home() {
    let docker_config = ConfigDir::with_json(auths_for("from-docker-config"));
    let home = home_with(auths_for("from-home"));
    let store = store_from(&[
        ("DOCKER_CONFIG", &docker_config.path().into()),
        ("HOME", &home.path().into()),
    ]);
    assert_eq!(
        store.to_string(),
        docker_config.config_file().display().to_string()
    );
    assert_eq!(
        found(&store).unwrap().username(),
        Some("from-docker-config")
    );
}

#[test]
fn home_docker_config_json_is_the_fallback() {
    let home = home_with(auths_for("from-home"));
    let store = store_from(&[("DOCKER_CONFIG", &"".into()), ("HOME", &home.path().into())]);
    let stored = found(&store).unwrap();
    assert_eq!(stored.username(), Some("from-home"));
    assert_eq!(
        stored.source(),
        &CredentialSource::ConfigFile(home.path().join(".docker/config.json"))
    );
}

#[test]
fn no_variables_at_all_is_none() {
    assert!(found(&store_from(&[])).is_none());
}

#[test]
fn malformed_docker_auth_config_is_an_error_naming_the_variable() {
    let store = store_from(&[(
        "DOCKER_AUTH_CONFIG",
        &format!("{{\"auths\": \"{CANARY}").into(),
    )]);
    let err = store.docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore);
    assert!(err.to_string().contains("DOCKER_AUTH_CONFIG"), "{err}");
    assert_no_canary(&[err.to_string(), format!("{err:?}"), format!("{store:?}")]);
}

#[test]
fn json_given_to_the_store_reads_like_docker_auth_config() {
    let store = DockerCredentialStore::from_json(auths_for("alice").to_string());
    assert_eq!(
        found(&store).unwrap().source(),
        &CredentialSource::AuthConfigVariable
    );
}

#[test]
fn outside_a_runtime_the_async_lookup_is_a_runtime_error_not_a_panic() {
    let config = ConfigDir::with_json(auths_for("alice"));
    let store = config.store();
    let err = futures_util::FutureExt::now_or_never(store.docker_hub_credentials_async())
        .expect("fails at once")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Runtime);
}

#[tokio::test]
async fn the_async_lookup_gives_the_same_answer() {
    let config = ConfigDir::with_json(auths_for("alice"));
    let stored = config.store().docker_hub_credentials_async().await.unwrap();
    assert_eq!(stored.unwrap().username(), Some("alice"));
}
