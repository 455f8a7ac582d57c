//! What the examples' tests share: the example binaries, run with input and a deadline, the test
//! virtualenv's Python, a certificate in PEM files, and the echo server of [`crate::wss`] on a
//! thread.

use std::io::{self, BufRead as _, BufReader, Read, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::wss::{log_line, serve, tls_config};

/// Returns the path of the example binary `name`, which `cargo test` builds beside the test
/// binaries (in `target/<profile>/examples/`).
///
/// # Panics
///
/// If the running test's own path has no grandparent.
#[must_use]
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    dir.join("examples").join(name)
}

/// Returns the Python of the test virtualenv made by `scripts/test-deps.sh` (or the one that
/// `PIPEBUF_TEST_VENV` names).
///
/// # Panics
///
/// If it is missing: the tests that need it do not skip silently.
#[must_use]
pub fn python() -> PathBuf {
    let venv = std::env::var_os("PIPEBUF_TEST_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-test"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    assert!(python.exists(), "{} is missing: run scripts/test-deps.sh", python.display());
    python
}

/// Runs `command` with `input` on its standard input (then closed), and returns its status and
/// output.
///
/// # Panics
///
/// If it cannot start, or if it has not ended within `timeout` (it is killed first).
#[must_use]
pub fn run_with_input(command: &mut Command, input: &[u8], timeout: Duration) -> Output {
    let mut child = spawn_piped(command);
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // On a thread, so that a child that writes before it has read everything cannot deadlock.
    let writer = thread::spawn(move || stdin.write_all(&input));
    let stdout = collect(child.stdout.take().expect("stdout"));
    let stderr = collect(child.stderr.take().expect("stderr"));
    let status = wait(&mut child, timeout);
    // A child may end without reading all its input: a broken pipe here is no failure.
    let _ = writer.join();
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Starts `command` with its three standard streams piped.
///
/// # Panics
///
/// If it cannot start.
fn spawn_piped(command: &mut Command) -> Child {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"))
}

/// Waits for `child` to end, for at most `timeout`.
///
/// # Panics
///
/// If it has not ended by then: it is killed, and the test fails.
pub fn wait(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{child:?} did not end within {timeout:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// A child process driven a line at a time: lines written to its standard input, its standard
/// output read back line by line, each within a deadline.
#[derive(Debug)]
pub struct Interactive {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Interactive {
    /// Starts `command` with its standard streams piped.
    ///
    /// # Panics
    ///
    /// If it cannot start.
    #[must_use]
    pub fn start(command: &mut Command) -> Self {
        let mut child = spawn_piped(command);
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines() {
                if tx.send(line.expect("UTF-8 output")).is_err() {
                    return;
                }
            }
        });
        let stderr = Some(collect(child.stderr.take().expect("stderr")));
        Interactive { child, stdin, lines, stderr }
    }

    /// Writes `line` and its `\n`.
    ///
    /// # Panics
    ///
    /// If standard input was closed, or the write fails.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("standard input is open");
        stdin.write_all(format!("{line}\n").as_bytes()).expect("the child reads");
        stdin.flush().expect("the child reads");
    }

    /// Returns the next line of output, without its `\n`.
    ///
    /// # Panics
    ///
    /// If none comes within `timeout`.
    #[must_use]
    pub fn line(&mut self, timeout: Duration) -> String {
        self.lines.recv_timeout(timeout).unwrap_or_else(|e| panic!("no line of output: {e}"))
    }

    /// Closes standard input and waits for the end, for at most `timeout`; returns the status
    /// and what was left on standard output and standard error.
    ///
    /// # Panics
    ///
    /// As [`wait`].
    #[must_use]
    pub fn finish(mut self, timeout: Duration) -> (ExitStatus, Vec<String>, String) {
        drop(self.stdin.take());
        let status = wait(&mut self.child, timeout);
        let rest = self.lines.try_iter().collect();
        let stderr =
            self.stderr.take().map(|t| t.join().expect("stderr reader")).unwrap_or_default();
        (status, rest, String::from_utf8_lossy(&stderr).into_owned())
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        // A test that failed midway leaves no process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads all of `from` on a thread.
fn collect(mut from: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = from.read_to_end(&mut all);
        all
    })
}

/// A self-signed certificate for `localhost` and `127.0.0.1` and its key, written as PEM files
/// into a new directory of their own, which is removed on drop.
#[derive(Debug)]
pub struct TestCert {
    dir: PathBuf,
}

impl TestCert {
    /// Makes the certificate, in a directory named after `name` and the process.
    ///
    /// # Panics
    ///
    /// If the certificate cannot be made or written.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("pipebuf-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let made = rcgen::generate_simple_self_signed(["localhost".into(), "127.0.0.1".into()])
            .expect("a certificate");
        std::fs::write(dir.join("cert.pem"), made.cert.pem()).expect("cert.pem written");
        std::fs::write(dir.join("key.pem"), made.key_pair.serialize_pem()).expect("key.pem");
        TestCert { dir }
    }

    /// Returns the certificate's PEM file.
    #[must_use]
    pub fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    /// Returns the key's PEM file.
    #[must_use]
    pub fn key(&self) -> PathBuf {
        self.dir.join("key.pem")
    }
}

impl Drop for TestCert {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The WebSocket echo server of [`crate::wss`] on a thread, on a free port of 127.0.0.1, with
/// its log.
#[derive(Debug)]
pub struct EchoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl EchoServer {
    /// Starts it: over TLS with the certificate and key in these PEM files, else plain.
    ///
    /// # Panics
    ///
    /// If the files are refused, or the server does not start.
    #[must_use]
    pub fn start(pem: Option<(&Path, &Path)>) -> Self {
        let tls = pem.map(|files| tls_config(Some(files)).expect("the test certificate").0);
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready, addr) = mpsc::channel();
        let thread = thread::spawn({
            let (stop, log) = (stop.clone(), log.clone());
            move || {
                let on_end = |report: &_| log.lock().expect("the log").push(log_line(report));
                let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                serve(addr, tls, &stop, |local| ready.send(local).expect("the test waits"), on_end)
            }
        });
        let addr = addr.recv_timeout(Duration::from_secs(10)).expect("the server listens");
        EchoServer { addr, stop, log, thread: Some(thread) }
    }

    /// Stops the server, waits for it, and returns its log: one line per connection.
    ///
    /// # Panics
    ///
    /// If the server failed.
    #[must_use]
    pub fn stop(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread").expect("the server ran");
        }
        self.log.lock().expect("the log").clone()
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        // A test that failed before `stop` still stops its server.
        self.stop.store(true, Ordering::Relaxed);
    }
}
