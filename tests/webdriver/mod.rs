//! Just enough of the W3C WebDriver protocol to drive headless Chromium through Debian's
//! `chromedriver` (package `chromium-driver`, installed by `scripts/setup.sh --deps`): open a
//! page, find and click elements, run a script, read the console log, take a screenshot.
//! Plain HTTP/1.1 on a loopback port, so the tests need no HTTP client crate.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52f-4a5d3a2a8c52";

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

    fn try_request(&self, method: &str, path: &str, body: Option<Value>) -> std::io::Result<Value> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            unchunk(body)
        } else {
            body.to_string()
        };
        serde_json::from_str(&body).map_err(|e| std::io::Error::other(format!("{e}: {head}\n{body}")))
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
        found.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_string()).collect()
    }

    pub fn click(&self, element: &str) {
        self.request("POST", &self.session_path(&format!("/element/{element}/click")), Some(json!({})));
    }

    /// Runs `script` (a function body) in the page and returns its value.
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
        base64_decode(encoded.as_str().expect("base64 text"))
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

/// The body of a chunked HTTP response.
fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | u32::from(value(c)) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[cfg(test)]
#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGVsbG8h"), b"hello!");
    assert_eq!(base64_decode("aGk="), b"hi");
}
