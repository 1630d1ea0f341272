//! [`Clock`]: tokio's clock for what a process decides in memory, and a wall clock for what
//! processes share on disk, kept in step.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// Reads both clocks. The wall clock never runs behind tokio's since the clock was made:
/// under tokio's paused clock (in tests) wall time moves with it, and after a machine
/// wakes from sleep, or when the system clock is set back, a token does not look younger
/// than it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    wall: SystemTime,
    instant: Instant,
}

/// The two clocks read at one moment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Now {
    pub(crate) instant: Instant,
    pub(crate) wall: SystemTime,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            wall: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    /// Reads both clocks.
    pub(crate) fn now(&self) -> Now {
        let instant = Instant::now();
        let moved = self.wall + instant.saturating_duration_since(self.instant);
        Now {
            instant,
            wall: SystemTime::now().max(moved),
        }
    }
}

impl Now {
    /// Returns the instant on tokio's clock when the wall clock shows `at`.
    pub(crate) fn instant_at(&self, at: SystemTime) -> Instant {
        match at.duration_since(self.wall) {
            Ok(ahead) => self.instant + ahead,
            Err(behind) => self
                .instant
                .checked_sub(behind.duration())
                .unwrap_or(self.instant),
        }
    }

    /// Returns how long ago `at` was, or zero when it is not past.
    pub(crate) fn since(&self, at: SystemTime) -> Duration {
        self.wall.duration_since(at).unwrap_or_default()
    }
}
