//! The Autobahn|Testsuite runner `kosoku` from the test virtualenv: runs it bounded in time,
//! reads the `index.json` report it writes, counts the verdicts per case group and lists the
//! cases that did not pass.
//!
//! A test crate that includes this file also includes `common/venv.rs` as `mod venv`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::venv;

/// The case groups the tests run: 1 to 10. Groups 12 and 13 test permessage-deflate, which the
/// stages do not offer; there are no groups 8 and 11.
pub(crate) const GROUPS: [u32; 9] = [1, 2, 3, 4, 5, 6, 7, 9, 10];

/// The arguments that leave out the groups past 10.
pub(crate) const EXCLUDE: [&str; 4] = ["-x", "12.*", "-x", "13.*"];

/// The behaviors a case may have, in the order of the table's columns.
const BEHAVIORS: [&str; 6] =
    ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "ERROR"];

/// The closing behaviors, in the order of the table's columns; any other counts as "other".
const CLOSES: [&str; 6] =
    ["OK", "INFORMATIONAL", "FAILED", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT"];

/// A running `kosoku`, killed when dropped; its output is collected line by line.
pub(crate) struct Kosoku {
    child: Child,
    deadline: Instant,
    lines: Receiver<String>,
    /// Every line it wrote so far, stdout and stderr mixed.
    pub(crate) log: Vec<String>,
}

impl Kosoku {
    /// Starts `kosoku` with `args`, to be killed once `timeout` has passed.
    pub(crate) fn start(args: &[&str], timeout: Duration) -> Self {
        let program = venv::program("kosoku");
        let mut child = Command::new(&program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", program.display()));
        let (send, lines) = mpsc::channel();
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("piped stdout"));
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("piped stderr"));
        for output in [stdout, stderr] {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines() {
                    let Ok(line) = line else { break };
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Kosoku { child, deadline: Instant::now() + timeout, lines, log: Vec::new() }
    }

    /// Waits for a line that contains `needle`, and returns it; `None` if the program ended or
    /// the deadline passed first.
    pub(crate) fn wait_for_line(&mut self, needle: &str) -> Option<String> {
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Waits for the program to end, and returns how it ended; kills it at the deadline and
    /// panics, with its output.
    pub(crate) fn wait(&mut self) -> ExitStatus {
        loop {
            while let Ok(line) = self.lines.try_recv() {
                self.log.push(line);
            }
            if let Some(status) = self.child.try_wait().expect("wait for kosoku") {
                // Its last lines may still be in the pipes.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.log.push(line);
                }
                return status;
            }
            if Instant::now() > self.deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "kosoku ran past its deadline and was killed; its output:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its output so far, as one text.
    pub(crate) fn output(&self) -> String {
        self.log.join("\n")
    }
}

impl Drop for Kosoku {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A fresh, empty report directory for `name` under Cargo's temporary directory for tests, kept
/// after the run for a look at the HTML reports.
pub(crate) fn report_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("autobahn").join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the old reports");
    }
    std::fs::create_dir_all(&dir).expect("create the report directory");
    dir
}

/// One case's verdicts, from `index.json`.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// The case id, such as `5.19`.
    pub(crate) id: String,
    pub(crate) behavior: String,
    pub(crate) behavior_close: String,
    /// The file, in the report directory, with the case's details.
    pub(crate) report_file: String,
}

impl Case {
    /// The case group: the first number of the id.
    pub(crate) fn group(&self) -> u32 {
        self.id.split('.').next().and_then(|group| group.parse().ok()).unwrap_or(0)
    }

    /// Whether the case passed: its behavior OK, NON-STRICT or INFORMATIONAL, and the closing
    /// handshake not FAILED.
    pub(crate) fn passed(&self) -> bool {
        matches!(self.behavior.as_str(), "OK" | "NON-STRICT" | "INFORMATIONAL")
            && self.behavior_close != "FAILED"
    }

    /// The numbers of the id, to sort cases as the suite numbers them.
    fn key(&self) -> Vec<u32> {
        self.id.split('.').map(|n| n.parse().unwrap_or(u32::MAX)).collect()
    }
}

/// Reads the cases of `dir/index.json`, for every agent in it, in case order.
pub(crate) fn read_index(dir: &Path) -> Vec<Case> {
    let path = dir.join("index.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let index: Value = serde_json::from_str(&text).expect("index.json is JSON");
    let mut cases = Vec::new();
    for agent in index.as_object().expect("index.json maps agents to cases").values() {
        for (id, case) in agent.as_object().expect("an agent maps case ids to results") {
            let field = |name: &str| case[name].as_str().unwrap_or_default().to_owned();
            cases.push(Case {
                id: id.clone(),
                behavior: field("behavior"),
                behavior_close: field("behaviorClose"),
                report_file: field("reportfile"),
            });
        }
    }
    cases.sort_by_key(Case::key);
    cases
}

/// The table of verdicts per case group: the behaviors, then the closing behaviors.
pub(crate) fn table(title: &str, cases: &[Case]) -> String {
    let mut text = format!("Autobahn, {title}: {} cases\n", cases.len());
    let _ = write!(text, "{:>5} {:>5} |", "group", "cases");
    for behavior in BEHAVIORS {
        let _ = write!(text, " {behavior:>13}");
    }
    let _ = write!(text, " | close:");
    for close in CLOSES.iter().chain(&["other"]) {
        let _ = write!(text, " {close:>16}");
    }
    text.push('\n');
    let mut row = |label: &str, group: &[&Case]| {
        let _ = write!(text, "{label:>5} {:>5} |", group.len());
        for behavior in BEHAVIORS {
            let count = group.iter().filter(|case| case.behavior == behavior).count();
            let _ = write!(text, " {count:>13}");
        }
        let _ = write!(text, " |       ");
        for close in CLOSES {
            let count = group.iter().filter(|case| case.behavior_close == close).count();
            let _ = write!(text, " {count:>16}");
        }
        let other =
            group.iter().filter(|case| !CLOSES.contains(&case.behavior_close.as_str())).count();
        let _ = writeln!(text, " {other:>16}");
    };
    for group in GROUPS {
        let members: Vec<&Case> = cases.iter().filter(|case| case.group() == group).collect();
        row(&group.to_string(), &members);
    }
    let others: Vec<&Case> = cases.iter().filter(|case| !GROUPS.contains(&case.group())).collect();
    if !others.is_empty() {
        row("other", &others);
    }
    row("all", &cases.iter().collect::<Vec<_>>());
    text
}

/// The cases that did not pass, each with its description and what the runner saw, from its
/// report file in `dir`.
pub(crate) fn failures(dir: &Path, cases: &[Case]) -> String {
    let mut text = String::new();
    for case in cases.iter().filter(|case| !case.passed()) {
        let details: Value = std::fs::read_to_string(dir.join(&case.report_file))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let field = |name: &str| match &details[name] {
            Value::String(text) => text.clone(),
            Value::Null => String::from("-"),
            other => other.to_string(),
        };
        let _ = writeln!(
            text,
            "case {}: behavior {}, close {}\n  description: {}\n  expectation: {}\n  result: {}\n  \
             close: {} (remote code {}, local code {}, clean {}, {})",
            case.id,
            case.behavior,
            case.behavior_close,
            field("description"),
            field("expectation"),
            field("result"),
            field("resultClose"),
            field("remoteCloseCode"),
            field("localCloseCode"),
            field("wasClean"),
            field("wasNotCleanReason"),
        );
    }
    text
}

/// Waits for `kosoku` to end, then reads the cases of the report it wrote in `dir`.
pub(crate) fn finish(kosoku: &mut Kosoku, dir: &Path, started: Instant) -> Vec<Case> {
    let status = kosoku.wait();
    println!("kosoku: {status} after {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        dir.join("index.json").exists(),
        "kosoku wrote no report ({status}); its output:\n{}",
        kosoku.output()
    );
    read_index(dir)
}

/// Prints the table and asserts that every group ran and that every case passed.
pub(crate) fn assert_passed(title: &str, dir: &Path, cases: &[Case]) {
    println!("{}", table(title, cases));
    println!("reports: {}", dir.display());
    let missing: Vec<u32> = GROUPS
        .into_iter()
        .filter(|group| !cases.iter().any(|case| case.group() == *group))
        .collect();
    assert!(missing.is_empty(), "{title}: no cases of groups {missing:?} ran");
    let failed: Vec<Case> = cases.iter().filter(|case| !case.passed()).cloned().collect();
    assert!(
        failed.is_empty(),
        "{title}: {} of {} cases did not pass:\n{}",
        failed.len(),
        cases.len(),
        failures(dir, &failed)
    );
}
