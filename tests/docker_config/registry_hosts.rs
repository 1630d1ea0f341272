//! Docker's stored credentials for a registry, by its host: Docker Hub's entry only for
//! Docker Hub's registry, any other registry's from its own `credHelpers`, `credsStore` or
//! `auths` entry, as docker looks them up.

use crate::support::{
    CANARY,
    docker::{ConfigDir, HUB, auths_for, base64, secret},
};
use dockerhub_auth::{CredentialSource, ErrorKind};
use serde_json::json;

#[test]
fn docker_hubs_entry_serves_docker_hubs_registry_under_every_spelling() {
    let config = ConfigDir::with_json(auths_for("alice"));
    for registry in [
        "https://registry-1.docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
        "docker.io",
        "registry.hub.docker.com",
    ] {
        let stored = config.store().registry_credentials(registry).unwrap();
        let stored = stored.unwrap_or_else(|| panic!("nothing for {registry}"));
        assert_eq!(stored.username(), Some("alice"), "{registry}");
    }
}

#[test]
fn docker_hubs_entry_is_never_the_answer_for_another_registry() {
    let config = ConfigDir::with_json(auths_for("alice"));
    for registry in [
        "http://127.0.0.1:5000",
        "127.0.0.1:5000",
        "https://ghcr.io",
        "https://mirror.example.com",
        "registry-1.docker.io.example.com",
    ] {
        assert!(
            config
                .store()
                .registry_credentials(registry)
                .unwrap()
                .is_none(),
            "{registry} got Docker Hub's credentials"
        );
    }
}

#[test]
fn another_registrys_auths_entry_is_found_by_its_host_with_or_without_a_scheme() {
    for key in [
        "127.0.0.1:5000",
        "http://127.0.0.1:5000",
        "https://127.0.0.1:5000/v2/",
    ] {
        let config = ConfigDir::with_json(json!({ "auths": {
            HUB: { "auth": base64("alice:hub-secret") },
            key: { "auth": base64(&format!("bob:{CANARY}")) },
        } }));
        let stored = config
            .store()
            .registry_credentials("http://127.0.0.1:5000")
            .unwrap()
            .unwrap_or_else(|| panic!("nothing under {key}"));
        assert_eq!(stored.username(), Some("bob"), "{key}");
        assert_eq!(secret(&stored), CANARY);
        assert_eq!(
            stored.source(),
            &CredentialSource::ConfigFile(config.config_file())
        );
        // Another port is another registry.
        assert!(
            config
                .store()
                .registry_credentials("127.0.0.1:5001")
                .unwrap()
                .is_none()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_registrys_helper_is_asked_for_its_host() {
    for config in [
        json!({ "credHelpers": { "registry.example:5000": "by-host" } }),
        json!({ "credHelpers": { "https://registry.example:5000": "by-host" } }),
        json!({ "credsStore": "by-host" }),
    ] {
        let config = ConfigDir::with_json(config);
        let store = config.store();
        let stored = store
            .registry_credentials("https://registry.example:5000")
            .unwrap()
            .unwrap();
        assert_eq!(stored.username(), Some("host-user"));
        assert_eq!(secret(&stored), "host-secret");
        assert_eq!(
            stored.source(),
            &CredentialSource::Helper("by-host".to_owned())
        );
        assert_eq!(
            store
                .registry_helper("registry.example:5000")
                .unwrap()
                .as_deref(),
            Some("by-host")
        );
    }
}

#[cfg(unix)]
#[test]
fn docker_hubs_helper_is_not_asked_for_another_registry() {
    // `other-user` answers for every server: only the key decides.
    let config = ConfigDir::with_json(json!({ "credHelpers": { "docker.io": "other-user" } }));
    let store = config.store();
    assert!(
        store
            .registry_credentials("http://127.0.0.1:5000")
            .unwrap()
            .is_none()
    );
    assert_eq!(store.registry_helper("127.0.0.1:5000").unwrap(), None);
    let hub = store
        .registry_credentials("registry-1.docker.io")
        .unwrap()
        .unwrap();
    assert_eq!(hub.username(), Some("bob"));
}

#[test]
fn a_registry_without_a_host_is_invalid_input() {
    let config = ConfigDir::with_json(auths_for("alice"));
    for registry in ["", "https://"] {
        let error = config.store().registry_credentials(registry).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{registry:?}");
    }
}
