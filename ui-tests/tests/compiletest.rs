//! Runs the ui cases: every macro diagnostic must match its `.stderr`, every pass case must
//! compile. Bless new output with `TRYBUILD=overwrite cargo test -p ui-tests`.

#[test]
#[cfg_attr(miri, ignore)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/**/*.rs");
    t.pass("ui/pass/*.rs");
}
