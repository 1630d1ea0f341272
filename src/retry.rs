//! [`RetryPolicy`]: which failures are tried again, and how long to wait first, including
//! every form of `Retry-After` Docker Hub has sent.

use std::{
    future::Future,
    hash::{BuildHasher, RandomState},
    time::Duration,
};

use tracing::Instrument as _;

use crate::{Error, ErrorKind, Result};

/// When and how often a failed request is sent again.
///
/// Retried: rate limits (429), 502, 503, 504, connection failures and timeouts, the
/// failures [`Error::is_retryable`] names. Never retried: 400, 401, 403 and every other
/// answer, because each failed login counts toward Docker Hub's ten-minute lockout of the
/// username.
///
/// Before each retry the policy waits as long as Hub asked (`Retry-After` in seconds, as an
/// HTTP date or as a unix timestamp, else `X-RateLimit-Reset`), or, when Hub did not say,
/// an exponential backoff with jitter. A wait Hub asks for that is longer than
/// [`max_wait`](Self::max_wait) is not slept: the error is returned at once, with
/// [`Error::retry_after`] telling the caller how long to wait.
///
/// ```
/// use std::time::Duration;
/// use dockerhub_auth::{Hub, RetryPolicy};
///
/// let patient = RetryPolicy::default().max_attempts(5).max_wait(Duration::from_secs(120));
/// let hub = Hub::builder().retry_policy(patient).build()?;
/// let impatient = Hub::builder().retry_policy(RetryPolicy::never()).build()?;
/// # Ok::<(), dockerhub_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    max_wait: Duration,
    initial_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waits of at most 60 s, backoff from 1 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(60),
            initial_backoff: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that sends every request once and never retries.
    pub fn never() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Sets how many times a request is sent at most, the first time included. `0` counts
    /// as `1`.
    ///
    /// Default: 3.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the longest wait before a retry. A longer wait asked for by Hub ends the
    /// retries at once; a longer backoff is shortened to this.
    ///
    /// Default: 60 seconds.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Sets the backoff before the first retry when Hub does not say how long to wait; it
    /// doubles for each further retry, and a random part of up to half of it is taken off
    /// so that many clients do not retry in step.
    ///
    /// Default: 1 second.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Returns what to do after `attempt` (counted from 1) failed with `error`.
    fn decide(&self, attempt: u32, error: &Error, jitter: u64) -> Decision {
        if !error.is_retryable() || attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        match error.retry_after() {
            Some(wait) if wait > self.max_wait => Decision::GiveUp,
            Some(wait) => Decision::RetryAfter(wait),
            None => Decision::RetryAfter(self.backoff(attempt, jitter)),
        }
    }

    /// Returns the backoff after the `attempt`th failure: `initial × 2^(attempt − 1)`, capped
    /// at `max_wait`, less a random part (from `jitter`) of up to half of it.
    fn backoff(&self, attempt: u32, jitter: u64) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_wait);
        let half = full / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let taken_off =
            Duration::from_nanos(jitter.checked_rem(nanos.saturating_add(1)).unwrap_or(0));
        full - taken_off
    }
}

#[derive(Debug, PartialEq)]
enum Decision {
    GiveUp,
    RetryAfter(Duration),
}

/// Runs `attempt` until it succeeds, fails in a way `policy` does not retry, or runs out of
/// attempts, sleeping (on tokio's clock) between tries. Each try runs in a span `attempt`.
///
/// Outside a tokio runtime it sends nothing and fails with [`ErrorKind::Runtime`].
pub(crate) async fn run<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    // Without a runtime, reqwest's connector and tokio's timer would panic: say so instead.
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::new(ErrorKind::Runtime)
            .with_detail("the operation needs a tokio runtime and none is running"));
    }
    let mut number = 1;
    loop {
        let span = tracing::debug_span!(
            "attempt",
            attempt = number,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = tokio::time::Instant::now();
        let result = attempt().instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis());
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        // Fresh random keys per failure: the success path pays nothing for jitter.
        match policy.decide(number, &error, RandomState::new().hash_one(number)) {
            Decision::GiveUp => return Err(error),
            Decision::RetryAfter(wait) => {
                span.in_scope(|| {
                    tracing::debug!(
                        kind = ?error.kind(),
                        wait_ms = wait.as_millis(),
                        "retrying"
                    );
                });
                tokio::time::sleep(wait).await;
                number += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::headers::{
        parse_wait,
        tests::{at, header_value},
    };

    fn rate_limited(wait: Option<Duration>) -> Error {
        Error::new(ErrorKind::RateLimited).with_retry_after(wait)
    }

    #[test]
    fn hubs_wait_is_used_up_to_the_cap_and_beyond_it_nothing_is_slept() {
        let policy = RetryPolicy::default();
        let within = rate_limited(Some(Duration::from_secs(60)));
        assert_eq!(
            policy.decide(1, &within, 0),
            Decision::RetryAfter(Duration::from_secs(60))
        );
        let beyond = rate_limited(Some(Duration::from_secs(61)));
        assert_eq!(policy.decide(1, &beyond, 0), Decision::GiveUp);
    }

    #[test]
    fn the_last_attempt_is_not_retried() {
        let policy = RetryPolicy::default();
        let error = rate_limited(Some(Duration::ZERO));
        assert_eq!(
            policy.decide(2, &error, 0),
            Decision::RetryAfter(Duration::ZERO)
        );
        assert_eq!(policy.decide(3, &error, 0), Decision::GiveUp);
        assert_eq!(RetryPolicy::never().decide(1, &error, 0), Decision::GiveUp);
    }

    #[test]
    fn failures_that_are_not_retryable_are_given_up_at_once() {
        let rejected = Error::new(ErrorKind::CredentialsRejected).with_status(401);
        assert_eq!(
            RetryPolicy::default().decide(1, &rejected, 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn backoff_doubles_and_loses_at_most_half_to_jitter() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1, 0), Duration::from_secs(1));
        assert_eq!(policy.backoff(2, 0), Duration::from_secs(2));
        assert_eq!(policy.backoff(3, 0), Duration::from_secs(4));
        assert_eq!(policy.backoff(30, 0), Duration::from_secs(60)); // capped
        // The most jitter can take off is half.
        assert_eq!(policy.backoff(2, 1_000_000_000), Duration::from_secs(1));
        assert_eq!(policy.backoff(2, 1_000_000_001), Duration::from_secs(2));
    }

    proptest! {
        #[test]
        fn no_decision_waits_longer_than_the_cap(
            value in header_value(),
            now in 1_000_000_000u64..4_000_000_000,
            attempt in 1u32..10,
            jitter in any::<u64>(),
            cap in 0u64..300_000,
            initial in 0u64..100_000,
        ) {
            let policy = RetryPolicy::default()
                .max_attempts(10)
                .max_wait(Duration::from_millis(cap))
                .initial_backoff(Duration::from_millis(initial));
            for server_wait in [parse_wait(&value, at(now)), None] {
                if let Decision::RetryAfter(wait) = policy.decide(attempt, &rate_limited(server_wait), jitter) {
                    prop_assert!(wait <= Duration::from_millis(cap), "{wait:?} above the cap");
                }
            }
        }

        #[test]
        fn backoff_stays_between_half_and_all_of_its_doubling(
            attempt in 1u32..40,
            jitter in any::<u64>(),
            initial in 0u64..10_000,
        ) {
            let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(initial));
            let full = Duration::from_millis(initial)
                .saturating_mul(2u32.saturating_pow(attempt - 1))
                .min(Duration::from_secs(60));
            let backoff = policy.backoff(attempt, jitter);
            prop_assert!(backoff <= full && backoff >= full / 2, "{backoff:?} of {full:?}");
        }
    }
}
