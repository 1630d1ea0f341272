//! A hostile or broken server: huge bodies, stalls, cut connections, HTTP/1.0, invalid
//! UTF-8, ten thousand headers, a JSON bomb. Each must end in a typed error (or, for valid
//! HTTP/1.0, a token) within the configured timeout, without a panic and without the secret
//! in the error.

use std::time::Duration;

use crate::support::*;
use dockerhub_auth::{Error, ErrorKind, Hub};

/// The time each request is allowed.
const TIMEOUT: Duration = Duration::from_secs(2);

fn hub(server: &RawServer) -> Hub {
    builder(&server.base_url).timeout(TIMEOUT).build().unwrap()
}

/// Exchanges `CANARY` at a server that answers every request with `reply`; fails the test
/// rather than hang if the client does not give up in time.
async fn exchange(reply: Reply) -> (Result<dockerhub_auth::Token, Error>, RawServer) {
    let server = RawServer::start(reply).await;
    let result = tokio::time::timeout(
        TIMEOUT * 3,
        hub(&server).create_access_token("alice", CANARY),
    )
    .await
    .expect("the client gave up within its timeout");
    (result, server)
}

/// Asserts the error's kind, and that no form of it shows the secret.
fn assert_failed(result: Result<dockerhub_auth::Token, Error>, kind: ErrorKind) -> Error {
    let err = result.expect_err("an error");
    assert_eq!(err.kind(), kind, "{err:?}");
    let mut text = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!text.contains(CANARY), "{text}");
    err
}

fn head(status_line: &str, headers: &[&str]) -> Vec<u8> {
    let mut head = format!("{status_line}\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[tokio::test]
async fn a_gigabyte_body_with_content_length_is_refused_before_it_is_read() {
    let (result, _) = exchange(Reply::Stream {
        head: head("HTTP/1.1 200 OK", &["content-length: 1073741824"]),
        total: 1 << 30,
    })
    .await;
    let err = assert_failed(result, ErrorKind::InvalidResponse);
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_gigabyte_body_without_content_length_is_cut_off_at_the_cap() {
    let (result, _) = exchange(Reply::Stream {
        head: head("HTTP/1.1 200 OK", &["connection: close"]),
        total: 1 << 30,
    })
    .await;
    let err = assert_failed(result, ErrorKind::InvalidResponse);
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_gigabyte_error_page_keeps_its_status_meaning() {
    let (result, _) = exchange(Reply::Stream {
        head: head("HTTP/1.1 502 Bad Gateway", &["connection: close"]),
        total: 1 << 30,
    })
    .await;
    assert_failed(result, ErrorKind::Unavailable);
}

#[tokio::test]
async fn headers_then_silence_is_a_timeout() {
    let (result, _) = exchange(Reply::BytesThenStall(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"access".to_vec(),
    ))
    .await;
    assert_failed(result, ErrorKind::Timeout);
}

#[tokio::test]
async fn silence_after_the_request_is_a_timeout() {
    let (result, server) = exchange(Reply::Silence).await;
    assert_failed(result, ErrorKind::Timeout);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_transport_error() {
    let (result, _) = exchange(Reply::Bytes(
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"access".to_vec(),
    ))
    .await;
    let err = assert_failed(result, ErrorKind::Transport);
    assert!(!err.is_retryable(), "the request reached the server");
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_a_transport_error() {
    let (result, _) = exchange(Reply::Bytes(Vec::new())).await;
    assert_failed(result, ErrorKind::Transport);
}

#[tokio::test]
async fn http_1_0_without_length_is_read_to_the_end() {
    let mut reply = head("HTTP/1.0 200 OK", &["content-type: application/json"]);
    reply.extend_from_slice(br#"{"access_token":"from-http-1.0"}"#);
    let (result, _) = exchange(Reply::Bytes(reply)).await;
    assert_eq!(result.unwrap().expose_secret(), "from-http-1.0");
}

#[tokio::test]
async fn http_1_0_without_length_is_capped_too() {
    let (result, _) = exchange(Reply::Stream {
        head: head("HTTP/1.0 200 OK", &[]),
        total: 1 << 30,
    })
    .await;
    assert_failed(result, ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn a_success_body_of_invalid_utf8_is_an_invalid_response() {
    let mut reply = head("HTTP/1.1 200 OK", &["content-length: 24"]);
    reply.extend_from_slice(b"{\"access_token\":\"\xff\xfe\xfd\"}\xc3\x28\xa0\xa1");
    let (result, _) = exchange(Reply::Bytes(reply)).await;
    assert_failed(result, ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn an_error_body_of_invalid_utf8_keeps_a_readable_excerpt() {
    let mut reply = head("HTTP/1.1 401 Unauthorized", &["content-length: 12"]);
    reply.extend_from_slice(b"denied \xff\xfe\xc3\x28!");
    let (result, _) = exchange(Reply::Bytes(reply)).await;
    let err = assert_failed(result, ErrorKind::CredentialsRejected);
    assert!(err.body_excerpt().unwrap().starts_with("denied"), "{err:?}");
}

#[tokio::test]
async fn ten_thousand_headers_are_refused() {
    let headers: Vec<String> = (0..10_000).map(|i| format!("x-header-{i}: {i}")).collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let (result, _) = exchange(Reply::Bytes(head("HTTP/1.1 200 OK", &headers))).await;
    assert_failed(result, ErrorKind::Transport);
}

#[tokio::test]
async fn a_json_bomb_in_a_success_body_is_an_invalid_response() {
    let bomb = format!("{{\"access_token\":{}", "[".repeat(500_000));
    let mut reply = head(
        "HTTP/1.1 200 OK",
        &[&format!("content-length: {}", bomb.len())],
    );
    reply.extend_from_slice(bomb.as_bytes());
    let (result, _) = exchange(Reply::Bytes(reply)).await;
    assert_failed(result, ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn a_json_bomb_in_an_error_body_keeps_the_status_meaning() {
    let bomb = format!(
        "{{\"detail\":\"no\",\"errinfo\":{}",
        "{\"a\":".repeat(200_000)
    );
    for status_line in [
        "HTTP/1.1 401 Unauthorized",
        "HTTP/1.1 429 Too Many Requests",
    ] {
        let mut reply = head(status_line, &[&format!("content-length: {}", bomb.len())]);
        reply.extend_from_slice(bomb.as_bytes());
        let (result, _) = exchange(Reply::Bytes(reply)).await;
        let kind = if status_line.contains("401") {
            ErrorKind::CredentialsRejected
        } else {
            ErrorKind::RateLimited
        };
        let err = assert_failed(result, kind);
        assert!(err.to_string().len() < 400, "{err}");
    }
}

#[tokio::test]
async fn a_status_line_that_is_not_http_is_a_transport_error() {
    let (result, _) = exchange(Reply::Bytes(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec())).await;
    assert_failed(result, ErrorKind::Transport);
}

#[tokio::test]
async fn an_endless_header_is_refused() {
    let (result, _) = exchange(Reply::Stream {
        head: b"HTTP/1.1 200 OK\r\nx-endless: ".to_vec(),
        total: 64 * 1024 * 1024,
    })
    .await;
    assert_failed(result, ErrorKind::Transport);
}
