//! The macros of [`pipebuf`](https://docs.rs/pipebuf): `#[pipeline]` and `#[derive(Stage)]`.
//! Use them through `pipebuf` (feature `derive`, on by default), which re-exports them; the
//! generated code names `::pipebuf` paths.
//!
//! - `#[derive(Stage)]` writes a stage's ports struct and its `Stage` impl from the ports
//!   declared once, in `#[stage(ports(...))]`. The impl calls the stage's inherent
//!   `process(&mut self, ports: NamePorts<'_>)`, which returns `bool` (activity) for a stage that
//!   cannot fail, or `Result<bool, E>` with `#[stage(error = E)]`.
//! - `#[pipeline]` turns a struct of stages and links into the glue that runs them: the link
//!   buffers, a constructor, the activity loop, the propagation of close and abort, an error
//!   enum, the wiring as a graph, and a `Stage` impl so that pipelines nest. It checks the
//!   wiring at compile time.
//!
//! # Example
//!
//! ```
//! use pipebuf::{pipeline, PBufState, PipeBuf, Stage, Status};
//!
//! /// A stage: hands on whole lines, and fails on a line longer than `max`.
//! #[derive(Stage)]
//! #[stage(ports(input: PBufRd, output: PBufWr), error = TooLong)]
//! struct Lines {
//!     max: usize,
//! }
//!
//! /// The error of [`Lines`].
//! #[derive(Debug)]
//! struct TooLong;
//!
//! impl core::fmt::Display for TooLong {
//!     fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
//!         f.write_str("line too long")
//!     }
//! }
//!
//! impl core::error::Error for TooLong {}
//!
//! impl Lines {
//!     fn process(&mut self, mut p: LinesPorts<'_>) -> Result<bool, TooLong> {
//!         let before = p.input.tripwire();
//!         match p.input.data().iter().rposition(|&b| b == b'\n') {
//!             Some(end) => _ = p.input.forward_prefix(p.output.reborrow(), end + 1),
//!             None if p.input.len() > self.max => return Err(TooLong),
//!             None if p.input.has_pending_eof() => p.input.forward(p.output.reborrow()),
//!             None => {}
//!         }
//!         Ok(p.input.is_tripped(before))
//!     }
//! }
//!
//! /// Another stage: capitals.
//! #[derive(Stage)]
//! #[stage(ports(input: PBufRd, output: PBufWr))]
//! struct Shout;
//!
//! impl Shout {
//!     fn process(&mut self, mut p: ShoutPorts<'_>) -> bool {
//!         let before = p.input.tripwire();
//!         p.input.data_mut().make_ascii_uppercase();
//!         p.input.forward(p.output);
//!         p.input.is_tripped(before)
//!     }
//! }
//!
//! /// The pipeline: text -> lines -> shout -> loud.
//! #[pipeline]
//! struct Loud {
//!     lines: Lines,
//!     shout: Shout,
//!     #[link(-> lines.input)]
//!     text: PipeBuf,
//!     #[link(lines.output -> shout.input, capacity = 4096)]
//!     whole: PipeBuf,
//!     #[link(shout.output ->)]
//!     loud: PipeBuf,
//! }
//!
//! let mut p = Loud::new(Lines { max: 80 }, Shout);
//! p.text().append(b"hello\nwor");
//! assert_eq!(p.process()?, Status::Progress);
//! assert_eq!(p.loud().data(), b"HELLO\n");
//!
//! // A line too long: the stage fails, its output is aborted, and the abort reaches the end.
//! p.text().append(&[b'x'; 100]);
//! let error = p.process().unwrap_err();
//! assert_eq!(error.to_string(), "stage `lines` failed");
//! assert!(matches!(error, LoudError::Lines(TooLong)));
//! assert_eq!(p.loud().state(), PBufState::Aborting);
//!
//! // The wiring, as data and as a picture.
//! assert_eq!(Loud::GRAPH.stages.len(), 2);
//! assert!(Loud::GRAPH.dot().to_string().contains("\"lines\" -> \"shout\""));
//! # Ok::<(), LoudError>(())
//! ```
//!
//! # `#[derive(Stage)]` syntax
//!
//! `#[stage(ports(name: Type, ...), error = E)]` on the stage's struct. Each port type is
//! `PBufRd<T>` (input), `PBufWr<T>` (output) or `PBufRdWr<T>` (duplex), the element type `T`
//! left out for bytes. `error` is left out for a stage that cannot fail (`Infallible`). The
//! derive writes `<Name>Ports<'a>`, one `pub` field per port, and a `Stage` impl that calls the
//! stage's inherent `fn process(&mut self, ports: <Name>Ports<'_>)`. That impl has the struct's
//! generic bounds and no others, so put the bounds `process` needs on the struct itself (an
//! inherent impl with stricter bounds is not found, and rustc reports several `process` methods
//! in scope).
//!
//! # `#[pipeline]` syntax
//!
//! Fields without an attribute are stages, called in declaration order. Fields with
//! `#[link(...)]` are the buffers between ports:
//!
//! | attribute | field type | meaning |
//! | --- | --- | --- |
//! | `#[link(a.out -> b.inp)]` | `PipeBuf<T>` | `a` writes, `b` reads |
//! | `#[link(a.upper <-> b.lower)]` | `PipeBufPair<T>` | full duplex; `a` is the lower layer |
//! | `#[link(-> b.inp)]` | `PipeBuf<T>` | an input of the pipeline: the accessor returns a `PBufWr` |
//! | `#[link(a.out ->)]` | `PipeBuf<T>` | an output of the pipeline: the accessor returns a `PBufRd` |
//! | `#[link(<-> b.lower)]`, `#[link(a.upper <->)]` | `PipeBufPair<T>` | a duplex port of the pipeline |
//!
//! Options follow the ends: `capacity = N` (initial capacity), `fixed` (never grows beyond it),
//! `limit = N` (largest amount held). A link of inline storage (`PipeBuf<T, N>`) ignores
//! `capacity`.
//!
//! A pipeline of several stages whose only links (if any) are duplex links at its ends, the
//! first stage's `lower` and the last stage's `upper`, is a straight chain: each stage's duplex
//! `upper` port is linked to the next one's `lower` by a hidden `PipeBufPair` whose element type
//! is that of the lower stage's `upper` port.
//!
//! `#[pipeline(error = AppError)]` makes `process` return the user's own error type, converted from
//! the generated enum with `From`; a nested pipeline then reports that type too.
//!
//! Fields cannot carry `#[cfg]`: the macro sees them before they are removed, so it would wire
//! stages that do not exist. Make the whole pipeline conditional instead.
//!
//! # What it checks
//!
//! The macro reports every problem it finds in one go, at the tokens concerned: an unknown
//! stage, a port linked twice, a link with no stage, `fixed` without `capacity`, duplicate
//! fields, stages whose error variants would clash, external links that would hide the
//! pipeline's own methods, bad attribute syntax, generic pipelines, and use on anything but a
//! struct with named fields. rustc then checks the types at the user's tokens: a field that is
//! not a stage, an unknown port ("has no field named"), a port left unconnected ("missing
//! field"), a port of the wrong direction or element type, and a link of the wrong buffer type.

mod check;
mod derive;
mod errors;
mod expand;
mod fallback;
mod model;
mod parse;
mod symbol;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Turns a struct of stages and `#[link(...)]` buffers into a pipeline: see the crate docs.
#[proc_macro_attribute]
pub fn pipeline(args: TokenStream, input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    pipeline_tokens(&args.into(), &input).into()
}

/// Writes a stage's ports struct and `Stage` impl from `#[stage(ports(...), error = E)]`: see
/// the crate docs.
#[proc_macro_derive(Stage, attributes(stage))]
pub fn derive_stage(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive::derive(&input).unwrap_or_else(|errors| errors.to_compile_error()).into()
}

/// `#[pipeline]` on proc-macro2 tokens: parse, model, check, then expand or fall back.
fn pipeline_tokens(
    args: &proc_macro2::TokenStream,
    input: &DeriveInput,
) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::new();
    let args = syn::parse2::<parse::PipelineArgs>(args.clone()).unwrap_or_else(|error| {
        errors.push(error);
        parse::PipelineArgs::default()
    });
    let Some(fields) = parse::struct_fields(input, &mut errors) else {
        let error = errors.finish().err().map(|e| e.to_compile_error());
        return quote::quote!(#error #input);
    };
    let fields = parse::fields(fields, &mut errors);
    let model = model::Pipeline::build(input, args, &fields, &mut errors);
    check::all(&model, &mut errors);
    match errors.finish() {
        Ok(()) => expand::pipeline(&model),
        Err(error) => fallback::pipeline(&model, &error),
    }
}

#[cfg(test)]
mod snapshots;
