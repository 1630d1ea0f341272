//! The body cap bounds memory: a server sending a gigabyte cannot make the client allocate
//! more than a little over the cap. Measured with a counting allocator over this whole test
//! process (client, runtime and the hostile server alike), one request at a time.

mod support;

use dockerhub_auth::ErrorKind;
use peak_alloc::PeakAlloc;
use support::*;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// The bound on peak memory the crate promises (BENCHMARKS.md) while a server answers with a gigabyte.
const BOUND_MIB: f32 = 64.0;

#[tokio::test]
async fn a_gigabyte_answer_never_costs_more_than_a_few_mebibytes() {
    let gigabyte = 1 << 30;
    let replies = [
        (
            "with content-length",
            b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n".to_vec(),
        ),
        (
            "without content-length",
            b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec(),
        ),
        (
            "as an error page",
            b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n".to_vec(),
        ),
    ];
    for (name, head) in replies {
        let server = RawServer::start(Reply::Stream {
            head,
            total: gigabyte,
        })
        .await;
        let hub = hub_at(&server.base_url);
        ALLOCATOR.reset_peak_usage();
        let before = ALLOCATOR.current_usage_as_mb();

        let err = hub
            .create_access_token("alice", "dckr_pat_x")
            .await
            .unwrap_err();

        let peak = ALLOCATOR.peak_usage_as_mb();
        println!(
            "{name}: {:?}, peak heap {peak:.2} MiB ({before:.2} MiB before)",
            err.kind()
        );
        assert!(
            matches!(
                err.kind(),
                ErrorKind::InvalidResponse | ErrorKind::Unavailable
            ),
            "{name}: {err}"
        );
        assert!(peak < BOUND_MIB, "{name}: peak heap {peak:.1} MiB");
    }
}
