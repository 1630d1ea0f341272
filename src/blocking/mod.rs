//! The blocking API (feature `blocking`): [`Hub`], [`Session`] and [`Registry`] for code
//! without an async runtime, such as a build script, a synchronous tool or a test helper,
//! as `reqwest::blocking` is for `reqwest`.
//!
//! Each type has the builder, the method names, the errors and the guarantees of its async
//! counterpart ([`crate::Hub`], [`crate::Session`], [`crate::Registry`]) and returns the same
//! types ([`Token`](crate::Token), [`Login`](crate::Login),
//! [`RegistryToken`](crate::RegistryToken), [`PullLimit`](crate::PullLimit),
//! [`Error`](crate::Error)): one request however many threads ask for a token at once,
//! failures remembered, the [disk cache](crate::DiskCache), refreshes ahead of expiry.
//! Every type is `Send + Sync` and cheap to clone.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let server = httpmock::MockServer::start();
//! # let mock = server.mock(|when, then| { when.method("POST").path("/v2/auth/token");
//! #     then.status(200).json_body(serde_json::json!({ "access_token": "not-a-jwt" })); });
//! # let hub_url = server.base_url();
//! use dockerhub_auth::{Credentials, blocking::Hub};
//!
//! let hub = Hub::builder().base_url(hub_url).build()?; // no runtime needed
//! let session = hub.session(Credentials::secret("alice", "dckr_pat_example"));
//! let token = session.token()?;
//! let again = session.token()?; // from the cache, on this thread
//! # assert_eq!(token.expose_secret(), again.expose_secret());
//! # mock.assert_calls(1);
//! # Ok(()) }
//! ```
//!
//! # How it runs
//!
//! A [`Hub`] (with the sessions made from it) and a [`Registry`] each start one thread
//! when built, which runs a current-thread tokio runtime with time and I/O enabled; calls
//! are sent to it over a channel and the calling thread waits for the answer. A token the
//! cache holds is handed out on the calling thread without that trip, as fast as the async
//! [`crate::Session::token`]. Clones share the thread; dropping the last handle of a
//! family stops it (waiting for it to stop, which cancels what still runs there).
//!
//! # Inside async code
//!
//! A blocking call inside a tokio runtime would block one of the runtime's threads (and
//! on a current-thread runtime everything else on it, perhaps the server it talks to), so
//! every call made where a tokio runtime is running (an async task, `block_on`, and the
//! threads of `spawn_blocking` too) returns [`ErrorKind::Runtime`](crate::ErrorKind::Runtime)
//! at once, naming the call and the async method to use instead; nothing is sent. It never
//! panics and never deadlocks. Building a client or dropping it there is fine.
//!
//! # Not here
//!
//! Managing access tokens ([`crate::Hub::personal_access_tokens`],
//! [`crate::Hub::org_access_tokens`]) stays async-only: listing returns a
//! [`Stream`](futures_util::Stream) of pages, and rotation is a sequence of requests with
//! a session as its bearer; a blocking copy would be a second implementation of each. A
//! synchronous program that manages tokens builds a runtime for it
//! (`tokio::runtime::Runtime::new()?.block_on(…)`), as the CLI does.
//! [`DockerCredentialStore::docker_hub_credentials`](crate::DockerCredentialStore::docker_hub_credentials)
//! is blocking already.

/// Writes builder setters that hand their argument to the async builder's setter of the
/// same name: one implementation of each setting, its checks and its defaults.
macro_rules! delegate {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.inner = self.inner.$name($arg);
            self
        }
    )*};
}

mod hub;
mod registry;
mod session;
mod worker;

pub use hub::{Hub, HubBuilder};
pub use registry::{Registry, RegistryBuilder};
pub use session::{Session, SessionBuilder};

const _: fn() = || {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<Hub>();
    shareable::<Session>();
    shareable::<Registry>();
    fn sendable<T: Send + Sync + 'static>() {}
    sendable::<HubBuilder>();
    sendable::<SessionBuilder>();
    sendable::<RegistryBuilder>();
};
