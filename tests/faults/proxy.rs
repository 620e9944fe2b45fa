//! A fault-injecting HTTP proxy in front of a real OpenAI-compatible server, for the server
//! faults of the fault campaign (tests/faults.rs). Each POST takes the next fault of a script
//! (then passes once the script is used up); GETs always pass. Every request is forwarded on a
//! connection of its own with `Connection: close`, so the client never reuses one and each
//! request meets exactly its scripted fault. TCP-level proxies (toxiproxy) cannot answer 429 or
//! corrupt an SSE event, and no packaged one installs here.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Fault {
    /// Forward as is.
    Pass,
    /// Answer this status without asking the server, with `Retry-After: secs` if given.
    Status(u16, Option<u64>),
    /// Ask the server, then cut the answer off in the middle of its third event.
    CutMidEvent,
    /// Ask the server, then corrupt its second event (its JSON starts with `<`).
    Malformed,
    /// Say nothing for this long, then close (the server is never asked).
    Stall(Duration),
    /// Ask the server, send its answer up to its third event, then go silent for this long.
    StallMidStream(Duration),
}

pub struct FaultProxy {
    pub port: u16,
    script: Arc<Mutex<VecDeque<Fault>>>,
    /// The faults the POSTs met, in order.
    pub met: Arc<Mutex<Vec<Fault>>>,
}

impl FaultProxy {
    /// A proxy on `port` (0: any) to `upstream` (`host:port`); with `listen_after`, the port
    /// refuses connections until then (nothing listens on it).
    pub fn start(upstream: &str, port: u16, listen_after: Option<Duration>) -> FaultProxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let met = Arc::new(Mutex::new(Vec::new()));
        let (upstream, s, m) = (upstream.to_string(), Arc::clone(&script), Arc::clone(&met));
        let listener = match listen_after {
            None => Some(listener),
            Some(_) => {
                drop(listener);
                None
            }
        };
        std::thread::spawn(move || {
            let listener = listener.unwrap_or_else(|| {
                std::thread::sleep(listen_after.unwrap());
                TcpListener::bind(("127.0.0.1", port)).unwrap()
            });
            for conn in listener.incoming().flatten() {
                let (upstream, s, m) = (upstream.clone(), Arc::clone(&s), Arc::clone(&m));
                std::thread::spawn(move || {
                    let _ = serve(conn, &upstream, &s, &m);
                });
            }
        });
        FaultProxy { port, script, met }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    pub fn script(&self, faults: &[Fault]) {
        *self.script.lock().unwrap() = faults.iter().cloned().collect();
    }

    pub fn posts(&self) -> usize {
        self.met.lock().unwrap().len()
    }
}

fn serve(
    client: TcpStream,
    upstream: &str,
    script: &Mutex<VecDeque<Fault>>,
    met: &Mutex<Vec<Fault>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("content-length:") {
            content_length = n.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
        if !lower.starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
    }
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let fault = if head.starts_with(b"POST") {
        let fault = script.lock().unwrap().pop_front().unwrap_or(Fault::Pass);
        met.lock().unwrap().push(fault.clone());
        fault
    } else {
        Fault::Pass
    };
    let mut client = client;
    match fault {
        Fault::Status(status, retry_after) => {
            let body = format!(r#"{{"error":{{"code":{status},"message":"injected by the fault proxy"}}}}"#);
            let retry = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
            write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n{retry}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            return client.shutdown(Shutdown::Both);
        }
        Fault::Stall(d) => {
            std::thread::sleep(d);
            return client.shutdown(Shutdown::Both);
        }
        _ => {}
    }
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(&head)?;
    server.write_all(&body)?;
    if let Fault::Pass = fault {
        std::io::copy(&mut server, &mut client)?;
        return client.shutdown(Shutdown::Both);
    }
    // The answer as it comes, up to where the fault strikes (an answer read whole first could
    // keep the client waiting past its timeout).
    let (mut answer, mut sent, mut buf, mut corrupted) = (Vec::new(), 0, [0u8; 8192], false);
    loop {
        let n = server.read(&mut buf)?;
        answer.extend_from_slice(&buf[..n]);
        let events: Vec<usize> =
            answer.windows(6).enumerate().filter(|(_, w)| w == b"data: ").map(|(i, _)| i).collect();
        let (upto, stop) = match (&fault, events.get(1), events.get(2)) {
            (Fault::CutMidEvent, _, Some(&p)) if answer.len() >= p + 12 => (p + 12, None),
            (Fault::StallMidStream(d), _, Some(&p)) => (p, Some(*d)),
            (Fault::Malformed, Some(&p), _) if answer.len() > p + 6 => {
                if !corrupted {
                    answer[p + 6] = b'<';
                    corrupted = true;
                }
                (answer.len(), None)
            }
            // Held back: what might be the start of the event to corrupt.
            (Fault::Malformed, ..) if n > 0 => (answer.len().saturating_sub(7).max(sent), None),
            _ => (answer.len(), None),
        };
        client.write_all(&answer[sent..upto])?;
        client.flush()?;
        sent = upto;
        let struck = match fault {
            Fault::CutMidEvent => upto < answer.len() || events.len() > 2,
            Fault::StallMidStream(_) => stop.is_some(),
            _ => false,
        };
        if let Some(d) = stop {
            std::thread::sleep(d);
        }
        if struck || n == 0 {
            assert!(
                struck || corrupted,
                "the server's answer ended before the fault:\n{}",
                String::from_utf8_lossy(&answer)
            );
            break;
        }
    }
    client.shutdown(Shutdown::Both)
}
