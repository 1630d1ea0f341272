//! A real credential helper: Debian's `docker-credential-pass` (package
//! `golang-docker-credential-helpers`), over a GnuPG home and a password store made in a
//! temporary directory. `.ci/install-credential-helpers.sh` installs it; where it is not
//! installed, each test says it is skipped and passes, except under CI, where it fails (see
//! `support::tools::require_tool`).
//!
//! The helper is reached through a two-line wrapper of the same name that points it at the
//! temporary GnuPG home and store, so that neither the user's keys nor the process
//! environment are touched.

use std::{
    ffi::OsStr,
    fs,
    io::Write,
    os::unix::fs::PermissionsExt as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Mutex, MutexGuard},
};

use dockerhub_auth::{CredentialSource, DockerCredentialStore, ExposeSecret};
use serde_json::json;
use tempfile::TempDir;

use crate::support::tools::require_tool;

const CANARY: &str = "dckr_pat_CANARY_must_not_print";
const HUB: &str = "https://index.docker.io/v1/";

/// A GnuPG home and a password store in a temporary directory, with a key made for them;
/// the GnuPG agent it starts is stopped when it is dropped.
struct PassStore {
    dir: TempDir,
    helper: PathBuf,
    /// One store at a time: a test writes a wrapper script and runs it at once, which must
    /// not overlap another thread's process spawns (they could hold the script open for
    /// writing, and running it would fail with "text file busy").
    _serial: MutexGuard<'static, ()>,
}

static SERIAL: Mutex<()> = Mutex::new(());

impl PassStore {
    /// Returns a fresh store, or `None` when the real helper, pass or gpg is missing and the
    /// test is to be skipped (see [`require_tool`]).
    fn new() -> Option<PassStore> {
        let helper = require_tool("docker-credential-pass")?;
        require_tool("pass")?;
        require_tool("gpg")?;
        let store = PassStore {
            dir: TempDir::new().unwrap(),
            helper,
            _serial: SERIAL
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
        fs::create_dir(store.gnupg_home()).unwrap();
        fs::set_permissions(store.gnupg_home(), fs::Permissions::from_mode(0o700)).unwrap();
        store.run(
            "gpg",
            &["--batch", "--gen-key"],
            "%no-protection\nKey-Type: EdDSA\nKey-Curve: ed25519\nSubkey-Type: ECDH\n\
             Subkey-Curve: cv25519\nName-Real: dockerhub-auth test\n\
             Name-Email: test@example.invalid\nExpire-Date: 0\n%commit\n",
        );
        let keys = store.run(
            "gpg",
            &["--batch", "--with-colons", "--list-secret-keys"],
            "",
        );
        let fingerprint = keys
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|rest| rest.split(':').find(|field| !field.is_empty()))
            .expect("gpg made a key")
            .to_owned();
        store.run("pass", &["init", &fingerprint], "");
        store.write_wrapper();
        Some(store)
    }

    fn gnupg_home(&self) -> PathBuf {
        self.dir.path().join("gnupg")
    }

    fn password_store(&self) -> PathBuf {
        self.dir.path().join("password-store")
    }

    /// The directory holding the wrapper, to search helpers in.
    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Runs `program` with the temporary GnuPG home and store, returning its stdout.
    fn run(&self, program: &str, args: &[&str], stdin: &str) -> String {
        let mut child = Command::new(program)
            .args(args)
            .env("GNUPGHOME", self.gnupg_home())
            .env("PASSWORD_STORE_DIR", self.password_store())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Stores a credential the way `docker login` does (test setup only: the crate never
    /// calls `store`).
    fn store(&self, server_url: &str, username: &str, secret: &str) {
        let credential = json!({ "ServerURL": server_url, "Username": username, "Secret": secret });
        let helper = self.helper.to_str().unwrap().to_owned();
        self.run(&helper, &["store"], &credential.to_string());
    }

    /// Writes `bin/docker-credential-pass`: the real helper, with this store's environment.
    fn write_wrapper(&self) {
        fs::create_dir(self.bin()).unwrap();
        let wrapper = self.bin().join("docker-credential-pass");
        fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nGNUPGHOME='{}' PASSWORD_STORE_DIR='{}' exec '{}' \"$@\"\n",
                self.gnupg_home().display(),
                self.password_store().display(),
                self.helper.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A Docker config directory using `pass` as its credential store.
    fn docker_store(&self, config: serde_json::Value) -> (TempDir, DockerCredentialStore) {
        let dir = TempDir::new().unwrap();
        fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let store = DockerCredentialStore::from_config_dir(dir.path())
            .search_path(search_path(&self.bin()));
        (dir, store)
    }
}

/// The wrapper's directory first, then this process's `PATH` (for `pass` and `gpg`, which
/// the helper runs).
fn search_path(bin: &Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path));
    std::env::join_paths(dirs).unwrap_or_else(|_| OsStr::new("").to_owned())
}

impl Drop for PassStore {
    fn drop(&mut self) {
        // The agent gpg started for this home would otherwise outlive the test.
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", self.gnupg_home())
            .status();
    }
}

#[test]
fn a_credential_stored_with_docker_credential_pass_is_found_and_a_missing_one_is_none() {
    let Some(pass) = PassStore::new() else {
        return;
    };
    let (_dir, store) = pass.docker_store(json!({ "auths": { HUB: {} }, "credsStore": "pass" }));

    // Something for another registry only: nothing for Docker Hub.
    pass.store("https://quay.io", "alice", "not-for-hub");
    assert!(store.docker_hub_credentials().unwrap().is_none());

    pass.store(HUB, "alice", CANARY);
    let stored = store.docker_hub_credentials().unwrap().unwrap();
    assert_eq!(stored.username(), Some("alice"));
    assert_eq!(stored.secret().unwrap().expose_secret(), CANARY);
    assert_eq!(
        stored.source(),
        &CredentialSource::Helper("pass".to_owned())
    );
    assert!(!format!("{stored:?}").contains(CANARY));

    // Named in `credHelpers` for Docker Hub, the same helper answers the same.
    let (_dir, store) = pass.docker_store(json!({ "credHelpers": { "docker.io": "pass" } }));
    let stored = store.docker_hub_credentials().unwrap().unwrap();
    assert_eq!(stored.secret().unwrap().expose_secret(), CANARY);
}

/// The binary, as users run it: `token` with nothing but `credsStore: pass` to go on.
#[cfg(feature = "cli")]
#[test]
fn the_cli_gets_a_token_with_the_credential_in_pass_and_never_prints_it() {
    use crate::support::cli::Cli;
    use httpmock::MockServer;

    let Some(pass) = PassStore::new() else {
        return;
    };
    pass.store(HUB, "alice", CANARY);
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/v2/auth/token")
            .json_body(json!({ "identifier": "alice", "secret": CANARY }));
        then.status(200)
            .json_body(json!({ "access_token": "the-token" }));
    });
    let cli = Cli::new(&["-vv", "token", "--base-url", &server.base_url()])
        .env("GNUPGHOME", pass.gnupg_home())
        .env("PASSWORD_STORE_DIR", pass.password_store());
    fs::write(
        cli.home().join(".docker/config.json"),
        json!({ "auths": { HUB: {} }, "credsStore": "pass" }).to_string(),
    )
    .unwrap();
    let run = cli.run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "the-token\n");
    assert!(
        run.stderr.contains("docker credential helper `pass`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(CANARY), "{}", run.stderr);
    mock.assert_calls(1);
}
