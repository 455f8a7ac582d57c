//! Where the tests find the Python tools they run against (the `websockets` package, the
//! Autobahn runner `kosoku`): the virtualenv that `scripts/test-deps.sh` makes at
//! `.venv-test` in the workspace root, or the one `PIPEBUF_TEST_VENV` names.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

/// The path of the program `name` in the test virtualenv; panics, saying how to install it,
/// when it is not there: a test never skips silently.
pub(crate) fn program(name: &str) -> PathBuf {
    let venv = std::env::var_os("PIPEBUF_TEST_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-test"),
        PathBuf::from,
    );
    let path = venv.join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `scripts/test-deps.sh` (or `.ci/run`) to install the test tools",
        path.display()
    );
    path
}

/// The Python interpreter of the test virtualenv.
pub(crate) fn python() -> PathBuf {
    program("python")
}
