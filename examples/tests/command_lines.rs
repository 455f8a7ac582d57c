//! The command lines of the example programs: `--help` prints the usage and succeeds, an unknown
//! argument fails with the program's name, what is wrong, and no run.

use std::process::Command;
use std::time::Duration;

use pipebuf_examples::testing::{example, run_with_input};

/// The programs that take arguments.
const PROGRAMS: [&str; 5] =
    ["wss_echo_server", "tokio_echo", "ws_client", "tls_client", "pipeline_graph"];

#[test]
fn help_prints_the_usage_on_standard_output_and_succeeds() {
    for program in PROGRAMS {
        for flag in ["--help", "-h"] {
            let output = run_with_input(Command::new(example(program)).arg(flag), b"", TIMEOUT);
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert_eq!(output.status.code(), Some(0), "{program} {flag}");
            assert!(stdout.starts_with(&format!("usage: {program} ")), "{program}: {stdout}");
            assert!(output.stderr.is_empty(), "{program} {flag}");
        }
    }
}

#[test]
fn an_unknown_argument_fails_with_the_programs_name_and_the_way_to_the_usage() {
    for program in PROGRAMS {
        let output = run_with_input(Command::new(example(program)).arg("--svg"), b"", TIMEOUT);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{program}: {stderr}");
        assert!(stderr.starts_with(&format!("{program}: unknown ")), "{program}: {stderr}");
        assert!(stderr.contains("--svg") && stderr.contains("usage"), "{program}: {stderr}");
        assert!(output.stdout.is_empty(), "{program}");
    }
}

/// How long one run may take: these end at once.
const TIMEOUT: Duration = Duration::from_secs(30);
