//! [`RetryPolicy`]: which failures are tried again, and how long to wait first, including
//! every form of `Retry-After` Docker Hub has sent.
//!
//! Every operation of this crate sends a secret (a password, an access token, a code), so
//! [`run`] applies the rule for login routes: a timeout once the request may have reached
//! Hub is not retried, because Hub may already have counted it as a failed login. A future
//! request that carries no secret and may be repeated freely would get a second entry point
//! that retries those timeouts too.

use std::{
    error::Error as StdError,
    future::Future,
    hash::{BuildHasher, RandomState},
    time::Duration,
};

use tokio::time::Instant;
use tracing::Instrument as _;

use crate::{
    deadline::Deadline,
    error::{Error, ErrorKind, Result},
};

/// When and how often a failed request is sent again.
///
/// Retried: rate limits (429), 502, 503, 504, connection failures, and timeouts that
/// happened while connecting. Never retried: 400, 401, 403 and every other answer, because
/// each failed login counts toward Docker Hub's ten-minute lockout of the username.
///
/// **Timeouts on the login routes.** Every operation of this crate is a login: its request
/// carries a password, access token or code. A timeout while connecting means nothing was
/// sent, and is retried like a connection failure. A timeout after the connection was made
/// is *not* retried: the request may have reached Hub, which may have counted it, and
/// sending a wrong secret again to a slow Hub would add strikes toward the lockout. That
/// error is still [`is_retryable`](Error::is_retryable), for a caller who decides to try
/// again later (a [`Session`](crate::Session) does, after its backoff).
///
/// **Waits.** Before each retry the policy waits as long as Hub asked (`Retry-After` in
/// seconds, as an HTTP date or as a unix timestamp, else `X-RateLimit-Reset` on a 429), plus
/// a random part of up to a tenth of it, so that many clients told the same moment do not
/// all come back in the same millisecond; a wait Hub gave is never shortened. When Hub did
/// not say, the wait is an exponential backoff less a random part. A wait Hub asks for
/// that is longer than [`max_wait`](Self::max_wait) is not slept: the error is returned at
/// once, with [`Error::retry_after`] telling the caller how long to wait. The random part
/// never takes a wait past `max_wait`: a wait of exactly `max_wait` is slept as it is.
///
/// **Worst case.** An operation takes at most
/// `max_attempts × timeout + (max_attempts − 1) × max_wait`, where `timeout` is the hub's
/// [request timeout](crate::HubBuilder::timeout): 3 × 30 s + 2 × 60 s = 210 s with the
/// defaults ([`worst_case`](Self::worst_case) computes it). A
/// [`deadline`](Self::deadline) per operation bounds it further, and so does an instant
/// every operation must be over by ([`deadline_at`](Self::deadline_at)): one limit for a
/// program's whole work.
///
/// ```
/// use std::time::Duration;
/// use dockerhub_auth::{Hub, RetryPolicy};
///
/// let patient = RetryPolicy::default().max_attempts(5).max_wait(Duration::from_secs(120));
/// let hub = Hub::builder().retry_policy(patient).build()?;
/// let impatient = Hub::builder().retry_policy(RetryPolicy::never()).build()?;
/// let bounded = RetryPolicy::default().deadline(Duration::from_secs(20));
/// assert_eq!(bounded.worst_case(Duration::from_secs(30)), Duration::from_secs(20));
/// # Ok::<(), dockerhub_auth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    max_wait: Duration,
    initial_backoff: Duration,
    deadline: Option<Duration>,
    ends_by: Deadline,
}

impl Default for RetryPolicy {
    /// Three attempts, waits of at most 60 s, backoff from 1 s, no overall deadline.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(60),
            initial_backoff: Duration::from_secs(1),
            deadline: None,
            ends_by: Deadline::NONE,
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
    /// retries at once; a longer backoff is shortened to this, and the random part added
    /// to Hub's waits never goes past it.
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

    /// Sets the most time an operation may take, all attempts and waits included.
    ///
    /// An attempt still running at the deadline is abandoned with
    /// [`ErrorKind::Timeout`], and a retry whose wait would end past the deadline is not
    /// made: the last error is returned at once.
    ///
    /// Default: none; the bound is then [`worst_case`](Self::worst_case).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the instant every operation run with this policy must be over by, wherever it
    /// starts: one overall limit for a program's work, shared by all its operations (the
    /// `dockerhub-auth` CLI sets it from `--timeout`).
    ///
    /// As with [`deadline`](Self::deadline) (the earlier of the two counts), an attempt still
    /// running then is abandoned with [`ErrorKind::Timeout`], and no retry waits past it. A
    /// session's wait for another process's refresh through a
    /// [`DiskCache`](crate::DiskCache) ends by then too. To bound the credential helper that
    /// finds the secret by the same instant, give it to
    /// [`DockerCredentialStore::deadline_at`](crate::DockerCredentialStore::deadline_at).
    ///
    /// An [`Instant`](std::time::Instant), not a `SystemTime`: a deadline must not move when
    /// the system clock is set.
    ///
    /// Default: none.
    pub fn deadline_at(mut self, at: std::time::Instant) -> Self {
        self.ends_by = Deadline::at(at);
        self
    }

    /// Returns the instant set by [`deadline_at`](Self::deadline_at).
    pub(crate) fn ends_by(&self) -> Deadline {
        self.ends_by
    }

    /// Returns the longest an operation can take with this policy when each request is
    /// allowed `request_timeout` (the hub's [timeout](crate::HubBuilder::timeout)):
    /// `max_attempts × request_timeout + (max_attempts − 1) × max_wait`, or the
    /// [`deadline`](Self::deadline) when that is shorter.
    pub fn worst_case(&self, request_timeout: Duration) -> Duration {
        let waits = self.max_wait.saturating_mul(self.max_attempts - 1);
        let bound = request_timeout
            .saturating_mul(self.max_attempts)
            .saturating_add(waits);
        self.deadline.map_or(bound, |deadline| bound.min(deadline))
    }

    /// Returns what to do after `attempt` (counted from 1) failed with `error`.
    fn decide(&self, attempt: u32, error: &Error, jitter: u64) -> Decision {
        if !error.is_retryable() || attempt >= self.max_attempts || may_have_counted(error) {
            return Decision::GiveUp;
        }
        match error.retry_after() {
            Some(wait) if wait > self.max_wait => Decision::GiveUp,
            Some(wait) => Decision::RetryAfter(self.spread(wait, jitter)),
            None => Decision::RetryAfter(self.backoff(attempt, jitter)),
        }
    }

    /// Returns Hub's `wait` plus a random part (from `jitter`) of up to a tenth of it, never
    /// past `max_wait`.
    fn spread(&self, wait: Duration, jitter: u64) -> Duration {
        let room = (wait / 10).min(self.max_wait.saturating_sub(wait));
        wait + fraction(room, jitter)
    }

    /// Returns the backoff after the `attempt`th failure: `initial × 2^(attempt − 1)`, capped
    /// at `max_wait`, less a random part (from `jitter`) of up to half of it.
    fn backoff(&self, attempt: u32, jitter: u64) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_wait);
        full - fraction(full / 2, jitter)
    }
}

/// Returns a duration between zero and `most`, both included, picked by `jitter`.
fn fraction(most: Duration, jitter: u64) -> Duration {
    let nanos = u64::try_from(most.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(jitter.checked_rem(nanos.saturating_add(1)).unwrap_or(0))
}

/// Returns whether `error` is a timeout that may have happened after the request was sent,
/// so that Hub may have counted it as a login. Only a timeout while connecting is known to
/// have sent nothing.
fn may_have_counted(error: &Error) -> bool {
    if error.kind() != ErrorKind::Timeout {
        return false;
    }
    let mut cause = error.source();
    while let Some(current) = cause {
        if let Some(http) = current.downcast_ref::<reqwest::Error>() {
            return !http.is_connect();
        }
        cause = current.source();
    }
    true
}

#[derive(Debug, PartialEq)]
enum Decision {
    GiveUp,
    RetryAfter(Duration),
}

/// Runs `attempt` until it succeeds, fails in a way `policy` does not retry, runs out of
/// attempts or reaches the policy's deadline, sleeping (on tokio's clock) between tries.
/// Each try runs in a span `attempt`. Every request it runs is taken to carry a secret: see
/// the module docs for what that means for timeouts.
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
    let relative = policy
        .deadline
        .and_then(|deadline| Instant::now().checked_add(deadline));
    let absolute = policy.ends_by.instant().map(Instant::from_std);
    let deadline = match (relative, absolute) {
        (Some(relative), Some(absolute)) => Some(relative.min(absolute)),
        (relative, absolute) => relative.or(absolute),
    };
    let mut number = 1;
    loop {
        let span = tracing::debug_span!(
            "attempt",
            attempt = number,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        if deadline.is_some_and(|deadline| started >= deadline) {
            // Over before it began (another operation used the time up): nothing is sent.
            return Err(Error::new(ErrorKind::Timeout)
                .with_detail("the retry policy's deadline passed before the request was sent"));
        }
        let result = match deadline {
            None => attempt().instrument(span.clone()).await,
            Some(deadline) => tokio::time::timeout_at(deadline, attempt().instrument(span.clone()))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::new(ErrorKind::Timeout)
                        .with_detail("the retry policy's deadline passed"))
                }),
        };
        span.record("duration_ms", started.elapsed().as_millis());
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        // Fresh random keys per failure: the success path pays nothing for jitter.
        let decision = policy.decide(number, &error, RandomState::new().hash_one(number));
        match decision {
            Decision::RetryAfter(wait)
                if deadline.is_none_or(|deadline| Instant::now() + wait < deadline) =>
            {
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
            _ => return Err(error),
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
    fn hubs_wait_gains_up_to_a_tenth_and_never_passes_the_cap() {
        let policy = RetryPolicy::default();
        let wait = Duration::from_secs(30);
        assert_eq!(policy.spread(wait, 0), wait);
        assert_eq!(
            policy.spread(wait, 3_000_000_000),
            wait + Duration::from_secs(3)
        );
        assert_eq!(policy.spread(wait, 3_000_000_001), wait); // wraps around
        // 58 s may gain only the 2 s left below the cap; 60 s is slept as it is.
        let near = Duration::from_secs(58);
        assert_eq!(policy.spread(near, 4_000_000_002), near);
        assert_eq!(policy.spread(near, 2_000_000_000), Duration::from_secs(60));
        let at_cap = Duration::from_secs(60);
        assert_eq!(policy.spread(at_cap, 123_456_789), at_cap);
    }

    #[test]
    fn a_timeout_that_may_have_reached_hub_is_not_retried() {
        // Without the transport error to tell, the request may have been sent.
        let timeout = Error::new(ErrorKind::Timeout);
        assert!(timeout.is_retryable());
        assert_eq!(
            RetryPolicy::default().decide(1, &timeout, 0),
            Decision::GiveUp
        );
    }

    /// Returns the address of a listener whose backlog is full: a connection to it hangs
    /// before anything is sent. The streams filling the backlog must be kept.
    #[cfg(target_os = "linux")]
    async fn full_listener() -> (
        std::net::SocketAddr,
        tokio::net::TcpListener,
        Vec<tokio::net::TcpStream>,
    ) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(([127, 0, 0, 1], 0).into()).unwrap();
        let listener = socket.listen(0).unwrap();
        let address = listener.local_addr().unwrap();
        let mut held = Vec::new();
        for _ in 0..4 {
            let connect = tokio::net::TcpStream::connect(address);
            if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(100), connect).await
            {
                held.push(stream);
            }
        }
        (address, listener, held)
    }

    // Linux holds a connection whose SYN finds a full backlog in SYN-SENT; other systems
    // may refuse it instead.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_timeout_while_connecting_sent_nothing_and_is_retried() {
        let (address, _listener, _held) = full_listener().await;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let source = client
            .post(format!("http://{address}/v2/auth/token"))
            .send()
            .await
            .unwrap_err();
        assert!(source.is_timeout() && source.is_connect(), "{source:?}");
        let timeout = Error::new(ErrorKind::Timeout).with_source(source);
        assert_eq!(
            RetryPolicy::default().decide(1, &timeout, 0),
            Decision::RetryAfter(Duration::from_secs(1))
        );
    }

    #[test]
    fn the_worst_case_is_attempts_times_timeout_plus_the_waits() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.worst_case(Duration::from_secs(30)),
            Duration::from_secs(210)
        );
        assert_eq!(
            RetryPolicy::never().worst_case(Duration::from_secs(30)),
            Duration::from_secs(30)
        );
        assert_eq!(
            policy
                .deadline(Duration::from_secs(45))
                .worst_case(Duration::from_secs(30)),
            Duration::from_secs(45)
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
                    if let Some(server_wait) = server_wait {
                        prop_assert!(wait >= server_wait, "{wait:?} shorter than {server_wait:?}");
                    }
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
