//! The state machine of a token source, as pure functions of the two clocks: what a source
//! knows (its last token, its last failure), what a call does given that ([`Next`]), and
//! what the source knows after a fetch ([`Known::settle`]) or after reading what another
//! source or process stored ([`Known::with_stored_token`], [`Known::with_refusal`]).
//!
//! The driver (`source`) runs these transitions; the stores (memory, the disk) only keep
//! their results.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::{
    cacheable::Cacheable,
    clock::Now,
    entry::{StoredFailure, StoredToken},
    rules::{self, Settings, keep_for},
};
use crate::error::{Error, ErrorKind, Result};

/// What a source knows: its last token and its last failure.
pub(super) struct Known<T> {
    pub(super) token: Option<Held<T>>,
    pub(super) failure: Option<Remembered>,
}

// Derived `Default` and `Clone` would ask the same of `T`; neither needs it.
impl<T> Default for Known<T> {
    fn default() -> Self {
        Known {
            token: None,
            failure: None,
        }
    }
}

impl<T: Clone> Clone for Known<T> {
    fn clone(&self) -> Self {
        Known {
            token: self.token.clone(),
            failure: self.failure.clone(),
        }
    }
}

/// A token, and until when it is handed out.
#[derive(Clone)]
pub(super) struct Held<T> {
    pub(super) token: T,
    /// Handed out without a refresh until then.
    refresh_at: Instant,
    /// Still handed out while refreshes fail until then.
    usable_until: Instant,
}

/// A failure handed out again, without a request, until `until`.
#[derive(Clone)]
pub(super) struct Remembered {
    /// The failure as it first came back.
    pub(super) error: Error,
    pub(super) at: SystemTime,
    pub(super) until: SystemTime,
    retry_at: Instant,
}

/// What a call should do, given what is known.
pub(super) enum Next<T> {
    Serve(T),
    /// Hand out this failure again ([`Remembered::recall`]).
    Recall(Remembered),
    Fetch,
}

/// What a source knows after a step, and what its callers get.
pub(super) struct Resolution<T> {
    pub(super) known: Known<T>,
    pub(super) result: Result<T>,
}

impl<T: Cacheable> Known<T> {
    /// Returns what a call should do at `now` (tokio's clock only: this is the warm path).
    pub(super) fn next(&self, now: Instant) -> Next<T> {
        if let Some(held) = &self.token
            && now < held.refresh_at
        {
            return Next::Serve(held.token.clone());
        }
        if let Some(failure) = &self.failure
            && now < failure.retry_at
        {
            return match &self.token {
                Some(held) if now < held.usable_until => Next::Serve(held.token.clone()),
                _ => Next::Recall(failure.clone()),
            };
        }
        Next::Fetch
    }

    /// Returns the resolution when what is known needs no fetch.
    pub(super) fn resolved(self, now: Now) -> Option<Resolution<T>> {
        let result = match self.next(now.instant) {
            Next::Fetch => return None,
            Next::Serve(token) => Ok(token),
            Next::Recall(failure) => Err(failure.recall(now)),
        };
        Some(Resolution {
            known: self,
            result,
        })
    }

    /// Returns what is known, and what callers get, after a fetch ended with `outcome`.
    ///
    /// A new token replaces everything. A failure is remembered by the settings' rules; when
    /// the token held before is still usable (an early refresh failed), callers get that
    /// token, with a warning, and the fetch is tried again after the failure's wait (or the
    /// backoff, for a failure that is otherwise not remembered).
    pub(super) fn settle(
        &self,
        settings: &Settings,
        outcome: Result<T>,
        now: Now,
    ) -> Resolution<T> {
        let error = match outcome {
            Ok(token) => {
                let held = Held::new(settings, token, None, now);
                return Resolution {
                    result: Ok(held.token.clone()),
                    known: Known {
                        token: Some(held),
                        failure: None,
                    },
                };
            }
            Err(error) => error,
        };
        let memory = settings.memory(&error);
        match &self.token {
            Some(held) if now.instant < held.usable_until => {
                tracing::warn!(
                    "could not refresh the token ({error}); the cached one is valid until \
                     shortly before it expires and stays in use"
                );
                let wait = memory.unwrap_or(settings.backoff);
                Resolution {
                    result: Ok(held.token.clone()),
                    known: Known {
                        token: Some(held.clone()),
                        failure: Some(Remembered::new(error, wait, now)),
                    },
                }
            }
            _ => Resolution {
                known: Known {
                    token: None,
                    failure: memory.map(|wait| Remembered::new(error.clone(), wait, now)),
                },
                result: Err(error),
            },
        }
    }

    /// Returns what is known with a token another source or process stored, unless it was
    /// stored before `invalidated_at`, is not newer than the token held, or the rules do not
    /// trust it (received in the future, past its own expiry).
    pub(super) fn with_stored_token(
        mut self,
        settings: &Settings,
        stored: Option<StoredToken<T>>,
        invalidated_at: Option<SystemTime>,
        now: Now,
    ) -> Known<T> {
        let Some(stored) = stored else {
            return self;
        };
        let Some(keep_until) =
            rules::stored_token_until(&stored.token, stored.keep_until, now.wall)
        else {
            tracing::debug!("a token in the disk cache is from the future or expired: ignoring it");
            return self;
        };
        let received_at = stored.token.received_at();
        let newer = self
            .token
            .as_ref()
            .is_none_or(|mine| received_at > mine.token.received_at());
        if newer && fresh_since(received_at, invalidated_at) {
            self.token = Some(Held::new(settings, stored.token, Some(keep_until), now));
        }
        self
    }

    /// Returns what is known with a refusal remembered elsewhere, unless it is older than the
    /// failure known or than `invalidated_at`.
    pub(super) fn with_refusal(
        mut self,
        refusal: Option<Remembered>,
        invalidated_at: Option<SystemTime>,
    ) -> Known<T> {
        if let Some(refusal) = refusal
            && fresh_since(refusal.at, invalidated_at)
            && self
                .failure
                .as_ref()
                .is_none_or(|mine| refusal.at > mine.at)
        {
            self.failure = Some(refusal);
        }
        self
    }

    /// Returns whether `self` holds another token than `before` (a fetched one, or one
    /// another process stored).
    pub(super) fn token_differs(&self, before: &Known<T>) -> bool {
        let received = |known: &Known<T>| known.token.as_ref().map(|held| held.token.received_at());
        received(self) != received(before)
    }
}

/// Returns whether something that happened `at` counts after an invalidation at `gone`.
fn fresh_since(at: SystemTime, gone: Option<SystemTime>) -> bool {
    gone.is_none_or(|gone| at > gone)
}

impl<T: Cacheable> Held<T> {
    /// A token, handed out by the settings' rules from its arrival, never past
    /// `received_at + keep_for(lifetime)` nor past `keep_until` when it was stored with one.
    pub(super) fn new(
        settings: &Settings,
        token: T,
        keep_until: Option<SystemTime>,
        now: Now,
    ) -> Held<T> {
        let (received_at, lifetime) = (token.received_at(), token.lifetime());
        let lifespan = settings.lifespan(lifetime);
        let mut kept = received_at + keep_for(lifetime);
        if let Some(keep_until) = keep_until {
            kept = kept.min(keep_until);
        }
        let keep_until = now.instant_at(kept);
        let at = |after: Duration| now.instant_at(received_at + after).min(keep_until);
        Held {
            refresh_at: at(lifespan.refresh_after),
            usable_until: at(lifespan.usable_for),
            token,
        }
    }

    /// Returns the token as an entry stores it: with when it stops being kept.
    pub(super) fn to_stored(&self) -> StoredToken<T> {
        StoredToken {
            keep_until: rules::keep_until(&self.token),
            token: self.token.clone(),
        }
    }
}

impl Remembered {
    /// A failure that happened `now`, remembered for `wait`.
    pub(super) fn new(error: Error, wait: Duration, now: Now) -> Remembered {
        Remembered {
            error,
            at: now.wall,
            until: now.wall + wait,
            retry_at: now.instant + wait,
        }
    }

    /// A failure read back from an entry, as the rules bound it; `None` when they do not
    /// trust it (it happened in the future).
    pub(super) fn stored(stored: StoredFailure, now: Now) -> Option<Remembered> {
        let Some(until) = rules::stored_failure_until(stored.at, stored.until, now.wall) else {
            tracing::debug!("a failure in the disk cache is from the future: ignoring it");
            return None;
        };
        Some(Remembered {
            retry_at: now.instant_at(until),
            error: stored.error,
            at: stored.at,
            until,
        })
    }

    /// Returns the failure as an entry stores it.
    pub(super) fn to_stored(&self) -> StoredFailure {
        StoredFailure {
            error: self.error.clone(),
            at: self.at,
            until: self.until,
        }
    }

    /// Returns whether the failure is still handed out instead of a request.
    pub(super) fn is_active(&self, now: Now) -> bool {
        now.instant < self.retry_at
    }

    /// Returns the failure as handed out again: marked remembered, and for a rate limit
    /// with the wait that is left.
    pub(super) fn recall(&self, now: Now) -> Error {
        let mut error = self.error.clone();
        if error.kind() == ErrorKind::RateLimited {
            let left = self.until.duration_since(now.wall).unwrap_or_default();
            error = error.with_retry_after(Some(left));
        }
        error.remembered(now.since(self.at), self.until, now.wall)
    }
}
