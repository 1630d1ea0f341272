//! Who may use the cache's directory and files: the user alone. What another user owns, or
//! the group or others may write (or, for the key, read), is not used; on platforms without
//! Unix permissions nothing can be checked, so the cache is not used at all.

use std::{fs::Metadata, path::Path};

/// Why the cache directory cannot be used.
#[derive(Debug)]
pub(crate) enum Unusable {
    /// Not a Unix platform: permissions cannot be checked, so the cache is not used.
    Unsupported,
    /// Another user owns it, others may write to it (or read the key), or it is not the
    /// cache's own: a link, a FIFO, a key this crate did not write.
    Unsafe(String),
    /// It could not be created or read.
    Failed(String),
}

/// Refuses a platform without Unix permissions.
pub(super) fn check_platform() -> Result<(), Unusable> {
    if cfg!(unix) {
        Ok(())
    } else {
        Err(Unusable::Unsupported)
    }
}

/// Refuses what another user owns, or what the group or others may write.
#[cfg(unix)]
pub(super) fn check_owner_and_writers(
    metadata: &Metadata,
    what: &str,
    path: &Path,
) -> Result<(), Unusable> {
    use std::os::unix::fs::MetadataExt as _;
    if metadata.uid() != rustix::process::geteuid().as_raw() {
        return Err(Unusable::Unsafe(format!(
            "{what} {} belongs to another user",
            path.display()
        )));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(Unusable::Unsafe(format!(
            "{what} {} is writable by other users",
            path.display()
        )));
    }
    Ok(())
}

/// Refuses a key the group or others may read.
#[cfg(unix)]
pub(super) fn check_not_readable_by_others(
    metadata: &Metadata,
    path: &Path,
) -> Result<(), Unusable> {
    use std::os::unix::fs::MetadataExt as _;
    if metadata.mode() & 0o077 != 0 {
        return Err(Unusable::Unsafe(format!(
            "the token cache key {} is readable by other users",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_owner_and_writers(_: &Metadata, _: &str, _: &Path) -> Result<(), Unusable> {
    Err(Unusable::Unsupported)
}

#[cfg(not(unix))]
pub(super) fn check_not_readable_by_others(_: &Metadata, _: &Path) -> Result<(), Unusable> {
    Err(Unusable::Unsupported)
}
