//! Just enough of the W3C WebDriver protocol to drive headless Chromium through Debian's
//! `chromedriver` (package `chromium-driver`, installed by `scripts/setup.sh --deps`): open a
//! page, find and click elements, run a script, read the console log, take a screenshot.
//! HTTP on a loopback port through `ureq`.

use base64::Engine;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    port: u16,
    session: String,
    driver: Child,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and a headless Chromium session with a
    /// `width` x `height` window that records the page's console.
    pub fn start(width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "chromedriver runs (Debian package chromium-driver; scripts/setup.sh --deps installs it)",
            );
        let mut browser = Browser { port, session: String::new(), driver };
        let deadline = Instant::now() + Duration::from_secs(30);
        while browser.try_request("GET", "/status", None).map_or(true, |v| v["value"]["ready"] != true) {
            assert!(Instant::now() < deadline, "chromedriver did not become ready in 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        let session = browser.request(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--hide-scrollbars", format!("--window-size={width},{height}")]
                },
                "goog:loggingPrefs": {"browser": "ALL"}
            }}})),
        );
        browser.session = session["sessionId"].as_str().expect("a session id").to_string();
        browser
    }

    fn try_request(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let request = ureq::request(method, &url).timeout(Duration::from_secs(60));
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        // WebDriver errors come as 4xx/5xx with a JSON body that says what went wrong.
        let response = match response {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(e.to_string()),
        };
        response.into_json::<Value>().map_err(|e| e.to_string())
    }

    /// Sends a WebDriver command; panics with the driver's message on an error.
    pub fn request(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let value = self.try_request(method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(value["value"]["error"].is_null(), "{method} {path}: {value}");
        value["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn open(&self, url: &str) {
        self.request("POST", &self.session_path("/url"), Some(json!({"url": url})));
    }

    /// Element references of everything matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Vec<String> {
        let found = self.request(
            "POST",
            &self.session_path("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .unwrap_or_else(|| panic!("elements {css}: {found}"))
            .iter()
            .map(|e| e[ELEMENT].as_str().unwrap_or_else(|| panic!("element {e}")).to_string())
            .collect()
    }

    pub fn click(&self, element: &str) {
        self.request("POST", &self.session_path(&format!("/element/{element}/click")), Some(json!({})));
    }

    /// Runs `script` (a function body) in the page and returns its value.
    /// Runs `script`, which returns a boolean, until it returns true (at most 10 s): a page
    /// updates after events that fire asynchronously, such as a `<details>` element's `toggle`.
    #[allow(dead_code)] // not every test file that includes this module waits
    pub fn wait_until(&self, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.execute(script) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "still false after 10 s: {script}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn execute(&self, script: &str) -> Value {
        self.request("POST", &self.session_path("/execute/sync"), Some(json!({"script": script, "args": []})))
    }

    /// Console entries since the last call: `{level, message, ...}`.
    pub fn console(&self) -> Vec<Value> {
        let log = self.request("POST", &self.session_path("/se/log"), Some(json!({"type": "browser"})));
        log.as_array().cloned().unwrap_or_default()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let encoded = self.request("GET", &self.session_path("/screenshot"), None);
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 text"))
            .expect("a base64 PNG")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.try_request("DELETE", &self.session_path(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
