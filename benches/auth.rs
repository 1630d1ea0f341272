//! The crate's performance targets (BENCHMARKS.md), measured in one run (`cargo bench --bench auth`):
//!
//! - `exchange`: `Hub::create_access_token` against a local keep-alive server, next to a
//!   minimal hand-written reqwest POST + serde decode with the same client settings;
//! - `session_warm_token`: `Session::token()` on a warm cache;
//! - `session_cold_burst`: 1,000 concurrent `Session::token()` calls on a cold session, and
//!   how many requests they put on the wire (must be 1);
//! - `session_warm_token_with_disk_cache`: the same warm call on a session that also has a
//!   disk cache (the memory path must not pay for the disk);
//! - `disk_cache_hit`: a new session (as in a new process) whose token is on disk: the
//!   blocking-pool trip, the file reads and the decoding.
//!
//! The server is started by the bench itself on 127.0.0.1: a fixed answer over HTTP/1.1
//! keep-alive, fast enough that the client is what is measured.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Arc, LazyLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use base64::Engine as _;
use divan::Bencher;
use dockerhub_auth::{Credentials, DiskCache, Hub, Session};
use futures_util::FutureExt as _;

fn main() {
    println!(
        "requests on the wire for 1,000 concurrent Session::token() on a cold cache: {}",
        cold_burst()
    );
    exchange::interleaved(5_000);
    divan::main();
}

/// A JWT shaped like Docker Hub's, as long as a real one (about 1 KB).
fn hub_jwt() -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = serde_json::json!({
        "aud": "https://hub.docker.com", "iss": "https://api.docker.com/",
        "exp": 4_000_000_600u64, "iat": 4_000_000_000u64, "jti": "c5b0e0a2-6a4e-4a8e-9b1d-3f1e0b3c7d2a",
        "scope": "repo:public_read",
        "https://hub.docker.com": {
            "email": "alice@example.com", "roles": [], "session_id": "8d1f0e2c-5a3b-4c7d-9e6f-1a2b3c4d5e6f",
            "source": "docker_pat|3f1e0b3c-7d2a-4a8e-9b1d-c5b0e0a26a4e", "username": "alice",
            "uuid": "0b3c7d2a-3f1e-4a8e-9b1d-c5b0e0a26a4e"
        }
    });
    format!(
        "{}.{}.{}",
        engine.encode(r#"{"alg":"RS256","typ":"JWT","kid":"hub-2026"}"#),
        engine.encode(claims.to_string()),
        engine.encode([7u8; 256])
    )
}

/// A keep-alive HTTP/1.1 server answering every request with the same token.
struct Server {
    base_url: String,
    requests: Arc<AtomicUsize>,
}

static SERVER: LazyLock<Server> = LazyLock::new(|| {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let body = serde_json::json!({ "access_token": hub_jwt() }).to_string();
    let answer: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (answer, counter) = (answer.clone(), counter.clone());
            std::thread::spawn(move || serve(stream, &answer, &counter));
        }
    });
    Server { base_url, requests }
});

fn serve(stream: TcpStream, answer: &[u8], requests: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let mut length = 0;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return; // the client closed the connection
            }
            let lower = line.to_ascii_lowercase();
            if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn hub() -> Hub {
    Hub::builder()
        .base_url(&SERVER.base_url)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

mod exchange {
    use super::*;

    #[divan::bench]
    fn facade(bencher: Bencher) {
        let runtime = runtime();
        let hub = hub();
        bencher.bench_local(|| {
            runtime
                .block_on(hub.create_access_token("alice", "dckr_pat_bench"))
                .unwrap()
        });
    }

    #[derive(serde::Serialize)]
    struct Request<'a> {
        identifier: &'a str,
        secret: &'a str,
    }

    #[derive(serde::Deserialize)]
    struct Response {
        access_token: String,
    }

    /// The baseline: what a careful hand-written client does, with the same settings.
    struct HandWritten {
        client: reqwest::Client,
        url: String,
    }

    impl HandWritten {
        fn new() -> Self {
            let client = reqwest::Client::builder()
                .user_agent(concat!("dockerhub-auth/", env!("CARGO_PKG_VERSION")))
                .timeout(TIMEOUT)
                .connect_timeout(CONNECT_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let url = format!("{}/v2/auth/token", SERVER.base_url);
            HandWritten { client, url }
        }

        async fn exchange(&self) -> String {
            let response = self
                .client
                .post(&self.url)
                .json(&Request {
                    identifier: "alice",
                    secret: "dckr_pat_bench",
                })
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Response>().await.unwrap().access_token
        }
    }

    #[divan::bench]
    fn hand_written_reqwest(bencher: Bencher) {
        let runtime = runtime();
        let baseline = HandWritten::new();
        bencher.bench_local(|| runtime.block_on(baseline.exchange()));
    }

    /// The ratio the target is about, measured so that drift cannot favour either side:
    /// `rounds` rounds, each timing one facade call and one baseline call back to back, in
    /// alternating order.
    pub(super) fn interleaved(rounds: usize) {
        let runtime = runtime();
        let hub = hub();
        let baseline = HandWritten::new();
        let (mut facade, mut hand_written) = (Vec::new(), Vec::new());
        for round in 0..rounds + 500 {
            let time_facade = || {
                let start = std::time::Instant::now();
                runtime
                    .block_on(hub.create_access_token("alice", "dckr_pat_bench"))
                    .unwrap();
                start.elapsed()
            };
            let time_baseline = || {
                let start = std::time::Instant::now();
                runtime.block_on(baseline.exchange());
                start.elapsed()
            };
            let (a, b) = if round % 2 == 0 {
                let a = time_facade();
                (a, time_baseline())
            } else {
                let b = time_baseline();
                (time_facade(), b)
            };
            if round >= 500 {
                // The first 500 rounds warm connections, caches and the allocator.
                facade.push(a);
                hand_written.push(b);
            }
        }
        facade.sort();
        hand_written.sort();
        let (f, h) = (facade[rounds / 2], hand_written[rounds / 2]);
        println!(
            "create_access_token, {rounds} interleaved rounds: facade median {f:?}, \
             hand-written reqwest median {h:?}, ratio {:.3}x",
            f.as_secs_f64() / h.as_secs_f64()
        );
    }
}

/// `Session::token()` when the cache holds a fresh token: no I/O, no await point reached.
#[divan::bench]
fn session_warm_token(bencher: Bencher) {
    let runtime = runtime();
    let _context = runtime.enter();
    let session = hub().session(Credentials::secret("alice", "dckr_pat_bench"));
    runtime.block_on(session.token()).unwrap();
    bencher.bench_local(|| session.token().now_or_never().unwrap().unwrap());
}

/// `Session::token()` on a warm cache, for a session that also has a disk cache.
#[divan::bench]
fn session_warm_token_with_disk_cache(bencher: Bencher) {
    let runtime = runtime();
    let _context = runtime.enter();
    let dir = tempfile::tempdir().unwrap();
    let session = hub()
        .session_builder(Credentials::secret("alice", "dckr_pat_bench"))
        .disk_cache(DiskCache::at(dir.path().join("cache")))
        .build();
    runtime.block_on(session.token()).unwrap();
    bencher.bench_local(|| session.token().now_or_never().unwrap().unwrap());
}

/// A new session, as a new process would build, whose token is already on disk.
#[divan::bench(sample_count = 50, sample_size = 10)]
fn disk_cache_hit(bencher: Bencher) {
    let runtime = runtime();
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::at(dir.path().join("cache"));
    let hub = hub();
    let session = || {
        hub.session_builder(Credentials::secret("alice", "dckr_pat_bench"))
            .disk_cache(cache.clone())
            .build()
    };
    runtime.block_on(session().token()).unwrap();
    let before = SERVER.requests.load(Ordering::SeqCst);
    bencher.bench_local(|| runtime.block_on(session().token()).unwrap());
    assert_eq!(
        SERVER.requests.load(Ordering::SeqCst),
        before,
        "served from disk"
    );
}

/// 1,000 tasks ask a cold session for a token at once, on a two-thread runtime.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn session_cold_burst(bencher: Bencher) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let hub = hub();
    bencher
        .with_inputs(|| hub.session(Credentials::secret("alice", "dckr_pat_bench")))
        .bench_local_values(|session| runtime.block_on(burst(session)));
}

async fn burst(session: Session) {
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap().unwrap();
    }
}

/// Counts the requests one cold burst puts on the wire.
fn cold_burst() -> usize {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let session = hub().session(Credentials::secret("alice", "dckr_pat_bench"));
    let before = SERVER.requests.load(Ordering::SeqCst);
    runtime.block_on(burst(session));
    SERVER.requests.load(Ordering::SeqCst) - before
}
