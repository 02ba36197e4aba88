//! Who signed in last time, so the app opens signed in as them: the training demo account, or
//! the organization's settings (its tokens stay in the system keychain, never here). Kept in
//! `<app config dir>/sign-in.json`, beside the window's size; signing out forgets it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::organization::OrganizationSettings;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LastSignIn {
    /// A training demo account, by user principal name: signed in again with one click.
    Training { account: String },
    /// A real tenant: the sign-in is restored from the keychain's cached tokens.
    Organization { settings: OrganizationSettings },
}

/// The file, or nowhere when the platform has no config folder (then nothing is remembered).
#[derive(Debug, Clone, Default)]
pub struct SignInMemory {
    file: Option<PathBuf>,
}

impl SignInMemory {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            file: Some(dir.join("sign-in.json")),
        }
    }

    /// Nothing is remembered (tests, or no config folder).
    pub fn none() -> Self {
        Self { file: None }
    }

    /// The last sign-in; a missing, unreadable or hand-edited file counts as none.
    pub fn recall(&self) -> Option<LastSignIn> {
        let bytes = std::fs::read(self.file.as_ref()?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn remember(&self, last: &LastSignIn) {
        let Some(file) = &self.file else { return };
        let written = serde_json::to_vec_pretty(last)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                if let Some(dir) = file.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(file, bytes)
            });
        if let Err(err) = written {
            tracing::warn!("the sign-in will not be remembered: {err}");
        }
    }

    pub fn forget(&self) {
        let Some(file) = &self.file else { return };
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => tracing::warn!("the last sign-in could not be forgotten: {err}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let memory = SignInMemory::in_dir(&dir.path().join("config"));
        assert_eq!(memory.recall(), None);
        let last = LastSignIn::Training {
            account: "appadmin@contoso-training.onmicrosoft.com".into(),
        };
        memory.remember(&last);
        assert_eq!(memory.recall(), Some(last));
        memory.forget();
        assert_eq!(memory.recall(), None);
        memory.forget();
    }

    #[test]
    fn a_damaged_file_counts_as_nobody() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sign-in.json"), b"{\"kind\":\"spaceship\"}").unwrap();
        assert_eq!(SignInMemory::in_dir(dir.path()).recall(), None);
    }
}
