//! The rules of reuse and memory: how long a token is handed out, how long a failure is
//! handed out again instead of a request, and which failures are refusals shared beyond one
//! token source. The same for memory and disk, and for every kind of token.

use std::time::Duration;

use crate::{Error, ErrorKind};

/// Nothing is reused for longer than this, whatever a token's `exp` says.
pub(crate) const MAX_REUSE: Duration = Duration::from_secs(24 * 60 * 60);

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

    /// Returns how long `error` is handed out again instead of a request, or `None` when it
    /// is not remembered (it was not Hub's answer, or the next call may well differ).
    pub(crate) fn memory(&self, error: &Error) -> Option<Duration> {
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
