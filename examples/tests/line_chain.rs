//! The `line_chain` example as a user runs it: standard input piped in whole, or typed a line at
//! a time.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use pipebuf_examples::testing::{Interactive, example, run_with_input};

/// How long one run may take.
const TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn numbers_every_line_whatever_its_end_as_cat_n_does() {
    let output =
        run_with_input(&mut Command::new(example("line_chain")), b"one\ntwo\r\n\nlast", TIMEOUT);
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "     1\tone\n     2\ttwo\n     3\t\n     4\tlast\n"
    );
    let empty = run_with_input(&mut Command::new(example("line_chain")), b"", TIMEOUT);
    assert!(empty.status.success());
    assert!(empty.stdout.is_empty());
}

#[test]
fn many_lines_come_out_in_order() {
    let (mut input, mut expected) = (String::new(), String::new());
    for i in 0..20_000 {
        let line = "y".repeat(i % 500);
        let _ = writeln!(input, "{line}");
        let _ = writeln!(expected, "{:>6}\t{line}", i + 1);
    }
    let output =
        run_with_input(&mut Command::new(example("line_chain")), input.as_bytes(), TIMEOUT);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout) == expected, "the output differs");
}

#[test]
fn a_line_too_long_fails_after_the_lines_before_it() {
    let mut input = b"fine\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', (64 << 10) + 1));
    input.extend_from_slice(b"\nnever\n");
    let output = run_with_input(&mut Command::new(example("line_chain")), &input, TIMEOUT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "     1\tfine\n");
    assert!(stderr.contains("stage `lines` failed: line longer than"), "{stderr}");
}

#[test]
fn each_typed_line_is_answered_before_the_next_is_read() {
    let mut chain = Interactive::start(&mut Command::new(example("line_chain")));
    for (i, line) in ["first", "second", "third"].into_iter().enumerate() {
        chain.send(line);
        assert_eq!(chain.line(TIMEOUT), format!("{:>6}\t{line}", i + 1));
    }
    let (status, rest, stderr) = chain.finish(TIMEOUT);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(rest.is_empty(), "{rest:?}");
}
