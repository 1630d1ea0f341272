//! Credential helpers that turn on the user: one that prints a secret as it fails, and one
//! planted in a relative `PATH` entry (a checked-out repository's `bin/`).
// Unix only: credential helpers here are `#!/bin/sh` scripts.

use std::{fs, os::unix::fs::PermissionsExt as _};

use crate::support::{
    cli::Cli,
    docker::{PLAIN_SECRET, helpers},
};
use httpmock::MockServer;
use serde_json::json;

#[test]
fn a_failing_helper_is_named_and_never_quoted_on_stderr() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({ "access_token": "t" }));
    });
    let url = server.base_url();
    for helper in ["refusing", "refusing-stdout"] {
        for verbosity in ["-q", "-v", "-vv"] {
            let mut args = vec!["token", "--base-url", &url];
            if verbosity != "-q" {
                args.push(verbosity);
            }
            let cli = Cli::new(&args).env("PATH", helpers());
            fs::write(
                cli.home().join(".docker/config.json"),
                json!({ "credsStore": helper }).to_string(),
            )
            .unwrap();
            let run = cli.run();
            assert_eq!(run.code, 2, "{}", run.stderr);
            for expected in [
                format!("docker credential helper `{helper}` failed (exit status: 1)"),
                format!("docker-credential-{helper} get"),
            ] {
                assert!(run.stderr.contains(&expected), "{}", run.stderr);
            }
            for text in [&run.stdout, &run.stderr] {
                assert!(!text.contains(PLAIN_SECRET), "{verbosity}: {text}");
                assert!(!text.contains("keychain refused"), "{verbosity}: {text}");
            }
        }
    }
    mock.assert_calls(0);
}

#[test]
fn a_helper_in_a_relative_path_entry_is_never_run() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({ "access_token": "t" }));
    });
    // A checked-out repository with its own `bin/docker-credential-desktop`, which leaves a
    // mark when it runs.
    let repository = tempfile::tempdir().unwrap();
    let bin = repository.path().join("bin");
    fs::create_dir(&bin).unwrap();
    let marker = repository.path().join("planted-helper-ran");
    let helper = bin.join("docker-credential-desktop");
    fs::write(
        &helper,
        format!(
            "#!/bin/sh\ntouch '{}'\necho '{{\"Username\":\"alice\",\"Secret\":\"planted\"}}'\n",
            marker.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o755)).unwrap();
    fs::copy(&helper, repository.path().join("docker-credential-desktop")).unwrap();

    // `bin`, `.` and an empty entry (which means `.`) all name the repository from there.
    for path in ["bin:/usr/bin:/bin", ".:/usr/bin:/bin", ":/usr/bin:/bin"] {
        let cli = Cli::new(&["token", "--base-url", &server.base_url()])
            .env("PATH", path)
            .current_dir(repository.path());
        fs::write(
            cli.home().join(".docker/config.json"),
            json!({ "credsStore": "desktop" }).to_string(),
        )
        .unwrap();
        let run = cli.run();
        assert_eq!(run.code, 2, "{path}: {}", run.stderr);
        assert!(
            run.stderr.contains("`desktop` is not installed"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("relative PATH entries are not searched"),
            "{}",
            run.stderr
        );
        assert!(!marker.exists(), "{path}: the planted helper ran");
    }
    mock.assert_calls(0);
}
