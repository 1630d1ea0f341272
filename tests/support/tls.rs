//! A local HTTPS server, for the CLI tests that need an `https://` URL: a certificate for
//! 127.0.0.1 signed by a throwaway certificate authority, whose certificate is written to a
//! PEM file that one run of the binary is told to trust with `SSL_CERT_FILE` (which
//! rustls-native-certs, under rustls-platform-verifier, reads on Linux instead of the
//! system's store).

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};
use rustls::{
    ServerConfig, ServerConnection, StreamOwned,
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
};

/// What the server answers: a status, headers and a body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// A running server; it stops with the test process.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The certificate authority's certificate, to trust for one run.
    pub ca_file: PathBuf,
    /// A file with no certificate at all: `SSL_CERT_FILE` pointing at it leaves a process
    /// no root certificate to load.
    pub no_certificates: PathBuf,
    requests: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

impl TlsServer {
    /// Starts a server that answers each request with `answer(method, path, its own URL)`.
    pub fn start(answer: impl Fn(&str, &str, &str) -> Answer + Send + Sync + 'static) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Names of their own: OpenSSL (native-tls) takes a leaf named like its issuer for a
        // self-signed certificate.
        ca_params.distinguished_name = name("dockerhub-auth test authority");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        leaf_params.distinguished_name = name("127.0.0.1");
        let leaf = leaf_params
            .signed_by(&leaf_key, &Issuer::new(ca_params, ca_key))
            .unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, pem(ca.der())).unwrap();
        let no_certificates = dir.path().join("no-certificates.pem");
        std::fs::write(&no_certificates, "").unwrap();

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, own_url, answer) = (requests.clone(), url.clone(), Arc::new(answer));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, count, own_url, answer) = (
                    config.clone(),
                    count.clone(),
                    own_url.clone(),
                    answer.clone(),
                );
                std::thread::spawn(move || {
                    serve(stream, config, &count, &|method: &str, path: &str| {
                        answer(method, path, &own_url)
                    });
                });
            }
        });
        TlsServer {
            url,
            ca_file,
            no_certificates,
            requests,
            _dir: dir,
        }
    }

    /// Returns how many requests arrived (over a completed TLS handshake).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Answers the one request of a connection (the answer says `connection: close`).
fn serve(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    count: &AtomicUsize,
    answer: &dyn Fn(&str, &str) -> Answer,
) {
    let Ok(connection) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, stream);
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let (head, body_start) = loop {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return, // a refused handshake ends here
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break (
                String::from_utf8_lossy(&buffer[..end]).into_owned(),
                end + 4,
            );
        }
    };
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < body_start + length {
        match tls.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    count.fetch_add(1, Ordering::SeqCst);
    let mut request_line = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (
        request_line.next().unwrap_or_default(),
        request_line.next().unwrap_or_default(),
    );
    let path = target.split('?').next().unwrap_or_default();
    let Answer {
        status,
        headers,
        body,
    } = answer(method, path);
    let mut response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&body);
    let _ = tls.write_all(response.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

fn pem(der: &CertificateDer<'_>) -> String {
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
