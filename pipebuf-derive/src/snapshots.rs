//! Expansion snapshots: each `tests/expand/NAME.rs` holds one macro input; its expansion,
//! pretty-printed, must equal `tests/expand/NAME.expanded.rs`. Run with `SNAPSHOTS=overwrite`
//! to write the expansions anew, then review the diff.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;
use std::{env, fs};

use syn::{DeriveInput, Item};

/// Expands every macro invocation in a file of items: `#[pipeline]` structs and
/// `#[derive(Stage)]` types.
fn expand_file(source: &str) -> String {
    let file: syn::File = syn::parse_str(source).expect("snapshot inputs are valid Rust");
    let mut out = proc_macro2::TokenStream::new();
    for item in file.items {
        let Item::Struct(item) = item else { continue };
        let input: DeriveInput = syn::parse2(quote::quote!(#item)).expect("a struct parses");
        let pipeline = input.attrs.iter().find(|a| a.path().is_ident("pipeline"));
        let args = pipeline.map(|a| match &a.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => proc_macro2::TokenStream::new(),
        });
        let derives_stage = input.attrs.iter().any(|a| {
            a.path().is_ident("derive")
                && quote::ToTokens::to_token_stream(&a.meta).to_string().contains("Stage")
        });
        if let Some(args) = args {
            let mut input = input;
            input.attrs.retain(|a| !a.path().is_ident("pipeline"));
            out.extend(crate::pipeline_tokens(&args, &input));
        } else if derives_stage {
            out.extend(crate::derive::derive(&input).expect("snapshot inputs are valid"));
        }
    }
    let file: syn::File = syn::parse2(out).expect("the expansion parses");
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let overwrite = env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter(|path| !path.to_string_lossy().ends_with(".expanded.rs"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no snapshot inputs in {}", dir.display());
    let mut stale = Vec::new();
    for input in inputs {
        let source = fs::read_to_string(&input).expect("readable input");
        let expanded = expand_file(&source);
        let snapshot = input.with_extension("expanded.rs");
        if overwrite {
            fs::write(&snapshot, &expanded).expect("writable snapshot");
        } else if fs::read_to_string(&snapshot).ok().as_deref() != Some(expanded.as_str()) {
            stale.push(snapshot.display().to_string());
        }
    }
    assert!(stale.is_empty(), "expansions changed (SNAPSHOTS=overwrite to accept): {stale:?}");
}

/// Prints how long `#[pipeline]` takes on a 10-stage chain with explicit links. A figure for
/// the benchmark notes, not a test of speed.
#[test]
fn ten_stage_expansion_time() {
    let mut source = String::from("#[pipeline]\nstruct Ten {\n");
    for i in 0..10 {
        writeln!(source, "    s{i}: Copy,").expect("writing to a String");
    }
    source.push_str("    #[link(-> s0.input)]\n    input: PipeBuf,\n");
    for i in 0..9 {
        let next = i + 1;
        writeln!(source, "    #[link(s{i}.output -> s{next}.input)]\n    l{i}: PipeBuf,")
            .expect("writing to a String");
    }
    source.push_str("    #[link(s9.output ->)]\n    output: PipeBuf,\n}\n");
    let input: DeriveInput = syn::parse_str(&source).expect("valid input");
    let runs = 20u32;
    let start = Instant::now();
    for _ in 0..runs {
        let mut input = input.clone();
        input.attrs.clear();
        let tokens = crate::pipeline_tokens(&proc_macro2::TokenStream::new(), &input);
        assert!(!tokens.to_string().contains("compile_error"));
    }
    let each = start.elapsed() / runs;
    println!("#[pipeline] on 10 stages and 11 links: {each:?} per expansion (mean of {runs})");
}
