//! One runner per run. A run's status says "running" both while a process is carrying it out
//! and after that process crashed, so the status cannot decide who may continue it. The
//! runner *claims* the run for as long as it works on it:
//!
//! - with a journal file, by an OS lock (`flock` on Unix, `LockFileEx` on Windows) on
//!   `<journal>-runs/<run id>.lock`. The operating system releases it when the process ends in
//!   any way (kill -9 included), so a crashed run is free again at once and a live one never is
//!   — no heartbeat, no clock, no guessing;
//! - within one process also in memory, so two runners sharing one `Journal` (or an in-memory
//!   journal) exclude each other too.
//!
//! Lock files are left in place: removing one while another process is opening it would let
//! two processes hold "the" lock on two different files.

use std::collections::HashSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Journal;
use crate::error::{Error, Result};

/// Run ids this process is working on (shared by the clones of one journal's state).
pub(super) type Claimed = Arc<Mutex<HashSet<String>>>;

/// Held while a run is carried out; dropping it lets another runner continue the run.
#[derive(Debug)]
pub struct RunClaim {
    run_id: String,
    claimed: Claimed,
    /// Keeps the OS lock; closing the file releases it.
    _file: Option<File>,
}

impl Drop for RunClaim {
    fn drop(&mut self) {
        self.claimed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.run_id);
    }
}

impl Journal {
    /// Claims `run_id` for this runner, or says that another runner (this process, another
    /// window of the app, or `provdesk`) is carrying it out right now.
    pub fn claim_run(&self, run_id: &str) -> Result<RunClaim> {
        {
            let mut claimed = self
                .claimed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if !claimed.insert(run_id.to_string()) {
                return Err(Error::RunBusy {
                    run_id: run_id.to_string(),
                });
            }
        }
        let release = || {
            self.claimed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .remove(run_id);
        };
        let file = match self.path() {
            None => None,
            Some(journal) => match lock_file(journal, run_id) {
                Ok(file) => Some(file),
                Err(error) => {
                    release();
                    return Err(error);
                }
            },
        };
        Ok(RunClaim {
            run_id: run_id.to_string(),
            claimed: Arc::clone(&self.claimed),
            _file: file,
        })
    }

    /// True when some runner is carrying out `run_id` right now (it cannot be claimed).
    pub fn run_is_live(&self, run_id: &str) -> Result<bool> {
        match self.claim_run(run_id) {
            Ok(_claim) => Ok(false),
            Err(Error::RunBusy { .. }) => Ok(true),
            Err(error) => Err(error),
        }
    }
}

/// `<journal file>-runs/`, beside the journal (created 0700 on Unix).
fn locks_folder(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push("-runs");
    journal.with_file_name(name)
}

fn lock_file(journal: &Path, run_id: &str) -> Result<File> {
    // Run ids are UUIDs the journal made; anything else would not name a file here.
    if run_id.is_empty() || !run_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::RunNotFound(run_id.to_string()));
    }
    let folder = locks_folder(journal);
    let cannot = |source: std::io::Error| Error::CreateDirectory {
        path: folder.clone(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&folder).map_err(cannot)?;
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(folder.join(format!("{run_id}.lock")))
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::RunBusy {
            run_id: run_id.to_string(),
        }),
        Err(TryLockError::Error(source)) => Err(cannot(source)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Actor, NewRun};
    use crate::plan::PlaybookKind;

    fn a_run(journal: &Journal) -> String {
        journal
            .start_run(NewRun {
                playbook: PlaybookKind::BulkOffboard,
                actor: Actor {
                    upn: "a@contoso.example".into(),
                    oid: "1".into(),
                },
                tenant_id: "t".into(),
                input: None,
            })
            .unwrap()
            .id
    }

    #[test]
    fn a_claimed_run_cannot_be_claimed_again_until_released() {
        let journal = Journal::in_memory().unwrap();
        let run = a_run(&journal);
        let claim = journal.claim_run(&run).unwrap();
        assert_eq!(journal.claim_run(&run).unwrap_err().code(), "run_busy");
        assert!(journal.run_is_live(&run).unwrap());
        drop(claim);
        assert!(!journal.run_is_live(&run).unwrap());
        journal.claim_run(&run).unwrap();
    }

    #[test]
    fn two_openers_of_one_file_exclude_each_other_through_the_os_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let first = Journal::open(&path).unwrap();
        let second = Journal::open(&path).unwrap();
        let run = a_run(&first);
        let claim = first.claim_run(&run).unwrap();
        assert_eq!(second.claim_run(&run).unwrap_err().code(), "run_busy");
        drop(claim);
        second.claim_run(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let folder = locks_folder(&path);
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
