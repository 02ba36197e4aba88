//! A session's copy of the provisioning logs, read once and filtered in memory.
//!
//! Graph allows the reports API 5 requests per 10 s per app and tenant (graph-api.md §2.6, §4):
//! reading the logs again for every filter change takes seconds to minutes. [`LogCache`] holds
//! every entry of a time window, each explained once ([`explain`]); [`read_into`] asks for it
//! newest first, page by page, so the screen can show the newest entries while the rest loads;
//! reading again only asks for what the cache does not cover yet (entries newer than the newest
//! held, or older than the oldest read). The order Graph answers in is checked, never trusted
//! (its default order is not documented, graph-api.md §11.5): entries are sorted as they are
//! added, and a partial reading claims coverage only while the answer has come newest first. Filters ([`CacheFilter`]) run on the cache and answer
//! a count plus one window of rows ([`LogWindow`]), never every match.
//!
//! Invariants: `lines` is newest first and holds each entry id once; everything between
//! `covered_from` and the newest entry read has been read.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use entra_client::graph::provisioning_logs::{
    OrderCheck, ProvisioningLogQuery, ProvisioningObjectSummary,
};
use futures::StreamExt;

use crate::desk::Desk;
use crate::error::Result;
use crate::explain::{explain, LogLine};

/// Entries asked for per page. Graph's docs give no maximum for `/auditLogs/provisioning`;
/// `entra-client` caps `$top` at 500 and the training tenant accepts up to 999.
pub const PAGE_SIZE: u32 = 500;

/// Overlap when asking for newer entries: entries stamped in the same second as the newest held
/// are asked for again (and dropped by id) rather than missed.
const REFRESH_OVERLAP: Duration = Duration::seconds(1);

/// Most lines one window carries, whatever the caller asks (the logs screen sends the count):
/// a virtualized list shows a few dozen at a time.
pub const MAX_WINDOW_LINES: usize = 500;

/// One entry with the lower-case text its filters look in.
#[derive(Debug, Clone)]
struct Cached {
    line: LogLine,
    /// Object id, display name and the app-side identifier (usually the UPN), lower case.
    person: String,
    /// Service principal id and app name, lower case.
    app: String,
}

impl Cached {
    fn new(entry: &ProvisioningObjectSummary) -> Self {
        let line = explain(entry);
        let target = entry
            .target_identity
            .as_ref()
            .and_then(|t| t.display_name.as_deref())
            .unwrap_or_default();
        let person = [
            line.person_id.as_deref().unwrap_or_default(),
            line.person_name.as_deref().unwrap_or_default(),
            target,
        ]
        .join("\n")
        .to_lowercase();
        let app = [
            line.app_id.as_deref().unwrap_or_default(),
            line.app_name.as_deref().unwrap_or_default(),
        ]
        .join("\n")
        .to_lowercase();
        Cached { line, person, app }
    }
}

/// What to show; every given field narrows, blank text is no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheFilter {
    /// Part of the app's name, or its service principal id.
    pub app: Option<String>,
    /// Part of the person's name or user name (UPN), or their object id.
    pub person: Option<String>,
    /// Success, Skipped, Failed (or Failure), Warning.
    pub status: Option<String>,
    /// Entries at or after this time only.
    pub since: Option<DateTime<Utc>>,
}

/// One window of the matching entries, newest first, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogWindow {
    pub total: usize,
    pub offset: usize,
    pub lines: Vec<LogLine>,
}

/// The entries read so far; see the module comment.
#[derive(Debug, Clone, Default)]
pub struct LogCache {
    lines: Vec<Cached>,
    ids: HashSet<String>,
    covered_from: Option<DateTime<Utc>>,
}

fn needle(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// The status word as [`LogLine::status`] says it ("Failure" is Microsoft's word for "Failed").
fn status_word(text: &Option<String>) -> Option<String> {
    needle(text).map(|s| if s == "failure" { "failed".into() } else { s })
}

impl LogCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The newest entry's time.
    pub fn newest(&self) -> Option<DateTime<Utc>> {
        self.lines.iter().find_map(|c| c.line.when)
    }

    /// From when on every entry has been read, if a reading ever got that far.
    pub fn covered_from(&self) -> Option<DateTime<Utc>> {
        self.covered_from
    }

    /// Adds entries not held yet (by id), each explained; returns how many were new.
    pub fn add<'a>(
        &mut self,
        entries: impl IntoIterator<Item = &'a ProvisioningObjectSummary>,
    ) -> usize {
        let before = self.lines.len();
        for entry in entries {
            if self.ids.insert(entry.id.clone()) {
                self.lines.push(Cached::new(entry));
            }
        }
        let added = self.lines.len() - before;
        if added > 0 {
            // Stable, and nearly sorted already when pages come newest first as asked.
            self.lines.sort_by_key(|c| std::cmp::Reverse(c.line.when));
        }
        added
    }

    /// Records that everything from `from` to the newest entry has been read.
    pub fn mark_covered_from(&mut self, from: DateTime<Utc>) {
        self.covered_from = Some(self.covered_from.map_or(from, |c| c.min(from)));
    }

    /// The entries matching `filter`: their count and `count` of them (at most
    /// [`MAX_WINDOW_LINES`]) from `offset` on; an offset past the end gives no lines.
    pub fn window(&self, filter: &CacheFilter, offset: usize, count: usize) -> LogWindow {
        let count = count.min(MAX_WINDOW_LINES);
        let app = needle(&filter.app);
        let person = needle(&filter.person);
        let status = status_word(&filter.status);
        let matching = self.lines.iter().filter(|c| {
            filter
                .since
                .is_none_or(|since| c.line.when.is_some_and(|when| when >= since))
                && app.as_deref().is_none_or(|a| c.app.contains(a))
                && person.as_deref().is_none_or(|p| c.person.contains(p))
                && status
                    .as_deref()
                    .is_none_or(|s| c.line.status.eq_ignore_ascii_case(s))
        });
        let mut total = 0;
        let mut lines = Vec::new();
        for (i, c) in matching.enumerate() {
            total += 1;
            if i >= offset && lines.len() < count {
                lines.push(c.line.clone());
            }
        }
        LogWindow {
            total,
            offset,
            lines,
        }
    }
}

/// A [`LogCache`] shared between the reading in the background and the screen's filters.
#[derive(Debug, Clone, Default)]
pub struct SharedLogCache(Arc<Mutex<LogCache>>);

impl SharedLogCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cache, also after a reader panicked while holding it (its entries stay valid: each
    /// is added whole).
    pub fn lock(&self) -> MutexGuard<'_, LogCache> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Which part of the logs one reading asks Graph for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadPlan {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Where the cache's coverage starts once this reading is done.
    pub covers_from: DateTime<Utc>,
}

impl LogCache {
    /// What to read so that the cache holds everything from `from` on: the older entries it
    /// does not cover yet, or — with `newer` — only entries newer than the newest held.
    /// `None` when the cache already covers it.
    pub fn plan(&self, from: DateTime<Utc>, newer: bool) -> Option<ReadPlan> {
        match (self.covered_from, self.newest()) {
            (Some(covered), newest) if covered <= from => newer.then(|| ReadPlan {
                since: Some(newest.map_or(covered, |n| n - REFRESH_OVERLAP)),
                until: None,
                covers_from: covered,
            }),
            (Some(covered), _) if !newer => Some(ReadPlan {
                since: Some(from),
                until: Some(covered + REFRESH_OVERLAP),
                covers_from: from,
            }),
            // Nothing covered yet, or both older and newer entries are wanted: read the whole
            // window again (entries held are skipped by id).
            _ => Some(ReadPlan {
                since: Some(from),
                until: None,
                covers_from: from,
            }),
        }
    }
}

/// What one reading may claim as covered while it goes, page by page.
struct ReadingCoverage {
    /// The cache's coverage before this reading: what is left if the order proves wrong.
    before: Option<DateTime<Utc>>,
    order: OrderCheck,
}

impl ReadingCoverage {
    fn start(cache: &LogCache) -> Self {
        ReadingCoverage {
            before: cache.covered_from,
            order: OrderCheck::default(),
        }
    }

    /// After a page: while the answer has come newest first, everything down to the oldest
    /// entry read has been read; once it has not, nothing this reading claimed holds (an
    /// entry between those read may still come), and the claim is taken back.
    fn page(&mut self, cache: &mut LogCache, entries: &[ProvisioningObjectSummary]) {
        self.order.observe(entries);
        if !self.order.newest_first() {
            cache.covered_from = self.before;
        } else if let Some(oldest) = entries.iter().filter_map(|e| e.activity_date_time).min() {
            cache.mark_covered_from(oldest);
        }
    }
}

/// Reads `plan` from Graph into `cache`, asked newest first, one page at a time at the reports
/// API's pace, calling `on_page` with the number of entries held after each page. Stopping
/// (dropping this future) keeps what was read; the entries then count as covered down to the
/// oldest one read only if the answer came newest first — otherwise the part read says
/// nothing about what lies between, and only a reading to the end covers the window.
pub async fn read_into(
    desk: &Desk,
    cache: &SharedLogCache,
    plan: ReadPlan,
    mut on_page: impl FnMut(usize) + Send,
) -> Result<usize> {
    // Not documented in every cloud (entra-client `features`): say so before asking.
    desk.require(entra_client::CloudFeature::ProvisioningLogs)?;
    let query = ProvisioningLogQuery {
        since: plan.since,
        until: plan.until,
        page_size: Some(PAGE_SIZE),
        ..Default::default()
    };
    let mut pages = desk
        .graph()
        .provisioning_logs(&query)
        .ready_chunks(PAGE_SIZE as usize)
        .boxed();
    let mut added = 0;
    let mut coverage = ReadingCoverage::start(&cache.lock());
    while let Some(page) = pages.next().await {
        let entries = page
            .into_iter()
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let held = {
            let mut cache = cache.lock();
            added += cache.add(&entries);
            coverage.page(&mut cache, &entries);
            cache.len()
        };
        on_page(held);
    }
    cache.lock().mark_covered_from(plan.covers_from);
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(
        id: &str,
        minute: u32,
        app: &str,
        person: &str,
        status: &str,
    ) -> ProvisioningObjectSummary {
        serde_json::from_value(json!({
            "id": id,
            "activityDateTime": format!("2026-11-20T10:{minute:02}:00Z"),
            "provisioningAction": "update",
            "provisioningStatusInfo": {"status": status},
            "servicePrincipal": {"id": format!("sp-{}", app.to_lowercase()), "displayName": app},
            "sourceIdentity": {"id": format!("oid-{person}"), "displayName": format!("{person} Example")},
            "targetIdentity": {"id": "t", "displayName": format!("{person}@contoso.example")},
        }))
        .unwrap()
    }

    fn at(minute: u32) -> DateTime<Utc> {
        format!("2026-11-20T10:{minute:02}:00Z").parse().unwrap()
    }

    fn sample() -> LogCache {
        let mut cache = LogCache::new();
        cache.add(&[
            entry("a", 50, "Floorplan", "ada", "success"),
            entry("b", 40, "Timesheets", "ada", "failure"),
            entry("c", 30, "Floorplan", "bob", "failure"),
            entry("d", 20, "Floorplan", "carol", "skipped"),
        ]);
        cache
    }

    fn ids(window: &LogWindow) -> Vec<&str> {
        window.lines.iter().map(|l| l.id.as_str()).collect()
    }

    #[test]
    fn entries_are_held_once_newest_first_however_they_arrive() {
        let mut cache = sample();
        let added = cache.add(&[
            entry("e", 55, "Floorplan", "dan", "success"),
            entry("a", 50, "Floorplan", "ada", "success"),
        ]);
        assert_eq!(added, 1);
        assert_eq!(cache.len(), 5);
        let all = cache.window(&CacheFilter::default(), 0, 10);
        assert_eq!(ids(&all), ["e", "a", "b", "c", "d"]);
        assert_eq!(cache.newest(), Some(at(55)));
    }

    #[test]
    fn the_person_filter_matches_object_id_user_name_or_name_text() {
        let cache = sample();
        for text in ["oid-ada", "ADA@contoso.example", " Ada Ex"] {
            let found = cache.window(
                &CacheFilter {
                    person: Some(text.into()),
                    ..Default::default()
                },
                0,
                10,
            );
            assert_eq!(ids(&found), ["a", "b"], "{text}");
        }
    }

    #[test]
    fn app_status_and_time_filters_narrow_together() {
        let cache = sample();
        let by_id = CacheFilter {
            app: Some("sp-floorplan".into()),
            ..Default::default()
        };
        assert_eq!(ids(&cache.window(&by_id, 0, 10)), ["a", "c", "d"]);
        let failures = CacheFilter {
            app: Some("floor".into()),
            status: Some("Failure".into()),
            ..Default::default()
        };
        assert_eq!(ids(&cache.window(&failures, 0, 10)), ["c"]);
        let recent = CacheFilter {
            status: Some("failed".into()),
            since: Some(at(35)),
            ..Default::default()
        };
        assert_eq!(ids(&cache.window(&recent, 0, 10)), ["b"]);
        let nobody = CacheFilter {
            person: Some("zed".into()),
            ..Default::default()
        };
        assert_eq!(cache.window(&nobody, 0, 10).total, 0);
    }

    #[test]
    fn a_window_counts_every_match_but_carries_only_its_rows() {
        let mut cache = LogCache::new();
        let many: Vec<_> = (0..50)
            .map(|i| entry(&format!("e{i:02}"), 59 - i, "Floorplan", "ada", "success"))
            .collect();
        cache.add(&many);
        let page = cache.window(&CacheFilter::default(), 20, 5);
        assert_eq!(page.total, 50);
        assert_eq!(page.offset, 20);
        assert_eq!(ids(&page), ["e20", "e21", "e22", "e23", "e24"]);
        let past_the_end = cache.window(&CacheFilter::default(), 48, 5);
        assert_eq!(ids(&past_the_end), ["e48", "e49"]);
    }

    /// The offset and count come from the web view: any value is answered, none can make the
    /// answer larger than [`MAX_WINDOW_LINES`].
    #[test]
    fn a_window_is_bounded_whatever_offset_and_count_are_asked() {
        let mut cache = LogCache::new();
        let many: Vec<_> = (0..600)
            .map(|i| entry(&format!("e{i:03}"), 0, "Floorplan", "ada", "success"))
            .collect();
        cache.add(&many);
        let all = cache.window(&CacheFilter::default(), 0, usize::MAX);
        assert_eq!(all.total, 600);
        assert_eq!(all.lines.len(), MAX_WINDOW_LINES);
        let beyond = cache.window(&CacheFilter::default(), usize::MAX, usize::MAX);
        assert_eq!((beyond.total, beyond.lines.len()), (600, 0));
    }

    /// A reading claims coverage page by page only while the answer comes newest first: an
    /// answer in another order (the default order is not documented) claims nothing until it
    /// has been read to the end, and a claim made before the order broke is taken back.
    #[test]
    fn a_reading_claims_coverage_only_while_the_answer_is_newest_first() {
        let page = |minutes: &[u32]| -> Vec<ProvisioningObjectSummary> {
            minutes
                .iter()
                .map(|m| entry(&format!("m{m}"), *m, "Floorplan", "ada", "success"))
                .collect()
        };
        let read = |pages: &[&[u32]]| -> Vec<Option<DateTime<Utc>>> {
            let mut cache = LogCache::new();
            let mut coverage = ReadingCoverage::start(&cache);
            pages
                .iter()
                .map(|p| {
                    let entries = page(p);
                    cache.add(&entries);
                    coverage.page(&mut cache, &entries);
                    cache.covered_from()
                })
                .collect()
        };
        assert_eq!(read(&[&[50, 40], &[30, 20]]), [Some(at(40)), Some(at(20))]);
        assert_eq!(read(&[&[20, 30], &[40, 50]]), [None, None]);
        assert_eq!(read(&[&[20], &[30]]), [Some(at(20)), None]);

        // Coverage held from an earlier reading stays.
        let mut cache = sample();
        cache.mark_covered_from(at(10));
        let mut coverage = ReadingCoverage::start(&cache);
        let newer = page(&[52, 58]);
        cache.add(&newer);
        coverage.page(&mut cache, &newer);
        assert_eq!(cache.covered_from(), Some(at(10)));
    }

    #[test]
    fn reading_again_asks_only_for_newer_or_older_entries() {
        let empty = LogCache::new();
        assert_eq!(
            empty.plan(at(0), false),
            Some(ReadPlan {
                since: Some(at(0)),
                until: None,
                covers_from: at(0)
            })
        );
        let mut cache = sample();
        cache.mark_covered_from(at(10));
        // Covered: nothing to read unless newer entries are asked for.
        assert_eq!(cache.plan(at(15), false), None);
        let refresh = cache.plan(at(15), true).unwrap();
        assert_eq!(refresh.since, Some(at(50) - REFRESH_OVERLAP));
        assert_eq!(refresh.until, None);
        // A longer window reads only what lies before the covered part.
        let older = cache.plan(at(0), false).unwrap();
        assert_eq!(older.since, Some(at(0)));
        assert_eq!(older.until, Some(at(10) + REFRESH_OVERLAP));
        assert_eq!(older.covers_from, at(0));
    }
}
