//! Authorization code + PKCE through the system browser, answered on a loopback listener.
//!
//! Microsoft's rules for desktop apps ("Redirect URI restrictions", graph-api.md §1.5):
//! * the redirect is `http://localhost:{port}/` — registering `http://localhost` once allows any
//!   port, and a redirect URI without a path comes back **with** a trailing slash;
//! * `[::1]` is not supported as a redirect host, so the URI says `localhost`; we listen on
//!   127.0.0.1 (random port) and, when possible, on `[::1]` with the same port, so a browser
//!   that resolves `localhost` to either address reaches us.
//!
//! The listener accepts exactly one sign-in answer carrying our `state` (other paths such as
//! `/favicon.ico` get a 404, answers with another `state` a refusal page while listening goes
//! on), reads connections concurrently, answers with a small "you can close this tab" page and
//! stops; it gives up after a timeout.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::{token_error, Authenticator, TokenSet};
use crate::error::{Error, IdentityError, Result};

/// Options for one browser sign-in.
#[derive(Debug, Clone)]
pub struct BrowserSignInOptions {
    /// How long to wait for the browser's answer.
    pub timeout: Duration,
    /// `login_hint` (pre-fills the account).
    pub login_hint: Option<String>,
    /// `prompt` (`select_account`, `login`, `consent`).
    pub prompt: Option<String>,
    /// Additional authorize parameters (e.g. a `domain_hint`, or the training tenant's
    /// test-only consent parameter).
    pub extra_params: Vec<(String, String)>,
}

impl Default for BrowserSignInOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            login_hint: None,
            prompt: Some("select_account".into()),
            extra_params: Vec::new(),
        }
    }
}

/// A browser sign-in in progress: open [`PendingBrowserSignIn::authorize_url`], then
/// [`PendingBrowserSignIn::finish`].
pub struct PendingBrowserSignIn {
    auth: Authenticator,
    authorize_url: Url,
    redirect_uri: RedirectUrl,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    listeners: Vec<TcpListener>,
    timeout: Duration,
}

impl std::fmt::Debug for PendingBrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingBrowserSignIn")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish()
    }
}

impl Authenticator {
    /// Binds the loopback listener and builds the authorize URL (PKCE S256, random state).
    pub async fn start_browser_sign_in(
        &self,
        options: BrowserSignInOptions,
    ) -> Result<PendingBrowserSignIn> {
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|source| Error::LoopbackListener { source })?;
        let port = v4
            .local_addr()
            .map_err(|source| Error::LoopbackListener { source })?
            .port();
        let mut listeners = vec![v4];
        // Best effort: IPv6 loopback may be disabled on this machine.
        if let Ok(v6) = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await {
            listeners.push(v6);
        }
        let redirect_uri = RedirectUrl::new(format!("http://localhost:{port}/")).map_err(|e| {
            Error::InvalidUrl {
                value: format!("http://localhost:{port}/"),
                reason: e.to_string(),
            }
        })?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.oauth.clone().set_redirect_uri(redirect_uri.clone());
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes())
            .set_pkce_challenge(challenge)
            .add_extra_param("response_mode", "query");
        if let Some(hint) = &options.login_hint {
            request = request.add_extra_param("login_hint", hint.clone());
        }
        if let Some(prompt) = &options.prompt {
            request = request.add_extra_param("prompt", prompt.clone());
        }
        for (k, v) in &options.extra_params {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let (authorize_url, state) = request.url();
        Ok(PendingBrowserSignIn {
            auth: self.clone(),
            authorize_url,
            redirect_uri,
            state,
            verifier,
            listeners,
            timeout: options.timeout,
        })
    }

    /// Opens the system browser and completes the sign-in.
    pub async fn sign_in_with_browser(&self, options: BrowserSignInOptions) -> Result<TokenSet> {
        let pending = self.start_browser_sign_in(options).await?;
        open_in_system_browser(pending.authorize_url())?;
        pending.finish().await
    }
}

impl PendingBrowserSignIn {
    /// The URL to open in the browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The redirect URI this sign-in uses (`http://localhost:{port}/`).
    pub fn redirect_uri(&self) -> &str {
        self.redirect_uri.as_str()
    }

    /// Waits for the browser's answer, checks it, and redeems the code.
    pub async fn finish(self) -> Result<TokenSet> {
        let PendingBrowserSignIn {
            auth,
            redirect_uri,
            state,
            verifier,
            listeners,
            timeout,
            ..
        } = self;
        let answer = tokio::time::timeout(timeout, accept_answer(&listeners, state.secret()))
            .await
            .map_err(|_| Error::SignInTimedOut { waited: timeout })??;
        drop(listeners);
        let code = check_answer(&answer, state.secret())?;
        let resp = auth
            .oauth
            .clone()
            .set_redirect_uri(redirect_uri)
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&auth.http)
            .await
            .map_err(token_error)?;
        Ok(TokenSet::from_response(&resp, None))
    }
}

/// Validates the redirect's query: error → specific error; state must match; code required.
pub(crate) fn check_answer(query: &[(String, String)], expected_state: &str) -> Result<String> {
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if let Some(error) = get("error") {
        let description = get("error_description");
        // The state of an error redirect is checked too: an attacker could otherwise make us
        // show a forged message.
        if get("state").as_deref() != Some(expected_state) {
            return Err(Error::StateMismatch);
        }
        return Err(if error == "access_denied" {
            Error::SignInCancelled { description }
        } else {
            Error::Identity(IdentityError::from_parts(&error, description.as_deref()))
        });
    }
    match get("state") {
        Some(s) if constant_time_eq(s.as_bytes(), expected_state.as_bytes()) => {}
        _ => return Err(Error::StateMismatch),
    }
    get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::BadRedirect {
            detail: "it carried neither a code nor an error".into(),
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const DONE_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Provisioning Desk</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in complete</h1><p>You can close this tab and return to Provisioning Desk.</p></body></html>";
const NOT_OURS_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Provisioning Desk</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>This answer was not for this sign-in</h1><p>Provisioning Desk is still waiting for the sign-in it started. Finish it in the browser window it opened.</p></body></html>";
const FAILED_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Provisioning Desk</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>Sign-in did not complete</h1><p>You can close this tab; Provisioning Desk shows what happened.</p></body></html>";

/// Accepts connections until one carries a sign-in answer on `/` **with our `state`**; returns
/// its query pairs.
///
/// Two things a local process or a web page could otherwise do to a sign-in in progress:
/// * open a connection and send nothing — connections are read concurrently, each on its own
///   task, so an idle one never holds up the browser's real answer;
/// * send a forged answer (`/?error=…&state=wrong`) — an answer whose `state` is not ours is
///   refused with a page saying so, and listening goes on: only the browser that started this
///   sign-in can end it (RFC 6749 §10.12, state as a CSRF token).
async fn accept_answer(
    listeners: &[TcpListener],
    expected_state: &str,
) -> Result<Vec<(String, String)>> {
    if listeners.is_empty() {
        return Err(Error::LoopbackListener {
            source: std::io::Error::other("no listener"),
        });
    }
    let (answers, mut answered) = tokio::sync::mpsc::channel(1);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            Some(query) = answered.recv() => {
                connections.abort_all();
                return Ok(query);
            }
            accepted = accept_any(listeners) => accepted,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let answers = answers.clone();
        let expected_state = expected_state.to_string();
        connections.spawn(async move {
            if let Some(query) = serve_connection(stream, &expected_state).await {
                let _ = answers.send(query).await;
            }
        });
        // Finished connection tasks are reaped as we go, so a long wait holds no dead tasks.
        while connections.try_join_next().is_some() {}
    }
}

/// The next connection on any of the listeners.
async fn accept_any(listeners: &[TcpListener]) -> std::io::Result<(TcpStream, SocketAddr)> {
    match listeners {
        [a] => a.accept().await,
        [a, b, ..] => tokio::select! {
            r = a.accept() => r,
            r = b.accept() => r,
        },
        [] => Err(std::io::Error::other("no listener")),
    }
}

/// Answers one connection; returns the query of a sign-in answer that carries our `state`.
async fn serve_connection(
    mut stream: TcpStream,
    expected_state: &str,
) -> Option<Vec<(String, String)>> {
    let target = read_request_target(&mut stream).await?;
    let Ok(url) = Url::parse(&format!("http://localhost{target}")) else {
        let _ = respond(&mut stream, 400, "Bad Request", FAILED_PAGE).await;
        return None;
    };
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let is_answer = url.path() == "/" && query.iter().any(|(k, _)| k == "code" || k == "error");
    if !is_answer {
        let _ = respond(&mut stream, 404, "Not Found", "").await;
        return None;
    }
    let ours = query
        .iter()
        .find(|(k, _)| k == "state")
        .is_some_and(|(_, v)| constant_time_eq(v.as_bytes(), expected_state.as_bytes()));
    if !ours {
        let _ = respond(&mut stream, 400, "Bad Request", NOT_OURS_PAGE).await;
        return None;
    }
    let ok = query.iter().any(|(k, _)| k == "code");
    let _ = respond(
        &mut stream,
        200,
        "OK",
        if ok { DONE_PAGE } else { FAILED_PAGE },
    )
    .await;
    Some(query)
}

/// Reads the request line of one HTTP/1.1 request (at most 16 KiB, 10 s) and returns its target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    let read = async {
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 16 * 1024 {
                return Some(());
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET" && target.starts_with('/')).then(|| target.to_string())
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    reason: &str,
    body: &str,
) -> std::io::Result<()> {
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(resp.as_bytes()).await?;
    stream.shutdown().await
}

/// Opens `url` in the default browser of this system.
pub fn open_in_system_browser(url: &Url) -> Result<()> {
    let u = url.as_str();
    #[cfg(target_os = "windows")]
    let mut cmd = {
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", u]);
        c
    };
    #[cfg(target_os = "macos")]
    let mut cmd = {
        let mut c = std::process::Command::new("open");
        c.arg(u);
        c
    };
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    let mut cmd = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(u);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| Error::BrowserLaunch {
            detail: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn answer_checks() {
        assert_eq!(
            check_answer(&q(&[("code", "c"), ("state", "s")]), "s").unwrap(),
            "c"
        );
        assert_eq!(
            check_answer(&q(&[("code", "c"), ("state", "x")]), "s")
                .unwrap_err()
                .code(),
            "sign_in.state_mismatch"
        );
        assert_eq!(
            check_answer(&q(&[("code", "c")]), "s").unwrap_err().code(),
            "sign_in.state_mismatch"
        );
        let e = check_answer(
            &q(&[
                ("error", "access_denied"),
                ("error_description", "the user canceled the authentication"),
                ("state", "s"),
            ]),
            "s",
        )
        .unwrap_err();
        assert_eq!(e.code(), "sign_in.cancelled");
        assert!(e.to_string().contains("canceled"));
        let e = check_answer(
            &q(&[
                ("error", "invalid_request"),
                ("error_description", "AADSTS50011: redirect"),
                ("state", "s"),
            ]),
            "s",
        )
        .unwrap_err();
        assert_eq!(e.code(), "sign_in.redirect_uri_not_registered");
    }

    async fn listener() -> (TcpListener, u16) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        (listener, port)
    }

    /// Sends `GET {target}` and returns the status line of the answer.
    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap();
        stream
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer.lines().next().unwrap_or_default().to_string()
    }

    #[tokio::test]
    async fn a_forged_answer_is_refused_and_the_real_one_still_signs_in() {
        let (listener, port) = listener().await;
        let waiting = tokio::spawn(async move { accept_answer(&[listener], "s3cr3t").await });
        let forged = get(port, "/?error=access_denied&state=guess").await;
        assert!(forged.contains("400"), "{forged}");
        assert!(
            !waiting.is_finished(),
            "a forged answer does not end the sign-in"
        );
        let real = get(port, "/?code=c0de&state=s3cr3t").await;
        assert!(real.contains("200"), "{real}");
        let query = waiting.await.unwrap().unwrap();
        assert_eq!(check_answer(&query, "s3cr3t").unwrap(), "c0de");
    }

    #[tokio::test]
    async fn an_idle_connection_does_not_hold_up_the_answer() {
        let (listener, port) = listener().await;
        let waiting = tokio::spawn(async move { accept_answer(&[listener], "s").await });
        // Opened first, sends half a request line and then nothing (kept open throughout).
        let mut idle = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap();
        idle.write_all(b"GET /?co").await.unwrap();
        let real = get(port, "/?code=c&state=s").await;
        assert!(real.contains("200"), "{real}");
        // Read one connection at a time, the answer would wait for the idle one's 10 s read
        // timeout; read concurrently it is in at once (the bound here is far above that).
        let query = tokio::time::timeout(Duration::from_secs(8), waiting)
            .await
            .expect("answered while the idle connection is still open")
            .unwrap()
            .unwrap();
        assert_eq!(check_answer(&query, "s").unwrap(), "c");
        drop(idle);
    }
}
