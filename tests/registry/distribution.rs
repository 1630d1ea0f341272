//! [`RealRegistry`]: Debian's `docker-registry` (the Distribution registry 2.8), configured
//! with `auth: token` and storage in memory on 127.0.0.1, and a small token service run on
//! the test's runtime, which signs ES256 JWTs with a certificate the registry trusts and
//! takes alice's [`PASSWORD`] (Basic, or the OAuth2 form) or no credentials (pull only).
//!
//! The registry checks every bearer token it gets (signature, issuer, audience, expiry and
//! the `access` claim), so what it accepts here it accepts from any conforming token
//! service. Used by `real_registry` (this crate's client) and `skopeo` (a client no one here
//! wrote). `.ci/install-registry.sh` installs it; without it [`RealRegistry::start`] says
//! the test is skipped, except under CI, where it fails (see `support::tools::require_tool`).

use std::{
    collections::HashMap,
    fs,
    net::TcpListener as StdListener,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::Engine as _;
use dockerhub_auth::{Credentials, Registry, RegistryScope, RetryPolicy};
use rcgen::{KeyPair, SigningKey as _};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::support::tools::require_tool;

const REGISTRY_BINARY: &str = "docker-registry";
const SERVICE: &str = "test-registry";
const ISSUER: &str = "dockerhub-auth-test-token-service";
/// alice's secret: the only one the token service takes.
pub(crate) const PASSWORD: &str = "dckr_pat_real_registry_test_secret";

/// A running registry and its token service, stopped when dropped.
pub(crate) struct RealRegistry {
    pub(crate) url: String,
    child: Child,
    /// Token requests the token service answered with a token.
    pub(crate) issued: Arc<AtomicUsize>,
    /// Those of them that came with alice's name and secret.
    pub(crate) issued_to_alice: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl Drop for RealRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RealRegistry {
    /// Starts both, or returns `None` when the registry is not installed and the test is
    /// to be skipped (see [`require_tool`]).
    pub(crate) async fn start() -> Option<RealRegistry> {
        let binary = require_tool(REGISTRY_BINARY)?;
        let dir = tempfile::tempdir().unwrap();
        let key = KeyPair::generate().unwrap(); // ECDSA P-256, for ES256
        let cert = rcgen::CertificateParams::new(vec!["token-service".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let bundle = dir.path().join("token-service.pem");
        fs::write(&bundle, pem(cert.der())).unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let issued = Arc::new(AtomicUsize::new(0));
        let issued_to_alice = Arc::new(AtomicUsize::new(0));
        let signer = Arc::new(Signer {
            key,
            x5c: base64::engine::general_purpose::STANDARD.encode(cert.der()),
        });
        let counters = (issued.clone(), issued_to_alice.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, signer.clone(), counters.clone()));
            }
        });

        let address = free_address();
        let config = dir.path().join("config.yml");
        fs::write(
            &config,
            format!(
                "version: 0.1\n\
                 log:\n  level: warn\n\
                 storage:\n  inmemory: {{}}\n\
                 http:\n  addr: {address}\n\
                 auth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n    \
                 issuer: {ISSUER}\n    rootcertbundle: {}\n",
                bundle.display()
            ),
        )
        .unwrap();
        let log = fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let registry = RealRegistry {
            url: format!("http://{address}"),
            child,
            issued,
            issued_to_alice,
            _dir: dir,
        };
        registry.wait_until_listening(&address).await;
        Some(registry)
    }

    /// Waits (bounded) for the registry to accept connections.
    async fn wait_until_listening(&self, address: &str) {
        for _ in 0..200 {
            if TcpStream::connect(address).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("docker-registry did not start listening on {address}");
    }

    /// A client of the registry, with no retries.
    pub(crate) fn client(&self) -> Registry {
        Registry::builder()
            .base_url(&self.url)
            .timeout(Duration::from_secs(10))
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap()
    }

    /// `GET /v2/<name>/tags/list` with `token`: the registry's verdict on it.
    pub(crate) async fn tags_list(&self, name: &str, token: &dockerhub_auth::RegistryToken) -> u16 {
        reqwest::Client::new()
            .get(format!("{}/v2/{name}/tags/list", self.url))
            .header("authorization", token.authorization_header())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Pushes a small v2 image to `name:latest` through the registry's own upload API, with
    /// a push token from the token service: its config blob, then its manifest (no layers).
    pub(crate) async fn push_v2_image(&self, name: &str) {
        let scope = RegistryScope::parse(&format!("repository:{name}:pull,push")).unwrap();
        let token = self.client().token(&alice(), &[scope]).await.unwrap();
        let http = reqwest::Client::new();
        let config =
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let digest = sha256(config);
        let started = http
            .post(format!("{}/v2/{name}/blobs/uploads/", self.url))
            .header("authorization", token.authorization_header())
            .send()
            .await
            .unwrap();
        assert_eq!(started.status().as_u16(), 202, "starting the upload");
        let location = started.headers()["location"].to_str().unwrap();
        let mut upload = url::Url::parse(&self.url).unwrap().join(location).unwrap();
        upload.query_pairs_mut().append_pair("digest", &digest);
        let blob = http
            .put(upload)
            .header("authorization", token.authorization_header())
            .header("content-type", "application/octet-stream")
            .body(config.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(blob.status().as_u16(), 201, "uploading the config blob");
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": V2_MANIFEST,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": config.len(), "digest": digest
            },
            "layers": []
        });
        let put = http
            .put(format!("{}/v2/{name}/manifests/latest", self.url))
            .header("authorization", token.authorization_header())
            .header("content-type", V2_MANIFEST)
            .body(manifest.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(put.status().as_u16(), 201, "putting the manifest");
    }
}

/// The media type of a Docker v2 image manifest.
const V2_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The digest of `bytes`, as the registry writes it: `sha256:` and the hex of the hash.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// A loopback address with a port nobody listens on (the registry binds it next).
fn free_address() -> String {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn pem(der: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Signs tokens the way the Distribution token specification describes.
struct Signer {
    key: KeyPair,
    x5c: String,
}

impl Signer {
    fn token(&self, account: &str, scopes: &[String], anonymous: bool) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let access: Vec<Value> = scopes
            .iter()
            .filter_map(|scope| {
                let (kind, rest) = scope.split_once(':')?;
                let (name, actions) = rest.rsplit_once(':')?;
                let actions: Vec<&str> = actions
                    .split(',')
                    .filter(|action| !anonymous || *action == "pull")
                    .collect();
                Some(json!({ "type": kind, "name": name, "actions": actions }))
            })
            .collect();
        let claims = json!({
            "iss": ISSUER, "sub": account, "aud": SERVICE,
            "exp": now + 300, "nbf": now - 10, "iat": now,
            "jti": format!("jti-{now}-{}", scopes.len()), "access": access,
        });
        let header = json!({ "alg": "ES256", "typ": "JWT", "x5c": [self.x5c] });
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let input = format!(
            "{}.{}",
            url.encode(header.to_string()),
            url.encode(claims.to_string())
        );
        let signature = fixed_signature(&self.key.sign(input.as_bytes()).unwrap());
        format!("{input}.{}", url.encode(signature))
    }
}

/// Turns an ASN.1 ECDSA signature (`SEQUENCE { INTEGER r, INTEGER s }`) into JOSE's fixed
/// form, `r || s` in 32 bytes each.
fn fixed_signature(der: &[u8]) -> Vec<u8> {
    assert_eq!(der[0], 0x30, "an ASN.1 sequence");
    let mut rest = &der[2..];
    let mut fixed = Vec::with_capacity(64);
    for _ in 0..2 {
        assert_eq!(rest[0], 0x02, "an ASN.1 integer");
        let len = rest[1] as usize;
        let integer = &rest[2..2 + len];
        let integer = &integer[integer.len().saturating_sub(32)..];
        fixed.extend(std::iter::repeat_n(0, 32 - integer.len()));
        fixed.extend_from_slice(integer);
        rest = &rest[2 + len..];
    }
    fixed
}

/// Answers one token request, as GET (query, Basic) or as the OAuth2 form (POST).
/// `counters` counts the tokens issued, and those issued to alice.
async fn serve(
    mut stream: TcpStream,
    signer: Arc<Signer>,
    counters: (Arc<AtomicUsize>, Arc<AtomicUsize>),
) {
    let (issued, issued_to_alice) = counters;
    let Some((head, body)) = read_request(&mut stream).await else {
        return;
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs: Vec<(String, String)> = match method {
        "POST" => url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect(),
        _ => url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut scopes: Vec<String> = pairs
        .iter()
        .filter(|(name, _)| name == "scope")
        .flat_map(|(_, value)| value.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    scopes.retain(|scope| !scope.is_empty());
    let credentials = match method {
        "POST" => field("username").zip(field("password")),
        _ => headers
            .get("authorization")
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
            })
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(u, p)| (u.to_owned(), p.to_owned()))
            }),
    };
    let (status, answer) = if path != "/token" || field("service").as_deref() != Some(SERVICE) {
        (404, json!({ "details": "not found" }))
    } else {
        match credentials {
            Some((user, password)) if user == "alice" && password == PASSWORD => {
                issued.fetch_add(1, Ordering::SeqCst);
                issued_to_alice.fetch_add(1, Ordering::SeqCst);
                (
                    200,
                    json!({ "token": signer.token(&user, &scopes, false), "expires_in": 300 }),
                )
            }
            Some(_) => (401, json!({ "details": "incorrect username or password" })),
            None => {
                issued.fetch_add(1, Ordering::SeqCst);
                (
                    200,
                    json!({ "access_token": signer.token("", &scopes, true) }),
                )
            }
        }
    };
    let body = answer.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads a request's head and its body (as long as `Content-Length` says).
async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        if buffer.len() >= end + 4 + length {
            let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
            return Some((head, body));
        }
    }
}

/// alice's credentials, which the token service takes.
pub(crate) fn alice() -> Credentials {
    Credentials::secret("alice", PASSWORD)
}
