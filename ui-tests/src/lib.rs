//! Compile tests of the `#[pipeline]` and `#[derive(Stage)]` macros, driven by trybuild: the
//! cases are in `ui/`, the drivers in `tests/`. This library is empty.
