//! A real AWS-protocol server for `collect aws` tests: moto's `moto_server`
//! from the test venv (scripts/install-test-deps installs it), one per test
//! on a free port (it starts in about 1.5 s here, and a server per test lets
//! tests run in parallel without resetting each other's state), seeded by
//! `seed_aws.py` through boto3.
//!
//! The binary under test gets dummy credentials and a `HOME` and AWS config
//! files inside a temporary directory, so a developer's real profile is
//! never read, let alone used.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util;

/// The account every seeded resource belongs to (the shop fixture's).
pub const ACCOUNT: &str = "111122223333";

/// A running moto server, killed when dropped.
pub struct Moto {
    child: Arc<Mutex<Child>>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Home, AWS config files and outputs of the test.
    pub dir: tempfile::TempDir,
}

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("the loopback interface has a free port")
}

/// Whether an HTTP server answers on `port`.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

impl Moto {
    /// Starts a server; panics, naming the fix, when it cannot.
    pub fn start() -> Moto {
        let server = util::tools_dir().join("venv/bin/moto_server");
        assert!(
            server.exists(),
            "{} is missing: run scripts/install-test-deps (it installs moto[server] into the test venv)",
            server.display()
        );
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACCOUNT_ID", ACCOUNT)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e}; run scripts/install-test-deps",
                    server.display()
                )
            });
        let moto = Moto {
            child: Arc::new(Mutex::new(child)),
            port,
            dir: util::temp_dir(),
        };
        let started = Instant::now();
        while !answers(port) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not answer on port {port} within 30 s; run {} -p {port} by hand to see why",
                server.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server now (the fault "server gone mid-pagination").
    pub fn killer(&self) -> impl Fn() + Send + Sync + 'static {
        let child = self.child.clone();
        move || {
            if let Ok(mut child) = child.lock() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Runs `seed_aws.py` against the server with `args`; its JSON output.
    pub fn seed(&self, args: &[&str]) -> serde_json::Value {
        let script = util::repo_path("tests/support/seed_aws.py");
        let output = Command::new(util::venv_python())
            .arg(&script)
            .arg(self.endpoint())
            .args(args)
            .envs(self.env(&self.endpoint()))
            .output()
            .expect("the venv's python runs");
        assert!(
            output.status.success(),
            "seeding moto failed (is boto3 installed? run scripts/install-test-deps):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("seed_aws.py prints JSON")
    }

    /// The environment of a process talking to `endpoint` (this server or a
    /// proxy in front of it): dummy credentials, no real profile.
    pub fn env(&self, endpoint: &str) -> Vec<(String, String)> {
        let home = self.dir.path();
        let file = |name: &str| home.join(name).display().to_string();
        [
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_ENDPOINT_URL", endpoint.to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("HOME", home.display().to_string()),
            ("AWS_CONFIG_FILE", file("aws-config")),
            ("AWS_SHARED_CREDENTIALS_FILE", file("aws-credentials")),
            ("BLASTMAP_COLLECTED_AT", "2026-11-30T12:00:00Z".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// A path for an output of the test.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        (self.killer())();
    }
}
