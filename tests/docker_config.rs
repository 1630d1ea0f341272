//! Docker's stored credentials: every config shape, the lookup order, and credential helpers
//! as small scripts that find, miss, fail, hang, or print garbage or megabytes.
//!
//! Nothing here reads the real `~/.docker` or mutates the process environment: each test
//! builds its store from a temporary directory (or from variables it passes in), and helpers
//! are searched for only in a directory of scripts written by this file.

use std::{
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
};

use base64::Engine as _;
use dockerhub_auth::{
    CredentialSource, DockerCredentialStore, ErrorKind, ExposeSecret, StoredCredentials,
};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A secret no message, `Debug` or `Display` may ever contain.
const CANARY: &str = "dckr_pat_CANARY_must_not_print";

/// Docker Hub's key as `docker login` writes it.
const HUB: &str = "https://index.docker.io/v1/";

fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A temporary directory holding a `config.json`.
struct ConfigDir {
    dir: TempDir,
}

impl ConfigDir {
    fn new() -> Self {
        ConfigDir {
            dir: TempDir::new().unwrap(),
        }
    }

    fn with_text(text: &str) -> Self {
        let config = ConfigDir::new();
        fs::write(config.path().join("config.json"), text).unwrap();
        config
    }

    fn with_json(json: Value) -> Self {
        ConfigDir::with_text(&json.to_string())
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config_file(&self) -> PathBuf {
        self.path().join("config.json")
    }

    /// The store of this directory, with helpers searched for only in [`helpers`].
    fn store(&self) -> DockerCredentialStore {
        DockerCredentialStore::from_config_dir(self.path()).search_path(helpers())
    }
}

/// Returns the credentials found, panicking on an error.
fn found(store: &DockerCredentialStore) -> Option<StoredCredentials> {
    store.docker_hub_credentials().unwrap()
}

/// Asserts that nothing printed about `value` shows the canary.
fn assert_no_canary(texts: &[String]) {
    for text in texts {
        assert!(!text.contains(CANARY), "secret leaked: {text}");
        assert!(
            !text.contains(&base64(&format!("alice:{CANARY}"))),
            "auth leaked: {text}"
        );
    }
}

fn secret(stored: &StoredCredentials) -> &str {
    stored.secret().unwrap().expose_secret()
}

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
fn an_identity_token_alone_is_found_but_cannot_become_credentials() {
    let config = ConfigDir::with_json(json!({
        "auths": { HUB: { "auth": base64("alice:"), "identitytoken": CANARY } }
    }));
    let stored = found(&config.store()).unwrap();
    assert!(stored.is_identity_token());
    assert!(stored.secret().is_none());
    assert_eq!(stored.username(), Some("alice"));
    let err = stored.clone().into_credentials().unwrap_err();
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
fn stored_credentials_become_access_token_credentials() {
    let config = ConfigDir::with_json(
        json!({ "auths": { HUB: { "auth": base64(&format!("alice:{CANARY}")) } } }),
    );
    let credentials = found(&config.store()).unwrap().into_credentials().unwrap();
    let debug = format!("{credentials:?}");
    assert!(
        debug.contains("AccessToken") && debug.contains("alice"),
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

/// A store built from exactly these variables, as if they were the whole environment.
fn store_from(vars: &[(&str, &OsString)]) -> DockerCredentialStore {
    let vars: Vec<(String, OsString)> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).clone()))
        .collect();
    DockerCredentialStore::from_vars(move |name| {
        vars.iter()
            .find(|(var, _)| var == name)
            .map(|(_, value)| value.clone())
    })
}

fn auths_for(user: &str) -> Value {
    json!({ "auths": { HUB: { "auth": base64(&format!("{user}:pat")) } } })
}

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

#[tokio::test]
async fn the_async_lookup_gives_the_same_answer() {
    let config = ConfigDir::with_json(auths_for("alice"));
    let stored = config.store().docker_hub_credentials_async().await.unwrap();
    assert_eq!(stored.unwrap().username(), Some("alice"));
}

// ---- credential helpers ---------------------------------------------------------------------

/// Returns the directory of helper scripts, written once per test run.
///
/// Written before any test runs a helper (every helper test asks for the directory first),
/// so that no script is executed while another thread still has it open for writing, which
/// would fail with "text file busy".
#[cfg(unix)]
fn helpers() -> &'static Path {
    use std::{os::unix::fs::PermissionsExt as _, sync::OnceLock};

    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docker_config_helpers");
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let answer = |user: &str, secret: &str| {
            format!(r#"printf '{{"ServerURL":"%s","Username":"{user}","Secret":"{secret}"}}' "$url""#)
        };
        let scripts = [
            // Answers for Docker Hub's canonical key only, and only to `get`.
            ("found", format!(
                "[ \"$1\" = get ] || exit 3\nurl=$(cat)\n[ \"$url\" = '{HUB}' ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n{}",
                answer("alice", CANARY)
            )),
            ("other-user", format!("url=$(cat)\n{}", answer("bob", "pat-of-bob"))),
            ("notfound", "cat >/dev/null\necho 'credentials not found in native keychain'\nexit 1".to_owned()),
            ("empty", format!("url=$(cat)\n{}", answer("", ""))),
            ("identity", format!("url=$(cat)\n{}", answer("<token>", CANARY))),
            // Holds Docker Hub's credentials under `docker.io` only.
            ("spelled", format!(
                "url=$(cat)\n[ \"$url\" = docker.io ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n{}",
                answer("alice", "pat-under-docker-io")
            )),
            ("failing", format!(
                "cat >/dev/null\necho 'cannot unlock the keyring: {CANARY} rejected' >&2\necho 'second line' >&2\nexit 1"
            )),
            ("failing-stdout", "cat >/dev/null\necho 'pass not initialized: exit status 1'\nexit 1".to_owned()),
            ("garbage", format!("cat >/dev/null\necho 'this is not JSON {CANARY}'")),
            ("no-username", format!("url=$(cat)\n{}", answer("", CANARY))),
            ("hanging", format!("echo $$ > '{}/hanging.pid'\nexec sleep 30", dir_display(&dir))),
            ("megabytes", format!("exec yes '{CANARY}'")),
            ("megabytes-stderr", format!("exec yes '{CANARY}' >&2")),
            ("evil", format!("touch '{}/evil-ran'", dir_display(&dir))),
        ];
        for (name, body) in scripts {
            let path = dir.join(format!("docker-credential-{name}"));
            fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        // Present but not executable: not a helper.
        let noexec = dir.join("docker-credential-noexec");
        fs::write(&noexec, "#!/bin/sh\necho '{}'\n").unwrap();
        fs::set_permissions(&noexec, fs::Permissions::from_mode(0o644)).unwrap();
        dir
    })
}

#[cfg(not(unix))]
fn helpers() -> &'static Path {
    Path::new("")
}

#[cfg(unix)]
fn dir_display(dir: &Path) -> String {
    dir.display().to_string()
}

#[cfg(unix)]
fn with_helper(key: &str, helper: &str) -> ConfigDir {
    ConfigDir::with_json(json!({ key: helper }))
}

#[cfg(unix)]
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

#[cfg(unix)]
#[test]
fn cred_helpers_for_docker_hub_win_over_creds_store_and_auths() {
    let config = ConfigDir::with_json(json!({
        "credHelpers": { "docker.io": "found", "quay.io": "failing" },
        "credsStore": "failing",
        "auths": { HUB: { "auth": base64("carol:from-auths") } },
    }));
    assert_eq!(found(&config.store()).unwrap().username(), Some("alice"));
}

#[cfg(unix)]
#[test]
fn cred_helpers_for_other_registries_leave_creds_store_in_charge() {
    let config = ConfigDir::with_json(json!({
        "credHelpers": { "quay.io": "failing", "ghcr.io": "" },
        "credsStore": "other-user",
    }));
    assert_eq!(found(&config.store()).unwrap().username(), Some("bob"));
}

#[cfg(unix)]
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

#[cfg(unix)]
#[test]
fn a_helper_holding_hub_under_another_spelling_is_asked_for_it_too() {
    let config =
        ConfigDir::with_json(json!({ "credsStore": "spelled", "auths": { "docker.io": {} } }));
    let stored = found(&config.store()).unwrap();
    assert_eq!(secret(&stored), "pat-under-docker-io");
}

#[cfg(unix)]
#[test]
fn an_identity_token_from_a_helper_is_reported_as_one() {
    let stored = found(&with_helper("credsStore", "identity").store()).unwrap();
    assert!(stored.is_identity_token());
    assert_eq!(stored.username(), None);
    let err = stored.clone().into_credentials().unwrap_err();
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
#[cfg(unix)]
fn helper_error(helper: &str) -> String {
    let config = with_helper("credsStore", helper);
    let store = config
        .store()
        .helper_timeout(std::time::Duration::from_millis(500));
    let err = store.docker_hub_credentials().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialStore, "{err}");
    let message = err.to_string();
    assert!(message.contains(&format!("`{helper}`")), "{message}");
    assert_no_canary(&[message.clone(), format!("{err:?}")]);
    message
}

#[cfg(unix)]
#[test]
fn a_missing_helper_is_an_error_that_names_it() {
    let message = helper_error("nothere");
    assert!(message.contains("docker-credential-nothere"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_helper_file_that_is_not_executable_is_missing() {
    let message = helper_error("noexec");
    assert!(message.contains("not installed"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_failing_helper_gives_the_first_line_of_its_stderr_scrubbed() {
    let message = helper_error("failing");
    assert!(
        message.contains("cannot unlock the keyring: [redacted] rejected"),
        "{message}"
    );
    assert!(!message.contains("second line"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_failing_helper_that_explains_on_stdout_is_quoted_from_stdout() {
    let message = helper_error("failing-stdout");
    assert!(message.contains("pass not initialized"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_helper_printing_garbage_is_an_error() {
    let message = helper_error("garbage");
    assert!(message.contains("not the credentials JSON"), "{message}");
    let message = helper_error("no-username");
    assert!(message.contains("no username"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_helper_printing_megabytes_is_stopped_at_the_cap() {
    for helper in ["megabytes", "megabytes-stderr"] {
        let message = helper_error(helper);
        assert!(message.contains("more than 64 KiB"), "{message}");
    }
}

#[cfg(unix)]
#[test]
fn a_hanging_helper_is_stopped_and_reaped() {
    let message = helper_error("hanging");
    assert!(message.contains("did not answer within 0.5s"), "{message}");
    // The helper wrote its pid before exec'ing `sleep`; once the lookup returns, the process
    // is gone: killed, and waited for (a zombie would still be listed in /proc).
    let pid = fs::read_to_string(helpers().join("hanging.pid")).unwrap();
    let proc_entry = Path::new("/proc").join(pid.trim());
    if Path::new("/proc/self").exists() {
        assert!(!proc_entry.exists(), "helper {} is still there", pid.trim());
    }
}

#[cfg(unix)]
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

#[cfg(unix)]
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

#[cfg(unix)]
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

#[cfg(unix)]
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
