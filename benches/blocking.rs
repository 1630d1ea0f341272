//! The blocking API against the async one, in one run (`cargo bench --bench blocking
//! --features blocking`; BENCHMARKS.md has the figures):
//!
//! - `session_warm_token`: `Session::token()` on a warm cache, the async one polled once
//!   inside a runtime context (as `benches/auth.rs` measures it) against the blocking one
//!   from a plain thread (target: ≤ 2× the async one);
//! - `create_access_token`: one request to a local mock Hub, the async one with
//!   `Runtime::block_on` on a current-thread runtime against the blocking one, whose
//!   request goes to its runtime thread and back.

use divan::Bencher;
use dockerhub_auth::{Credentials, Hub, blocking};
use futures_util::FutureExt as _;
use httpmock::MockServer;
use serde_json::json;

fn main() {
    divan::main();
}

/// A mock Hub answering every exchange with the same opaque token (reused for five
/// minutes, so the warm benchmarks never refresh).
fn server() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method("POST").path("/v2/auth/token");
        then.status(200)
            .json_body(json!({ "access_token": "not-a-jwt" }));
    });
    server
}

fn credentials() -> Credentials {
    Credentials::secret("alice", "dckr_pat_bench")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

mod session_warm_token {
    use super::*;

    #[divan::bench]
    fn async_session(bencher: Bencher) {
        let server = server();
        let runtime = runtime();
        let _context = runtime.enter();
        let hub = Hub::builder().base_url(server.base_url()).build().unwrap();
        let session = hub.session(credentials());
        runtime.block_on(session.token()).unwrap();
        bencher.bench_local(|| session.token().now_or_never().unwrap().unwrap());
    }

    #[divan::bench]
    fn blocking_session(bencher: Bencher) {
        let server = server();
        let hub = blocking::Hub::builder()
            .base_url(server.base_url())
            .build()
            .unwrap();
        let session = hub.session(credentials());
        session.token().unwrap();
        bencher.bench_local(|| session.token().unwrap());
    }
}

mod create_access_token {
    use super::*;

    #[divan::bench(sample_count = 50, sample_size = 20)]
    fn async_hub(bencher: Bencher) {
        let server = server();
        let runtime = runtime();
        let hub = Hub::builder().base_url(server.base_url()).build().unwrap();
        bencher.bench_local(|| {
            runtime
                .block_on(hub.create_access_token("alice", "dckr_pat_bench"))
                .unwrap()
        });
    }

    #[divan::bench(sample_count = 50, sample_size = 20)]
    fn blocking_hub(bencher: Bencher) {
        let server = server();
        let hub = blocking::Hub::builder()
            .base_url(server.base_url())
            .build()
            .unwrap();
        bencher.bench_local(|| hub.create_access_token("alice", "dckr_pat_bench").unwrap());
    }
}
