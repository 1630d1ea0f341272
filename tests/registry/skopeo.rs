//! A real client no one here wrote: Debian's `skopeo`, configured the way
//! `dockerhub-auth configure-docker --registry HOST` configures Docker (a temporary
//! `$DOCKER_CONFIG/config.json` whose `credHelpers` names `dockerhub` for the registry's
//! host), with `docker-credential-dockerhub` on its `PATH` and `DOCKERHUB_REGISTRY_URL` set to
//! the registry, against the real Distribution registry of `distribution` and its token
//! service, which checks the Basic credentials skopeo got from the helper.
//!
//! `.ci/install-registry.sh` installs both; without them each test says it is skipped and
//! passes, except under CI, where it fails (see `support::tools::require_tool`).

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::atomic::Ordering,
};

use serde_json::{Value, json};

use crate::{
    distribution::{PASSWORD, RealRegistry},
    support::tools::require_tool,
};

/// The image the tests pull.
const IMAGE: &str = "acme/app";

/// skopeo's environment: a home, a Docker config naming the helper for the registry's host,
/// and a `PATH` whose first directory holds the helper (a link to the binary under test).
struct Client {
    skopeo: PathBuf,
    dir: tempfile::TempDir,
    registry_url: String,
    host: String,
}

impl Client {
    fn new(skopeo: PathBuf, registry: &RealRegistry) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let host = registry.url.trim_start_matches("http://").to_owned();
        for sub in ["home", "docker", "bin", "run", "cache"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_docker-credential-dockerhub"),
            dir.path().join("bin").join("docker-credential-dockerhub"),
        )
        .unwrap();
        fs::write(
            dir.path().join("docker").join("config.json"),
            json!({ "credHelpers": { host.as_str(): "dockerhub" } }).to_string(),
        )
        .unwrap();
        Client {
            skopeo,
            dir,
            registry_url: registry.url.clone(),
            host,
        }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// Runs skopeo with `args` (after `--insecure-policy`: no system signature policy is
    /// needed), the helper answering with alice and `secret`; blocks its thread.
    fn run(&self, secret: &str, args: &[&str]) -> Output {
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            self.path("bin").display()
        );
        Command::new(&self.skopeo)
            .arg("--insecure-policy")
            .args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("DOCKER_CONFIG", self.path("docker"))
            .env("DOCKERHUB_REGISTRY_URL", &self.registry_url)
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", secret)
            .env("DOCKERHUB_AUTH_CACHE_DIR", self.path("cache"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn image(&self) -> String {
        format!("docker://{}/{IMAGE}:latest", self.host)
    }
}

/// Starts the registry with an image pushed, and skopeo's environment; `None` when a tool is
/// missing and the test is skipped.
async fn start() -> Option<(RealRegistry, Client)> {
    let skopeo = require_tool("skopeo")?;
    let registry = RealRegistry::start().await?;
    registry.push_v2_image(IMAGE).await;
    let client = Client::new(skopeo, &registry);
    Some((registry, client))
}

/// Runs `client.run(secret, args)` on a blocking thread, while this test's runtime serves
/// the token service.
async fn skopeo(client: &std::sync::Arc<Client>, secret: &str, args: &[&str]) -> Output {
    let (client, secret) = (client.clone(), secret.to_owned());
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        client.run(&secret, &args)
    })
    .await
    .unwrap()
}

fn text(output: &[u8]) -> String {
    String::from_utf8_lossy(output).into_owned()
}

#[tokio::test]
async fn skopeo_inspects_and_copies_with_the_secret_the_helper_hands_over() {
    let Some((registry, client)) = start().await else {
        return;
    };
    let client = std::sync::Arc::new(client);
    let before = registry.issued_to_alice.load(Ordering::SeqCst);

    let inspect = skopeo(
        &client,
        PASSWORD,
        &["inspect", "--tls-verify=false", &client.image()],
    )
    .await;
    assert!(
        inspect.status.success(),
        "skopeo inspect: {}",
        text(&inspect.stderr)
    );
    let inspected: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(inspected["Name"], format!("{}/{IMAGE}", client.host));
    assert_eq!(inspected["Os"], "linux");

    let copied = client.path("copied");
    let target = format!("dir:{}", copied.display());
    let copy = skopeo(
        &client,
        PASSWORD,
        &["copy", "--src-tls-verify=false", &client.image(), &target],
    )
    .await;
    assert!(copy.status.success(), "skopeo copy: {}", text(&copy.stderr));
    let manifest: Value =
        serde_json::from_slice(&fs::read(copied.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);

    // The token service gave its tokens to alice's name and secret: what the helper said.
    assert!(
        registry.issued_to_alice.load(Ordering::SeqCst) > before,
        "skopeo never sent alice's credentials"
    );
    assert_no_secret_in(&client.path("home"));
}

#[tokio::test]
async fn a_wrong_secret_from_the_helper_makes_the_pull_fail() {
    let Some((registry, client)) = start().await else {
        return;
    };
    let client = std::sync::Arc::new(client);
    let (issued, to_alice) = (
        registry.issued.load(Ordering::SeqCst),
        registry.issued_to_alice.load(Ordering::SeqCst),
    );
    let copied = client.path("copied");
    let target = format!("dir:{}", copied.display());
    let copy = skopeo(
        &client,
        "dckr_pat_wrong_secret",
        &["copy", "--src-tls-verify=false", &client.image(), &target],
    )
    .await;
    assert!(
        !copy.status.success(),
        "the pull worked with a wrong secret"
    );
    // skopeo shows the token service's own refusal.
    let said = text(&copy.stderr);
    assert!(said.contains("incorrect username or password"), "{said}");
    assert!(!copied.join("manifest.json").exists());
    // The token service refused the secret; it issued nothing, anonymous or not.
    assert_eq!(registry.issued.load(Ordering::SeqCst), issued);
    assert_eq!(registry.issued_to_alice.load(Ordering::SeqCst), to_alice);
}

/// Neither skopeo nor the helper wrote a secret under the client's home.
fn assert_no_secret_in(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_no_secret_in(&path);
        } else {
            let content = fs::read(&path).unwrap();
            assert!(
                !String::from_utf8_lossy(&content).contains(PASSWORD),
                "{} holds the secret",
                path.display()
            );
        }
    }
}
