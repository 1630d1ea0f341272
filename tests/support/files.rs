//! Hostile files a test makes itself (a FIFO where a file should be, an entry of the token
//! cache edited by hand), and a bound on a test that a regression would hang.

use std::{
    path::{Path, PathBuf},
    sync::mpsc,
    time::Duration,
};

use serde_json::Value;

/// How long a run that must not hang may take before the test calls it hung: generous, so
/// that a loaded machine never trips it; it only tells "returned" from "hung".
pub const HANG: Duration = Duration::from_secs(20);

/// Makes a FIFO at `path` (with `mkfifo`, as a user would): opening it for reading blocks
/// until someone writes, forever here.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `work` on a thread of its own and returns what it returns, failing the test if it
/// has not returned within [`HANG`] (the thread is left behind: it is hung).
pub fn within_hang_bound<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    match receiver.recv_timeout(HANG) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hung: no answer within {HANG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the work panicked"),
    }
}

/// The entry files (`*.json`) of a token cache directory.
pub fn cache_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    entries.sort();
    entries
}

/// The one entry of `kind` ("hub", "registry" or "failure") in a token cache directory.
pub fn cache_entry(dir: &Path, kind: &str) -> PathBuf {
    let found: Vec<PathBuf> = cache_entries(dir)
        .into_iter()
        .filter(|path| read_entry(path)["kind"] == kind)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} entry in {}", dir.display());
    found.into_iter().next().unwrap()
}

pub fn read_entry(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Rewrites an entry of the token cache with `edit` applied to its JSON, keeping its mode.
pub fn edit_entry(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut entry = read_entry(path);
    edit(&mut entry);
    std::fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
}

/// Adds `by` milliseconds (negative: takes them off) to the number at `pointer` in `entry`.
pub fn shift_ms(entry: &mut Value, pointer: &str, by: i64) {
    let field = entry.pointer_mut(pointer).unwrap();
    let moved = field.as_i64().unwrap() + by;
    *field = Value::from(moved);
}

/// Milliseconds in an hour, for [`shift_ms`].
pub const HOUR_MS: i64 = 60 * 60 * 1000;

/// Returns whether the process `pid` (not a child of this one) has exited, or does so within
/// [`HANG`]: a zombie counts as exited, as its parent may never reap it. Waits on a pidfd,
/// without polling.
#[cfg(target_os = "linux")]
pub fn exits_within_hang_bound(pid: i32) -> bool {
    use rustix::{
        event::{PollFd, PollFlags, Timespec, poll},
        io::Errno,
        process::{Pid, PidfdFlags, pidfd_open},
    };
    let pid = Pid::from_raw(pid).expect("a process id");
    let pidfd = match pidfd_open(pid, PidfdFlags::empty()) {
        Ok(pidfd) => pidfd,
        Err(Errno::SRCH) => return true, // exited and reaped
        Err(error) => panic!("pidfd_open({pid:?}): {error}"),
    };
    let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
    let bound = Timespec {
        tv_sec: HANG.as_secs().try_into().unwrap(),
        tv_nsec: 0,
    };
    // Readable once the process has exited.
    poll(&mut fds, Some(&bound)).unwrap() == 1
}
