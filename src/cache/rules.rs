//! The rules of reuse and memory: how long a token is handed out, how long a failure is
//! handed out again instead of a request, and which failures are refusals shared beyond one
//! token source. The same for memory and disk, and for every kind of token.
//!
//! One bound on what is remembered: a failure is handed out again for at most
//! [`MAX_REMEMBERED`] (a server's `Retry-After: 999999999` is reported as it is, but not
//! obeyed for years), and what the disk holds is data from an earlier process, not a
//! promise: an entry received in the future (beyond [`CLOCK_SKEW`]) is not served, a failure
//! read back is remembered no longer than an hour from when it happened, and a token is never
//! served from disk past its own expiry.

use std::time::{Duration, SystemTime};

use super::cacheable::Cacheable;
use crate::{
    deadline::Deadline,
    error::{Error, ErrorKind},
};

/// Nothing is reused for longer than this, whatever a token's `exp` says.
pub(crate) const MAX_REUSE: Duration = Duration::from_secs(24 * 60 * 60);

/// No failure is handed out again for longer than this, whatever wait the server asked for
/// or a cool-down was set to.
pub(crate) const MAX_REMEMBERED: Duration = Duration::from_secs(60 * 60);

/// How far in the future an entry's time may be (another machine's clock, sharing the
/// directory) before the entry is not believed.
pub(crate) const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// How long the disk keeps a token without `exp`, whatever a reader's settings say.
pub(crate) const KEEP_WITHOUT_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// While refreshes fail, a token is still handed out until this close to its end (or a
/// tenth of its lifetime, when that is less), so that it is still valid when used.
const EXPIRY_SAFETY: Duration = Duration::from_secs(10);

/// How a token source reuses tokens and remembers failures.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// The least life a token must have left to be handed out without a refresh; a tenth of
    /// its lifetime is used instead when that is more.
    pub(crate) refresh_margin: Duration,
    /// How long a token of unknown lifetime is reused.
    pub(crate) reuse_without_expiry: Duration,
    /// How long a rejection is handed out again instead of a request.
    pub(crate) cool_down: Duration,
    /// How long a transient failure is handed out again, and how long a failed early
    /// refresh waits before it is tried again.
    pub(crate) backoff: Duration,
    /// Whether a rejected second-factor code is a rejection (codes from a TOTP secret) or
    /// not remembered at all (codes a person types).
    pub(crate) remember_second_factor_rejection: bool,
    /// How long to wait for another process refreshing the same token.
    pub(crate) lock_wait: Duration,
    /// The instant the owner's operations must be over by (its retry policy's
    /// [`deadline_at`](crate::RetryPolicy::deadline_at)): no lock is waited for past it.
    pub(crate) ends_by: Deadline,
}

/// When, counted from its arrival, a token is refreshed, and until when it may still be
/// handed out while refreshes fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lifespan {
    pub(crate) refresh_after: Duration,
    pub(crate) usable_for: Duration,
}

impl Settings {
    /// Returns the lifespan of a token that lives `lifetime` from its arrival (`None`:
    /// unknown).
    ///
    /// A known lifetime is refreshed when less than the larger of the margin and a tenth of
    /// it is left, or at half of it when the margin is as long as the token's whole life or
    /// longer.
    pub(crate) fn lifespan(&self, lifetime: Option<Duration>) -> Lifespan {
        match lifetime {
            None => {
                let reuse = self.reuse_without_expiry.min(MAX_REUSE);
                Lifespan {
                    refresh_after: reuse,
                    usable_for: reuse,
                }
            }
            Some(life) => {
                let margin = self.refresh_margin.max(life / 10);
                // A token that lives no longer than the margin (a registry's 60 s token with
                // the 60 s margin) is reused for half its life rather than not at all.
                let refresh_after = life
                    .checked_sub(margin)
                    .filter(|reuse| !reuse.is_zero())
                    .unwrap_or(life / 2)
                    .min(MAX_REUSE);
                let usable_for = life
                    .saturating_sub(EXPIRY_SAFETY.min(life / 10))
                    .clamp(refresh_after, MAX_REUSE.max(refresh_after));
                Lifespan {
                    refresh_after,
                    usable_for,
                }
            }
        }
    }

    /// Returns how long to wait for another process refreshing the same token: the lock
    /// wait, shortened to the time left before the owner's deadline.
    pub(crate) fn lock_wait(&self) -> Duration {
        self.ends_by.bound(self.lock_wait)
    }

    /// Returns how long `error` is handed out again instead of a request (at most
    /// [`MAX_REMEMBERED`]), or `None` when it is not remembered (it was not Hub's answer, or
    /// the next call may well differ).
    pub(crate) fn memory(&self, error: &Error) -> Option<Duration> {
        self.unbounded_memory(error)
            .map(|wait| wait.min(MAX_REMEMBERED))
    }

    fn unbounded_memory(&self, error: &Error) -> Option<Duration> {
        match error.kind() {
            ErrorKind::CredentialsRejected | ErrorKind::Forbidden => Some(self.cool_down),
            ErrorKind::SecondFactorRejected if self.remember_second_factor_rejection => {
                Some(self.cool_down)
            }
            ErrorKind::RateLimited => Some(error.retry_after().unwrap_or(self.backoff)),
            ErrorKind::Timeout
            | ErrorKind::Transport
            | ErrorKind::Unavailable
            | ErrorKind::UnexpectedResponse
            | ErrorKind::InvalidResponse => Some(self.backoff),
            _ => None,
        }
    }
}

/// Returns whether a remembered `error` is a refusal of the secret (a rejection, a rate
/// limit), shared with every token of that secret at that service and with other processes
/// through the disk; else (a transient failure) it is remembered by this token source, in
/// this process only: another process, such as a CI retry loop's next attempt, tries at once.
pub(crate) fn is_refusal(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::CredentialsRejected
            | ErrorKind::Forbidden
            | ErrorKind::SecondFactorRejected
            | ErrorKind::RateLimited
    )
}

/// Returns how long the disk keeps a token that lives `lifetime`: no longer than its
/// lifetime, 24 hours, or five minutes when its lifetime is unknown.
pub(crate) fn keep_for(lifetime: Option<Duration>) -> Duration {
    lifetime.map_or(KEEP_WITHOUT_EXPIRY, |life| life.min(MAX_REUSE))
}

/// Returns until when the disk keeps `token`: [`keep_for`] its lifetime from its arrival,
/// and never past its own expiry.
pub(crate) fn keep_until<T: Cacheable>(token: &T) -> SystemTime {
    let kept = token.received_at() + keep_for(token.lifetime());
    token.expires_at().map_or(kept, |expiry| kept.min(expiry))
}

/// Returns until when a token read from disk, stored to be kept until `stored_until`, may
/// be used at `now`; `None` when it must not be: it arrived in the future (beyond
/// [`CLOCK_SKEW`]), or it is already past its own expiry.
pub(crate) fn stored_token_until<T: Cacheable>(
    token: &T,
    stored_until: SystemTime,
    now: SystemTime,
) -> Option<SystemTime> {
    if is_in_the_future(token.received_at(), now) {
        return None;
    }
    let until = keep_until(token).min(stored_until);
    (until > now).then_some(until)
}

/// Returns until when a failure read from disk, which happened `at` and was remembered until
/// `until`, is handed out again at `now`: never more than [`MAX_REMEMBERED`] after it
/// happened; `None` when it happened in the future (beyond [`CLOCK_SKEW`]).
pub(crate) fn stored_failure_until(
    at: SystemTime,
    until: SystemTime,
    now: SystemTime,
) -> Option<SystemTime> {
    if is_in_the_future(at, now) {
        return None;
    }
    Some(until.min(at + MAX_REMEMBERED))
}

/// Returns whether `at` is later than `now` by more than the clock skew allowed.
fn is_in_the_future(at: SystemTime, now: SystemTime) -> bool {
    at.duration_since(now).is_ok_and(|ahead| ahead > CLOCK_SKEW)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            refresh_margin: Duration::from_secs(60),
            reuse_without_expiry: Duration::from_secs(300),
            cool_down: Duration::from_secs(600),
            backoff: Duration::from_secs(5),
            remember_second_factor_rejection: false,
            lock_wait: Duration::from_secs(30),
            ends_by: Deadline::NONE,
        }
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_hub_token_is_refreshed_a_minute_early_and_served_until_ten_seconds_before_exp() {
        assert_eq!(
            settings().lifespan(Some(secs(600))),
            Lifespan {
                refresh_after: secs(540),
                usable_for: secs(590)
            }
        );
    }

    #[test]
    fn a_short_token_is_reused_for_half_its_life() {
        assert_eq!(
            settings().lifespan(Some(secs(40))),
            Lifespan {
                refresh_after: secs(20),
                usable_for: secs(36)
            }
        );
    }

    #[test]
    fn a_token_that_lives_exactly_the_margin_is_reused_for_half_its_life() {
        // A registry token without `expires_in` lives 60 s, the margin: not reused at all
        // would mean a request per call.
        assert_eq!(settings().lifespan(Some(secs(60))).refresh_after, secs(30));
    }

    #[test]
    fn a_token_of_unknown_lifetime_is_never_served_past_its_reuse() {
        assert_eq!(
            settings().lifespan(None),
            Lifespan {
                refresh_after: secs(300),
                usable_for: secs(300)
            }
        );
    }

    #[test]
    fn nothing_is_reused_past_a_day() {
        let lifespan = settings().lifespan(Some(secs(30 * 24 * 3600)));
        assert_eq!(lifespan.refresh_after, MAX_REUSE);
        assert_eq!(lifespan.usable_for, MAX_REUSE);
        assert_eq!(keep_for(Some(secs(30 * 24 * 3600))), MAX_REUSE);
        assert_eq!(keep_for(None), KEEP_WITHOUT_EXPIRY);
    }

    #[test]
    fn what_is_remembered_and_for_how_long() {
        let settings = settings();
        let cases = [
            (Error::new(ErrorKind::CredentialsRejected), Some(secs(600))),
            (Error::new(ErrorKind::Forbidden), Some(secs(600))),
            (Error::new(ErrorKind::SecondFactorRejected), None),
            (
                Error::new(ErrorKind::RateLimited).with_retry_after(Some(secs(120))),
                Some(secs(120)),
            ),
            (Error::new(ErrorKind::RateLimited), Some(secs(5))),
            (Error::new(ErrorKind::Unavailable), Some(secs(5))),
            (Error::new(ErrorKind::Timeout), Some(secs(5))),
            (Error::new(ErrorKind::InvalidInput), None),
            (Error::new(ErrorKind::SecondFactorRequired), None),
            (Error::new(ErrorKind::Runtime), None),
        ];
        for (error, expected) in cases {
            assert_eq!(settings.memory(&error), expected, "{error:?}");
        }
        let totp = Settings {
            remember_second_factor_rejection: true,
            ..settings
        };
        assert_eq!(
            totp.memory(&Error::new(ErrorKind::SecondFactorRejected)),
            Some(secs(600))
        );
    }

    #[test]
    fn nothing_is_remembered_for_more_than_an_hour() {
        let years = Error::new(ErrorKind::RateLimited).with_retry_after(Some(secs(999_999_999)));
        assert_eq!(settings().memory(&years), Some(MAX_REMEMBERED));
        // The error itself still reports what the server said.
        assert_eq!(years.retry_after(), Some(secs(999_999_999)));
        let long_cool_down = Settings {
            cool_down: secs(86_400),
            ..settings()
        };
        assert_eq!(
            long_cool_down.memory(&Error::new(ErrorKind::CredentialsRejected)),
            Some(MAX_REMEMBERED)
        );
    }

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + secs(seconds)
    }

    #[test]
    fn a_stored_failure_is_kept_an_hour_at_most_and_one_from_the_future_not_at_all() {
        let now = at(1_800_000_000);
        let happened = at(1_800_000_000 - 60);
        assert_eq!(
            stored_failure_until(happened, at(3_000_000_000), now),
            Some(happened + MAX_REMEMBERED)
        );
        assert_eq!(
            stored_failure_until(happened, happened + secs(30), now),
            Some(happened + secs(30))
        );
        // A minute of skew is allowed; more is not believed.
        assert!(stored_failure_until(now + secs(60), now + secs(600), now).is_some());
        assert_eq!(
            stored_failure_until(now + secs(61), now + secs(600), now),
            None
        );
    }

    fn registry_token(received_at: SystemTime) -> crate::RegistryToken {
        crate::RegistryToken::new(
            secrecy::SecretString::from("opaque"),
            Some(300),
            None,
            received_at,
            Vec::new(),
        )
    }

    #[test]
    fn a_stored_token_is_served_until_its_expiry_and_never_from_the_future() {
        let now = at(1_800_000_000);
        let fresh = registry_token(now - secs(100));
        let far = now + MAX_REUSE;
        assert_eq!(
            stored_token_until(&fresh, far, now),
            Some(now + secs(200)),
            "kept until its expiry, whatever the entry says"
        );
        assert_eq!(
            stored_token_until(&fresh, now + secs(50), now),
            Some(now + secs(50))
        );
        assert_eq!(
            stored_token_until(&registry_token(now - secs(300)), far, now),
            None
        );
        assert!(stored_token_until(&registry_token(now + secs(60)), far, now).is_some());
        assert_eq!(
            stored_token_until(&registry_token(now + secs(61)), far, now),
            None
        );
        assert_eq!(keep_until(&fresh), now + secs(200));
    }

    #[test]
    fn refusals_are_shared_and_transient_failures_are_not() {
        for kind in [
            ErrorKind::CredentialsRejected,
            ErrorKind::Forbidden,
            ErrorKind::SecondFactorRejected,
            ErrorKind::RateLimited,
        ] {
            assert!(is_refusal(&Error::new(kind)), "{kind:?}");
        }
        for kind in [
            ErrorKind::Timeout,
            ErrorKind::Transport,
            ErrorKind::Unavailable,
            ErrorKind::UnexpectedResponse,
            ErrorKind::InvalidResponse,
        ] {
            assert!(!is_refusal(&Error::new(kind)), "{kind:?}");
        }
    }
}
