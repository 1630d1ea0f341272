//! [`FileStore`]: the cache directory on this machine.
//!
//! ```text
//! <dir>/              0700, owned by the user, writable by nobody else
//!   key               0600, the 32 random bytes of the keyed hash
//!   <name>.json       0600, one entry (see `entry`), replaced by rename
//!   <name>.lock       0600, empty; `flock`ed by the process refreshing <name>
//!   .<name>.<pid>.<n>.tmp   an entry (or the key, <name> = `key`) being written
//! ```
//!
//! Safety: the directory and every file must belong to the user and be writable by nobody
//! else, and the key must be readable by nobody else (with it, the names of entries could
//! be checked against guessed passwords). Anything else is not used. On platforms without
//! Unix permissions that cannot be checked, so the cache is not used there at all.
//!
//! Every file and the directory are opened through `safe_file`: no link is followed, no
//! open blocks (a FIFO is refused at once), only regular files are read, and each read is
//! capped (an entry at 64 KiB, the key at 33 bytes). A directory, key or lock file that is
//! not what this module makes (a link, a FIFO, a key of another length) makes the cache
//! unusable, with one warning naming it; it is never replaced or removed. An entry that is
//! not a regular file is ignored (with a warning) and replaced. `logout` removes only
//! files named as this module names them.
//!
//! Writes are atomic (a temporary file, then a rename) but not synced: after a power cut an
//! entry may be empty, which reads as no entry. Locks are `flock`-style advisory locks
//! (std's `File::try_lock`): the operating system drops them when their holder exits or
//! dies, so a crash never leaves a stale lock.

use std::{
    fs::{self, DirBuilder, File, OpenOptions, TryLockError},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use zeroize::Zeroizing;

use super::{
    key::{EntryName, HASH_KEY_LEN, HashKey},
    ownership::{Unusable, check_not_readable_by_others, check_owner_and_writers, check_platform},
    store::{Lease, Locking, Store},
    warn_once,
};
use crate::safe_file::{self, Links, Refused};

/// The name of the key file in the cache directory.
const KEY_FILE: &str = "key";

/// Entries are a few KiB; anything much larger is not one.
const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// A key is [`HASH_KEY_LEN`] bytes; one byte more is read to tell a longer file.
const MAX_KEY_BYTES: u64 = HASH_KEY_LEN as u64 + 1;

/// The longest pause between two tries of a lock.
const MAX_LOCK_PAUSE: Duration = Duration::from_millis(20);

/// The cache directory, checked and with its key loaded.
#[derive(Debug)]
pub(crate) struct FileStore {
    dir: PathBuf,
    hash_key: HashKey,
}

impl FileStore {
    /// Creates the directory (mode 0700) when it does not exist, checks that it is safe,
    /// and loads its key, creating it when there is none.
    pub(crate) fn open(dir: &Path) -> Result<FileStore, Unusable> {
        check_platform()?;
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|error| {
            Unusable::Failed(format!(
                "cannot create the token cache directory {}: {error}",
                dir.display()
            ))
        })?;
        FileStore::open_created(dir)
    }

    /// Opens the directory only when it exists: `Ok(None)` when it does not.
    pub(crate) fn open_existing(dir: &Path) -> Result<Option<FileStore>, Unusable> {
        check_platform()?;
        match fs::symlink_metadata(dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            _ => FileStore::open_created(dir).map(Some),
        }
    }

    /// Checks the directory through a descriptor opened without following a link, then
    /// loads the key.
    fn open_created(dir: &Path) -> Result<FileStore, Unusable> {
        const WHAT: &str = "the token cache directory";
        let metadata = match safe_file::open_directory(dir) {
            Ok((_, metadata)) => metadata,
            Err(refused @ (Refused::Link | Refused::NotDirectory(_))) => {
                return Err(Unusable::Unsafe(refused.describe(WHAT, dir)));
            }
            Err(refused) => return Err(Unusable::Failed(refused.describe(WHAT, dir))),
        };
        check_owner_and_writers(&metadata, WHAT, dir)?;
        Ok(FileStore {
            dir: dir.to_owned(),
            hash_key: load_or_create_key(dir)?,
        })
    }

    fn entry_path(&self, name: &EntryName) -> PathBuf {
        self.dir.join(format!("{}.json", name.as_str()))
    }

    fn lock_path(&self, name: &EntryName) -> PathBuf {
        self.dir.join(format!("{}.lock", name.as_str()))
    }

    /// Removes temporary files a crashed writer left behind (only those named as
    /// [`create_temporary`] names them); returns how many.
    pub(crate) fn remove_leftovers(&self) -> io::Result<usize> {
        let mut removed = 0;
        for file in fs::read_dir(&self.dir)? {
            let file_name = file?.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            if is_temporary(file_name) {
                remove_if_present(&self.dir.join(file_name))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

impl Store for FileStore {
    fn hash_key(&self) -> &HashKey {
        &self.hash_key
    }

    fn load(&self, name: &EntryName) -> Option<Zeroizing<Vec<u8>>> {
        const WHAT: &str = "the cache entry";
        let path = self.entry_path(name);
        let (file, metadata) = match safe_file::open_regular(&path, Links::Refuse) {
            Ok(opened) => opened,
            Err(Refused::Missing) => return None,
            Err(refused @ (Refused::Link | Refused::NotRegular(_))) => {
                // Never one of ours: a write replaces it.
                warn_once(
                    &path,
                    &format!("{}; ignoring it", refused.describe(WHAT, &path)),
                );
                return None;
            }
            Err(refused) => {
                tracing::debug!("{}", refused.describe(WHAT, &path));
                return None;
            }
        };
        if let Err(Unusable::Unsafe(why)) = check_owner_and_writers(&metadata, WHAT, &path) {
            warn_once(&path, &format!("{why}; not using it"));
            return None;
        }
        match safe_file::read_capped(file, &metadata, MAX_ENTRY_BYTES) {
            Ok(bytes) => Some(bytes),
            Err(refused) => {
                tracing::debug!("{}", refused.describe(WHAT, &path));
                None
            }
        }
    }

    fn save(&self, name: &EntryName, bytes: &[u8]) -> io::Result<()> {
        let (temporary, mut file) = create_temporary(&self.dir, name.as_str())?;
        let written = file.write_all(bytes);
        drop(file);
        let written = written.and_then(|()| fs::rename(&temporary, self.entry_path(name)));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written
    }

    fn lock(&self, name: &EntryName, wait: Duration) -> Locking {
        const WHAT: &str = "the token cache lock";
        let path = self.lock_path(name);
        let file = match safe_file::open_or_create(&path, private_options()) {
            Ok((file, metadata)) => match check_owner_and_writers(&metadata, WHAT, &path) {
                Ok(()) => file,
                Err(Unusable::Unsafe(why) | Unusable::Failed(why)) => {
                    warn_once(&path, &format!("{why}; going on without the token cache"));
                    return Locking::Refused;
                }
                Err(Unusable::Unsupported) => return Locking::Refused,
            },
            Err(refused @ (Refused::Link | Refused::NotRegular(_))) => {
                let why = refused.describe(WHAT, &path);
                warn_once(&path, &format!("{why}; going on without the token cache"));
                return Locking::Refused;
            }
            Err(Refused::Io(error)) => return Locking::Failed(error),
            Err(refused) => return Locking::Failed(io::Error::other(refused.to_string())),
        };
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => return Locking::Held(Box::new(FileLease { _file: file })),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(error)) => return Locking::Failed(error),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Locking::Busy;
            }
            // On a blocking thread of tokio's pool, never on an async worker.
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(MAX_LOCK_PAUSE);
        }
    }

    fn names(&self) -> io::Result<Vec<EntryName>> {
        let mut names = Vec::new();
        for file in fs::read_dir(&self.dir)? {
            let file_name = file?.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            let stem = file_name
                .strip_suffix(".json")
                .or_else(|| file_name.strip_suffix(".lock"));
            if let Some(name) = stem.and_then(EntryName::parse)
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn remove(&self, name: &EntryName) -> io::Result<()> {
        remove_if_present(&self.entry_path(name))?;
        remove_if_present(&self.lock_path(name))
    }
}

/// Holds a lock file locked; the lock goes with the file handle.
struct FileLease {
    _file: File,
}

impl Lease for FileLease {}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Returns whether `file_name` is one of [`create_temporary`]'s names:
/// `.<64 hex digits or "key">.<pid>.<n>.tmp`.
fn is_temporary(file_name: &str) -> bool {
    let Some(middle) = file_name
        .strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
    else {
        return false;
    };
    let mut parts = middle.split('.');
    let (Some(stem), Some(pid), Some(count), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (stem == KEY_FILE || EntryName::parse(stem).is_some()) && number(pid) && number(count)
}

/// Options that create files readable and writable by the user alone.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates a new, empty temporary file next to `stem`'s entry, named so that no other
/// writer (another process, another thread) can pick the same name.
fn create_temporary(dir: &Path, stem: &str) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{stem}.{}.{count}.tmp", std::process::id()));
        match private_options().write(true).create_new(true).open(&path) {
            // A leftover of a crashed process that had the same id: take the next number.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            result => return result.map(|file| (path, file)),
        }
    }
}

/// Returns the directory's key, creating it when there is none. A key that is not one this
/// module wrote (a link, not a regular file, not [`HASH_KEY_LEN`] bytes, another user's) is
/// never replaced: the cache is not used.
fn load_or_create_key(dir: &Path) -> Result<HashKey, Unusable> {
    const WHAT: &str = "the token cache key";
    let path = dir.join(KEY_FILE);
    let failed = |error: io::Error| {
        Unusable::Failed(format!(
            "cannot use the token cache key {}: {error}",
            path.display()
        ))
    };
    // Two rounds: create it when there is none, then read back whichever key won.
    for _ in 0..2 {
        let (file, metadata) = match safe_file::open_regular(&path, Links::Refuse) {
            Ok(opened) => opened,
            Err(Refused::Missing) => {
                let temporary = write_new_key(dir).map_err(failed)?;
                // A hard link never replaces: when two processes race, one key wins and
                // both read it back in the next round.
                let linked = match fs::hard_link(&temporary, &path) {
                    Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                    // A file system without hard links: a rename is close enough.
                    Err(_) => fs::rename(&temporary, &path),
                    Ok(()) => Ok(()),
                };
                let _ = fs::remove_file(&temporary);
                linked.map_err(failed)?;
                continue;
            }
            Err(refused @ (Refused::Link | Refused::NotRegular(_))) => {
                return Err(Unusable::Unsafe(refused.describe(WHAT, &path)));
            }
            Err(refused) => return Err(Unusable::Failed(refused.describe(WHAT, &path))),
        };
        check_owner_and_writers(&metadata, WHAT, &path)?;
        check_not_readable_by_others(&metadata, &path)?;
        let length = match safe_file::read_capped(file, &metadata, MAX_KEY_BYTES) {
            Ok(bytes) => match <[u8; HASH_KEY_LEN]>::try_from(bytes.as_slice()) {
                Ok(key) => return Ok(HashKey::new(Zeroizing::new(key))),
                Err(_) if bytes.len() > HASH_KEY_LEN => format!("more than {HASH_KEY_LEN}"),
                Err(_) => bytes.len().to_string(),
            },
            Err(Refused::TooLarge(_)) => format!("more than {HASH_KEY_LEN}"),
            Err(refused) => return Err(Unusable::Failed(refused.describe(WHAT, &path))),
        };
        // Not ours (or damaged by a power cut): left as it is, for its owner to look at.
        return Err(Unusable::Unsafe(format!(
            "{WHAT} {} is not a key this program wrote ({length} bytes, not {HASH_KEY_LEN}); \
             remove it, or choose another directory",
            path.display()
        )));
    }
    Err(Unusable::Failed(format!(
        "the token cache key {} keeps changing",
        path.display()
    )))
}

/// Writes a fresh random key to a temporary file and returns its path.
fn write_new_key(dir: &Path) -> io::Result<PathBuf> {
    let mut key = Zeroizing::new([0u8; HASH_KEY_LEN]);
    getrandom::fill(key.as_mut_slice()).map_err(io::Error::other)?;
    let (path, mut file) = create_temporary(dir, KEY_FILE)?;
    file.write_all(key.as_slice())?;
    Ok(path)
}
