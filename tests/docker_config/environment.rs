//! `CredentialLookup`: credentials from the environment, found as the command line finds
//! them: every pair of sources in the order of the precedence table, what is refused before
//! any request, and what is said when nothing is found.

use std::{ffi::OsString, time::Duration};

use crate::support::{
    CANARY,
    docker::{ConfigDir, HUB, auths_for, base64, helpers},
    oidc::{CONNECTION, OTHER_CONNECTION},
};
use dockerhub_auth::{CredentialLookup, CredentialOrigin, CredentialSource, ErrorKind};
use serde_json::json;

/// A lookup of exactly `vars`, with Docker's store in `config` (helpers from the scripts).
fn lookup(vars: &[(&str, &str)], config: &ConfigDir) -> CredentialLookup {
    let vars: Vec<(String, OsString)> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), OsString::from(value)))
        .collect();
    CredentialLookup::from_vars(move |name| {
        vars.iter()
            .find(|(var, _)| var == name)
            .map(|(_, value)| value.clone())
    })
    .docker_store(config.store().search_path(helpers()))
}

const TOKEN: (&str, &str) = ("DOCKERHUB_TOKEN", "dckr_oat_from_env");
const OIDC: (&str, &str) = ("DOCKERHUB_OIDC_CONNECTIONID", OTHER_CONNECTION);
const ID_TOKEN: (&str, &str) = ("DOCKERHUB_OIDC_ID_TOKEN", "eyJ.given.id-token");
const ORG: (&str, &str) = ("DOCKERHUB_USERNAME", "acme");

fn origin(lookup: CredentialLookup) -> CredentialOrigin {
    lookup.find().unwrap().origin().cloned().unwrap()
}

fn oidc_origin(connection: &str) -> CredentialOrigin {
    CredentialOrigin::OidcConnection {
        connection_id: connection.to_owned(),
        id_token: "DOCKERHUB_OIDC_ID_TOKEN".to_owned(),
    }
}

#[test]
fn each_source_wins_over_every_source_after_it() {
    let stored = ConfigDir::with_json(auths_for("acme"));
    let empty = ConfigDir::new();
    // A connection given to the lookup, over DOCKERHUB_TOKEN, DOCKERHUB_OIDC_CONNECTIONID and
    // Docker's store.
    for vars in [
        &[ORG, TOKEN, ID_TOKEN][..],
        &[ORG, OIDC, ID_TOKEN],
        &[ORG, ID_TOKEN],
    ] {
        let given = lookup(vars, &stored).oidc_connection(CONNECTION);
        assert_eq!(origin(given), oidc_origin(CONNECTION), "{vars:?}");
    }
    // DOCKERHUB_TOKEN over DOCKERHUB_OIDC_CONNECTIONID and Docker's store.
    for vars in [&[ORG, TOKEN, OIDC, ID_TOKEN][..], &[ORG, TOKEN]] {
        assert_eq!(
            origin(lookup(vars, &stored)),
            CredentialOrigin::TokenVariable,
            "{vars:?}"
        );
    }
    // DOCKERHUB_OIDC_CONNECTIONID over Docker's store.
    assert_eq!(
        origin(lookup(&[ORG, OIDC, ID_TOKEN], &stored)),
        oidc_origin(OTHER_CONNECTION)
    );
    // Docker's store last.
    assert_eq!(
        origin(lookup(&[], &stored)),
        CredentialOrigin::DockerStore(CredentialSource::ConfigFile(stored.config_file()))
    );
    assert!(lookup(&[], &empty).find().unwrap().credentials().is_none());
}

#[test]
fn the_credentials_found_are_the_sources() {
    let empty = ConfigDir::new();
    let token = lookup(&[ORG, TOKEN], &empty).find().unwrap();
    let credentials = token.credentials().unwrap();
    assert_eq!(credentials.identifier(), Some("acme"));
    assert!(!credentials.is_workload_identity());
    let oidc = lookup(&[ORG, OIDC, ID_TOKEN], &empty).find().unwrap();
    let credentials = oidc.into_credentials().unwrap();
    assert!(credentials.is_workload_identity());
    assert_eq!(credentials.identifier(), Some("acme"));
    // The username given wins over DOCKERHUB_USERNAME.
    let given = lookup(&[ORG, TOKEN], &empty)
        .username("other-org")
        .find()
        .unwrap();
    assert_eq!(given.credentials().unwrap().identifier(), Some("other-org"));
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let empty = ConfigDir::new();
    let outcome = lookup(&[ORG, ("DOCKERHUB_TOKEN", ""), OIDC, ID_TOKEN], &empty)
        .find()
        .unwrap();
    assert_eq!(outcome.origin(), Some(&oidc_origin(OTHER_CONNECTION)));
}

#[test]
fn a_source_that_comes_first_but_cannot_be_used_is_refused_before_any_request() {
    let empty = ConfigDir::new();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[TOKEN], "DOCKERHUB_USERNAME"),
        (&[OIDC, ID_TOKEN], "organization"),
        (&[ORG, OIDC], "permissions: id-token: write"),
        (
            &[ORG, ("DOCKERHUB_OIDC_CONNECTIONID", "not-a-uuid"), ID_TOKEN],
            "UUID",
        ),
        (
            &[ORG, OIDC, ID_TOKEN, ("DOCKERHUB_OIDC_EXPIREIN", "soon")],
            "DOCKERHUB_OIDC_EXPIREIN",
        ),
        (
            &[ORG, OIDC, ID_TOKEN, ("DOCKERHUB_OIDC_EXPIREIN", "5000")],
            "3600",
        ),
    ];
    for (vars, said) in cases {
        let error = lookup(vars, &empty).find().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{vars:?}: {error}");
        assert!(error.to_string().contains(said), "{vars:?}: {error}");
    }
    let out_of_range = lookup(&[ORG, OIDC, ID_TOKEN], &empty)
        .oidc_expires_in(Duration::from_secs(100))
        .find()
        .unwrap_err();
    assert_eq!(out_of_range.kind(), ErrorKind::InvalidInput);
    let insecure = lookup(&[ORG, OIDC, ID_TOKEN], &empty)
        .identity_url("http://identity.example.com")
        .find()
        .unwrap_err();
    assert_eq!(insecure.kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_password_login_refuses_oidc_credentials_and_takes_secrets_as_passwords() {
    let empty = ConfigDir::new();
    let error = lookup(&[ORG, OIDC, ID_TOKEN], &empty)
        .password_login(true)
        .find()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("password"), "{error}");
    // DOCKERHUB_TOKEN comes first, and is a password there.
    let outcome = lookup(&[ORG, TOKEN, OIDC, ID_TOKEN], &empty)
        .password_login(true)
        .find()
        .unwrap();
    assert_eq!(outcome.origin(), Some(&CredentialOrigin::TokenVariable));
    assert!(format!("{:?}", outcome.credentials().unwrap()).contains("Password"));
}

#[test]
fn nothing_found_lists_every_source_looked_at() {
    let config = ConfigDir::new();
    let outcome = lookup(&[], &config).find().unwrap();
    assert!(outcome.credentials().is_none());
    let looked_at = outcome.looked_at().join("; ");
    for source in [
        "DOCKERHUB_TOKEN",
        "DOCKERHUB_OIDC_CONNECTIONID",
        "Docker's stored credentials",
    ] {
        assert!(looked_at.contains(source), "{source}: {looked_at}");
    }
    let skipped = lookup(&[], &ConfigDir::with_json(auths_for("acme")))
        .docker_config(false)
        .find()
        .unwrap();
    assert!(skipped.credentials().is_none());
    assert!(skipped.to_string().contains("(skipped)"), "{skipped}");
}

#[test]
fn stored_credentials_of_another_user_or_only_an_identity_token_are_not_used_for_docker_hub() {
    let stored = ConfigDir::with_json(auths_for("alice"));
    let other = lookup(&[("DOCKERHUB_USERNAME", "bob")], &stored)
        .find()
        .unwrap();
    assert!(other.credentials().is_none());
    assert!(
        other
            .unusable_stored()
            .unwrap()
            .contains("for alice, not bob")
    );
    assert_eq!(other.unusable_stored_username(), Some("alice"));

    let identity = ConfigDir::with_json(json!({ "auths": { HUB: { "identitytoken": CANARY } } }));
    let hub = lookup(&[], &identity).find().unwrap();
    assert!(hub.credentials().is_none());
    assert!(hub.unusable_stored().unwrap().contains("identity token"));
    // A registry's token service takes it.
    let registry = lookup(&[], &identity)
        .registry("https://registry-1.docker.io")
        .find()
        .unwrap();
    assert!(registry.credentials().is_some());
    assert!(!format!("{registry:?} {registry}").contains(CANARY));
}

#[test]
fn for_another_registry_only_its_own_stored_credentials_are_used() {
    let config = ConfigDir::with_json(json!({ "auths": {
        HUB: { "auth": base64("alice:hub-secret") },
        "127.0.0.1:5000": { "auth": base64("bob:registry-secret") },
    } }));
    let found = lookup(&[], &config)
        .registry("http://127.0.0.1:5000")
        .find()
        .unwrap();
    assert_eq!(found.credentials().unwrap().identifier(), Some("bob"));
    let none = lookup(&[], &config)
        .registry("http://127.0.0.1:5001")
        .find()
        .unwrap();
    assert!(none.credentials().is_none());
    assert!(
        none.to_string().contains("registry http://127.0.0.1:5001"),
        "{none}"
    );
    // Credentials given explicitly go where they are pointed.
    let token = lookup(&[ORG, TOKEN], &config)
        .registry("http://127.0.0.1:5001")
        .find()
        .unwrap();
    assert_eq!(token.origin(), Some(&CredentialOrigin::TokenVariable));
}

#[test]
fn origins_read_as_phrases_and_nothing_shows_a_secret() {
    assert_eq!(
        CredentialOrigin::TokenVariable.to_string(),
        "DOCKERHUB_TOKEN"
    );
    assert_eq!(
        oidc_origin(CONNECTION).to_string(),
        "OIDC connection 867f…, DOCKERHUB_OIDC_ID_TOKEN"
    );
    let empty = ConfigDir::new();
    let lookup = lookup(&[ORG, ("DOCKERHUB_TOKEN", CANARY)], &empty);
    let outcome = lookup.find().unwrap();
    for text in [
        format!("{lookup:?}"),
        format!("{outcome:?}"),
        outcome.to_string(),
    ] {
        assert!(!text.contains(CANARY), "{text}");
    }
}
