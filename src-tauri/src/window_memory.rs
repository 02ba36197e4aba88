//! Remembers the window's size between runs (UX: "window size remembered"), in
//! `<app config dir>/window.json`. The last screen is remembered by the UI itself.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{LogicalSize, Manager, Runtime, WebviewWindow, WindowEvent};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct WindowSize {
    width: f64,
    height: f64,
}

impl WindowSize {
    /// Sizes outside what a screen can show are ignored (a corrupt or hand-edited file).
    fn is_plausible(&self) -> bool {
        (800.0..=10_000.0).contains(&self.width) && (560.0..=10_000.0).contains(&self.height)
    }
}

fn file<R: Runtime>(window: &WebviewWindow<R>) -> Option<PathBuf> {
    window
        .path()
        .app_config_dir()
        .ok()
        .map(|dir| dir.join("window.json"))
}

/// Applies the remembered size, then saves the size whenever the window is resized.
pub fn restore_and_remember<R: Runtime>(window: &WebviewWindow<R>) {
    let Some(path) = file(window) else { return };
    let remembered = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<WindowSize>(&bytes).ok())
        .filter(WindowSize::is_plausible);
    if let Some(size) = remembered {
        let _ = window.set_size(LogicalSize::new(size.width, size.height));
    }
    let scale_source = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Resized(physical) = event {
            let scale = scale_source.scale_factor().unwrap_or(1.0);
            let logical = physical.to_logical::<f64>(scale);
            let size = WindowSize {
                width: logical.width,
                height: logical.height,
            };
            if size.is_plausible() {
                save(&path, size);
            }
        }
    });
}

fn save(path: &PathBuf, size: WindowSize) {
    let written = path
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .and_then(|_| std::fs::write(path, serde_json::to_vec(&size).unwrap_or_default()));
    if let Err(err) = written {
        tracing::warn!("window size not remembered: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_implausible_sizes() {
        assert!(WindowSize {
            width: 1200.0,
            height: 800.0
        }
        .is_plausible());
        assert!(!WindowSize {
            width: 10.0,
            height: 800.0
        }
        .is_plausible());
        assert!(!WindowSize {
            width: f64::NAN,
            height: 800.0
        }
        .is_plausible());
    }
}
