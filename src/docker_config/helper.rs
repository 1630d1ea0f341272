//! The credential helper protocol, read side only: `docker-credential-<name> get`.
//!
//! The server URL goes to the helper's stdin; on success it prints
//! `{"ServerURL": …, "Username": …, "Secret": …}` (see
//! <https://github.com/docker/docker-credential-helpers>). This crate never calls `store`,
//! `erase` or `list`.
//!
//! Bounded: a helper that runs past its timeout (the store's, shortened to what is left of
//! the caller's deadline) is killed, one that prints more than [`OUTPUT_CAP`] bytes on either
//! stream is killed as soon as it does (whatever time is left: a cap passed is never reported
//! as a timeout), and every helper started is waited for, so none is left a zombie. On Unix a
//! helper runs in a process group of its own, and the whole group is killed: a child it
//! started (a `sleep`, a `pass` it runs) does not outlive the lookup, and with it go the
//! last writers of the helper's pipes. A process that leaves the group (`setsid`, as
//! `gpg-agent` does) is its own. A helper in a group of its own is not in the terminal's
//! foreground: one that reads the terminal itself is stopped by it, while a prompt through
//! an agent (pinentry) works as before. Nor does the terminal's Ctrl-C reach it: a program
//! stops the helpers still running when it is interrupted with [`stop_running`].

use std::{
    ffi::OsStr,
    io::{self, Read, Write},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

#[cfg(unix)]
use std::sync::{Mutex, MutexGuard, PoisonError};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::{docker_config::store_error, error::Result, scrub::scrub};

/// How long a helper may run before it is killed, unless the store says otherwise: long
/// enough for a person to answer a keychain or pinentry prompt.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The most bytes read from a helper's stdout or stderr. Real answers are well under 4 KiB.
pub(crate) const OUTPUT_CAP: usize = 64 * 1024;

/// How often a helper that closed its output but has not exited is checked on.
const EXIT_POLL: Duration = Duration::from_millis(10);

/// The username a helper answers with when the secret is an identity token.
const IDENTITY_TOKEN_USERNAME: &str = "<token>";

/// What a helper said about one server URL.
pub(crate) enum Answer {
    /// A username with a password or access token.
    Secret {
        username: String,
        secret: SecretString,
    },
    /// An identity token (a browser or SSO login).
    IdentityToken(SecretString),
    /// Nothing stored for that server.
    NotFound,
}

/// The JSON a helper prints on success. `ServerURL` is not needed.
#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: Option<String>,
    #[serde(rename = "Secret", default)]
    secret: Option<SecretString>,
}

/// Refuses a helper name that is not a plain name, so that a config can never make this
/// crate run a program by path (`"credsStore": "../../tmp/x"`).
///
/// # Errors
///
/// [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore) unless the name is
/// letters, digits, `.`, `_` and `-`, and is not `.` or `..`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if plain {
        Ok(())
    } else {
        Err(store_error(format!(
            "refused to run docker credential helper \"{}\": a helper name may hold only \
             letters, digits, '.', '_' and '-'",
            scrub(name, &[])
        )))
    }
}

/// Returns the program `docker-credential-<name>` in the absolute directories of
/// `search_path`.
///
/// A relative entry (`bin`, `.`, or an empty one, which means `.`) is skipped, as Go's
/// `exec.LookPath` skips it for docker (`exec.ErrDot`): it would run whatever the current
/// directory holds, such as the `bin/` of a checked-out repository.
///
/// # Errors
///
/// [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore) naming the helper when
/// it is not there.
pub(crate) fn find(name: &str, search_path: Option<&OsStr>) -> Result<PathBuf> {
    let program = format!("docker-credential-{name}");
    let dirs: Vec<PathBuf> = search_path
        .map(|path| std::env::split_paths(path).collect())
        .unwrap_or_default();
    let (absolute, relative): (Vec<&PathBuf>, Vec<&PathBuf>) =
        dirs.iter().partition(|dir| dir.is_absolute());
    let found = absolute
        .into_iter()
        .flat_map(|dir| candidates(dir, &program))
        .find(|candidate| is_executable(candidate));
    found.ok_or_else(|| {
        let skipped = match relative.is_empty() {
            true => "",
            false => " (relative PATH entries are not searched, as docker does not search them)",
        };
        store_error(format!(
            "docker credential helper `{name}` is not installed: no {program} on PATH{skipped}"
        ))
    })
}

/// The files that may be the program in `dir`: on Windows, Docker also tries `.exe`.
fn candidates(dir: &Path, program: &str) -> Vec<PathBuf> {
    let plain = dir.join(program);
    if cfg!(windows) {
        vec![dir.join(format!("{program}.exe")), plain]
    } else {
        vec![plain]
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Asks helper `name` (found at `program`) for the credentials of `server_url`.
///
/// # Errors
///
/// [`ErrorKind::CredentialStore`](crate::ErrorKind::CredentialStore), naming the helper, when
/// it cannot be started, fails (with its exit status and the command to run by hand, never
/// what it printed), runs past `timeout`, prints more than [`OUTPUT_CAP`] bytes, or answers
/// with something that is not the protocol's JSON.
pub(crate) fn get(
    name: &str,
    program: &Path,
    server_url: &str,
    timeout: Duration,
) -> Result<Answer> {
    let output = run(name, program, server_url, timeout)?;
    if !output.status.success() {
        if says_not_found(&output.stdout) || says_not_found(&output.stderr) {
            return Ok(Answer::NotFound);
        }
        // Never quoted, not even scrubbed: a failing helper may print the secret, and no
        // scrubber can find a secret it does not know.
        return Err(store_error(format!(
            "docker credential helper `{name}` failed ({}); what it printed is not shown, \
             since it may hold a secret: run `docker-credential-{name} get` by hand, with \
             {} on stdin, to see why",
            output.status,
            // The config's spelling of Hub's key, on one line.
            scrub(server_url, &[])
        )));
    }
    let answer: HelperAnswer = serde_json::from_slice(&output.stdout).map_err(|_| {
        store_error(format!(
            "docker credential helper `{name}` answered with something that is not the \
             credentials JSON of the helper protocol"
        ))
    })?;
    let username = answer.username.unwrap_or_default();
    let secret = answer
        .secret
        .filter(|secret| !secret.expose_secret().is_empty());
    match secret {
        // Some helpers (Debian's docker-credential-pass 0.6.4) answer "not found" this way.
        None => Ok(Answer::NotFound),
        Some(token) if username == IDENTITY_TOKEN_USERNAME => Ok(Answer::IdentityToken(token)),
        Some(_) if username.is_empty() => Err(store_error(format!(
            "docker credential helper `{name}` answered with a secret but no username"
        ))),
        Some(secret) => Ok(Answer::Secret { username, secret }),
    }
}

/// Returns whether a helper's output is the protocol's "credentials not found" message: its
/// first line that is not blank says so, in any case. Looked at in place: the output may
/// hold a secret, and no copy of it is made.
fn says_not_found(output: &[u8]) -> bool {
    const NOT_FOUND: &[u8] = b"credentials not found";
    output
        .split(|&byte| byte == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty())
        .is_some_and(|line| {
            line.windows(NOT_FOUND.len())
                .any(|window| window.eq_ignore_ascii_case(NOT_FOUND))
        })
}

/// What a helper printed, and how it ended.
struct Output {
    status: ExitStatus,
    stdout: Zeroizing<Vec<u8>>,
    stderr: Zeroizing<Vec<u8>>,
}

enum Stream {
    Stdout,
    Stderr,
}

/// Runs `program get` with `input` on stdin, reading both output streams on their own
/// threads (so that neither can fill up and stall the helper) until they close, the cap is
/// passed, or the deadline comes.
fn run(name: &str, program: &Path, input: &str, timeout: Duration) -> Result<Output> {
    let deadline = Instant::now() + timeout;
    let mut command = Command::new(program);
    command
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // A group of its own, so that `stop` can kill whatever the helper started too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = Running::spawn(&mut command).map_err(|err| {
        store_error(format!(
            "cannot run docker credential helper `{name}` ({}): {err}",
            program.display()
        ))
    })?;
    if let Some(mut stdin) = child.child.stdin.take() {
        // A helper may exit without reading; the server URL is far below a pipe's buffer, so
        // this never blocks. Dropping `stdin` closes it.
        let _ = stdin.write_all(input.as_bytes());
    }
    let (sender, events) = mpsc::channel();
    spawn_reader(child.child.stdout.take(), Stream::Stdout, sender.clone());
    spawn_reader(child.child.stderr.take(), Stream::Stderr, sender);

    let mut stdout = None;
    let mut stderr = None;
    while stdout.is_none() || stderr.is_none() {
        // What a reader already reported is handled before the deadline is looked at (a
        // wait of zero still takes a queued event): output past the cap is reported as
        // such, however late it came.
        let left = deadline.saturating_duration_since(Instant::now());
        let (stream, read) = match events.recv_timeout(left) {
            Ok(event) => event,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                child.stop();
                return Err(timed_out(name, timeout));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let bytes: Zeroizing<Vec<u8>> = match read {
            Ok(bytes) => bytes,
            Err(err) => {
                child.stop();
                return Err(store_error(format!(
                    "cannot read the answer of docker credential helper `{name}`: {err}"
                )));
            }
        };
        if bytes.len() > OUTPUT_CAP {
            child.stop();
            return Err(store_error(format!(
                "docker credential helper `{name}` printed more than {} KiB; stopped it",
                OUTPUT_CAP / 1024
            )));
        }
        match stream {
            Stream::Stdout => stdout = Some(bytes),
            Stream::Stderr => stderr = Some(bytes),
        }
    }
    // Both streams are closed; the helper is exiting, or has closed them and lingers.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(EXIT_POLL),
            Ok(None) => {
                child.stop();
                return Err(timed_out(name, timeout));
            }
            Err(err) => {
                child.stop();
                return Err(store_error(format!(
                    "cannot wait for docker credential helper `{name}`: {err}"
                )));
            }
        }
    };
    Ok(Output {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

type Event = (Stream, io::Result<Zeroizing<Vec<u8>>>);

/// Reads one of the helper's streams to its end or to one byte past the cap, then reports.
fn spawn_reader(
    pipe: Option<impl Read + Send + 'static>,
    stream: Stream,
    events: mpsc::Sender<Event>,
) {
    thread::spawn(move || {
        let mut bytes = Zeroizing::new(Vec::with_capacity(4096));
        let read = match pipe {
            Some(pipe) => pipe
                .take(OUTPUT_CAP as u64 + 1)
                .read_to_end(&mut bytes)
                .map(|_| bytes),
            None => Ok(bytes),
        };
        // The receiver is gone when the helper was already given up on.
        let _ = events.send((stream, read));
    });
}

/// The process groups of the helpers running now (each its helper's id), for
/// [`stop_running`]. A helper is taken off under the same lock that reaps it, so an id
/// [`stop_running`] kills is never one the system has since given to another process.
#[cfg(unix)]
static RUNNING: Mutex<Vec<rustix::process::Pid>> = Mutex::new(Vec::new());

#[cfg(unix)]
fn running() -> MutexGuard<'static, Vec<rustix::process::Pid>> {
    // The list stays right whatever panicked while holding it: it is only pushed to and
    // taken from.
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A helper [`run`] started, listed as running (on Unix) until it is reaped.
struct Running {
    child: Child,
    /// Its process group (its own id), listed in [`RUNNING`] until it is reaped.
    #[cfg(unix)]
    group: Option<rustix::process::Pid>,
}

impl Running {
    /// Starts the helper and lists its group, under the lock: a [`stop_running`] that
    /// comes meanwhile waits for it, and kills it too.
    fn spawn(command: &mut Command) -> io::Result<Self> {
        #[cfg(unix)]
        {
            let mut running = running();
            let child = command.spawn()?;
            let group = Some(rustix::process::Pid::from_child(&child)).filter(|pid| !pid.is_init());
            running.extend(group);
            Ok(Self { child, group })
        }
        #[cfg(not(unix))]
        command.spawn().map(|child| Self { child })
    }

    /// Reaps the helper if it has exited, taking it off the list.
    fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        #[cfg(unix)]
        let mut running = running();
        let status = self.child.try_wait();
        #[cfg(unix)]
        if matches!(status, Ok(Some(_))) {
            self.unlist(&mut running);
        }
        status
    }

    /// Kills the helper, with its process group on Unix, and reaps it, so that it leaves
    /// no zombie. The group is killed before the helper is reaped: until then its id (the
    /// group's) cannot be reused by another process.
    fn stop(&mut self) {
        #[cfg(unix)]
        let mut running = running();
        #[cfg(unix)]
        self.group.into_iter().for_each(kill_group);
        let _ = self.child.kill();
        let _ = self.child.wait();
        #[cfg(unix)]
        self.unlist(&mut running);
    }

    #[cfg(unix)]
    fn unlist(&self, running: &mut Vec<rustix::process::Pid>) {
        running.retain(|listed| Some(*listed) != self.group);
    }
}

/// Kills a helper's whole process group.
#[cfg(unix)]
fn kill_group(group: rustix::process::Pid) {
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
}

/// Kills every helper running now, with its process group. See
/// [`DockerCredentialStore::stop_running_helpers`](super::DockerCredentialStore::stop_running_helpers).
pub(crate) fn stop_running() {
    #[cfg(unix)]
    running().iter().copied().for_each(kill_group);
}

fn timed_out(name: &str, timeout: Duration) -> crate::Error {
    // To a tenth of a second: a timeout cut to what is left of a deadline is not round.
    let seconds = (timeout.as_secs_f64() * 10.0).round() / 10.0;
    store_error(format!(
        "docker credential helper `{name}` did not answer within {seconds}s; stopped it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass() {
        for name in ["pass", "osxkeychain", "ecr-login", "gcloud", "a.b_c-1"] {
            assert!(check_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn paths_and_odd_names_are_refused() {
        for name in [
            "",
            ".",
            "..",
            "../../evil/x",
            "/bin/sh",
            "a b",
            "a\\b",
            "pass;rm",
            "é",
        ] {
            let err = check_name(name).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::CredentialStore, "{name}");
        }
    }

    #[test]
    fn a_timeout_is_told_to_a_tenth_of_a_second() {
        let told = |millis| timed_out("x", Duration::from_millis(millis)).to_string();
        assert!(told(1_999).contains("within 2s"), "{}", told(1_999));
        assert!(told(500).contains("within 0.5s"), "{}", told(500));
        assert!(told(60_000).contains("within 60s"), "{}", told(60_000));
    }

    #[test]
    fn not_found_is_recognised_on_either_stream() {
        assert!(says_not_found(
            b"credentials not found in native keychain\n"
        ));
        assert!(says_not_found(b"\nCredentials not found\n"));
        assert!(!says_not_found(b"pass not initialized\n"));
    }
}
