//! The one way this crate opens a file of its own (the token cache's entries, key, locks and
//! directory) or of Docker's (`config.json`): a file that is not what it should be is an
//! error at once, never a hang, and never read past a cap.
//!
//! - **No link followed**: the last component is opened with `O_NOFOLLOW`, so a symbolic
//!   link is refused rather than followed to wherever it points ([`Links::Follow`] is for
//!   Docker's `config.json`, which dotfile managers link and the docker CLI follows: what it
//!   leads to is checked all the same).
//! - **Never blocked by the open**: `O_NONBLOCK`, so that a FIFO with no writer (or a
//!   device) cannot hang the open.
//! - **Regular files only**: what was opened is checked through the descriptor (`fstat`),
//!   not by path, so that nothing can be swapped in between: a FIFO, a device, a socket or a
//!   directory is refused, naming the path.
//! - **Bounded**: a read stops one byte past its cap, and a file larger than the cap is an
//!   error; the buffer is sized up front and wiped when dropped, so that no reallocation
//!   leaves a copy of a secret behind.
//!
//! Directories are opened the same way (`O_DIRECTORY | O_NOFOLLOW`) and checked through
//! their descriptor. Below everything: it imports nothing of the crate.

use std::{
    fmt,
    fs::{File, Metadata, OpenOptions},
    io::{self, Read as _},
    path::Path,
};

use zeroize::Zeroizing;

/// Whether the last component of a path may be a symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Links {
    /// A link is refused ([`Refused::Link`]): the token cache's files and directory.
    Refuse,
    /// A link is followed, and what it leads to is checked as the path itself would be:
    /// Docker's `config.json`.
    Follow,
}

/// Why a path was not opened.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Nothing is there.
    Missing,
    /// A symbolic link, with [`Links::Refuse`].
    Link,
    /// Not a regular file: what it is instead ("a FIFO", "a device", "a socket", "a
    /// directory").
    NotRegular(&'static str),
    /// Not a directory: what it is instead.
    NotDirectory(&'static str),
    /// A file larger than the cap of its use, in bytes.
    TooLarge(u64),
    /// The open, the `fstat` or the read failed.
    Io(io::Error),
}

impl Refused {
    /// Returns what was wrong with `path`, as a phrase that names it: "/x/key is a FIFO, not
    /// a regular file".
    pub(crate) fn describe(&self, what: &str, path: &Path) -> String {
        let path = path.display();
        match self {
            Refused::Missing => format!("{what} {path} does not exist"),
            Refused::Link => format!("{what} {path} is a symbolic link, which is not followed"),
            Refused::NotRegular(kind) => format!("{what} {path} is {kind}, not a regular file"),
            Refused::NotDirectory(kind) => format!("{what} {path} is {kind}, not a directory"),
            Refused::TooLarge(cap) => format!("{what} {path} is larger than {}", size(*cap)),
            Refused::Io(error) => format!("cannot read {what} {path}: {error}"),
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Missing => f.write_str("not found"),
            Refused::Link => f.write_str("a symbolic link"),
            Refused::NotRegular(kind) => write!(f, "{kind}, not a regular file"),
            Refused::NotDirectory(kind) => write!(f, "{kind}, not a directory"),
            Refused::TooLarge(cap) => write!(f, "larger than {}", size(*cap)),
            Refused::Io(error) => error.fmt(f),
        }
    }
}

/// `4 MiB`, `64 KiB`, `33 bytes`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 && b % (1024 * 1024) == 0 => format!("{} MiB", b / (1024 * 1024)),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// Opens the regular file at `path` for reading; see the module docs.
///
/// # Errors
///
/// [`Refused::Missing`] when nothing is there, [`Refused::Link`] for a link (with
/// [`Links::Refuse`]), [`Refused::NotRegular`] for anything but a regular file, and
/// [`Refused::Io`] when it cannot be opened.
pub(crate) fn open_regular(path: &Path, links: Links) -> Result<(File, Metadata), Refused> {
    let mut options = OpenOptions::new();
    options.read(true);
    no_hang(&mut options, links, false);
    let file = options.open(path).map_err(|error| refusal(path, error))?;
    let metadata = file.metadata().map_err(Refused::Io)?;
    check_regular(&metadata)?;
    Ok((file, metadata))
}

/// Opens the regular file at `path` for reading and writing, creating it (with `options`'
/// mode) when it does not exist, never through a link: for lock files.
///
/// # Errors
///
/// As [`open_regular`] with [`Links::Refuse`]; never [`Refused::Missing`].
pub(crate) fn open_or_create(
    path: &Path,
    mut options: OpenOptions,
) -> Result<(File, Metadata), Refused> {
    options.read(true).write(true).create(true).truncate(false);
    no_hang(&mut options, Links::Refuse, false);
    let file = options.open(path).map_err(|error| refusal(path, error))?;
    let metadata = file.metadata().map_err(Refused::Io)?;
    check_regular(&metadata)?;
    Ok((file, metadata))
}

/// Opens the directory at `path`, never through a link, and returns its metadata read
/// through the descriptor.
///
/// # Errors
///
/// [`Refused::Missing`], [`Refused::Link`], [`Refused::NotDirectory`], [`Refused::Io`].
pub(crate) fn open_directory(path: &Path) -> Result<(File, Metadata), Refused> {
    let mut options = OpenOptions::new();
    options.read(true);
    no_hang(&mut options, Links::Refuse, true);
    let dir = options.open(path).map_err(|error| refusal(path, error))?;
    let metadata = dir.metadata().map_err(Refused::Io)?;
    if !metadata.is_dir() {
        return Err(Refused::NotDirectory(kind(&metadata)));
    }
    Ok((dir, metadata))
}

/// Reads all of `file`, which `metadata` describes, when it holds at most `cap` bytes.
///
/// # Errors
///
/// [`Refused::TooLarge`] past the cap (after reading at most one byte more), and
/// [`Refused::Io`] when the read fails.
pub(crate) fn read_capped(
    file: File,
    metadata: &Metadata,
    cap: u64,
) -> Result<Zeroizing<Vec<u8>>, Refused> {
    // Room for the whole file up front (one more byte, to see the end), so that a
    // reallocation never leaves a partial copy behind; a file that grows meanwhile is still
    // read to one byte past the cap.
    let room = usize::try_from(metadata.len().min(cap).saturating_add(1)).unwrap_or(0);
    let mut bytes = Zeroizing::new(Vec::with_capacity(room));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refused::TooLarge(cap));
    }
    Ok(bytes)
}

/// Reads the regular file at `path` whole, when it holds at most `cap` bytes: [`open_regular`]
/// then [`read_capped`].
///
/// # Errors
///
/// Those of both.
pub(crate) fn read(path: &Path, links: Links, cap: u64) -> Result<Zeroizing<Vec<u8>>, Refused> {
    let (file, metadata) = open_regular(path, links)?;
    read_capped(file, &metadata, cap)
}

/// Refuses what is not a regular file.
fn check_regular(metadata: &Metadata) -> Result<(), Refused> {
    if metadata.is_file() {
        Ok(())
    } else {
        Err(Refused::NotRegular(kind(metadata)))
    }
}

/// Names the kind of a file that is not what was asked for.
fn kind(metadata: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if metadata.is_dir() {
        "a directory"
    } else if metadata.is_file() {
        "a regular file"
    } else if metadata.file_type().is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Says why opening `path` failed: a link, nothing there, or the error itself.
fn refusal(path: &Path, error: io::Error) -> Refused {
    if error.kind() == io::ErrorKind::NotFound {
        return Refused::Missing;
    }
    // `O_NOFOLLOW` fails with ELOOP on Linux and macOS, EMLINK on FreeBSD, and
    // `O_DIRECTORY` says ENOTDIR for a link or a file: ask what is there (for the message
    // only; nothing was opened).
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => Refused::Link,
        Ok(metadata) if error.kind() == io::ErrorKind::NotADirectory => {
            Refused::NotDirectory(kind(&metadata))
        }
        _ => Refused::Io(error),
    }
}

/// Adds the flags that keep an open from following a link (with [`Links::Refuse`]) or from
/// blocking, and `O_DIRECTORY` for a directory.
#[cfg(unix)]
fn no_hang(options: &mut OpenOptions, links: Links, directory: bool) {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut flags = OFlags::NONBLOCK;
    if links == Links::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    if directory {
        flags |= OFlags::DIRECTORY;
    }
    // The flags are small positive constants: the cast keeps every bit.
    options.custom_flags(flags.bits() as i32);
}

/// Elsewhere there are no FIFOs to hang on; links are checked by [`check_regular`] only.
#[cfg(not(unix))]
fn no_hang(_: &mut OpenOptions, _: Links, _: bool) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_up_to_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(&*read(&path, Links::Refuse, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read(&path, Links::Refuse, 9),
            Err(Refused::TooLarge(9))
        ));
        assert!(matches!(
            read(&dir.path().join("absent"), Links::Refuse, 9),
            Err(Refused::Missing)
        ));
    }

    #[test]
    fn a_link_is_refused_or_followed_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let refused = read(&link, Links::Refuse, 9).unwrap_err();
        assert!(matches!(refused, Refused::Link), "{refused:?}");
        assert!(
            refused
                .describe("the key", &link)
                .ends_with("link is a symbolic link, which is not followed")
        );
        assert_eq!(&*read(&link, Links::Follow, 9).unwrap(), b"x");
        // A dangling link is not created through either.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let refused = open_or_create(&dangling, OpenOptions::new()).unwrap_err();
        assert!(matches!(refused, Refused::Link), "{refused:?}");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_fifo_or_a_directory_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::RUSR).unwrap();
        for refused in [
            read(&fifo, Links::Follow, 9).unwrap_err(),
            open_or_create(&fifo, OpenOptions::new()).unwrap_err(),
        ] {
            assert!(
                matches!(refused, Refused::NotRegular("a FIFO")),
                "{refused:?}"
            );
            assert_eq!(
                refused.describe("the entry", &fifo),
                format!("the entry {} is a FIFO, not a regular file", fifo.display())
            );
        }
        let refused = open_directory(&fifo).unwrap_err();
        assert!(
            matches!(refused, Refused::NotDirectory("a FIFO")),
            "{refused:?}"
        );
        let refused = read(dir.path(), Links::Refuse, 9).unwrap_err();
        assert!(
            matches!(refused, Refused::NotRegular("a directory")),
            "{refused:?}"
        );
    }

    #[test]
    fn a_directory_is_opened_but_not_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open_directory(dir.path()).unwrap().1.is_dir());
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        assert!(matches!(open_directory(&link), Err(Refused::Link)));
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        assert!(matches!(
            open_directory(&file),
            Err(Refused::NotDirectory("a regular file"))
        ));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(4 * 1024 * 1024), "4 MiB");
        assert_eq!(size(64 * 1024), "64 KiB");
        assert_eq!(size(33), "33 bytes");
    }
}
