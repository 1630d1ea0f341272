//! [`Store`]: where entries live and how one process at a time gets to refresh one.
//!
//! The token source needs five things of a store: the key of its keyed hash, to read and
//! to write an entry by name, to hold a per-name lock that dies with its holder, and to list
//! and remove entries (for `logout`). The directory on this machine ([`FileStore`]) is the
//! only store today. A store shared by many machines would implement the same trait: a
//! Redis store, say, with `GET`/`SET … PX` for entries (the entry's `keep_until` as
//! expiry), `SET lock:<name> NX PX <wait>` for a lease that lapses when its holder dies, and
//! the hash key in a key of its own.
//!
//! Every method blocks: the token source calls them on tokio's blocking pool, never on an
//! async worker.
//!
//! [`FileStore`]: super::file::FileStore

use std::{fmt, io, time::Duration};

use zeroize::Zeroizing;

use super::key::{EntryName, HashKey};

/// A place to keep entries, shared by every process that uses it.
pub(crate) trait Store: Send + Sync + fmt::Debug {
    /// Returns the key of the keyed hash, the same for every user of the store.
    fn hash_key(&self) -> &HashKey;

    /// Returns the bytes stored under `name`, or `None` when there are none, or they cannot
    /// be read or trusted (never an error: a damaged entry is no entry).
    fn load(&self, name: &EntryName) -> Option<Zeroizing<Vec<u8>>>;

    /// Replaces what is stored under `name`, atomically: a reader sees the old bytes or the
    /// new ones, never a mix.
    fn save(&self, name: &EntryName, bytes: &[u8]) -> io::Result<()>;

    /// Takes the lock of `name`, waiting at most `wait`. The lock is released when the
    /// returned lease is dropped, or when its holder dies.
    fn lock(&self, name: &EntryName, wait: Duration) -> Locking;

    /// Returns the name of every entry.
    fn names(&self) -> io::Result<Vec<EntryName>>;

    /// Removes the entry `name` and its lock, if they exist.
    fn remove(&self, name: &EntryName) -> io::Result<()>;
}

/// A held lock; dropping it releases the lock.
pub(crate) trait Lease: Send {}

/// How a try to take a lock ended.
pub(crate) enum Locking {
    /// Taken, until the lease is dropped.
    Held(Box<dyn Lease>),
    /// Another holder kept it past the wait.
    Busy,
    /// Locks do not work here (the refresh goes on without one).
    Failed(io::Error),
    /// The lock is not the store's own (a link, a FIFO, another user's file): the store is
    /// not to be used for this refresh, neither read nor written (the store has said why).
    Refused,
}
