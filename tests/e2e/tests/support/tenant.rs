//! The training tenant inside the running app, reached over its own loopback HTTP control API
//! (`/_training/*`), so a test can set the stage (latency, clock) and check what the tenant saw.
//!
//! The app starts its training tenant on a free port and does not publish it: the tenant is found
//! as the loopback port the app's process listens on that answers `GET /_training/scenario`. Its
//! control token is the one the harness handed the app (`training_control_token`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use provisioning_desk_e2e::workspace_root;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Tenant {
    port: u16,
}

/// The app binary under test, as the harness chooses it.
fn app_binary() -> PathBuf {
    std::env::var_os("PROVDESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/provisioning-desk"))
}

/// The newest process running the app binary.
fn app_pid() -> Option<u32> {
    let wanted = std::fs::canonicalize(app_binary()).ok()?;
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .ok()
                .as_deref()
                == Some(&wanted)
        })
        .max()
}

/// Loopback ports in LISTEN state whose socket the process `pid` holds.
fn listening_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(|e| {
                let link = std::fs::read_link(e.ok()?.path()).ok()?;
                let link = link.to_str()?;
                Some(
                    link.strip_prefix("socket:[")?
                        .strip_suffix(']')?
                        .to_string(),
                )
            })
            .collect()
        })
        .unwrap_or_default();
    let table = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            if *state != "0A" || !inodes.iter().any(|i| i == inode) {
                return None;
            }
            let (address, port) = local.split_once(':')?;
            (address == "0100007F").then(|| u16::from_str_radix(port, 16).ok())?
        })
        .collect()
}

impl Tenant {
    /// Finds the training tenant of the app started last (waits up to 15 s for it to listen).
    pub async fn of_running_app() -> Tenant {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(pid) = app_pid() {
                for port in listening_ports(pid) {
                    let tenant = Tenant { port };
                    if let Ok((200, _)) = tenant.request("GET", "/_training/scenario", None).await {
                        return tenant;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "the app's training tenant was not found"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `GET /_training/{path}` as JSON.
    pub async fn get(&self, path: &str) -> Value {
        self.json("GET", path, None).await
    }

    /// `POST /_training/{path}` with a JSON body, answer as JSON (`null` when empty).
    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.json("POST", path, Some(body)).await
    }

    /// `DELETE /_training/{path}`.
    pub async fn delete(&self, path: &str) {
        self.json("DELETE", path, None).await;
    }

    async fn json(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let full = format!("/_training/{path}");
        let (status, text) = self
            .request(method, &full, body)
            .await
            .unwrap_or_else(|err| panic!("{method} {full}: {err}"));
        assert!(
            (200..300).contains(&status),
            "{method} {full} answered {status}: {text}"
        );
        if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{method} {full}: not JSON ({err}): {text}"))
        }
    }

    /// An app-only Graph token of the scenario's automation client (client credentials).
    pub async fn automation_token(&self) -> String {
        let scenario = self.get("scenario").await;
        let text = |key: &str| form_encode(scenario[key].as_str().unwrap_or_default());
        let form = format!(
            "client_id={}&client_secret={}&grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
            text("automationClientId"),
            text("automationClientSecret"),
        );
        let path = format!("/{}/oauth2/v2.0/token", text("tenantId"));
        let (status, answer) = self
            .send(
                "POST",
                &path,
                "application/x-www-form-urlencoded",
                None,
                &form,
            )
            .await
            .unwrap_or_else(|err| panic!("POST {path}: {err}"));
        assert_eq!(status, 200, "the token endpoint: {answer}");
        let token: Value = serde_json::from_str(&answer).expect("a token answer");
        token["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// A Graph request (`/v1.0/...`) with a bearer token; the status and the JSON answer.
    pub async fn graph(&self, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
        let (status, text) = self
            .send(
                method,
                path,
                "application/json",
                Some(token),
                &body.to_string(),
            )
            .await
            .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> std::io::Result<(u16, String)> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.send(method, path, "application/json", None, &body)
            .await
    }

    /// One HTTP/1.0 exchange (no chunked answers, the connection closes after it).
    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        bearer: Option<&str>,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await?;
        let authorization = bearer
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        // Every request carries the control token the harness gave the app (`/_training/` needs
        // it; the tenant's other routes ignore it).
        let head = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nX-Training-Control: {}\r\nContent-Type: {content_type}\r\n{authorization}Content-Length: {}\r\n\r\n",
            self.port,
            provisioning_desk_e2e::training_control_token(),
            body.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
            .await
            .map_err(|_| std::io::Error::other("no answer within 60 s"))??;
        let answer = String::from_utf8_lossy(&answer);
        let (head, text) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, text.to_string()))
    }
}

/// The tenant's event log (`directory.events`) of a state dump.
pub fn events(state: &Value) -> Vec<Value> {
    state["directory"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `application/x-www-form-urlencoded` for one value: unreserved characters as they are, every
/// other byte as `%XX`.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
