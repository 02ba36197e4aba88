use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// The repository root (this crate lives in `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the e2e crate lives inside the repository")
}

/// One tauri-driver per test binary; it starts a WebKitWebDriver per session itself.
struct Driver {
    port: u16,
    _process: Child,
}

static DRIVER: OnceLock<Driver> = OnceLock::new();

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_for_port(port: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn driver() -> &'static Driver {
    DRIVER.get_or_init(|| {
        let port = free_port();
        let native_port = free_port();
        // A static is never dropped, so a watcher ends tauri-driver (and the WebKitWebDriver it
        // started) when this test process exits; otherwise they would outlive the run.
        let script = format!(
            "tauri-driver --port {port} --native-port {native_port} & driver=$!; \
             while kill -0 {test_pid} 2>/dev/null && kill -0 $driver 2>/dev/null; do sleep 0.3; done; \
             pkill -P $driver; kill $driver 2>/dev/null; wait",
            test_pid = std::process::id()
        );
        assert!(
            Command::new("tauri-driver").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok(),
            "tauri-driver is not installed (make test installs it)"
        );
        let process = Command::new("sh")
            .args(["-c", &script])
            // The app started through tauri-driver inherits it and gives its training tenant
            // this control token, so `training_control_token` can drive `/_training/`.
            .env("PROVDESK_TRAINING_CONTROL_TOKEN", training_control_token())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("a shell to run tauri-driver");
        assert!(
            wait_for_port(port, Duration::from_secs(20)),
            "tauri-driver did not start listening on port {port}"
        );
        Driver {
            port,
            _process: process,
        }
    })
}

/// The control token of the training tenant inside every app this test process starts (one
/// random token per test process, handed to the app in `PROVDESK_TRAINING_CONTROL_TOKEN`).
pub fn training_control_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        training_tenant::control_guard::ControlToken::random()
            .as_str()
            .to_string()
    })
}

/// The app binary under test: `PROVDESK_APP` or the workspace's debug build.
fn app_binary() -> PathBuf {
    std::env::var_os("PROVDESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/provisioning-desk"))
}

/// Where the app remembers the last sign-in: its config folder (Tauri's `app_config_dir`).
pub fn sign_in_memory() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .expect("a config folder (XDG_CONFIG_HOME or HOME)")
        .join("com.provisioningdesk.app/sign-in.json")
}

/// One app at a time: two WebKit sessions side by side on 2 cores make both flaky, and the
/// tests of one binary run on parallel threads.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running instance of the real app, driven over WebDriver.
pub struct App {
    pub client: Client,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl App {
    /// Starts the app as on a machine where nobody has signed in yet, and waits until the web
    /// view has rendered its first screen. The tests of one session share a config folder:
    /// the sign-in an earlier test's app remembered is forgotten first.
    pub async fn start() -> App {
        let turn = ONE_AT_A_TIME.lock().await;
        if let Err(error) = std::fs::remove_file(sign_in_memory()) {
            assert!(
                error.kind() == std::io::ErrorKind::NotFound,
                "could not forget the remembered sign-in: {error}"
            );
        }
        App::open(turn).await
    }

    /// Starts the app again keeping what the last one remembered (the sign-in), as when a
    /// person closes and reopens it.
    pub async fn restart() -> App {
        App::open(ONE_AT_A_TIME.lock().await).await
    }

    async fn open(turn: tokio::sync::MutexGuard<'static, ()>) -> App {
        // Several rustls crypto providers are linked in (reqwest's, fantoccini's): pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let driver = driver();
        let binary = app_binary();
        assert!(
            binary.exists(),
            "the app is not built: {} is missing",
            binary.display()
        );
        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": binary },
            "wdio:enforceWebDriverClassic": true,
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        // WebKitWebDriver may not listen yet when tauri-driver accepts the first session request.
        let mut last_error = None;
        for _ in 0..40 {
            match ClientBuilder::rustls()
                .expect("rustls client")
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", driver.port))
                .await
            {
                Ok(client) => {
                    let app = App {
                        client,
                        _turn: turn,
                    };
                    app.wait_for(Locator::Css("main h1, main [role=alert]"))
                        .await;
                    return app;
                }
                Err(err) => {
                    last_error = Some(err);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        }
        panic!("could not open a WebDriver session on the app: {last_error:?}");
    }

    /// Waits (up to 15 s) for an element and returns it.
    pub async fn wait_for(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(locator)
            .await
            .unwrap_or_else(|err| panic!("element {locator:?} never appeared: {err}"))
    }

    /// The visible text of the first element matching a CSS selector.
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(Locator::Css(css))
            .await
            .text()
            .await
            .unwrap_or_else(|err| panic!("could not read the text of {css}: {err}"))
    }

    /// Scrolls the window back to the top (before a screenshot of a long screen).
    pub async fn scroll_to_top(&self) {
        self.client
            .execute("window.scrollTo(0, 0); return true;", vec![])
            .await
            .expect("the page scrolls");
    }

    /// Saves a PNG screenshot of the window under `tests/e2e/artifacts/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self
            .client
            .screenshot()
            .await
            .expect("WebDriver takes a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        let dir = workspace_root().join("tests/e2e/artifacts");
        std::fs::create_dir_all(&dir).expect("artifacts directory");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Clicks the first element matching a CSS selector (waiting for it first).
    pub async fn click(&self, css: &str) {
        self.wait_for(Locator::Css(css))
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("could not click {css}: {err}"));
    }

    /// Types into the first field matching a CSS selector.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_for(Locator::Css(css))
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("could not type into {css}: {err}"));
    }

    /// Waits (up to 15 s) until the text of `css` contains `expected`, and returns it.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(expected) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never said {expected:?}; it says {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The texts of every element matching a CSS selector.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// The text content of every element matching a CSS selector, whether or not it is scrolled
    /// into view (rows of a virtualized list).
    pub async fn text_contents(&self, css: &str) -> Vec<String> {
        let value = self
            .client
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.replace(/\\s+/g, ' ').trim());",
                vec![serde_json::Value::String(css.to_string())],
            )
            .await
            .expect("the page answers");
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Signs in to the training tenant with one click as the demo account whose user name
    /// starts with `who` ("helpdesk", "appadmin", "reports") or who holds the role `who`
    /// ("Global Administrator"); the app then shows the screen it was left on.
    pub async fn sign_in(&self, who: &str) {
        let by_role =
            format!("//label[contains(@class, 'account-choice')][contains(., '{who}')]//input");
        let by_name = format!("[data-testid=demo-{who}]");
        let choice = if who.contains(' ') {
            Locator::XPath(&by_role)
        } else {
            Locator::Css(&by_name)
        };
        self.wait_for(choice)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("could not choose the demo account {who}: {err}"));
        self.click("[data-testid=sign-in]").await;
        self.wait_for(Locator::Css("[data-testid=account-chip]"))
            .await;
    }

    /// [`App::sign_in`], then opens the home screen.
    pub async fn sign_in_as(&self, who: &str) {
        self.sign_in(who).await;
        self.click("[data-testid=nav-home]").await;
        self.wait_for_text("main h1", "What do you need to do?")
            .await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
