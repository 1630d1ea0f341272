//! What the async API needs from its caller: a tokio runtime, with time and I/O enabled.
//! A shared helper; it imports nothing from the rest of the crate but the error type.
//!
//! Whether a runtime is running is checked before any request, and its absence is an
//! [`ErrorKind::Runtime`] naming the call. Whether that runtime has its timers and its I/O
//! driver enabled cannot be checked: tokio 1.x has no public, non-panicking way to ask (its
//! runtime handle's `Debug` is opaque, its I/O and timer handles are private, and every
//! public function that uses them panics without them). The crate docs and the README
//! therefore state the requirement up front; a runtime without timers fails with tokio's
//! own panic, whose message names the fix (`enable_time` on the runtime builder).

use crate::error::{Error, ErrorKind, Result};

/// Returns an [`ErrorKind::Runtime`] error naming `call` when no tokio runtime is running on
/// this thread, before anything is sent.
pub(crate) fn require(call: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Runtime).with_detail(format!(
        "{call} needs a tokio runtime, with time and I/O enabled, and none is running on this \
         thread (#[tokio::main] starts one; the `blocking` feature's API needs none)"
    )))
}
