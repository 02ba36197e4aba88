//! The one bulk run the window can have going, and the "Cancel" that stops it.

use std::sync::Mutex;

use playbooks::bulk::RunControl;
use playbooks::plan::ProgressEvent;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub struct BulkControl {
    current: Mutex<Option<CancellationToken>>,
}

impl BulkControl {
    /// A fresh control for a run starting now; it replaces any earlier one.
    pub fn start(&self, progress: mpsc::Sender<ProgressEvent>) -> RunControl {
        let cancel = CancellationToken::new();
        *self.lock() = Some(cancel.clone());
        RunControl { progress, cancel }
    }

    /// Asks the running bulk run to stop after the rows in flight; true when one was running.
    /// What was not started stays in the journal and can be resumed.
    pub fn cancel(&self) -> bool {
        match self.lock().take() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<CancellationToken>> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_reaches_the_running_control_once() {
        let control = BulkControl::default();
        assert!(!control.cancel(), "nothing is running yet");
        let (tx, _rx) = mpsc::channel(1);
        let run = control.start(tx);
        assert!(control.cancel());
        assert!(run.cancel.is_cancelled());
        assert!(!control.cancel());
    }
}
