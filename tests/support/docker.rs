//! Docker's credential store in temporary directories: config files, and credential helpers
//! as small `#!/bin/sh` scripts.
//!
//! Nothing here reads the real `~/.docker` or changes the process environment: stores are
//! built from a temporary directory or from variables passed in, and helpers are searched
//! for only in a directory of scripts written by [`helpers`].

use std::{
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
};

use base64::Engine as _;
use dockerhub_auth::{Credentials, DockerCredentialStore, Error, ExposeSecret, StoredCredentials};
use serde_json::{Value, json};
use tempfile::TempDir;

use super::CANARY;

/// A secret that has no token's shape (a keychain password): only never quoting what a
/// helper printed keeps it out of an error.
pub const PLAIN_SECRET: &str = "keychain-passw0rd-of-alice";

/// Docker Hub's key as `docker login` writes it.
pub const HUB: &str = "https://index.docker.io/v1/";

pub fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A temporary directory holding a `config.json`.
pub struct ConfigDir {
    dir: TempDir,
}

impl ConfigDir {
    pub fn new() -> Self {
        ConfigDir {
            dir: TempDir::new().unwrap(),
        }
    }

    pub fn with_text(text: &str) -> Self {
        let config = ConfigDir::new();
        fs::write(config.path().join("config.json"), text).unwrap();
        config
    }

    pub fn with_json(json: Value) -> Self {
        ConfigDir::with_text(&json.to_string())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_file(&self) -> PathBuf {
        self.path().join("config.json")
    }

    /// The store of this directory, with helpers searched for only in [`helpers`].
    pub fn store(&self) -> DockerCredentialStore {
        DockerCredentialStore::from_config_dir(self.path()).search_path(helpers())
    }
}

/// Returns the credentials found, panicking on an error.
pub fn found(store: &DockerCredentialStore) -> Option<StoredCredentials> {
    store.docker_hub_credentials().unwrap()
}

/// Asserts that nothing printed about `value` shows the canary.
pub fn assert_no_canary(texts: &[String]) {
    for text in texts {
        assert!(!text.contains(CANARY), "secret leaked: {text}");
        assert!(
            !text.contains(&base64(&format!("alice:{CANARY}"))),
            "auth leaked: {text}"
        );
    }
}

pub fn secret(stored: &StoredCredentials) -> &str {
    stored.secret().unwrap().expose_secret()
}

/// A store built from exactly these variables, as if they were the whole environment.
pub fn store_from(vars: &[(&str, &OsString)]) -> DockerCredentialStore {
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

pub fn auths_for(user: &str) -> Value {
    json!({ "auths": { HUB: { "auth": base64(&format!("{user}:pat")) } } })
}

/// Returns the directory of helper scripts, written once per test run.
///
/// Written before any test runs a helper (every helper test asks for the directory first),
/// so that no script is executed while another thread still has it open for writing, which
/// would fail with "text file busy".
#[cfg(unix)]
pub fn helpers() -> &'static Path {
    use std::{os::unix::fs::PermissionsExt as _, sync::OnceLock};

    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // One directory per test binary: each writes its own.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(concat!(env!("CARGO_CRATE_NAME"), "_helpers"));
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
            // A helper that prints a secret no scrubber knows, on either stream, and fails.
            ("refusing", format!(
                "cat >/dev/null\necho 'error: keychain refused {PLAIN_SECRET}' >&2\nexit 1"
            )),
            ("refusing-stdout", format!(
                "cat >/dev/null\necho 'error: keychain refused {PLAIN_SECRET}'\nexit 1"
            )),
            ("garbage", format!("cat >/dev/null\necho 'this is not JSON {CANARY}'")),
            ("no-username", format!("url=$(cat)\n{}", answer("", CANARY))),
            ("hanging", format!("echo $$ > '{}/hanging.pid'\nexec sleep 30", dir_display(&dir))),
            // Starts a grandchild that holds its output open, says where (in the file
            // DOCKERHUB_AUTH_TEST_GRANDCHILD names, else `forking.pid`), then hangs.
            ("forking", format!(
                "cat >/dev/null\nsleep 300 &\necho $! > \"${{DOCKERHUB_AUTH_TEST_GRANDCHILD:-{}/forking.pid}}\"\nexec sleep 300",
                dir_display(&dir)
            )),
            ("megabytes", format!("exec yes '{CANARY}'")),
            ("megabytes-stderr", format!("exec yes '{CANARY}' >&2")),
            ("evil", format!("touch '{}/evil-ran'", dir_display(&dir))),
            // Holds credentials for the registry host `registry.example:5000` only.
            ("by-host", format!(
                "url=$(cat)\n[ \"$url\" = registry.example:5000 ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n{}",
                answer("host-user", "host-secret")
            )),
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
pub fn helpers() -> &'static Path {
    Path::new("")
}

#[cfg(unix)]
pub fn dir_display(dir: &Path) -> String {
    dir.display().to_string()
}

#[cfg(unix)]
pub fn with_helper(key: &str, helper: &str) -> ConfigDir {
    ConfigDir::with_json(json!({ key: helper }))
}

/// Returns the error a Docker Hub session with `credentials` fails with before any request
/// (the hub points at a closed loopback port, so that a request could not succeed anyway).
pub fn session_refusal(credentials: Credentials) -> Error {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hub = super::hub_at("http://127.0.0.1:9");
    runtime
        .block_on(hub.session(credentials).token())
        .unwrap_err()
}
