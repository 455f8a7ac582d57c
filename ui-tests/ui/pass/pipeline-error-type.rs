// `#[pipeline(error = T)]`: `process` returns the user's error, made from the generated enum by
// `From`; a nested pipeline reports that type too.

use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Debug)]
struct Bad;

impl core::fmt::Display for Bad {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("bad")
    }
}

impl core::error::Error for Bad {}

/// Fails on any input.
#[derive(Stage)]
#[stage(ports(input: PBufRd), error = Bad)]
struct Picky;

impl Picky {
    fn process(&mut self, p: PickyPorts<'_>) -> Result<bool, Bad> {
        if p.input.is_empty() { Ok(false) } else { Err(Bad) }
    }
}

/// The application's error. `OuterError` holds an `AppError` (the error of the nested `Inner`),
/// so it is boxed here.
#[derive(Debug)]
enum AppError {
    Inner(InnerError),
    Outer(Box<OuterError>),
}

impl core::fmt::Display for AppError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AppError::Inner(e) => write!(f, "inner: {e}"),
            AppError::Outer(e) => write!(f, "outer: {e}"),
        }
    }
}

impl core::error::Error for AppError {}

impl From<InnerError> for AppError {
    fn from(e: InnerError) -> Self {
        AppError::Inner(e)
    }
}

impl From<OuterError> for AppError {
    fn from(e: OuterError) -> Self {
        AppError::Outer(Box::new(e))
    }
}

#[pipeline(error = AppError)]
struct Inner {
    picky: Picky,
    #[link(-> picky.input)]
    input: PipeBuf,
}

#[pipeline(error = crate::AppError,)]
struct Outer {
    inner: Inner,
    #[link(-> inner.input)]
    input: PipeBuf,
}

fn main() {
    let mut p = Outer::new(Inner::new(Picky));
    p.input().append(b"x");
    let error: AppError = p.process().unwrap_err();
    let AppError::Outer(outer) = error else { panic!("not the outer pipeline's error") };
    assert!(matches!(*outer, OuterError::Inner(AppError::Inner(InnerError::Picky(Bad)))));
    assert_eq!(outer.to_string(), "stage `inner` failed");
}
