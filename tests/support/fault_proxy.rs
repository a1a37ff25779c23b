//! A small HTTP/1.1 reverse proxy in front of moto that injects scripted
//! faults, so `collect aws` is tested against the faults a real account
//! shows: throttling (400 `ThrottlingException`, 429), 500 and 503, a
//! connection reset after the server answered (the pagination token is then
//! spent), a response that never comes, access denied in one region (read
//! from the SigV4 credential scope of the `Authorization` header), and the
//! server killed mid-pagination.
//!
//! std::net and a thread per client connection: each request is read whole
//! (`Content-Length` bodies: what the SDK sends), forwarded on a fresh
//! upstream connection with `Connection: close`, and the response relayed
//! with a `Content-Length` (chunked upstream bodies are de-chunked).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 400 with a `ThrottlingException` body.
    Throttle400,
    /// HTTP 429 with a `ThrottlingException` body.
    Throttle429,
    /// HTTP 500.
    Status500,
    /// HTTP 503.
    Status503,
    /// Forward the request (the server acts on it), then close the client
    /// connection without an answer.
    ResetAfterForward,
    /// Read the request and never answer.
    Hang,
}

/// What the proxy does, shared with its threads.
#[derive(Default)]
struct Script {
    /// (operation, nth matching request, fault): each fires once.
    faults: Vec<(String, u64, Fault)>,
    /// Requests seen per operation.
    seen: BTreeMap<String, u64>,
    /// Every request in this region gets AccessDenied.
    deny_region: Option<String>,
    /// After this many answered requests of the operation, kill the server.
    kill_after: Option<(String, u64)>,
    killer: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// A running proxy; its threads end with the test binary.
pub struct FaultProxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    script: Arc<Mutex<Script>>,
}

impl FaultProxy {
    /// A proxy to `upstream_port`, injecting nothing yet.
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("the proxy can listen on loopback");
        let port = listener
            .local_addr()
            .expect("a bound listener has an address")
            .port();
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let script = shared.clone();
                std::thread::spawn(move || serve(client, upstream_port, &script));
            }
        });
        FaultProxy { port, script }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `nth` (1-based) request of `operation` (`GetResources`,
    /// `DescribeInstances`) gets `fault`.
    pub fn fault(&self, operation: &str, nth: u64, fault: Fault) -> &Self {
        self.lock().faults.push((operation.to_owned(), nth, fault));
        self
    }

    /// Every request signed for `region` gets `AccessDeniedException`.
    pub fn deny_region(&self, region: &str) -> &Self {
        self.lock().deny_region = Some(region.to_owned());
        self
    }

    /// Once `n` requests of `operation` were answered, `kill` runs (it
    /// kills the server: later requests find nobody).
    pub fn kill_after(&self, operation: &str, n: u64, kill: impl Fn() + Send + Sync + 'static) {
        let mut script = self.lock();
        script.kill_after = Some((operation.to_owned(), n));
        script.killer = Some(Arc::new(kill));
    }

    /// How many requests of `operation` reached the proxy.
    pub fn seen(&self, operation: &str) -> u64 {
        self.lock().seen.get(operation).copied().unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One request as read from the client.
struct Request {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The operation: the JSON protocols' `X-Amz-Target` suffix, the query
    /// protocols' `Action`, else the request line's path.
    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        let body = String::from_utf8_lossy(&self.body);
        if let Some(action) = body.split('&').find_map(|p| p.strip_prefix("Action=")) {
            return action.to_owned();
        }
        self.head[0].split(' ').nth(1).unwrap_or("").to_owned()
    }

    /// The region of the SigV4 credential scope:
    /// `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
    fn region(&self) -> Option<String> {
        let auth = self.header("authorization")?;
        let scope = auth.split("Credential=").nth(1)?;
        scope.split('/').nth(2).map(str::to_owned)
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let mut request = Request {
        head,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}

fn respond(client: &mut TcpStream, status: &str, error_type: &str) {
    let body = format!(r#"{{"__type":"{error_type}","message":"injected by the fault proxy"}}"#);
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {error_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = client.write_all(response.as_bytes());
}

/// Serves one client connection, request after request.
fn serve(client: TcpStream, upstream: u16, script: &Mutex<Script>) {
    let Ok(read_half) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut client = client;
    while let Some(request) = read_request(&mut reader) {
        let operation = request.operation();
        let (fault, denied) = {
            let mut script = script.lock().unwrap_or_else(|e| e.into_inner());
            let nth = {
                let seen = script.seen.entry(operation.clone()).or_insert(0);
                *seen += 1;
                *seen
            };
            let fault = script
                .faults
                .iter()
                .find(|(op, n, _)| *op == operation && *n == nth)
                .map(|(_, _, f)| f.clone());
            let denied = script.deny_region.is_some() && script.deny_region == request.region();
            (fault, denied)
        };
        if denied {
            respond(&mut client, "400 Bad Request", "AccessDeniedException");
            continue;
        }
        match fault {
            Some(Fault::Throttle400) => {
                respond(&mut client, "400 Bad Request", "ThrottlingException")
            }
            Some(Fault::Throttle429) => {
                respond(&mut client, "429 Too Many Requests", "ThrottlingException")
            }
            Some(Fault::Status500) => respond(
                &mut client,
                "500 Internal Server Error",
                "InternalServiceException",
            ),
            Some(Fault::Status503) => {
                respond(&mut client, "503 Service Unavailable", "ServiceUnavailable")
            }
            Some(Fault::Hang) => {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            Some(Fault::ResetAfterForward) => {
                let _ = forward(&request, upstream);
                let _ = client.shutdown(Shutdown::Both);
                return;
            }
            None => match forward(&request, upstream) {
                Some(response) => {
                    if client.write_all(&response).is_err() {
                        return;
                    }
                    after_answer(script, &operation);
                }
                None => {
                    // Nobody upstream: the client sees its connection drop.
                    let _ = client.shutdown(Shutdown::Both);
                    return;
                }
            },
        }
    }
}

/// Counts an answered request and runs the killer when its turn came.
fn after_answer(script: &Mutex<Script>, operation: &str) {
    let kill = {
        let mut script = script.lock().unwrap_or_else(|e| e.into_inner());
        let due = match &mut script.kill_after {
            Some((op, n)) if op == operation => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            _ => false,
        };
        if due {
            script.kill_after = None;
            script.killer.take()
        } else {
            None
        }
    };
    if let Some(kill) = kill {
        kill();
    }
}

/// Sends the request upstream and returns the response re-framed with a
/// `Content-Length`; `None` when the server cannot be reached.
fn forward(request: &Request, upstream: u16) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    let mut out = Vec::new();
    out.extend_from_slice(request.head[0].as_bytes());
    out.extend_from_slice(b"\r\n");
    for line in request.head.iter().skip(1) {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&request.body);
    server.write_all(&out).ok()?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.to_owned();
    let mut headers = Vec::new();
    let mut chunked = false;
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") {
            chunked = lower.contains("chunked");
            continue;
        }
        if lower.starts_with("content-length:") || lower.starts_with("connection:") {
            continue;
        }
        headers.push(line.to_owned());
    }
    if chunked {
        body = dechunk(&body)?;
    }
    let mut response = format!("{status}\r\n");
    for h in headers {
        response.push_str(&h);
        response.push_str("\r\n");
    }
    response.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = response.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}

/// A chunked body's bytes.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
