//! Running the `dockerhub-auth` binary (or the credential helper `docker-credential-dockerhub`)
//! in an environment of its own.
//!
//! Every run gets a fresh temporary `HOME`, `DOCKER_CONFIG`, `XDG_RUNTIME_DIR`,
//! `XDG_CACHE_HOME` and token cache directory, and none of the caller's `DOCKERHUB_*` or
//! `DOCKER_*` variables: no test reads or writes the real `~/.docker` or the real token
//! cache. A test that wants state shared between runs passes the same directories itself.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// What a run of the binary printed, and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The variables a run never inherits from the test process.
const SCRUBBED: &[&str] = &[
    "DOCKERHUB_USERNAME",
    "DOCKERHUB_TOKEN",
    "DOCKERHUB_URL",
    "DOCKERHUB_REGISTRY_URL",
    "DOCKERHUB_AUTH_CACHE_DIR",
    "DOCKERHUB_AUTH_NO_CACHE",
    "DOCKERHUB_OIDC_CONNECTIONID",
    "DOCKERHUB_OIDC_EXPIREIN",
    "DOCKERHUB_OIDC_ID_TOKEN",
    "DOCKERHUB_IDENTITY_URL",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "DOCKER_CONFIG",
    "DOCKER_AUTH_CONFIG",
    "XDG_RUNTIME_DIR",
    "XDG_CACHE_HOME",
    "HOME",
];

/// One run of the binary, configured before it starts.
pub struct Cli {
    command: Command,
    stdin: String,
    home: tempfile::TempDir,
}

impl Cli {
    /// The binary with `args`, in a fresh isolated environment.
    pub fn new(args: &[&str]) -> Cli {
        Cli::program(env!("CARGO_BIN_EXE_dockerhub-auth"), args)
    }

    /// The credential helper `docker-credential-dockerhub` with `args`, in a fresh isolated
    /// environment.
    pub fn helper(args: &[&str]) -> Cli {
        Cli::program(env!("CARGO_BIN_EXE_docker-credential-dockerhub"), args)
    }

    fn program(program: &str, args: &[&str]) -> Cli {
        let home = tempfile::tempdir().unwrap();
        let mut command = Command::new(program);
        command.args(args);
        for name in SCRUBBED {
            command.env_remove(name);
        }
        let dir = |name: &str| -> PathBuf {
            let path = home.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            path
        };
        command
            .env("HOME", home.path())
            .env("DOCKER_CONFIG", dir(".docker"))
            .env("XDG_CACHE_HOME", dir(".cache"))
            .env("XDG_RUNTIME_DIR", dir("run"))
            .env("DOCKERHUB_AUTH_CACHE_DIR", home.path().join("token-cache"));
        Cli {
            command,
            stdin: String::new(),
            home,
        }
    }

    /// Sets one environment variable of the run.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Cli {
        self.command.env(name, value);
        self
    }

    /// Removes one environment variable of the run.
    pub fn env_remove(mut self, name: &str) -> Cli {
        self.command.env_remove(name);
        self
    }

    /// Sets the run's working directory.
    pub fn current_dir(mut self, dir: &Path) -> Cli {
        self.command.current_dir(dir);
        self
    }

    /// Sets what the run reads on stdin.
    pub fn stdin(mut self, stdin: &str) -> Cli {
        self.stdin = stdin.to_owned();
        self
    }

    /// The run's temporary home directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs the binary to completion.
    pub fn run(self) -> Run {
        let mut started = self.start();
        started.release();
        started.finish()
    }

    /// Runs the binary to completion, failing the test if it hangs (see
    /// [`Started::finish_within`]).
    pub fn run_within(self, bound: std::time::Duration) -> Run {
        self.start().finish_within(bound)
    }

    /// Starts the binary without writing its stdin yet: a run that reads its secret from
    /// stdin waits until [`Started::release`], so that many runs can be let go together.
    pub fn start(mut self) -> Started {
        self.command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Started {
            child: self.command.spawn().unwrap(),
            stdin: self.stdin,
            _home: self.home,
        }
    }
}

/// A run of the binary that has started and waits for its stdin.
pub struct Started {
    child: std::process::Child,
    stdin: String,
    _home: tempfile::TempDir,
}

impl Started {
    /// Writes the run's stdin and closes it.
    pub fn release(&mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            // The child may exit before reading stdin; a broken pipe is fine.
            let _ = stdin.write_all(self.stdin.as_bytes());
        }
    }

    /// Waits for the run to end, failing the test (and killing the run) if it has not
    /// ended within `bound`: for a run that a regression would hang.
    pub fn finish_within(mut self, bound: std::time::Duration) -> Run {
        self.release();
        let pid = self.child.id();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(self.finish());
        });
        match receiver.recv_timeout(bound) {
            Ok(run) => run,
            Err(_) => {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
                panic!("the run hung: not over within {bound:?}");
            }
        }
    }

    /// The process id of the run.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Takes the run's stdin, for a test that writes it itself; [`Started::finish`] then
    /// leaves it alone.
    pub fn take_stdin(&mut self) -> std::process::ChildStdin {
        self.child.stdin.take().expect("stdin not released yet")
    }

    /// Waits for the run to end.
    pub fn finish(mut self) -> Run {
        self.release();
        let output = self.child.wait_with_output().unwrap();
        Run {
            code: exit_code(output.status),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

/// The exit code as a shell reports it: 128 plus the signal for a run a signal ended.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return 128 + signal;
    }
    status.code().unwrap()
}

/// Runs the binary with `args`, only the given environment variables, and `stdin`.
pub fn cli(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    env.iter()
        .fold(Cli::new(args), |cli, (name, value)| cli.env(name, value))
        .stdin(stdin)
        .run()
}
