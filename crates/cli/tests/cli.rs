//! The `provdesk` binary against a training tenant it serves itself (`provdesk training serve`):
//! output, exit codes, confirmation without a terminal, bad input, and a bulk run killed with
//! SIGKILL mid-run and resumed with exactly-once effects.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_provdesk");

/// A training tenant served by the real binary, with its own data folder (journal, state).
struct Served {
    child: Child,
    url: String,
    /// The `/_training/` control token, printed on the line after the URL.
    control_token: String,
    data: tempfile::TempDir,
}

impl Served {
    fn start() -> Served {
        Self::start_with(&[])
    }

    /// With extra `training serve` arguments (e.g. `--extra-apps 3000`).
    fn start_with(extra: &[&str]) -> Served {
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new(BIN)
            .args(["training", "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("XDG_DATA_HOME", data.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "first line: {url:?}");
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let control_token = line
            .trim()
            .strip_prefix("control token: ")
            .unwrap_or_else(|| panic!("second line: {line:?}"))
            .to_string();
        Served {
            child,
            url,
            control_token,
            data,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("XDG_DATA_HOME", self.data.path())
            .env("PROVDESK_GRAPH_URL", &self.url)
            .env_remove("PROVDESK_ACCESS_TOKEN")
            .env_remove("PROVDESK_PROFILE")
            .env_remove("PROVDESK_JOURNAL")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn journal_path(&self) -> PathBuf {
        self.data
            .path()
            .join("com.provisioningdesk.app")
            .join("journal.sqlite3")
    }

    fn http(&self) -> training_control::Client {
        training_control::Client::new(&self.url, &self.control_token)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The training tenant's `/_training/` controls, called from synchronous tests.
mod training_control {
    pub struct Client {
        base: String,
        token: String,
        runtime: tokio::runtime::Runtime,
    }
    impl Client {
        pub fn new(base: &str, token: &str) -> Self {
            Client {
                base: base.to_string(),
                token: token.to_string(),
                runtime: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap(),
            }
        }
        pub fn call(
            &self,
            method: ::reqwest::Method,
            path: &str,
            body: serde_json::Value,
        ) -> serde_json::Value {
            self.runtime.block_on(async {
                let response = ::reqwest::Client::new()
                    .request(method, format!("{}/_training/{path}", self.base))
                    .header("X-Training-Control", &self.token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert!(
                    response.status().is_success(),
                    "{path}: {}",
                    response.status()
                );
                response.json().await.unwrap_or(serde_json::Value::Null)
            })
        }
    }
}

/// `provdesk training serve` prints the control token on the line after the URL, and only a
/// caller with it can drive the tenant (issue 13, item 8).
#[test]
fn training_serve_prints_a_control_token_that_drives_the_tenant() {
    let served = Served::start();
    assert!(served.control_token.len() >= 32, "{}", served.control_token);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reset = |token: Option<&str>| {
        runtime.block_on(async {
            let mut request = reqwest::Client::new()
                .post(format!("{}/_training/reset", served.url))
                .json(&serde_json::json!({}));
            if let Some(token) = token {
                request = request.header("X-Training-Control", token);
            }
            request.send().await.unwrap().status().as_u16()
        })
    };
    assert_eq!(reset(None), 403);
    assert_eq!(reset(Some("not-the-token-0123456789abcdef0123")), 403);
    assert_eq!(reset(Some(&served.control_token)), 204);
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn whoami_prints_sentences_or_json() {
    let served = Served::start();
    let human = served.run(&["whoami"]);
    assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
    let out = text(&human.stdout);
    assert!(out.contains("Signed in as helpdesk@"), "{out}");
    assert!(out.contains("training tenant"), "{out}");
    assert!(out.contains("Not shown in your sign-in"), "{out}");

    let json = served.run(&["whoami", "--json"]);
    assert_eq!(json.status.code(), Some(0));
    let me: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(me["training"], true);

    // login --as another demo account changes who the next commands are.
    let login = served.run(&["login", "--as", "Application Administrator"]);
    assert_eq!(login.status.code(), Some(0), "{}", text(&login.stderr));
    let me: Value = serde_json::from_slice(&served.run(&["whoami", "--json"]).stdout).unwrap();
    assert!(
        me["account"].as_str().unwrap().starts_with("appadmin@"),
        "{me}"
    );
    assert_eq!(served.run(&["logout"]).status.code(), Some(0));
}

#[test]
fn offboarding_from_the_terminal() {
    let served = Served::start();
    let leaver = story_upn(&served, "leaver-today");

    let dry = served.run(&["offboard", &leaver, "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let out = text(&dry.stdout);
    assert!(out.contains("Turn off sign-in for"), "{out}");
    assert!(out.contains("Dry run: nothing was changed."), "{out}");

    // No terminal and no --yes: nothing runs.
    let refused = served.run(&["offboard", &leaver]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("--yes"));
    let user = served.run(&["user", &leaver, "--json"]);
    let user: Value = serde_json::from_slice(&user.stdout).unwrap();
    assert_eq!(user["person"]["accountEnabled"], true);

    let done = served.run(&["offboard", &leaver, "--yes"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert!(text(&done.stdout).contains("Journal run:"));
    let user = served.run(&["user", &leaver]);
    assert!(
        text(&user.stdout).contains("Sign-in: off"),
        "{}",
        text(&user.stdout)
    );

    // And back: reactivation turns sign-in on again.
    let back = served.run(&["reactivate", &leaver, "--yes"]);
    assert_eq!(
        back.status.code(),
        Some(0),
        "{}{}",
        text(&back.stdout),
        text(&back.stderr)
    );
    let user = served.run(&["user", &leaver]);
    assert!(
        text(&user.stdout).contains("Sign-in: on"),
        "{}",
        text(&user.stdout)
    );
    let gone = served.run(&[
        "reactivate",
        "gone@contoso-training.onmicrosoft.com",
        "--yes",
    ]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(
        text(&gone.stdout).contains("Nothing will be created"),
        "{}",
        text(&gone.stdout)
    );

    // Deletion is a separate step that needs the UPN typed.
    let untyped = served.run(&["offboard", &leaver, "--delete"]);
    assert_eq!(untyped.status.code(), Some(2), "{}", text(&untyped.stderr));
    let deleted = served.run(&["offboard", &leaver, "--delete", "--confirm-upn", &leaver]);
    assert_eq!(deleted.status.code(), Some(0), "{}", text(&deleted.stderr));
    let user = served.run(&["user", &leaver]);
    assert!(
        text(&user.stdout).contains("In the recycle bin"),
        "{}",
        text(&user.stdout)
    );

    let csv = served.run(&["journal", "--export", "csv"]);
    assert_eq!(csv.status.code(), Some(0));
    let csv = text(&csv.stdout);
    assert!(csv.contains("disable"), "{csv}");
    assert!(csv.contains("revoke_sessions"), "{csv}");
    assert!(csv.contains("enable"), "{csv}");
}

#[test]
fn bad_input_is_explained_with_exit_code_2() {
    let served = Served::start();
    let unknown = served.run(&["user", "nobody@contoso-training.onmicrosoft.com"]);
    assert_eq!(unknown.status.code(), Some(2));
    // What was searched, never "permanently deleted".
    let err = text(&unknown.stderr);
    assert!(
        err.contains("as sign-in name, e-mail or alias, in the directory or the recycle bin"),
        "{err}"
    );
    assert!(!err.contains("was permanently deleted"), "{err}");

    // The returning intern, by her personal address: found, and the output says how.
    let intern = served.run(&["user", "ivy.intern.home@example.net"]);
    assert_eq!(intern.status.code(), Some(0), "{}", text(&intern.stderr));
    let shown = text(&intern.stdout);
    assert!(shown.starts_with("Ivy Intern ("), "{shown}");
    assert!(
        shown.contains("Found by other e-mail ivy.intern.home@example.net"),
        "{shown}"
    );

    let ambiguous = served.run(&["user", "a"]);
    assert_eq!(ambiguous.status.code(), Some(2));
    let err = text(&ambiguous.stderr);
    assert!(err.contains("matches more than one person"), "{err}");
    assert!(
        err.lines().filter(|l| l.starts_with("  - ")).count() > 1,
        "{err}"
    );

    let usage = served.run(&["offboard"]);
    assert_eq!(usage.status.code(), Some(2));

    let no_app = served.run(&["job", "No Such App", "--json"]);
    assert_eq!(no_app.status.code(), Some(2));
    let shown: Value = serde_json::from_slice(&no_app.stdout).unwrap();
    assert_eq!(shown["error"]["code"], "app_not_found");

    let since = served.run(&["logs", "--since", "soon"]);
    assert_eq!(since.status.code(), Some(2));

    let completions = served.run(&["completions", "bash"]);
    assert_eq!(completions.status.code(), Some(0));
    assert!(text(&completions.stdout).contains("provdesk"));
}

/// Issue 13 item 11: a file over the 5 MB a bulk run reads is refused as bad input with its
/// code, before anything is looked up.
#[test]
fn a_bulk_file_over_the_size_cap_is_bad_input() {
    let served = Served::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("everyone.csv");
    let mut bytes = b"upn\n".to_vec();
    bytes.resize(playbooks::bulk::MAX_CSV_BYTES + 1, b'a');
    std::fs::write(&file, bytes).unwrap();
    let out = served.run(&["bulk", "offboard", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("The CSV file is larger than the 5 MB a bulk run reads"),
        "{said}"
    );
    let json = served.run(&[
        "--json",
        "bulk",
        "offboard",
        file.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(json.status.code(), Some(2));
    assert!(
        text(&json.stdout).contains("csv_too_large")
            || text(&json.stderr).contains("csv_too_large")
    );
}

#[test]
fn bulk_preview_shows_every_row_and_runs_only_when_confirmed() {
    let served = Served::start();
    let dir = tempfile::tempdir().unwrap();
    let leaver = story_upn(&served, "leaver-today");
    let intern = story_upn(&served, "intern-returning");
    let file = dir.path().join("leavers.csv");
    std::fs::write(
        &file,
        format!("upn,reason\n{leaver},season over\n{intern},\nnot-a-person,\n{leaver},\n"),
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let dry = served.run(&["bulk", "offboard", file, "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let out = text(&dry.stdout);
    assert!(out.contains("Row 4:"), "{out}");
    assert!(out.contains("already on row 2"), "{out}");
    assert!(
        out.contains("1 ready, 1 already done, 2 left out."),
        "{out}"
    );
    assert!(
        out.contains("4 rows read from the file's 5 lines."),
        "{out}"
    );

    let refused = served.run(&["bulk", "offboard", file]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(journal_actions(&served.journal_path()).is_empty());

    // Two rows were left out: the file is only partly done.
    let run = served.run(&["bulk", "offboard", file, "--yes"]);
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    assert_eq!(journal_actions(&served.journal_path()).len(), 2);
}

/// The crash test: SIGKILL mid-run (slow writes through fault injection), then `--resume`.
/// Every person ends up disabled with their sessions ended, and the tenant saw each change
/// exactly once.
#[test]
fn a_killed_bulk_run_resumes_with_exactly_once_effects() {
    let served = Served::start();
    let control = served.http();
    let state = control.call(Method::GET, "state", Value::Null);
    let users = enabled_people(&state, 40);
    let events_before = state["directory"]["events"].as_array().unwrap().len();

    let dir = tempfile::tempdir().unwrap();
    let file = csv_of(dir.path(), &users);
    let file = file.to_str().unwrap();

    control.call(
        Method::POST,
        "faults",
        serde_json::json!({"pathPrefix": "/users", "method": "PATCH", "delayMs": 150}),
    );
    let mut child = served
        .command(&["bulk", "offboard", file, "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run is well under way, then kill it without warning.
    let mut waited = 0;
    loop {
        let done = journal_actions(&served.journal_path())
            .iter()
            .filter(|a| a.status == playbooks::journal::ActionStatus::Succeeded)
            .count();
        if done >= 10 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        waited += 1;
        assert!(waited < 600, "the run did not get going");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = journal_actions(&served.journal_path());
    assert!(
        at_kill.len() < 80,
        "killed mid-run: {} of 80 actions",
        at_kill.len()
    );

    control.call(Method::DELETE, "faults", Value::Null);
    let resumed = served.run(&["bulk", "offboard", file, "--resume", "--yes"]);
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}{}",
        text(&resumed.stdout),
        text(&resumed.stderr)
    );

    let actions = journal_actions(&served.journal_path());
    assert_eq!(actions.len(), 80, "one disable and one revoke per person");
    assert!(actions
        .iter()
        .all(|a| a.status == playbooks::journal::ActionStatus::Succeeded));

    let state = control.call(Method::GET, "state", Value::Null);
    let events = &state["directory"]["events"].as_array().unwrap()[events_before..];
    for (id, upn) in &users {
        let count = |kind: &str| {
            events
                .iter()
                .filter(|e| e["objectId"] == id.as_str() && e["kind"] == kind)
                .count()
        };
        assert_eq!(count("userUpdated"), 1, "{upn} disabled exactly once");
        assert_eq!(
            count("sessionsRevoked"),
            1,
            "{upn} sessions ended exactly once"
        );
        assert_eq!(
            state["directory"]["users"][id]["props"]["accountEnabled"], false,
            "{upn}"
        );
    }
}

/// `count` enabled people without directory roles: (object id, user principal name).
fn enabled_people(state: &Value, count: usize) -> Vec<(String, String)> {
    let users: Vec<(String, String)> = state["directory"]["users"]
        .as_object()
        .unwrap()
        .values()
        .filter(|user| user["props"]["accountEnabled"] == true)
        .filter(|user| {
            user["directoryRoles"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        })
        .filter_map(|user| {
            Some((
                user["id"].as_str()?.to_string(),
                user["props"]["userPrincipalName"].as_str()?.to_string(),
            ))
        })
        .take(count)
        .collect();
    assert_eq!(users.len(), count);
    users
}

/// `interns.csv` in `dir`, one UPN per row.
fn csv_of(dir: &Path, users: &[(String, String)]) -> PathBuf {
    let file = dir.join("interns.csv");
    let mut csv = String::from("upn\n");
    for (_, upn) in users {
        csv.push_str(upn);
        csv.push('\n');
    }
    std::fs::write(&file, csv).unwrap();
    file
}

/// Issue 13 item 4: a run that one process is carrying out is not resumed by another (the app
/// and provdesk share the journal; "running" alone cannot tell a live run from a crashed one).
/// The first process is provably live: its PATCHes are held by the tenant for two minutes (the longest delay it allows).
#[test]
fn a_run_another_process_is_carrying_out_is_not_resumed_until_that_process_is_gone() {
    let served = Served::start();
    let control = served.http();
    let state = control.call(Method::GET, "state", Value::Null);
    let users = enabled_people(&state, 12);
    let events_before = state["directory"]["events"].as_array().unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of(dir.path(), &users);
    let file = file.to_str().unwrap();

    control.call(
        Method::POST,
        "faults",
        serde_json::json!({"pathPrefix": "/users", "method": "PATCH", "delayMs": 120_000}),
    );
    let mut first = served
        .command(&["bulk", "offboard", file, "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Live and stuck: its first disables are journaled as pending and held by the tenant.
    let mut waited = 0;
    while journal_actions(&served.journal_path()).is_empty() {
        assert!(first.try_wait().unwrap().is_none(), "the first run ended");
        waited += 1;
        assert!(waited < 600, "the first run did not get going");
        std::thread::sleep(Duration::from_millis(50));
    }

    let second = served.run(&["bulk", "offboard", file, "--resume", "--yes"]);
    let said = format!("{}{}", text(&second.stdout), text(&second.stderr));
    assert_eq!(second.status.code(), Some(1), "{said}");
    assert!(said.contains("somewhere else"), "{said}");
    let state = control.call(Method::GET, "state", Value::Null);
    assert_eq!(
        state["directory"]["events"].as_array().unwrap().len(),
        events_before,
        "the second process sent nothing"
    );

    // kill -9: the operating system releases the first process's claim at once.
    first.kill().unwrap();
    first.wait().unwrap();
    control.call(Method::DELETE, "faults", Value::Null);
    let third = served.run(&["bulk", "offboard", file, "--resume", "--yes"]);
    assert_eq!(
        third.status.code(),
        Some(0),
        "{}{}",
        text(&third.stdout),
        text(&third.stderr)
    );
    let state = control.call(Method::GET, "state", Value::Null);
    let events = &state["directory"]["events"].as_array().unwrap()[events_before..];
    for (id, upn) in &users {
        let disabled = events
            .iter()
            .filter(|e| e["objectId"] == id.as_str() && e["kind"] == "userUpdated")
            .count();
        assert_eq!(disabled, 1, "{upn} disabled exactly once");
        assert_eq!(
            state["directory"]["users"][id]["props"]["accountEnabled"], false,
            "{upn}"
        );
    }
}

/// Issue 13 item 5: a change a crash left without an answer is reported at the next command
/// and, with `journal --finish`, read back from the tenant and journaled (never sent again).
#[test]
fn a_change_a_crash_left_unanswered_is_reported_and_finished_from_the_terminal() {
    use playbooks::journal::{ActionIntent, ActionKind, Actor, Journal, NewRun, TargetRecord};
    let served = Served::start();
    let me: Value = serde_json::from_slice(&served.run(&["whoami", "--json"]).stdout).unwrap();
    let state = served.http().call(Method::GET, "state", Value::Null);
    let (id, upn) = enabled_people(&state, 1).remove(0);
    {
        // The desk journaled "turn off sign-in" and died before sending it.
        let journal = Journal::open(&served.journal_path()).unwrap();
        let run = journal
            .start_run(NewRun {
                playbook: playbooks::plan::PlaybookKind::Offboard,
                actor: Actor {
                    upn: me["account"].as_str().unwrap().into(),
                    oid: me["objectId"].as_str().unwrap_or_default().into(),
                },
                tenant_id: me["tenantId"].as_str().unwrap().into(),
                input: None,
            })
            .unwrap();
        journal
            .record_intent(ActionIntent {
                run_id: run.id,
                actor: None,
                step: "disable".into(),
                row: None,
                target: TargetRecord {
                    id: id.clone(),
                    display_name: upn.clone(),
                },
                kind: ActionKind::Disable,
                request_summary: format!("PATCH /users/{id} accountEnabled=false"),
            })
            .unwrap();
    }

    let next = served.run(&["apps"]);
    let said = text(&next.stderr);
    assert!(
        said.contains(&format!("Turn off sign-in for {upn}")),
        "{said}"
    );
    assert!(said.contains("did not get an answer"), "{said}");
    assert!(said.contains("provdesk journal --finish"), "{said}");

    let finished = served.run(&["journal", "--finish"]);
    let out = text(&finished.stdout);
    assert_eq!(
        finished.status.code(),
        Some(3),
        "{out}{}",
        text(&finished.stderr)
    );
    assert!(
        out.contains("it did not happen, and nothing was sent again"),
        "{out}"
    );
    let actions = journal_actions(&served.journal_path());
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].status, playbooks::journal::ActionStatus::Failed);
    let state = served.http().call(Method::GET, "state", Value::Null);
    assert_eq!(
        state["directory"]["users"][&id]["props"]["accountEnabled"], true,
        "nothing was sent"
    );

    let again = served.run(&["journal", "--finish"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("Nothing is unfinished"));
    assert!(!text(&served.run(&["apps"]).stderr).contains("did not get an answer"));
}

fn story_upn(served: &Served, key: &str) -> String {
    let scenario = served.http().call(Method::GET, "scenario", Value::Null);
    scenario["people"][key]["userPrincipalName"]
        .as_str()
        .unwrap()
        .to_string()
}

fn journal_actions(path: &Path) -> Vec<playbooks::journal::ActionRecord> {
    if !path.exists() {
        return Vec::new();
    }
    playbooks::journal::Journal::open(path)
        .unwrap()
        .actions(&Default::default())
        .unwrap()
}

#[test]
fn diagnosis_and_mapping_checks_from_the_terminal() {
    let served = Served::start();
    let recycled = served.http().call(Method::GET, "scenario", Value::Null)["people"]["recycled"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        served
            .run(&["login", "--as", "Global Administrator"])
            .status
            .code(),
        Some(0)
    );
    let diagnosis = served.run(&["diagnose", &recycled, "--app", "Floorplan"]);
    assert_eq!(
        diagnosis.status.code(),
        Some(0),
        "{}",
        text(&diagnosis.stderr)
    );
    let out = text(&diagnosis.stdout);
    assert!(out.contains("(PD-DIAG-001)"), "{out}");
    assert!(out.contains("soft delete"), "{out}");
    assert!(out.contains("(PD-DIAG-006)"), "{out}");

    // The helpdesk operator may not read mappings: every check is skipped, with the reason.
    assert_eq!(
        served.run(&["login", "--as", "helpdesk"]).status.code(),
        Some(0)
    );
    let lint = served.run(&["mappings", "Floorplan", "--lint", "--json"]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stderr));
    let report: Value = serde_json::from_slice(&lint.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 5);
    assert!(
        findings.iter().all(|f| f["status"]["status"] == "skipped"),
        "{report}"
    );

    // A Full reset without the typed name changes nothing.
    let restart = served.run(&["restart", "Floorplan", "--scope", "full"]);
    assert_ne!(restart.status.code(), Some(0));
}

#[test]
fn apps_jobs_and_logs_after_a_sync_round() {
    let served = Served::start();
    let control = served.http();
    assert_eq!(
        served
            .run(&["login", "--as", "Global Administrator"])
            .status
            .code(),
        Some(0)
    );
    control.call(
        Method::POST,
        "clock/advance",
        serde_json::json!({"minutes": 41}),
    );

    let apps = served.run(&["apps"]);
    assert_eq!(apps.status.code(), Some(0), "{}", text(&apps.stderr));
    let out = text(&apps.stdout);
    assert!(out.contains("Floorplan"), "{out}");
    assert!(out.contains("Next sync round"), "{out}");

    let job = served.run(&["job", "Floorplan"]);
    assert_eq!(job.status.code(), Some(0), "{}", text(&job.stderr));
    assert!(
        text(&job.stdout).contains("Status: Active"),
        "{}",
        text(&job.stdout)
    );

    let leaver = story_upn(&served, "leaver-today");
    assert_eq!(
        served.run(&["offboard", &leaver, "--yes"]).status.code(),
        Some(0)
    );
    control.call(
        Method::POST,
        "clock/advance",
        serde_json::json!({"minutes": 41}),
    );
    let logs = served.run(&["logs", "--user", &leaver, "--since", "2h", "--json"]);
    assert_eq!(logs.status.code(), Some(0), "{}", text(&logs.stderr));
    let lines: Value = serde_json::from_slice(&logs.stdout).unwrap();
    let lines = lines.as_array().unwrap();
    assert!(
        lines.iter().any(|l| l["status"] == "Success"
            && l["plain"].as_str().unwrap_or_default().contains("inactive")),
        "{lines:?}"
    );
}

#[test]
fn restart_then_watch_the_next_round() {
    let served = Served::start();
    let control = served.http();
    assert_eq!(
        served
            .run(&["login", "--as", "Application Administrator"])
            .status
            .code(),
        Some(0)
    );
    let dry = served.run(&[
        "restart",
        "Floorplan",
        "--symptom",
        "wrong-link",
        "--dry-run",
    ]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("Type the app's name (Floorplan)"),
        "{}",
        text(&dry.stdout)
    );

    let child = served
        .command(&["restart", "Floorplan", "--yes", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the restart is in the journal, skip ahead to the next round.
    let mut waited = 0;
    while !journal_actions(&served.journal_path())
        .iter()
        .any(|a| a.status == playbooks::journal::ActionStatus::Succeeded)
    {
        waited += 1;
        assert!(waited < 600, "the restart was not recorded");
        std::thread::sleep(Duration::from_millis(50));
    }
    control.call(
        Method::POST,
        "clock/advance",
        serde_json::json!({"minutes": 41}),
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("completed a sync round after the restart"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn restart_clears_expenselys_quarantine_once_its_token_is_renewed() {
    let served = Served::start();
    let control = served.http();
    assert_eq!(
        served
            .run(&["login", "--as", "Application Administrator"])
            .status
            .code(),
        Some(0)
    );
    let job = served.run(&["job", "Expensely"]);
    assert_eq!(job.status.code(), Some(0), "{}", text(&job.stderr));
    assert!(
        text(&job.stdout).contains("Quarantine"),
        "{}",
        text(&job.stdout)
    );
    // Why it is stuck, quoted from the job's last run (its quarantine carries no error) and
    // translated into what to do.
    assert!(
        text(&job.stdout).contains("no longer accepts the secret token"),
        "{}",
        text(&job.stdout)
    );
    assert!(
        text(&job.stdout)
            .contains("Error code: SystemForCrossDomainIdentityManagementInvalidCredentials"),
        "{}",
        text(&job.stdout)
    );
    let dry = served.run(&["restart", "Expensely", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let plan = text(&dry.stdout);
    assert!(plan.contains("QuarantineState"), "{plan}");
    assert!(plan.contains("fix the cause"), "{plan}");
    assert!(plan.contains("Dry run: nothing was changed."), "{plan}");

    // The app's owner issues a new token (saved as the job's secret token), then the restart.
    control.call(
        Method::POST,
        "scim-apps/expensely/renew-token",
        serde_json::Value::Null,
    );
    let child = served
        .command(&[
            "restart",
            "Expensely",
            "--scope",
            "quarantine",
            "--yes",
            "--watch",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !journal_actions(&served.journal_path())
        .iter()
        .any(|a| a.status == playbooks::journal::ActionStatus::Succeeded)
    {
        waited += 1;
        assert!(waited < 600, "the restart was not recorded");
        std::thread::sleep(Duration::from_millis(50));
    }
    control.call(
        Method::POST,
        "clock/advance",
        serde_json::json!({"minutes": 41}),
    );
    let output = child.wait_with_output().unwrap();
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(out.contains("Restart sync for Expensely: "), "{out}");
    assert!(
        out.contains("Expensely completed a sync round after the restart."),
        "{out}"
    );

    let job = served.run(&["job", "Expensely"]);
    assert!(
        text(&job.stdout).contains("Status: Active"),
        "{}",
        text(&job.stdout)
    );
    let actions = journal_actions(&served.journal_path());
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(
        actions[0].request_summary.contains("QuarantineState"),
        "{}",
        actions[0].request_summary
    );
}

/// `--push-now`: Microsoft's on-demand provisioning cannot disable someone disabled in Entra ID
/// (On-demand provisioning, Known limitations), so nothing is pushed; the command says why and
/// when each app follows, and still succeeds.
#[test]
fn push_now_is_explained_and_never_sent_when_offboarding() {
    let served = Served::start();
    let leaver = story_upn(&served, "leaver-today");

    let dry = served.run(&["offboard", &leaver, "--push-now", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let out = text(&dry.stdout);
    assert!(
        out.contains("--push-now: Sync now was not asked for: Microsoft's on-demand provisioning cannot disable a person who is disabled in Entra ID (On-demand provisioning in Microsoft Entra ID (Known limitations))."),
        "{out}"
    );
    assert!(out.contains("Dry run: nothing was changed."), "{out}");

    let done = served.run(&["offboard", &leaver, "--push-now", "--yes"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    let out = text(&done.stdout);
    let said = out
        .lines()
        .find(|l| l.starts_with("Sync now was not asked for"))
        .unwrap_or_else(|| panic!("{out}"));
    // Signed in as the helpdesk (no role to read sync jobs): the apps are named all the same.
    assert!(said.contains("Lunchbox"), "{said}");
    assert!(said.contains("follow at their next round"), "{said}");

    // Only the offboarding itself was sent: no provision-on-demand request.
    let kinds: Vec<_> = journal_actions(&served.journal_path())
        .into_iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            playbooks::journal::ActionKind::Disable,
            playbooks::journal::ActionKind::RevokeSessions
        ]
    );

    // Scripts read the same answer from --json.
    let again = served.run(&["offboard", &leaver, "--push-now", "--yes", "--json"]);
    let answer: Value = serde_json::from_slice(&again.stdout).unwrap_or(Value::Null);
    assert_eq!(answer["pushNow"]["sent"], false, "{}", text(&again.stdout));
    assert!(answer["pushNow"]["why"]
        .as_str()
        .unwrap_or_default()
        .contains("Known limitations"));
}

/// Letting held-back deletions through is never done on `--yes` alone: the app's name must be
/// typed, as for a Full reset, and nothing is sent or journaled without it.
#[test]
fn letting_held_back_deletions_through_needs_the_apps_name_typed() {
    let served = Served::start();
    assert_eq!(
        served
            .run(&["login", "--as", "Application Administrator"])
            .status
            .code(),
        Some(0)
    );
    let refused = served.run(&["restart", "Floorplan", "--scope", "force-deletes", "--yes"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stdout));
    assert!(
        text(&refused.stderr).contains("needs the app's name typed"),
        "{}",
        text(&refused.stderr)
    );
    assert!(journal_actions(&served.journal_path()).is_empty());

    let wrong = served.run(&[
        "restart",
        "Floorplan",
        "--scope",
        "force-deletes",
        "--confirm",
        "floorplan",
    ]);
    assert_ne!(wrong.status.code(), Some(0), "{}", text(&wrong.stdout));
    assert!(journal_actions(&served.journal_path()).is_empty());

    let allowed = served.run(&[
        "restart",
        "Floorplan",
        "--scope",
        "force-deletes",
        "--confirm",
        "Floorplan",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    let actions = journal_actions(&served.journal_path());
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(
        actions[0]
            .request_summary
            .contains("resetScope=ForceDeletes"),
        "{}",
        actions[0].request_summary
    );
}

/// Rehearsing a 21Vianet tenant: the logs are explained as not offered there, not failed.
#[test]
fn the_logs_rehearsed_in_21vianet_say_microsoft_does_not_offer_them() {
    let served = Served::start();
    let login = served.run(&["login", "--as", "Reports Reader"]);
    assert_eq!(login.status.code(), Some(0), "{}", text(&login.stderr));
    let global = served.run(&["logs"]);
    assert_eq!(global.status.code(), Some(0), "{}", text(&global.stderr));

    let china = served.run(&["logs", "--training-cloud", "china", "--json"]);
    assert_eq!(china.status.code(), Some(1), "{}", text(&china.stdout));
    let all = format!("{}{}", text(&china.stdout), text(&china.stderr));
    assert!(all.contains("not_in_this_cloud"), "{all}");
    assert!(
        all.contains(
            "Microsoft does not offer the provisioning logs in the China cloud operated by 21Vianet."
        ),
        "{all}"
    );
}

/// A tenant with 3,000 enterprise apps without account sync: `apps` lists the six with sync,
/// and one app whose jobs cannot be read (403) is listed as "could not be read" instead of
/// ending the whole list (issue 10 item 9).
#[test]
fn apps_on_a_tenant_with_thousands_of_apps_lists_those_with_sync_despite_one_error() {
    let served = Served::start_with(&["--extra-apps", "3000"]);
    let control = served.http();
    assert_eq!(
        served
            .run(&["login", "--as", "Global Administrator"])
            .status
            .code(),
        Some(0)
    );
    let scenario = control.call(Method::GET, "scenario", Value::Null);
    let lunchbox = scenario["scimApps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["displayName"] == "Lunchbox")
        .unwrap()["servicePrincipalId"]
        .as_str()
        .unwrap()
        .to_string();
    control.call(
        Method::POST,
        "faults",
        serde_json::json!({
            "pathPrefix": format!("/servicePrincipals/{lunchbox}/synchronization/jobs"),
            "method": "GET",
            "errorRate": 1.0,
            "status": 403,
        }),
    );

    let apps = served.run(&["apps", "--json"]);
    assert_eq!(apps.status.code(), Some(0), "{}", text(&apps.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&apps.stdout).unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["app"]["displayName"].as_str().unwrap())
        .collect();
    for app in [
        "Floorplan",
        "Lunchbox",
        "Timesheets",
        "Expensely",
        "Badgeway",
        "Chatwave",
        "Project Insight",
    ] {
        assert!(names.contains(&app), "{app} missing from {names:?}");
    }
    assert_eq!(rows.len(), 7, "apps without sync are not listed: {names:?}");
    let unreadable: Vec<&Value> = rows.iter().filter(|r| !r["cannotRead"].is_null()).collect();
    assert_eq!(unreadable.len(), 1, "{rows:?}");
    assert_eq!(unreadable[0]["app"]["displayName"], "Lunchbox");
    assert!(unreadable[0]["cannotRead"]
        .as_str()
        .unwrap()
        .starts_with("could not be read: "));
    let floorplan = rows
        .iter()
        .find(|r| r["app"]["displayName"] == "Floorplan")
        .unwrap();
    assert_eq!(floorplan["jobStatus"], "Active", "{floorplan}");

    let table = served.run(&["apps"]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let out = text(&table.stdout);
    let lunchbox_line = out.lines().find(|l| l.contains("Lunchbox")).unwrap();
    assert!(lunchbox_line.contains("could not be read"), "{out}");
}

/// `provdesk job APP --json`: (service principal id, job id, schedule state).
fn job_of(served: &Served, app: &str) -> (String, String, String) {
    let out = served.run(&["job", app, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = &value["jobs"][0];
    (
        value["app"]["servicePrincipalId"]
            .as_str()
            .unwrap()
            .to_string(),
        job["id"].as_str().unwrap().to_string(),
        job["schedule"]["state"].as_str().unwrap().to_string(),
    )
}

/// Re-link from the terminal, killed with SIGKILL while it is provably between pause and start
/// (its DELETE held back by the tenant, the journal showing the pause done and the DELETE sent):
/// the next command reports the paused sync with who paused it and the command to resume, and
/// `provdesk relink --resume-job` starts it again.
#[test]
fn a_relink_killed_between_pause_and_start_is_reported_and_resumed() {
    use playbooks::journal::{ActionKind, ActionStatus};
    let served = Served::start();
    let control = served.http();
    assert_eq!(
        served
            .run(&["login", "--as", "Application Administrator"])
            .status
            .code(),
        Some(0)
    );
    let obrien = story_upn(&served, "obrien");
    let help = served.run(&["relink", "--help"]);
    assert!(
        text(&help.stdout).contains("Microsoft preview (beta) API"),
        "{}",
        text(&help.stdout)
    );
    assert!(text(&help.stdout).contains("--resume-job"));

    let dry = served.run(&["relink", &obrien, "--app", "Floorplan", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let plan = text(&dry.stdout);
    assert!(plan.contains("Forget the link between"), "{plan}");
    assert!(
        plan.contains("Re-link: 1 person · Restart: a full cycle over all"),
        "{plan}"
    );
    assert!(plan.contains("Dry run: nothing was changed."), "{plan}");
    assert!(journal_actions(&served.journal_path()).is_empty());

    let (sp, job, state) = job_of(&served, "Floorplan");
    assert_eq!(state, "Active");
    control.call(
        Method::POST,
        "faults",
        serde_json::json!({
            "pathPrefix": format!("/servicePrincipals/{sp}/synchronization/jobs/{job}/objectConnections"),
            "method": "DELETE",
            "delayMs": 120000,
        }),
    );
    let mut child = served
        .command(&["relink", &obrien, "--app", "Floorplan", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The state to kill in: the pause answered, the DELETE sent and not answered.
    let mut waited = 0;
    loop {
        let actions = journal_actions(&served.journal_path());
        let paused = actions
            .iter()
            .any(|a| a.kind == ActionKind::PauseJob && a.status == ActionStatus::Succeeded);
        let forgetting = actions
            .iter()
            .any(|a| a.kind == ActionKind::ForgetLink && a.status == ActionStatus::Pending);
        if paused && forgetting {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the re-link ended before it was killed"
        );
        waited += 1;
        assert!(waited < 1_200, "the re-link never reached the DELETE");
        std::thread::sleep(Duration::from_millis(25));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    control.call(Method::DELETE, "faults", Value::Null);
    assert_eq!(job_of(&served, "Floorplan").2, "Paused");
    assert!(!journal_actions(&served.journal_path())
        .iter()
        .any(|a| a.kind == ActionKind::StartJob));

    // Any next command says so, with who paused it and how to resume.
    let next = served.run(&["whoami"]);
    assert_eq!(next.status.code(), Some(0));
    let notice = text(&next.stderr);
    assert!(
        notice.contains("Sync for Floorplan was paused by a re-link"),
        "{notice}"
    );
    assert!(notice.contains("appadmin@"), "who paused it: {notice}");
    assert!(
        notice.contains("provdesk relink --resume-job \"Floorplan\""),
        "{notice}"
    );

    let resumed = served.run(&["relink", "--resume-job", "Floorplan"]);
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}{}",
        text(&resumed.stdout),
        text(&resumed.stderr)
    );
    assert!(
        text(&resumed.stdout).contains("Sync for Floorplan is running again."),
        "{}",
        text(&resumed.stdout)
    );
    assert_eq!(job_of(&served, "Floorplan").2, "Active");
    let starts: Vec<_> = journal_actions(&served.journal_path())
        .into_iter()
        .filter(|a| a.kind == ActionKind::StartJob)
        .collect();
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0].status, ActionStatus::Succeeded);
    let quiet = served.run(&["whoami"]);
    assert!(
        !text(&quiet.stderr).contains("paused by a re-link"),
        "{}",
        text(&quiet.stderr)
    );
}

/// The Project Insight story from the terminal, in JSON: Marisol's link to her deleted account
/// forgotten, a new account linked, sync running again.
#[test]
fn relink_from_the_terminal_in_json() {
    let served = Served::start();
    served.run(&["login", "--as", "Application Administrator"]);
    let marisol = story_upn(&served, "insight-stale");
    let no_terminal = served.run(&["relink", &marisol, "--app", "Project Insight"]);
    assert_eq!(no_terminal.status.code(), Some(2), "confirmation needed");
    let out = served.run(&[
        "relink",
        &marisol,
        "--app",
        "Project Insight",
        "--yes",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["jobResumed"], true);
    let kinds: Vec<&str> = result["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"]["status"].as_str().unwrap())
        .collect();
    assert!(kinds.iter().all(|k| *k == "succeeded"), "{kinds:?}");
    assert_ne!(
        result["newLink"]["link"]["targetAnchor"], result["oldLink"]["targetAnchor"],
        "a new account: {}",
        result["summary"]
    );
    assert_eq!(job_of(&served, "Project Insight").2, "Active");
}
