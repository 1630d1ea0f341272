//! [`Cacheable`]: what the token cache needs of a kind of token, and nothing more.
//!
//! The cache holds Docker Hub's JWTs ([`Token`](crate::Token)) and registry tokens
//! ([`RegistryToken`](crate::RegistryToken)) alike: each says what its secret is, when it
//! arrived, how long it lives, and what else of it is written to disk. A new kind of token is
//! one more implementation of this trait, never a change to the cache.

use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use serde_json::Value;

/// A token the cache can hold, in memory and on disk.
/// Its `Debug` must never show the secret (both kinds print their expiry, never the token).
pub(crate) trait Cacheable: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// Names the kind in an entry on disk, so that an entry of one kind is never read as
    /// another's.
    const KIND: &'static str;

    /// Returns the token string: the one secret an entry holds.
    fn expose_secret(&self) -> &str;

    /// Returns when the token arrived, by this machine's clock.
    fn received_at(&self) -> SystemTime;

    /// Returns how long the token lives from its arrival, or `None` when that is unknown
    /// (it is then reused for the settings' `reuse_without_expiry`).
    fn lifetime(&self) -> Option<Duration>;

    /// Returns when the token expires by its own word (a JWT's `exp`, a registry token's
    /// `issued_at` plus `expires_in`), or `None` when it does not say: past it, the token is
    /// never served from disk, whatever its lifetime from arrival says.
    fn expires_at(&self) -> Option<SystemTime>;

    /// Returns what else of the token an entry keeps (never a secret): `Value::Null` when
    /// there is nothing else.
    fn details(&self) -> Value {
        Value::Null
    }

    /// Rebuilds a token an entry kept: what [`expose_secret`](Self::expose_secret),
    /// [`received_at`](Self::received_at), [`lifetime`](Self::lifetime) and
    /// [`details`](Self::details) returned when it was written. `None` when `details` are
    /// not what this kind writes (the entry is then no entry).
    fn restore(
        secret: SecretString,
        received_at: SystemTime,
        lifetime: Option<Duration>,
        details: &Value,
    ) -> Option<Self>;
}
