//! Docker's `config.json`, for the one command that writes it (`configure-docker`): found
//! where the docker CLI finds it, read only when it is a regular file (never through a
//! symbolic link, never a FIFO that would hang the read), and replaced atomically (a
//! temporary file in the same directory, then a rename) with the mode it had.

use std::{
    ffi::OsString,
    fs::{self, File, OpenOptions},
    io::{self, Read as _, Write as _},
    path::{Path, PathBuf},
};

use zeroize::Zeroizing;

use crate::failure::{EXIT_OTHER, Failure};

/// The largest `config.json` read, as the library reads it; Docker's own are a few KiB.
const CAP: u64 = 4 * 1024 * 1024;

/// The mode of a `config.json` this command creates, as `docker login` creates it.
const NEW_FILE_MODE: u32 = 0o600;

/// The mode of a config directory this command creates.
#[cfg(unix)]
const NEW_DIR_MODE: u32 = 0o700;

/// Returns where the docker CLI reads its config: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json` (`var` reads one variable; an empty one counts as unset).
///
/// # Errors
///
/// Exit 2 when neither `DOCKER_CONFIG` nor `HOME` is set.
pub(crate) fn location(var: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, Failure> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    if let Some(dir) = set("DOCKER_CONFIG") {
        return Ok(PathBuf::from(dir).join("config.json"));
    }
    let home = set("HOME").or_else(|| cfg!(windows).then(|| set("USERPROFILE")).flatten());
    home.map(|home| PathBuf::from(home).join(".docker").join("config.json"))
        .ok_or_else(|| {
            Failure::usage("neither DOCKER_CONFIG nor HOME is set: no place for Docker's config")
        })
}

/// A config file as it was read: its bytes and its permission bits.
pub(crate) struct Existing {
    pub(crate) bytes: Zeroizing<Vec<u8>>,
    pub(crate) mode: u32,
}

/// Reads the config at `path`, or `None` when there is none.
///
/// # Errors
///
/// Exit 2 when it is a symbolic link, not a regular file, or larger than 4 MiB; exit 1 when
/// it cannot be read.
pub(crate) fn read(path: &Path) -> Result<Option<Existing>, Failure> {
    let shown = path.display();
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_failure("cannot read", path, &error)),
    };
    if metadata.file_type().is_symlink() {
        return Err(Failure::usage(format!(
            "{shown} is a symbolic link, which configure-docker never follows or replaces: \
             run it with DOCKER_CONFIG set to the directory of the file the link points to"
        )));
    }
    let mut file = open_no_follow(path).map_err(|error| match is_link_error(&error) {
        // It became a link since it was looked at.
        true => Failure::usage(format!(
            "{shown} is a symbolic link, which configure-docker never follows or replaces"
        )),
        false => io_failure("cannot open", path, &error),
    })?;
    // What was opened, not what the name pointed to a moment before.
    let metadata = file
        .metadata()
        .map_err(|error| io_failure("cannot read", path, &error))?;
    if !metadata.is_file() {
        return Err(Failure::usage(format!(
            "{shown} is not a regular file; nothing was changed"
        )));
    }
    let mut bytes = Zeroizing::new(Vec::new());
    (&mut file)
        .take(CAP + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| io_failure("cannot read", path, &error))?;
    if bytes.len() as u64 > CAP {
        return Err(Failure::usage(format!(
            "{shown} is larger than 4 MiB; nothing was changed"
        )));
    }
    Ok(Some(Existing {
        bytes,
        mode: mode_of(&metadata),
    }))
}

/// Replaces the config at `path` with `bytes`, atomically, with `mode` (that of the file it
/// replaces, else 0600); creates its directory (mode 0700) when missing. Returns whether
/// the directory was created.
///
/// # Errors
///
/// Exit 1 when the directory, the temporary file or the rename fails; the temporary file is
/// removed, and the config is as it was.
pub(crate) fn replace(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<bool, Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let created_dir = !dir.exists();
    if created_dir {
        create_dir(dir)
            .map_err(|error| io_failure("cannot create the directory of", path, &error))?;
    }
    let (temporary, file) = create_temporary(dir, mode.unwrap_or(NEW_FILE_MODE))
        .map_err(|error| io_failure("cannot create a temporary file next to", path, &error))?;
    let written = write_all(file, bytes).and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(io_failure("cannot write", path, &error));
    }
    // The rename is durable once the directory is; a failure here changes nothing written.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(created_dir)
}

/// Writes `bytes` to `file` and flushes them to the disk.
fn write_all(mut file: File, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates a new file in `dir` with `mode`, named so that a directory listing shows whose it
/// is (`.config.json.dockerhub-auth-<pid>-<n>.tmp`); never opens an existing file or link.
fn create_temporary(dir: &Path, mode: u32) -> io::Result<(PathBuf, File)> {
    #[cfg(not(unix))]
    let _ = mode; // elsewhere the file gets the directory's default permissions
    let mut attempt = 0;
    loop {
        let name = format!(
            ".config.json.dockerhub-auth-{}-{attempt}.tmp",
            std::process::id()
        );
        let path = dir.join(name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        match options.open(&path) {
            Ok(file) => {
                // Exactly `mode`, whatever the umask took away.
                #[cfg(unix)]
                if let Err(error) =
                    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
                {
                    let _ = fs::remove_file(&path);
                    return Err(error);
                }
                return Ok((path, file));
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, NEW_DIR_MODE);
    builder.create(dir)
}

/// Opens `path` for reading without following a symbolic link in its last component, and
/// without blocking on a FIFO.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Whether opening failed because the last component is a symbolic link (`ELOOP`).
#[cfg(unix)]
fn is_link_error(error: &io::Error) -> bool {
    error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
}

#[cfg(not(unix))]
fn is_link_error(_: &io::Error) -> bool {
    false
}

#[cfg(unix)]
fn mode_of(metadata: &fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_: &fs::Metadata) -> u32 {
    NEW_FILE_MODE
}

fn io_failure(what: &str, path: &Path, error: &io::Error) -> Failure {
    Failure::new(EXIT_OTHER, format!("{what} {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_wins_over_home_and_empty_counts_as_unset() {
        let vars = |docker: &'static str, home: &'static str| {
            move |name: &str| match name {
                "DOCKER_CONFIG" => Some(OsString::from(docker)),
                "HOME" => Some(OsString::from(home)),
                _ => None,
            }
        };
        let path = location(vars("/c", "/h")).unwrap();
        assert_eq!(path, Path::new("/c/config.json"));
        let path = location(vars("", "/h")).unwrap();
        assert_eq!(path, Path::new("/h/.docker/config.json"));
        let failure = location(vars("", "")).err().unwrap();
        assert_eq!(failure.code, crate::failure::EXIT_USAGE);
    }
}
