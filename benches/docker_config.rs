//! What reading Docker's stored credentials costs (`cargo bench --bench docker_config`):
//!
//! - `auths_lookup`: Docker Hub's credentials from `auths` in a `config.json`;
//! - `helper_lookup`: the same through a credential helper (a `#!/bin/sh` script that prints
//!   the protocol's JSON), next to `helper_baseline`: the least any caller can do to ask that
//!   helper, one `std::process::Command` with the server URL on stdin and
//!   `wait_with_output`. Their ratio is the price of this crate's bounds (timeout, output
//!   caps, reader threads, name check, PATH search).
//!
//! Everything lives in a temporary directory made by the bench.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::LazyLock,
};

use divan::Bencher;
use dockerhub_auth::DockerCredentialStore;

fn main() {
    divan::main();
}

struct Setup {
    _dir: tempfile::TempDir,
    auths: PathBuf,
    helper: PathBuf,
    bin: PathBuf,
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &Path, text: &str| {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    let auths = dir.path().join("auths");
    write(
        &auths.join("config.json"),
        // alice:dckr_pat_bench, and a few other registries as a real config has.
        r#"{"auths": {"quay.io": {"auth": "YTpi"}, "ghcr.io": {"auth": "YTpi"},
            "https://index.docker.io/v1/": {"auth": "YWxpY2U6ZGNrcl9wYXRfYmVuY2g="}},
            "psFormat": "table {{.ID}}\t{{.Names}}"}"#,
    );
    let helper = dir.path().join("helper");
    write(&helper.join("config.json"), r#"{"credsStore": "bench"}"#);
    let bin = dir.path().join("bin");
    let script = bin.join("docker-credential-bench");
    write(
        &script,
        "#!/bin/sh\nurl=$(cat)\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"alice\",\"Secret\":\"dckr_pat_bench\"}' \"$url\"\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    Setup {
        _dir: dir,
        auths,
        helper,
        bin,
    }
});

#[divan::bench]
fn auths_lookup(bencher: Bencher) {
    let store = DockerCredentialStore::from_config_dir(&SETUP.auths);
    bencher.bench_local(|| store.docker_hub_credentials().unwrap().unwrap());
}

#[divan::bench(sample_count = 50, sample_size = 4)]
fn helper_lookup(bencher: Bencher) {
    let store = DockerCredentialStore::from_config_dir(&SETUP.helper).search_path(&SETUP.bin);
    bencher.bench_local(|| store.docker_hub_credentials().unwrap().unwrap());
}

#[divan::bench(sample_count = 50, sample_size = 4)]
fn helper_baseline(bencher: Bencher) {
    let program = SETUP.bin.join("docker-credential-bench");
    bencher.bench_local(|| {
        let mut child = Command::new(&program)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"https://index.docker.io/v1/").unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    });
}
