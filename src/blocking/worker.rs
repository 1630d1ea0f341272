//! The runtime thread of a client family: a dedicated thread running a current-thread tokio
//! runtime (time and I/O enabled), to which calls are sent over a channel, as
//! `reqwest::blocking` does. A call that can be answered without waiting (a cached token, a
//! remembered failure) never goes there.

use std::{
    future::Future,
    pin::Pin,
    sync::mpsc as std_mpsc,
    thread::{self, JoinHandle, ThreadId},
};

use tokio::sync::mpsc;

use crate::error::{Error, ErrorKind, Result};

/// A call on its way to the runtime thread: it sends its own answer back.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The runtime thread of one client family (a hub and its sessions, or a registry), shared
/// by every handle of the family; dropping the last handle stops it.
pub(super) struct Worker {
    /// Taken by `drop`, which closes the channel: the thread then stops.
    jobs: Option<mpsc::UnboundedSender<Job>>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl Worker {
    /// Starts the runtime thread of `family` ("Hub", "Registry") and waits until its
    /// runtime is built.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Runtime`] when the thread cannot be started or the runtime built.
    pub(super) fn start(family: &'static str) -> Result<Worker> {
        let failed = |what: &str, error: std::io::Error| {
            Error::new(ErrorKind::Runtime).with_detail(format!(
                "the runtime thread of dockerhub_auth::blocking::{family} could not {what}: \
                 {error}"
            ))
        };
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let (ready, started) = std_mpsc::sync_channel(1);
        let thread = thread::Builder::new()
            // 14 bytes: Linux shows thread names up to 15.
            .name("dockerhub-auth".to_owned())
            .spawn(move || {
                // Built here, so that it is dropped here too: dropping a runtime inside
                // another one (a handle dropped in async code) would panic.
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => {
                        let _ = ready.send(Ok(()));
                        runtime
                    }
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    // Each call on a task of its own: they run concurrently, and a token
                    // refresh they share runs once.
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
                // The last handle is gone, so nobody waits for what still runs: tasks are
                // dropped, and a blocking-pool thread still busy (a second-factor prompt, a
                // write to the disk cache, which is atomic) finishes on its own.
                runtime.shutdown_background();
            })
            .map_err(|error| failed("start", error))?;
        let thread_id = thread.thread().id();
        match started.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(failed("build its tokio runtime", error)),
            Err(_) => {
                return Err(Error::new(ErrorKind::Runtime).with_detail(format!(
                    "the runtime thread of dockerhub_auth::blocking::{family} stopped at start"
                )));
            }
        }
        Ok(Worker {
            jobs: Some(jobs),
            thread: Some(thread),
            thread_id,
        })
    }

    /// Runs `future` on the runtime thread and waits for its answer; `call` names the
    /// public call in errors.
    ///
    /// # Errors
    ///
    /// The future's, and [`ErrorKind::Runtime`] when called inside a tokio runtime (see
    /// [`outside_runtime`]) or when the runtime thread ended without an answer.
    pub(super) fn run<T, F>(&self, call: &str, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        outside_runtime(call)?;
        // A std channel: waiting on it never panics, whatever the thread.
        let (answer, answered) = std_mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            // The caller waits until it gets this, so the buffer of one is always free.
            let _ = answer.send(future.await);
        });
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if !sent {
            return Err(stopped(call));
        }
        // An `Err` here means the job was dropped unanswered: its runtime stopped.
        answered.recv().unwrap_or_else(|_| Err(stopped(call)))
    }
}

impl Drop for Worker {
    /// Closes the channel and waits for the thread to stop: dropping a runtime cancels what
    /// still runs on it, so this takes as long as dropping those tasks.
    fn drop(&mut self) {
        drop(self.jobs.take());
        // The thread could hold the last handle only through user code it runs (a
        // second-factor prompt); it cannot wait for itself.
        if let Some(thread) = self.thread.take()
            && thread::current().id() != self.thread_id
        {
            let _ = thread.join();
        }
    }
}

/// Returns an [`ErrorKind::Runtime`] error naming `call` when a tokio runtime is running on
/// this thread: a blocking call there would stall one of the runtime's threads (and,
/// on a current-thread runtime, everything else on it, such as a server the call talks to).
///
/// The test is whether a tokio runtime is current here, which holds in async tasks, in
/// `block_on`, and in the threads of `spawn_blocking` too (tokio has no public way to tell
/// those apart without a panic): code that must block from async code runs on a thread of
/// its own.
pub(super) fn outside_runtime(call: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Runtime).with_detail(format!(
        "dockerhub_auth::blocking::{call} cannot be called inside a tokio runtime, which it \
         would block: use the async dockerhub_auth::{call} there, or call it from a thread \
         of your own (std::thread::spawn)"
    )))
}

/// The error of a call whose runtime thread ended without answering.
fn stopped(call: &str) -> Error {
    Error::new(ErrorKind::Runtime).with_detail(format!(
        "the runtime thread of dockerhub_auth::blocking::{call} stopped before it answered"
    ))
}
