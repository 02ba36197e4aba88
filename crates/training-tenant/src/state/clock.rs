//! The virtual clock: real time plus an offset that training sessions and tests move forward.
//!
//! Directory timestamps (created, deleted, the 30-day hard delete, device-code expiry) follow the
//! virtual clock. Access-token `exp`/`nbf` use real time, because clients check them against their
//! own wall clock.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

#[derive(Debug)]
pub struct VirtualClock {
    offset: Mutex<Duration>,
    /// Notified with the new virtual time after each advance (part 2's engine listens here).
    advanced: watch::Sender<DateTime<Utc>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtualClock {
    pub fn new() -> Self {
        let (advanced, _) = watch::channel(Utc::now());
        Self {
            offset: Mutex::new(Duration::zero()),
            advanced,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves virtual time forward (never backward) and returns the new virtual now.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let by = by.max(Duration::zero());
        {
            let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
            *offset += by;
        }
        let now = self.now();
        self.advanced.send_replace(now);
        now
    }

    /// Back to real time (used by reset).
    pub fn reset(&self) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) = Duration::zero();
        self.advanced.send_replace(Utc::now());
    }

    /// A receiver that wakes whenever the clock is advanced or reset.
    pub fn subscribe(&self) -> watch::Receiver<DateTime<Utc>> {
        self.advanced.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_forward_only() {
        let clock = VirtualClock::new();
        let before = clock.now();
        clock.advance(Duration::days(31));
        assert!(clock.now() - before >= Duration::days(31));
        clock.advance(Duration::days(-5));
        assert!(clock.now() - before >= Duration::days(31));
        clock.reset();
        assert!(clock.now() - before < Duration::days(1));
    }
}
