//! Issue 6's numbers: bulk offboarding (disable + revoke sessions) against the training tenant
//! with realistic throttling and latency, measured against the floor set by Graph's write quota
//! (3,000 writes per 150 s per app and tenant, graph-api.md §2.6) and against Microsoft's
//! msgraph-sdk for Python doing the same work one request at a time, in one run. Also the
//! journal's own cost per row. Figures are printed, never asserted (tests/bench/README.md).
//!
//! The size is `BULK_OFFBOARD_ROWS` people (default 4,000 = 8,000 writes): enough to need three
//! write windows, so the quota binds — 1,000 people (2,000 writes) fit in one window and are
//! never throttled. Time is compressed: the tenant divides its throttling windows and its
//! latency by `TIME_SCALE` (`Options::throttle_time_scale`); budgets stay as published, so the
//! ratios hold.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use playbooks::bulk::playbook as bulk;
use playbooks::bulk::{BulkKind, BulkRequest, BulkRunner, RowActions, RunControl};
use playbooks::journal::{
    ActionAnswer, ActionFilter, ActionKind, ActionRecord, Actor, Journal, Observation, RunRow,
    TargetRecord,
};
use playbooks::plan::PlaybookKind;
use playbooks::{Desk, TenantConnection, TenantProfile};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt;

/// People offboarded when `BULK_OFFBOARD_ROWS` is not set: 8,000 writes, three write windows.
const DEFAULT_ROWS: usize = 4_000;
/// Rows of the journal-only measurement.
const JOURNAL_ROWS: usize = 1_000;
/// Graph's windows and latency run this many times faster; 150 s of write quota become 15 s.
const TIME_SCALE: f64 = 10.0;
const WRITES_PER_WINDOW: f64 = 3_000.0;
const WRITE_WINDOW_SECS: f64 = 150.0;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let throttled = Arc::new(Throttled::default());
    let subscriber = tracing_subscriber::registry().with(ThrottleCounter(Arc::clone(&throttled)));
    tracing::subscriber::set_global_default(subscriber).expect("subscriber");
    let rows = std::env::var("BULK_OFFBOARD_ROWS")
        .ok()
        .and_then(|n| n.trim().replace([',', '_'], "").parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_ROWS);
    runtime.block_on(journal_cost_per_row());
    runtime.block_on(against_the_tenant(rows, &throttled));
}

/// What the write quota allows for `writes` writes, in seconds at `TIME_SCALE`.
struct Floor {
    /// At the quota's sustained rate (3,000 per 150 s): the floor.
    sustained: f64,
    /// With the tenant's fixed windows: a window's writes may go at once, so the least time is
    /// the start of the last window needed.
    windows_needed: usize,
    fixed_windows: f64,
}

impl Floor {
    fn for_writes(writes: usize) -> Floor {
        let window = WRITE_WINDOW_SECS / TIME_SCALE;
        let windows_needed = writes.div_ceil(WRITES_PER_WINDOW as usize);
        Floor {
            sustained: writes as f64 / (WRITES_PER_WINDOW / window),
            windows_needed,
            fixed_windows: windows_needed.saturating_sub(1) as f64 * window,
        }
    }
}

/// The journal alone: 1,000 rows × 2 actions on a temporary SQLite file, actions that do nothing.
async fn journal_cost_per_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Arc::new(Journal::open(&dir.path().join("journal.sqlite3")).expect("journal"));
    let runner = BulkRunner::new(journal, Arc::new(DoNothing)).with_concurrency(8);
    let rows = (0..JOURNAL_ROWS)
        .map(|index| RunRow {
            row: index as u32 + 2,
            target: TargetRecord {
                id: format!("intern-{index}"),
                display_name: format!("Intern {index}"),
            },
            reason: None,
            before: None,
        })
        .collect();
    let request = BulkRequest {
        playbook: PlaybookKind::BulkOffboard,
        actor: Actor {
            upn: "helpdesk@contoso.com".into(),
            oid: "11111111-1111-1111-1111-111111111111".into(),
        },
        tenant_id: "contoso-tenant".into(),
        source_sha256: Some("bench".into()),
        rows,
        actions: vec![ActionKind::Disable, ActionKind::RevokeSessions],
    };
    let started = Instant::now();
    let report = runner.start(request, control()).await.expect("run");
    let elapsed = started.elapsed();
    println!("Journal cost (temp SQLite file, do-nothing actions, concurrency 8)");
    println!(
        "  {JOURNAL_ROWS} rows x 2 actions: {:.2} s, {:.2} ms per row ({} rows succeeded)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / JOURNAL_ROWS as f64,
        report.counts.succeeded
    );
}

struct DoNothing;

impl RowActions for DoNothing {
    async fn perform(&self, _row: &RunRow, _kind: ActionKind) -> ActionAnswer {
        ActionAnswer::Succeeded { request_id: None }
    }

    async fn observe(&self, _row: &RunRow, _action: &ActionRecord) -> Observation {
        Observation::Applied
    }
}

fn control() -> RunControl {
    let (progress, mut received) = mpsc::channel(1024);
    tokio::spawn(async move { while received.recv().await.is_some() {} });
    RunControl {
        progress,
        cancel: CancellationToken::new(),
    }
}

async fn against_the_tenant(rows: usize, throttled: &Throttled) {
    // Generated people on top of the Contoso story people and demo accounts.
    let population = rows + rows / 5 + 200;
    let connection =
        TenantConnection::connect(TenantProfile::TrainingInProcess(training_tenant::Options {
            population: Some(population),
            realistic: true,
            throttle_time_scale: TIME_SCALE,
            ..Default::default()
        }))
        .await
        .expect("the training tenant starts");
    let base = connection.training_url().expect("training").to_string();
    let http = control_client(&connection);
    let state = get(&http, &base, "state").await;
    let targets = offboarding_targets(&connection, &state, rows);
    assert_eq!(targets.len(), rows, "not enough enabled generated people");
    let baseline = events(&state).len();

    let dir = tempfile::tempdir().expect("temp dir");
    let file: String = std::iter::once("id".to_string())
        .chain(targets.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let journal = Arc::new(Journal::open(&dir.path().join("journal.sqlite3")).expect("journal"));
    let signed_in = connection
        .sign_in_as_demo("helpdesk")
        .await
        .expect("helpdesk signs in");
    let desk = Desk::new(signed_in, Arc::clone(&journal));

    let writes = 2 * rows;
    let floor = Floor::for_writes(writes);
    let window = WRITE_WINDOW_SECS / TIME_SCALE;
    println!();
    println!(
        "Bulk offboard of {rows} people (disable + revoke sessions = {writes} writes), training tenant with {population} generated people, realistic throttling and latency, time scale 1/{TIME_SCALE} (write quota 3,000 per {window:.1} s, latency / {TIME_SCALE})"
    );
    let throttled_before = throttled.answers.load(Ordering::Relaxed);
    let started = Instant::now();
    throttled.start_timeline(started);
    let plan = bulk::preview(&desk, BulkKind::Offboard, file.as_bytes())
        .await
        .expect("preview");
    let previewed = started.elapsed();
    let ran = Instant::now();
    let report = bulk::run(&desk, &plan, control()).await.expect("run");
    let run_wall = ran.elapsed();
    let wall = started.elapsed();
    let seen_429 = throttled.answers.load(Ordering::Relaxed) - throttled_before;
    let waits = throttled.take_timeline();
    let state = get(&http, &base, "state").await;
    let desk_effects = effects(&state, baseline, &targets);
    let journal_repeats = journal
        .actions(&ActionFilter::default())
        .expect("journal")
        .iter()
        .filter(|action| action.attempts > 1)
        .count();
    println!(
        "  preview ({} ready): {:.2} s",
        plan.preview.ready,
        previewed.as_secs_f64()
    );
    println!(
        "  Provisioning Desk (bulk::playbook preview + run, {} in flight): wall time {:.2} s (run alone {:.2} s)",
        playbooks::bulk::runner::DEFAULT_CONCURRENCY,
        wall.as_secs_f64(),
        run_wall.as_secs_f64()
    );
    println!(
        "  quota-limited floor: {writes} writes at 3,000 per {window:.1} s = {:.2} s at the sustained rate; {} windows needed, so at least {:.2} s with the tenant's fixed windows (a window's budget may be spent at once)",
        floor.sustained, floor.windows_needed, floor.fixed_windows
    );
    println!(
        "  floor / wall time: {:.0}% of the sustained-rate floor, {:.0}% of the fixed-window floor (target >= 90%; preview + run)",
        floor.sustained / wall.as_secs_f64() * 100.0,
        floor.fixed_windows / wall.as_secs_f64() * 100.0
    );
    println!(
        "  rows: {} succeeded, {} failed (target 0), {} unknown, {} skipped",
        report.counts.succeeded, report.counts.failed, report.counts.unknown, report.counts.skipped
    );
    desk_effects.print("  ");
    println!("  actions the journal sent more than once: {journal_repeats}");
    println!("  429 answers seen by the Graph client: {seen_429}");
    print_waits("  ", &waits);

    // The same work with Microsoft's SDK, one request at a time, on the same tenant after a reset.
    post(&http, &base, "reset").await;
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin/python");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bench/peers_bulk_offboard.py");
    let sdk_ready = python.exists()
        && tokio::process::Command::new(&python)
            .args(["-c", "import msgraph"])
            .status()
            .await
            .is_ok_and(|status| status.success());
    println!();
    if !sdk_ready {
        println!(
            "msgraph-sdk for Python: SKIPPED — no .venv-peers with msgraph-sdk. Create it with"
        );
        println!("  python3 -m venv .venv-peers && .venv-peers/bin/pip install -r tests/peers/graph-sdk/requirements.txt");
        println!("  (or run scripts/peers-graph.sh once), then run this benchmark again.");
        return;
    }
    let state = get(&http, &base, "state").await;
    let baseline = events(&state).len();
    let ids = dir.path().join("ids.txt");
    std::fs::write(&ids, targets.join("\n")).expect("ids file");
    let started = Instant::now();
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&base)
        .arg(&ids)
        .output()
        .await
        .expect("python runs");
    let sdk_wall = started.elapsed();
    if !output.status.success() {
        println!(
            "msgraph-sdk for Python: FAILED ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
        return;
    }
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    let sdk_seconds = answer["seconds"].as_f64().unwrap_or(sdk_wall.as_secs_f64());
    let state = get(&http, &base, "state").await;
    let sdk_effects = effects(&state, baseline, &targets);
    println!(
        "msgraph-sdk for Python 1.65.0, sequential, automation client, same tenant after reset"
    );
    println!(
        "  wall time {sdk_seconds:.2} s (process included: {:.2} s)",
        sdk_wall.as_secs_f64()
    );
    println!(
        "  failed rows: {}",
        answer["failedRows"]
            .as_u64()
            .map_or("?".into(), |n| n.to_string())
    );
    sdk_effects.print("  ");
    println!(
        "  msgraph-sdk wall time / Provisioning Desk wall time: {:.1}x",
        sdk_seconds / wall.as_secs_f64()
    );
    println!(
        "  sustained-rate floor / msgraph-sdk wall time: {:.0}%",
        floor.sustained / sdk_seconds * 100.0
    );
}

/// The first `rows` enabled people who hold no directory role (never the demo accounts).
fn offboarding_targets(connection: &TenantConnection, state: &Value, rows: usize) -> Vec<String> {
    let demo: Vec<String> = connection
        .training()
        .expect("training")
        .demo_accounts
        .iter()
        .map(|account| account.user_principal_name.to_lowercase())
        .collect();
    state["directory"]["users"]
        .as_object()
        .expect("users")
        .values()
        .filter(|user| {
            let props = &user["props"];
            let upn = props["userPrincipalName"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase();
            props["accountEnabled"].as_bool() != Some(false)
                && user["directoryRoles"]
                    .as_array()
                    .is_none_or(|roles| roles.is_empty())
                && !demo.contains(&upn)
        })
        .filter_map(|user| user["id"].as_str().map(str::to_string))
        .take(rows)
        .collect()
}

fn events(state: &Value) -> &[Value] {
    state["directory"]["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// What the tenant's event log says happened to the targets since `baseline`.
struct Effects {
    disabled_once: usize,
    revoked_once: usize,
    repeated: usize,
    missing: usize,
    still_enabled: usize,
}

fn effects(state: &Value, baseline: usize, targets: &[String]) -> Effects {
    let mut counts: HashMap<&str, (u32, u32)> =
        targets.iter().map(|id| (id.as_str(), (0, 0))).collect();
    for event in events(state).iter().skip(baseline) {
        let Some(entry) = event["objectId"].as_str().and_then(|id| counts.get_mut(id)) else {
            continue;
        };
        match event["kind"].as_str() {
            Some("userUpdated") => entry.0 += 1,
            Some("sessionsRevoked") => entry.1 += 1,
            _ => {}
        }
    }
    let users = &state["directory"]["users"];
    Effects {
        disabled_once: counts.values().filter(|c| c.0 == 1).count(),
        revoked_once: counts.values().filter(|c| c.1 == 1).count(),
        repeated: counts
            .values()
            .map(|c| (c.0.saturating_sub(1) + c.1.saturating_sub(1)) as usize)
            .sum(),
        missing: counts
            .values()
            .map(|c| usize::from(c.0 == 0) + usize::from(c.1 == 0))
            .sum(),
        still_enabled: targets
            .iter()
            .filter(|id| users[id.as_str()]["props"]["accountEnabled"].as_bool() != Some(false))
            .count(),
    }
}

impl Effects {
    fn print(&self, indent: &str) {
        println!(
            "{indent}tenant event log: {} disabled exactly once, {} revoked exactly once; repeated actions {} (target 0), missing actions {}, still enabled {}",
            self.disabled_once, self.revoked_once, self.repeated, self.missing, self.still_enabled
        );
    }
}

/// An HTTP client that sends the in-process training tenant's control token (`/_training/`).
fn control_client(connection: &TenantConnection) -> reqwest::Client {
    let token = connection
        .in_process_tenant()
        .expect("an in-process training tenant")
        .control_token();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-training-control", token.parse().expect("a header value"));
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

async fn get(http: &reqwest::Client, base: &str, path: &str) -> Value {
    http.get(format!("{base}/_training/{path}"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("control endpoint")
        .json()
        .await
        .expect("json")
}

async fn post(http: &reqwest::Client, base: &str, path: &str) {
    http.post(format!("{base}/_training/{path}"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("control endpoint");
}

/// The Graph client's 429 answers, and when it waited how long to retry.
#[derive(Default)]
struct Throttled {
    answers: AtomicU64,
    timeline: std::sync::Mutex<Option<(Instant, Vec<RetryWait>)>>,
}

/// One retry wait: when it began (seconds after the measurement started) and how long it was.
#[derive(Debug, Clone, Copy)]
struct RetryWait {
    at: f64,
    wait: f64,
}

impl Throttled {
    fn start_timeline(&self, at: Instant) {
        if let Ok(mut timeline) = self.timeline.lock() {
            *timeline = Some((at, Vec::new()));
        }
    }

    fn take_timeline(&self) -> Vec<RetryWait> {
        self.timeline
            .lock()
            .ok()
            .and_then(|mut t| t.take())
            .map(|(_, waits)| waits)
            .unwrap_or_default()
    }

    fn record_wait(&self, delay_ms: u64) {
        if let Ok(mut timeline) = self.timeline.lock() {
            if let Some((start, waits)) = timeline.as_mut() {
                waits.push(RetryWait {
                    at: start.elapsed().as_secs_f64(),
                    wait: delay_ms as f64 / 1000.0,
                });
            }
        }
    }
}

/// The retry waits grouped by window change (waits that began within a second of each other):
/// when the client was turned away and when it came back, against the window's reopening.
fn print_waits(indent: &str, waits: &[RetryWait]) {
    let mut groups: Vec<Vec<RetryWait>> = Vec::new();
    for wait in waits {
        match groups.last_mut() {
            Some(group) if group.last().is_some_and(|last| wait.at - last.at < 1.0) => {
                group.push(*wait);
            }
            _ => groups.push(vec![*wait]),
        }
    }
    for group in groups {
        let first = group.iter().map(|w| w.at).fold(f64::INFINITY, f64::min);
        let back = group
            .iter()
            .map(|w| w.at + w.wait)
            .fold(f64::INFINITY, f64::min);
        let last_back = group.iter().map(|w| w.at + w.wait).fold(0.0, f64::max);
        println!(
            "{indent}retry waits: {} requests turned away from {first:.2} s; back at {back:.2}–{last_back:.2} s",
            group.len()
        );
    }
}

/// Counts the Graph client's answers with status 429 (its `graph request` debug events) and
/// records its retry waits (`retrying graph request`, `delay_ms`).
struct ThrottleCounter(Arc<Throttled>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ThrottleCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        #[derive(Default)]
        struct Fields {
            status: Option<u64>,
            delay_ms: Option<u64>,
        }
        impl tracing::field::Visit for Fields {
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                match field.name() {
                    "status" => self.status = Some(value),
                    "delay_ms" => self.delay_ms = Some(value),
                    _ => {}
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.status == Some(429) {
            self.0.answers.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(delay_ms) = fields.delay_ms {
            self.0.record_wait(delay_ms);
        }
    }
}
