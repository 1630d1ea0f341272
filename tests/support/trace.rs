//! A tracing subscriber for one test, in a test binary whose other tests run beside it on
//! other threads.

use tracing::{Dispatch, dispatcher::DefaultGuard, subscriber::NoSubscriber};
use tracing_subscriber::util::SubscriberInitExt;

/// Sets a subscriber as the default of the calling thread only.
pub trait ThreadDefault: SubscriberInitExt {
    /// Sets `self` as this thread's default subscriber until the returned guard drops, with
    /// the `log` bridge (so reqwest's records reach it too).
    ///
    /// A `#[tokio::test]` runs on a current-thread runtime, which polls every task of the
    /// test, spawned ones included, on this thread: the subscriber sees all of the test's
    /// output, and none of the other tests'.
    ///
    /// While the guard lives, a second, empty dispatch is registered beside it. tracing-core
    /// caches per call site whether anyone wants it; while exactly one dispatch is
    /// registered it asks only the default of the thread that first reaches the site, so a
    /// site first reached by another test (whose thread has no subscriber) would be cached as
    /// never wanted, and this test would miss its spans (tokio-rs/tracing#3611). With two
    /// registered, every site asks both, and each thread's default decides for itself.
    fn set_thread_default(self) -> ThreadDefaultGuard
    where
        Self: Sized,
    {
        let second = Dispatch::new(NoSubscriber::default());
        ThreadDefaultGuard {
            _default: self.set_default(),
            _second: second,
        }
    }
}

impl<S: SubscriberInitExt> ThreadDefault for S {}

/// Keeps a subscriber the default of its thread; see [`ThreadDefault::set_thread_default`].
pub struct ThreadDefaultGuard {
    _default: DefaultGuard,
    _second: Dispatch,
}
