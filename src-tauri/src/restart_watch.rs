//! The restart wizard's watch on the next sync round (Playbook 3 step 4): at most one at a time,
//! stopped when the person leaves the result screen or when a newer watch starts, so no polling
//! task outlives the screen that asked for it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How often the job is read while waiting: the in-process training tenant answers at once and
/// its rounds come when the trainer asks; a real tenant's round takes about 40 minutes, so
/// reading it every half minute is plenty and stays far below Graph's limits.
pub fn poll_interval(training: bool) -> Duration {
    if training {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(30)
    }
}

#[derive(Default)]
pub struct RestartWatches {
    running: Mutex<HashMap<String, CancellationToken>>,
}

/// A running watch; dropping it (the command returned) forgets it.
pub struct WatchGuard<'a> {
    watches: &'a RestartWatches,
    id: String,
    pub cancel: CancellationToken,
}

impl Drop for WatchGuard<'_> {
    fn drop(&mut self) {
        self.watches.lock().remove(&self.id);
    }
}

impl RestartWatches {
    /// Registers the watch `id`, stopping every other one (one window, one result screen).
    pub fn start(&self, id: &str) -> WatchGuard<'_> {
        let cancel = CancellationToken::new();
        let mut running = self.lock();
        for (_, earlier) in running.drain() {
            earlier.cancel();
        }
        running.insert(id.to_string(), cancel.clone());
        WatchGuard {
            watches: self,
            id: id.to_string(),
            cancel,
        }
    }

    /// Stops the watch `id`; true when it was still running.
    pub fn stop(&self, id: &str) -> bool {
        match self.lock().remove(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_the_screen_stops_only_its_own_watch() {
        let watches = RestartWatches::default();
        let first = watches.start("a");
        assert!(!watches.stop("someone-else"));
        assert!(!first.cancel.is_cancelled());
        assert!(watches.stop("a"));
        assert!(first.cancel.is_cancelled());
        assert!(!watches.stop("a"), "stopped once");
    }

    #[test]
    fn a_newer_watch_stops_the_earlier_one_and_a_finished_watch_is_forgotten() {
        let watches = RestartWatches::default();
        let first = watches.start("a");
        let second = watches.start("b");
        assert!(first.cancel.is_cancelled());
        assert!(!second.cancel.is_cancelled());
        drop(second);
        assert!(!watches.stop("b"), "a finished watch leaves nothing behind");
        drop(first);
        assert!(watches.lock().is_empty());
    }
}
