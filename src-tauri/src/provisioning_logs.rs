//! The provisioning-logs screen over `playbooks::logs::cache`: one cache per signed-in account,
//! read in the background (with progress and a "Stop"), filtered in memory, answered one window
//! of rows at a time.

use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use playbooks::explain::LogLine;
use playbooks::logs::cache::{read_into, CacheFilter, SharedLogCache};
use playbooks::logs::look_back;
use playbooks::Desk;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::CommandError;

/// The screen's filters. Every field narrows; blank text is no filter.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogFilter {
    /// Part of the app's name, or its service principal id.
    pub app: Option<String>,
    /// Part of the person's name or user name, or their object id.
    pub person: Option<String>,
    /// The status word: Success, Skipped, Failed, Warning.
    pub status: Option<String>,
    /// How far back, in hours.
    pub hours: u32,
}

impl LogFilter {
    /// `hours` is checked by `playbooks` (1 to the 30 days the logs keep).
    fn at(&self, now: DateTime<Utc>) -> playbooks::Result<CacheFilter> {
        Ok(CacheFilter {
            app: self.app.clone(),
            person: self.person.clone(),
            status: self.status.clone(),
            since: Some(look_back(now, self.hours)?),
        })
    }
}

/// One window of the matching entries, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogPage {
    /// How many entries match in all.
    pub total: u32,
    /// Index of `lines[0]` among them.
    pub offset: u32,
    pub lines: Vec<LogLine>,
    /// How many entries have been read so far.
    pub held: u32,
    /// True while entries are still being read.
    pub reading: bool,
}

/// Sent after each page read.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogsProgress {
    /// Entries read so far.
    pub held: u32,
}

/// How a reading ended.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LogsLoaded {
    /// Entries held after the reading.
    pub held: u32,
    /// Entries this reading added.
    pub added: u32,
    /// True when "Stop" (or a newer reading) ended it early.
    pub stopped: bool,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The signed-in account's cache and the reading in progress.
struct Session {
    /// Tenant and account the cache belongs to.
    owner: String,
    cache: SharedLogCache,
    /// The reading in progress: its number and its "Stop".
    reading: Option<(u64, CancellationToken)>,
    /// Readings started so far (numbers them).
    readings: u64,
    /// The tenant's clock minus this machine's (the training tenant's clock can be advanced).
    clock_offset: Duration,
}

/// The logs screen's state, managed by Tauri.
#[derive(Default)]
pub struct LogsState {
    session: Mutex<Option<Session>>,
}

fn owner_of(desk: &Desk) -> String {
    format!("{}/{}", desk.tenant_id(), desk.actor().oid)
}

impl LogsState {
    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session of `owner`, a fresh one when another account (or tenant) held it.
    fn session<'a>(guard: &'a mut MutexGuard<'_, Option<Session>>, owner: &str) -> &'a mut Session {
        if guard.as_ref().is_some_and(|s| s.owner != owner) {
            if let Some((_, old)) = guard.take().and_then(|s| s.reading) {
                old.cancel();
            }
        }
        guard.get_or_insert_with(|| Session {
            owner: owner.to_string(),
            cache: SharedLogCache::new(),
            reading: None,
            readings: 0,
            clock_offset: Duration::zero(),
        })
    }

    /// Reads what the cache lacks for the last `hours` (or, with `newer`, entries newer than
    /// the newest held), sending the count held after each page. A reading already going is
    /// stopped first.
    pub async fn load(
        &self,
        desk: &Desk,
        hours: u32,
        newer: bool,
        progress: Channel<LogsProgress>,
    ) -> Result<LogsLoaded, CommandError> {
        let now = desk.connection().tenant_now().await;
        let from = look_back(now, hours)?;
        let owner = owner_of(desk);
        let stop = CancellationToken::new();
        let (cache, plan, number) = {
            let mut guard = self.lock();
            let session = Self::session(&mut guard, &owner);
            session.clock_offset = now - Utc::now();
            session.readings += 1;
            let number = session.readings;
            if let Some((_, old)) = session.reading.replace((number, stop.clone())) {
                old.cancel();
            }
            let plan = session.cache.lock().plan(from, newer);
            (session.cache.clone(), plan, number)
        };
        let held_before = cache.lock().len();
        let stopped = match plan {
            None => false,
            Some(plan) => {
                let read = read_into(desk, &cache, plan, |held| {
                    // The screen may have closed; the cache fills all the same.
                    let _ = progress.send(LogsProgress { held: count(held) });
                });
                tokio::select! {
                    result = read => { result?; false }
                    () = stop.cancelled() => true,
                }
            }
        };
        {
            let mut guard = self.lock();
            if let Some(session) = guard.as_mut().filter(|s| s.owner == owner) {
                if session.reading.as_ref().is_some_and(|(n, _)| *n == number) {
                    session.reading = None;
                }
            }
        }
        let held = cache.lock().len();
        Ok(LogsLoaded {
            held: count(held),
            added: count(held.saturating_sub(held_before)),
            stopped,
        })
    }

    /// Stops the reading in progress; true when one was going. What was read stays.
    pub fn stop(&self) -> bool {
        self.lock()
            .as_mut()
            .and_then(|s| s.reading.take())
            .map(|(_, token)| token.cancel())
            .is_some()
    }

    /// `count` of the entries matching `filter` from `offset` on, and how many match.
    pub fn page(
        &self,
        desk: &Desk,
        filter: &LogFilter,
        offset: u32,
        rows: u32,
    ) -> playbooks::Result<LogPage> {
        let mut guard = self.lock();
        let session = Self::session(&mut guard, &owner_of(desk));
        let now = Utc::now() + session.clock_offset;
        let reading = session.reading.is_some();
        let filter = filter.at(now)?;
        let cache = session.cache.lock();
        let window = cache.window(&filter, offset as usize, rows as usize);
        Ok(LogPage {
            total: count(window.total),
            offset: count(window.offset),
            lines: window.lines,
            held: count(cache.len()),
            reading,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screens_filter_looks_back_its_hours_from_the_tenants_now() {
        let filter = LogFilter {
            app: Some("Floorplan".into()),
            person: None,
            status: Some("Failed".into()),
            hours: 720,
        };
        let now: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        let cache_filter = filter.at(now).unwrap();
        assert_eq!(cache_filter.since, Some(now - Duration::days(30)));
        assert_eq!(cache_filter.app.as_deref(), Some("Floorplan"));
        assert_eq!(cache_filter.status.as_deref(), Some("Failed"));
    }

    /// The hours come from the web view: u32::MAX hours used to put the start before the first
    /// date chrono can hold, and the subtraction panicked.
    #[test]
    fn nonsense_hours_are_refused_with_a_code_not_a_panic() {
        let now: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        for hours in [0, 721, u32::MAX] {
            let filter = LogFilter {
                app: None,
                person: None,
                status: None,
                hours,
            };
            let error = filter.at(now).unwrap_err();
            assert_eq!(error.code(), "value_out_of_range", "{hours}");
        }
    }

    #[test]
    fn another_account_gets_a_fresh_cache_and_stops_the_old_reading() {
        let state = LogsState::default();
        let token = CancellationToken::new();
        {
            let mut guard = state.lock();
            let session = LogsState::session(&mut guard, "tenant/ada");
            session.reading = Some((1, token.clone()));
        }
        let mut guard = state.lock();
        let same = LogsState::session(&mut guard, "tenant/ada");
        assert!(same.reading.is_some(), "the same account keeps its session");
        let other = LogsState::session(&mut guard, "tenant/bob");
        assert!(other.reading.is_none() && other.cache.lock().is_empty());
        assert!(token.is_cancelled());
    }

    #[test]
    fn stop_ends_the_reading_once() {
        let state = LogsState::default();
        assert!(!state.stop());
        let token = CancellationToken::new();
        LogsState::session(&mut state.lock(), "tenant/ada").reading = Some((1, token.clone()));
        assert!(state.stop());
        assert!(token.is_cancelled());
        assert!(!state.stop());
    }
}
