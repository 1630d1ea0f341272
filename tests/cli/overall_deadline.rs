//! `--timeout` is the limit of a whole run: a hanging credential helper is stopped (with
//! everything it started) when the time is up, not after the helper's own minute, and no
//! retry waits past it. "Within the time" is checked only as "did not hang": each run has a
//! generous bound (`support::files::HANG`), far above `--timeout` and far below what the
//! run would take without the limit.
//! Unix only: the helper is a `#!/bin/sh` script.

use std::fs;

use crate::support::{cli::*, docker::helpers, files::*};
use httpmock::MockServer;
use serde_json::json;

/// The CLI with `args`, its Docker config naming the helper that starts a grandchild (its
/// process id written to `pid_file`) and hangs.
fn with_forking_helper(args: &[&str], pid_file: &std::path::Path) -> Cli {
    let cli = Cli::new(args)
        .env("PATH", format!("{}:/usr/bin:/bin", helpers().display()))
        .env("DOCKERHUB_AUTH_TEST_GRANDCHILD", pid_file);
    fs::write(
        cli.home().join(".docker/config.json"),
        json!({ "credsStore": "forking" }).to_string(),
    )
    .unwrap();
    cli
}

#[test]
fn a_hanging_helper_is_stopped_with_its_children_when_the_timeout_is_up() {
    let server = MockServer::start();
    let temp = tempfile::tempdir().unwrap();
    let pid_file = temp.path().join("grandchild.pid");
    let cli = with_forking_helper(
        &["token", "--base-url", &server.base_url(), "--timeout", "3"],
        &pid_file,
    );
    // Without the limit the helper would run its default minute, past the bound.
    let run = cli.run_within(HANG);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("docker credential helper `forking` did not answer within"),
        "{}",
        run.stderr
    );
    let pid: i32 = fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    #[cfg(target_os = "linux")]
    assert!(
        exits_within_hang_bound(pid),
        "grandchild {pid} outlived the run"
    );
    let _ = pid;
}

/// A helper runs in a process group of its own (so that a timeout can stop what it
/// started), which a terminal's Ctrl-C does not reach: the CLI stops it, then dies of the
/// signal as before.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_run_stops_its_helper_and_what_the_helper_started() {
    use rustix::process::{Pid, Signal, kill_process};

    let temp = tempfile::tempdir().unwrap();
    let pid_file = temp.path().join("grandchild.pid");
    let cli = with_forking_helper(&["token", "--base-url", "http://127.0.0.1:9"], &pid_file);
    let mut started = cli.start();
    started.release();
    // The grandchild is started once the helper runs.
    let pid = within_hang_bound(move || {
        loop {
            match fs::read_to_string(&pid_file).map(|text| text.trim().parse::<i32>()) {
                Ok(Ok(pid)) => break pid,
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
    });
    let cli_pid = Pid::from_raw(started.pid().try_into().unwrap()).unwrap();
    kill_process(cli_pid, Signal::INT).unwrap();
    let run = started.finish_within(HANG);
    assert_eq!(run.code, 128 + 2, "{}", run.stderr);
    assert!(
        exits_within_hang_bound(pid),
        "grandchild {pid} outlived the interrupted run"
    );
}

#[test]
fn no_retry_waits_past_the_timeout() {
    let server = MockServer::start();
    for (status, code) in [(503, 6), (429, 5)] {
        let mut busy = server.mock(|when, then| {
            when.path("/v2/auth/token");
            then.status(status)
                .header("retry-after", "30")
                .json_body(json!({ "detail": "busy" }));
        });
        // The default policy would wait 30 s and ask twice more; 5 s leave no room for one.
        let run = Cli::new(&["token", "--base-url", &server.base_url(), "--timeout", "5"])
            .env("DOCKERHUB_USERNAME", "alice")
            .env("DOCKERHUB_TOKEN", "dckr_pat_x")
            .env("DOCKERHUB_AUTH_NO_CACHE", "1")
            .run_within(HANG);
        assert_eq!(run.code, code, "{}", run.stderr);
        busy.assert_calls(1);
        busy.delete();
    }
}

#[test]
fn without_timeout_a_retry_still_waits_as_asked() {
    // Today's behaviour stays the default: a short wait is slept, and the retry made.
    let server = MockServer::start();
    let busy = server.mock(|when, then| {
        when.path("/v2/auth/token");
        then.status(503).header("retry-after", "1").body("busy");
    });
    let run = Cli::new(&["token", "--base-url", &server.base_url()])
        .env("DOCKERHUB_USERNAME", "alice")
        .env("DOCKERHUB_TOKEN", "dckr_pat_x")
        .env("DOCKERHUB_AUTH_NO_CACHE", "1")
        .run_within(HANG);
    assert_eq!(run.code, 6, "{}", run.stderr);
    busy.assert_calls(3);
}
