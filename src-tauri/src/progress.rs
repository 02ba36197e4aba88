//! Progress of long work, from the playbooks' `mpsc` sender to the web view's Tauri `Channel`
//! (the UI never polls).

use std::future::Future;

use playbooks::plan::ProgressEvent;
use tauri::ipc::Channel;
use tokio::sync::mpsc;

/// Runs `work` with a sender whose events are forwarded to `channel` as they come; returns when
/// the work is done and every event has been forwarded.
pub async fn with_progress<T, F, Fut>(channel: Channel<ProgressEvent>, work: F) -> T
where
    F: FnOnce(mpsc::Sender<ProgressEvent>) -> Fut,
    Fut: Future<Output = T>,
{
    let (sender, mut receiver) = mpsc::channel(256);
    let forward = async move {
        while let Some(event) = receiver.recv().await {
            if let Err(err) = channel.send(event) {
                // The window went away; the work goes on and is journaled all the same.
                tracing::debug!("progress not delivered: {err}");
            }
        }
    };
    let (result, ()) = tokio::join!(work(sender), forward);
    result
}
