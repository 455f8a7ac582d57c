//! How the example programs end: with their usage for `--help`, or with what went wrong.

use std::error::Error;
use std::process::ExitCode;

use pipebuf_stages::error_chain;

/// Why a program stops before its work is done.
///
/// Any error converts into [`Stop::Failed`], with its causes, so that `?` works on them all.
///
/// # Examples
///
/// ```
/// use pipebuf_examples::cli::Stop;
///
/// fn port(text: &str) -> Result<u16, Stop> {
///     Ok(text.parse::<u16>()?)
/// }
/// assert_eq!(port("x"), Err(Stop::Failed("invalid digit found in string".to_owned())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// `-h` or `--help` asked for the usage: [`exit`] prints it on standard output, and the
    /// program succeeds.
    Help(String),
    /// What went wrong: [`exit`] prints it on standard error after the program's name, and the
    /// program fails.
    Failed(String),
}

impl<E: Into<Box<dyn Error>>> From<E> for Stop {
    fn from(error: E) -> Self {
        Stop::Failed(error_chain(error.into().as_ref()))
    }
}

/// Ends `program` after its `run`, as [`Stop`] says.
#[must_use]
pub fn exit(program: &str, run: Result<(), Stop>) -> ExitCode {
    match run {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::Help(usage)) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(Stop::Failed(error)) => {
            eprintln!("{program}: {error}");
            ExitCode::FAILURE
        }
    }
}
