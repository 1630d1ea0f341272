//! The token cache on disk (`DiskCache`), shared by sessions as separate processes would
//! share it. Every cache lives in a temporary directory.
//!
//! One test binary, one module per concept (run one with `cargo test --test cache disk::`).

#[path = "../support/mod.rs"]
mod support;

// Unix only: elsewhere there is no disk cache (see `DiskCache`).
#[cfg(unix)]
mod disk;
// FIFOs, links, a foreign key and foreign temporaries in the cache directory.
#[cfg(unix)]
mod hostile_files;
// How long what the disk remembers is believed: an hour at most, never from the future,
// never past a token's own expiry.
#[cfg(unix)]
mod remembered_bounds;
