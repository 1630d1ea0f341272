//! The runtime thread of `dockerhub_auth::blocking`'s clients: one per family, kept by any
//! handle, stopped with the last; and blocking calls made inside a runtime, which must be
//! errors, never a panic or a deadlock.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::mpsc,
    time::Duration,
};

use super::blocking::token_route;
use crate::support::*;
use dockerhub_auth::{Credentials, ErrorKind, Login, blocking};
use httpmock::MockServer;
use serde_json::json;

fn pat() -> Credentials {
    Credentials::secret("alice", "dckr_pat_abc")
}

/// Reads one HTTP/1.1 request; `false` when the client closed the connection instead.
fn read_request(reader: &mut BufReader<TcpStream>) -> bool {
    let mut length = 0;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return false,
            Ok(_) => {}
            Err(error) => panic!("the connection stayed open and silent: {error}"),
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    true
}

#[test]
fn clones_keep_the_runtime_thread_and_the_last_one_closes_its_connections() {
    // A keep-alive server that reports each connection the client closes.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let (closed, closes) = mpsc::channel::<usize>();
    let (accepted, accepts) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.unwrap();
            accepted.send(()).unwrap();
            let closed = closed.clone();
            std::thread::spawn(move || {
                // A bound for a failing test, not a measured time.
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut served = 0;
                while read_request(&mut reader) {
                    let body = r#"{"access_token":"opaque"}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    writer.write_all(answer.as_bytes()).unwrap();
                    served += 1;
                }
                closed.send(served).unwrap();
            });
        }
    });

    let hub = blocking_hub(&base_url);
    let session = hub.session(pat());
    let clone = session.clone();
    session.token().unwrap();
    drop(hub);
    drop(session);
    // The clone still has the thread: a new refresh works.
    clone.invalidate();
    clone.token().unwrap();
    drop(clone);

    // Every connection the client opened is closed now.
    let opened = accepts.try_iter().count();
    assert!(opened >= 1);
    let served: usize = (0..opened)
        .map(|_| {
            closes
                .recv_timeout(Duration::from_secs(30))
                .expect("closed")
        })
        .sum();
    assert_eq!(served, 2, "two requests in all");
}

/// Returns how many runtime threads of blocking clients this process has.
#[cfg(target_os = "linux")]
fn runtime_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim_end() == "dockerhub-auth")
        .count()
}

/// Returns `runtime_threads()` once it is `expected`: a thread that was joined may still be
/// listed for the few instructions the kernel takes to remove it. Bounded by a count of
/// tries, not by a time.
#[cfg(target_os = "linux")]
fn settled_runtime_threads(expected: usize) -> usize {
    for _ in 0..10_000 {
        if runtime_threads() == expected {
            break;
        }
        std::thread::yield_now();
    }
    runtime_threads()
}

#[cfg(target_os = "linux")]
#[test]
fn each_family_has_one_runtime_thread_until_its_last_handle_is_dropped() {
    // Threads are counted by name, so the checks run alone in a process of their own: this
    // test binary again, running only this test.
    const ALONE: &str = "DOCKERHUB_AUTH_TEST_ALONE";
    let name =
        "blocking_runtime::each_family_has_one_runtime_thread_until_its_last_handle_is_dropped";
    if std::env::var_os(ALONE).is_none() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--test-threads=1"])
            .env(ALONE, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}");
        assert!(stdout.contains("1 passed"), "{stdout}");
        return;
    }
    let server = MockServer::start();
    let mock = token_route(&server, Duration::ZERO);
    assert_eq!(runtime_threads(), 0);
    let hub = blocking_hub(&server.base_url());
    let clone = hub.clone();
    assert_eq!(runtime_threads(), 1, "one per hub, shared by its clones");
    let registry = blocking::Registry::builder().build().unwrap();
    assert_eq!(runtime_threads(), 2);
    let session = hub.session(pat());
    session.token().unwrap();
    drop((hub, clone));
    session.token().unwrap();
    assert_eq!(runtime_threads(), 2, "the session keeps its hub's thread");
    drop(session);
    assert_eq!(
        settled_runtime_threads(1),
        1,
        "the last handle of the hub is gone"
    );
    drop(registry);
    assert_eq!(settled_runtime_threads(0), 0);
    mock.assert_calls(1);
}

/// Every blocking call of a hub and session made inside a runtime: each must return
/// `Runtime` at once, naming itself, and send nothing.
fn calls_inside_a_runtime(server: &MockServer) {
    let hub = blocking_hub(&server.base_url());
    let session = hub.session(pat());
    let challenge = {
        // A challenge from a login made outside the runtime, on a thread of its own.
        let hub = hub.clone();
        std::thread::spawn(move || hub.login("alice", "password").unwrap())
            .join()
            .unwrap()
    };
    let Login::SecondFactorRequired(challenge) = challenge else {
        panic!("the mock asks for a second factor");
    };
    let errors = [
        (
            "Hub::create_access_token",
            hub.create_access_token("alice", "dckr_pat_abc")
                .unwrap_err(),
        ),
        ("Hub::login", hub.login("alice", "password").unwrap_err()),
        (
            "Hub::login_second_factor",
            hub.login_second_factor(&challenge, "123456").unwrap_err(),
        ),
        ("Session::token", session.token().unwrap_err()),
    ];
    for (call, error) in errors {
        assert_eq!(error.kind(), ErrorKind::Runtime, "{call}");
        assert!(!error.is_retryable());
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "dockerhub_auth::blocking::{call} cannot be called inside a tokio runtime"
            )),
            "{message}"
        );
        assert!(
            message.contains(&format!("async dockerhub_auth::{call}")),
            "{message}"
        );
    }
    // Dropping the last handle here (its thread stops) is fine too.
    drop((hub, session));
}

/// The mocks of `calls_inside_a_runtime`, made with httpmock's async API (its blocking one
/// cannot run inside a runtime either).
async fn second_factor_mocks(server: &MockServer) -> [httpmock::Mock<'_>; 3] {
    let claims = hub_claims(now_unix());
    [
        server
            .mock_async(|when, then| {
                when.method("POST").path("/v2/users/login");
                then.status(401).json_body(second_factor_required());
            })
            .await,
        server
            .mock_async(|when, then| {
                when.method("POST").path("/v2/auth/token");
                then.status(200)
                    .json_body(json!({ "access_token": jwt(claims) }));
            })
            .await,
        server
            .mock_async(|when, then| {
                when.path("/v2/users/2fa-login");
                then.status(200).json_body(json!({ "token": "t" }));
            })
            .await,
    ]
}

#[tokio::test(flavor = "current_thread")]
async fn inside_a_current_thread_runtime_a_blocking_call_is_a_runtime_error() {
    let server = MockServer::start_async().await;
    let [login, exchange, second] = second_factor_mocks(&server).await;
    calls_inside_a_runtime(&server);
    // Only the login made on a thread of its own reached the server.
    login.assert_calls_async(1).await;
    exchange.assert_calls_async(0).await;
    second.assert_calls_async(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_multi_thread_runtime_a_blocking_call_is_a_runtime_error() {
    let server = MockServer::start_async().await;
    let [login, exchange, second] = second_factor_mocks(&server).await;
    calls_inside_a_runtime(&server);
    // The threads of spawn_blocking belong to the runtime too.
    let hub = blocking_hub(&server.base_url());
    let error =
        tokio::task::spawn_blocking(move || hub.create_access_token("alice", "dckr_pat_abc"))
            .await
            .unwrap()
            .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Runtime);
    login.assert_calls_async(1).await;
    exchange.assert_calls_async(0).await;
    second.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_cached_token_is_not_handed_out_inside_a_runtime_either() {
    let server = MockServer::start_async().await;
    let [_, exchange, _] = second_factor_mocks(&server).await;
    let session = blocking_hub(&server.base_url()).session(pat());
    let warmed = {
        let session = session.clone();
        std::thread::spawn(move || session.token()).join().unwrap()
    };
    assert!(warmed.is_ok());
    // The same answer whatever the cache holds: the call is refused where it is made.
    assert_eq!(session.token().unwrap_err().kind(), ErrorKind::Runtime);
    exchange.assert_calls_async(1).await;
}
