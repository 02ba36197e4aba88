//! The training tenant inside the running app, reached over its own loopback HTTP control API
//! (`/_training/*`), so a test can set the stage (latency, clock) and check what the tenant saw.
//!
//! The app starts its training tenant on a free port and does not publish it: the tenant is found
//! as the loopback port the app's process listens on that answers `GET /_training/scenario`.

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

    /// One HTTP/1.0 exchange (no chunked answers, the connection closes after it).
    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> std::io::Result<(u16, String)> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await?;
        let head = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.port,
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
