//! The mock Docker Hub the behaviour tests talk to, and what they share.
//!
//! Every server here listens on 127.0.0.1 and is started by the test that uses it: no test
//! reaches hub.docker.com.
//!
//! Every test binary includes this module: those of `tests/*/main.rs` as
//! `#[path = "../support/mod.rs"] mod support;`, `generated_code.rs` and
//! `body_cap_memory.rs` as `mod support;`.
// Eight test binaries compile this module and each uses only part of it (the cli binary
// needs no raw server, the registry binary no Docker config, …): what one leaves unused is
// not dead.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod docker;
pub mod files;
pub mod oidc;
pub mod registry;
// Trusting its certificate authority for one run relies on `SSL_CERT_FILE`, which the
// platform verifier reads on Linux only.
#[cfg(all(feature = "cli", target_os = "linux"))]
pub mod tls;
pub mod tokens;
pub mod tools;
pub mod trace;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::Engine as _;
use dockerhub_auth::{Hub, HubBuilder, RetryPolicy};
use httpmock::MockServer;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// A secret no output may ever contain.
pub const CANARY: &str = "dckr_pat_CANARY_must_not_print";

/// Tokens of someone else's that a hostile server may quote: no request carries them, so
/// only their shape can give them away. A PAT is `dckr_pat_` and 27 of `[A-Za-z0-9_-]`, an
/// OAT `dckr_oat_` and 32 (hub-auth-facts §7).
pub const STRANGER_JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdHJhbmdlciJ9.c3RyYW5nZXItc2lnbmF0dXJlX3g";
pub const STRANGER_PAT: &str = "dckr_pat_Str4nger-PAT_body_012345678";
pub const STRANGER_OAT: &str = "dckr_oat_Str4nger-OAT_body_0123456789abcd";

/// A server message with the stranger's tokens glued to what comes before them.
pub fn glued_tokens_message() -> String {
    format!(
        "refused: session={STRANGER_JWT}; key={STRANGER_OAT}; x.{STRANGER_PAT} \
         ({STRANGER_PAT}) abc{STRANGER_JWT}"
    )
}

/// Asserts that no twelve-character piece of the stranger's tokens is in `text`.
pub fn assert_no_stranger_token(text: &str) {
    for token in [STRANGER_JWT, STRANGER_PAT, STRANGER_OAT] {
        for start in 0..=token.len() - 12 {
            let piece = &token[start..start + 12];
            assert!(
                !text.contains(piece),
                "{piece:?} of a token shows in: {text}"
            );
        }
    }
}

/// The detail Docker Hub sends with `login_2fa_token` (docker/hub-tool `pkg/hub/client.go`
/// matches on it; microsoft/vscode-docker#1591 shows it).
pub const SECOND_FACTOR_DETAIL: &str = "Require secondary authentication on MFA enabled account";

/// What Docker Hub answers (401) to the password of an account with a second factor: the
/// detail and a `login_2fa_token` for `/v2/users/2fa-login`.
pub fn second_factor_required() -> Value {
    json!({ "detail": SECOND_FACTOR_DETAIL, "login_2fa_token": "eyJ.login-2fa.token" })
}

/// The body of `/v2/users/2fa-login` that answers [`second_factor_required`] with `code`.
pub fn second_factor_answer(code: &str) -> Value {
    json!({ "login_2fa_token": "eyJ.login-2fa.token", "code": code })
}

/// A hub pointed at the mock server, with a short timeout so failures are quick, and no
/// retries, so that each test sees exactly how one answer is classified (`tests/hub/retry.rs`
/// covers retries).
pub fn hub(server: &MockServer) -> Hub {
    hub_at(&server.base_url())
}

pub fn hub_at(base_url: &str) -> Hub {
    builder(base_url).build().unwrap()
}

/// The builder behind [`hub_at`], for tests that change one more setting.
pub fn builder(base_url: &str) -> HubBuilder {
    Hub::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::never())
}

/// A blocking hub pointed at `base_url`, with the settings of [`builder`].
#[cfg(feature = "blocking")]
pub fn blocking_hub(base_url: &str) -> dockerhub_auth::blocking::Hub {
    dockerhub_auth::blocking::Hub::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap()
}

/// Mocks `path` to answer every request with `status` and the JSON `body`.
pub async fn respond<'a>(
    server: &'a MockServer,
    path: &str,
    status: u16,
    body: Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            when.path(path);
            then.status(status).json_body(body);
        })
        .await
}

/// Returns `http://127.0.0.1:PORT` for a port nobody listens on (one that was free a moment
/// ago), so that connecting to it is refused.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// A JWT shaped like Docker Hub's (claims as decoded in mongodb/kingfisher#202), signed with
/// nothing.
pub fn jwt(claims: Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.bm90LWEtcmVhbC1zaWduYXR1cmU",
        engine.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        engine.encode(claims.to_string())
    )
}

/// Claims of a PAT-derived token for `alice`, issued at `iat` for 600 seconds.
pub fn hub_claims(iat: u64) -> Value {
    json!({
        "aud": "https://hub.docker.com",
        "iss": "https://api.docker.com/",
        "exp": iat + 600,
        "iat": iat,
        "jti": "jti-1",
        "scope": "repo:public_read",
        "https://hub.docker.com": {
            "email": "alice@example.com",
            "roles": [],
            "session_id": "session-1",
            "source": "docker_pat|3f1e",
            "username": "alice",
            "uuid": "0b3c"
        }
    })
}

pub fn unix(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The schema Docker's published spec gives the body of a POST, with `$ref`s resolved.
pub fn docker_request_schema(path: &str) -> Value {
    docker_request_schema_at("post", path)
}

/// The schema Docker's published spec gives the body of `method` `path`, with `$ref`s
/// resolved.
pub fn docker_request_schema_at(method: &str, path: &str) -> Value {
    let spec: Value =
        yaml_serde::from_str(include_str!("../data/docker-hub-auth.official.yaml")).unwrap();
    let schema =
        &spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    docker_schema(schema["$ref"].as_str().unwrap_or_default()).unwrap_or_else(|| schema.clone())
}

/// A component schema of Docker's published spec, by its `$ref`
/// (`#/components/schemas/NAME`) or name.
pub fn docker_schema(reference: &str) -> Option<Value> {
    let spec: Value =
        yaml_serde::from_str(include_str!("../data/docker-hub-auth.official.yaml")).unwrap();
    let name = reference.trim_start_matches("#/components/schemas/");
    let schema = &spec["components"]["schemas"][name];
    (!schema.is_null()).then(|| schema.clone())
}

/// Reduces a schema to what a body looks like on the wire: each property's JSON type, which
/// properties are required, and which required ones may be null. (Whether an optional
/// property may also be null is not compared: the generated `Option` accepts both.)
pub fn shape(schema: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let mut required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    required.sort();
    let mut properties: Vec<(String, String)> = schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, property)| {
            // OpenAPI 3.0 writes `nullable: true`; JSON Schema (schemars) `type: [t, "null"]`.
            let (ty, nullable) = match &property["type"] {
                Value::Array(types) => (
                    types.iter().find(|t| *t != "null").unwrap().clone(),
                    types.iter().any(|t| t == "null"),
                ),
                ty => (ty.clone(), property["nullable"] == true),
            };
            let ty = ty.as_str().unwrap();
            let nullable = nullable && required.contains(name);
            (
                name.clone(),
                if nullable {
                    format!("{ty} or null")
                } else {
                    ty.to_owned()
                },
            )
        })
        .collect();
    properties.sort();
    (properties, required)
}

/// Resolves `$ref`s to `$defs` in a schema schemars generated (also in the `anyOf` with
/// `null` it writes for an optional one), so that `shape` sees each property's type.
pub fn inline_defs(mut schema: Value) -> Value {
    let defs = schema["$defs"].clone();
    let inline = |property: &Value| -> Value {
        match property["$ref"].as_str() {
            Some(reference) => defs[reference.trim_start_matches("#/$defs/")].clone(),
            None => property.clone(),
        }
    };
    if let Some(properties) = schema["properties"].as_object_mut() {
        for property in properties.values_mut() {
            let variants = property["anyOf"].as_array().cloned().unwrap_or_default();
            *property = match variants.iter().find(|v| v["type"] != "null") {
                Some(variant) => {
                    let mut variant = inline(variant);
                    variant["type"] = serde_json::json!([variant["type"], "null"]);
                    variant
                }
                None => inline(property),
            };
        }
    }
    schema
}

/// Asserts that `body` is valid for Docker's request `schema`: an object with every required
/// property, each property of the declared JSON type, and no property the schema lacks.
pub fn assert_conforms(body: &Value, schema: &Value) {
    assert_eq!(schema["type"], "object");
    let body = body.as_object().expect("the body is a JSON object");
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().unwrap();
        assert!(
            body.contains_key(name),
            "required property {name} is missing"
        );
    }
    let properties = schema["properties"].as_object().unwrap();
    for (name, value) in body {
        let declared = properties
            .get(name)
            .unwrap_or_else(|| panic!("property {name} is not in Docker's schema"));
        let json_type = match value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Null => "null",
        };
        assert_eq!(declared["type"], json_type, "property {name}");
    }
}

/// A server on 127.0.0.1 that answers every connection with the same raw bytes, for
/// answers httpmock cannot give (no `Content-Length`, stalls, broken HTTP).
pub struct RawServer {
    pub base_url: String,
    connections: Arc<AtomicUsize>,
}

/// What a raw server does once it has read a request.
#[derive(Clone)]
pub enum Reply {
    /// Writes these bytes, then closes the connection.
    Bytes(Vec<u8>),
    /// Writes these bytes, then keeps the connection open without writing more.
    BytesThenStall(Vec<u8>),
    /// Writes the head, then `total` bytes of body in chunks (then closes).
    Stream { head: Vec<u8>, total: usize },
    /// Never writes anything.
    Silence,
}

impl RawServer {
    pub async fn start(reply: Reply) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, reply.clone()));
            }
        });
        RawServer {
            base_url,
            connections,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, reply: Reply) {
    read_request(&mut stream).await;
    match reply {
        Reply::Bytes(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::BytesThenStall(bytes) => {
            let _ = stream.write_all(&bytes).await;
            std::future::pending::<()>().await;
        }
        Reply::Stream { head, total } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let n = chunk.len().min(total - sent);
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return; // the client stopped reading: what a cap should do
                }
                sent += n;
            }
            let _ = stream.shutdown().await;
        }
        Reply::Silence => std::future::pending::<()>().await,
    }
}

/// Reads one request: its head, then as many body bytes as `Content-Length` says.
async fn read_request(stream: &mut TcpStream) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return;
            }
        }
    }
}
