//! [`Deadline`]: the instant an operation must be over by, if any, from which every bounded
//! wait of the operation derives: the retries and their waits (`retry`), a credential
//! helper's timeout (`docker_config`), the wait for another process's lock (`cache`).
//!
//! A caller sets it once ([`RetryPolicy::deadline_at`](crate::RetryPolicy::deadline_at),
//! [`DockerCredentialStore::deadline_at`](crate::DockerCredentialStore::deadline_at)); the
//! CLI sets both from `--timeout`, so that `--timeout` is the limit of a whole run. Below
//! everything: it imports nothing of the crate.

use std::time::{Duration, Instant};

/// The instant an operation must be over by, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline: every wait keeps its own bound.
    pub(crate) const NONE: Deadline = Deadline(None);

    /// The deadline `at`.
    pub(crate) fn at(at: Instant) -> Deadline {
        Deadline(Some(at))
    }

    /// Returns the instant, when there is one.
    pub(crate) fn instant(self) -> Option<Instant> {
        self.0
    }

    /// Returns the time left (zero once it has passed), or `None` without a deadline.
    pub(crate) fn left(self) -> Option<Duration> {
        self.0
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// Returns `wait`, shortened to the time left.
    pub(crate) fn bound(self, wait: Duration) -> Duration {
        self.left().map_or(wait, |left| wait.min(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_shortened_to_the_time_left_and_never_lengthened() {
        let minute = Duration::from_secs(60);
        assert_eq!(Deadline::NONE.bound(minute), minute);
        assert_eq!(Deadline::NONE.left(), None);
        let soon = Deadline::at(Instant::now() + Duration::from_secs(5));
        assert!(soon.bound(minute) <= Duration::from_secs(5));
        assert_eq!(soon.bound(Duration::from_secs(1)), Duration::from_secs(1));
        let passed = Deadline::at(Instant::now());
        assert_eq!(passed.bound(minute), Duration::ZERO);
    }
}
