//! What the tests against OpenSSL share: the `openssl` command line tool as a child process
//! (`s_client`, `s_server`), a directory for its certificate files, and an accept with a deadline.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Accepts one connection before `deadline`, and makes it non-blocking.
///
/// # Panics
///
/// Panics if no connection comes in time, or accept fails.
pub(crate) fn accept(listener: &TcpListener, deadline: Instant) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    loop {
        match listener.accept() {
            Ok((socket, _)) => {
                socket.set_nonblocking(true).unwrap();
                return socket;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "openssl did not connect");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(error) => panic!("accept: {error}"),
        }
    }
}

/// An `openssl` child process, killed when dropped, with its output collected by a thread.
pub(crate) struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Peer {
    /// Starts `openssl` with `args`.
    ///
    /// # Panics
    ///
    /// Panics, saying so, if `openssl` cannot be run: the test does not skip.
    pub(crate) fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new("openssl")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("these tests need the `openssl` command line tool (3.x): {error}")
            });
        let output = Arc::new(Mutex::new(Vec::new()));
        for mut stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                let mut buf = [0; 4096];
                while let Ok(len @ 1..) = stream.read(&mut buf) {
                    output.lock().unwrap().extend_from_slice(&buf[..len]);
                }
            });
        }
        let stdin = child.stdin.take();
        Peer { child, stdin, output }
    }

    /// Starts `openssl s_server` on a free port of 127.0.0.1 with `args` after `-accept`, and
    /// returns it with its port once it listens.
    ///
    /// # Panics
    ///
    /// Panics if it does not say its port before `deadline`.
    pub(crate) fn s_server(args: &[&str], deadline: Instant) -> (Self, u16) {
        let all = [&["s_server", "-accept", "127.0.0.1:0"][..], args].concat();
        let peer = Peer::spawn(&all);
        loop {
            assert!(Instant::now() < deadline, "no port; openssl said {}", peer.output());
            let output = peer.output();
            let port = output.lines().find_map(|line| line.strip_prefix("ACCEPT 127.0.0.1:"));
            if let Some(port) = port {
                let port = port.trim().parse::<u16>().unwrap();
                return (peer, port);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Writes `data` to its stdin.
    pub(crate) fn send(&mut self, data: &[u8]) {
        self.stdin.as_mut().unwrap().write_all(data).unwrap();
    }

    /// Ends its stdin.
    pub(crate) fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Kills it with SIGKILL, as `kill -9` does, and waits for it to be gone.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What it printed so far, stdout and stderr mixed.
    pub(crate) fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Waits, until `deadline`, for it to exit; returns true if it exited with success.
    pub(crate) fn wait_success(&mut self, deadline: Instant) -> bool {
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A directory for certificate files, removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// Makes a new directory, whose name contains `name`.
    pub(crate) fn new(name: &str) -> Self {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let path =
            std::env::temp_dir().join(format!("pipebuf-tls-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// Writes `contents` to the file `name` in it, and returns its path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
