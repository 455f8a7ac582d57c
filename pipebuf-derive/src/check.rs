//! The wiring rules the macro can check from the struct alone, one function per rule. Rules
//! about types (is this a stage, is that port an input, do the element types agree) are left to
//! rustc, through spanned assertions in the expansion.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;

use crate::errors::Errors;
use crate::expand::variant_name;
use crate::model::Pipeline;
use crate::symbol::PIPELINE_ITEMS;

/// Runs every check, recording what fails.
pub(crate) fn all(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    check_not_generic(pipeline, errors);
    check_has_stages(pipeline, errors);
    check_unique_fields(pipeline, errors);
    check_link_has_stage(pipeline, errors);
    check_fixed_has_capacity(pipeline, errors);
    check_ports_linked_once(pipeline, errors);
    check_link_not_looped(pipeline, errors);
    check_variant_names(pipeline, errors);
    check_accessor_names(pipeline, errors);
}

/// A pipeline has no generic parameters: its error enum and ports struct could not name them.
/// ui: fail/pipeline/struct-generic.rs
fn check_not_generic(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    let generics = &pipeline.item.generics;
    let message = "a `#[pipeline]` struct cannot be generic; name the stages' concrete types";
    if !generics.params.is_empty() {
        errors.push_spanned(generics, message);
    } else if let Some(clause) = &generics.where_clause {
        errors.push_spanned(clause, message);
    }
}

/// A pipeline has at least one stage. ui: fail/pipeline/struct-no-stages.rs
fn check_has_stages(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    if pipeline.stages.is_empty() {
        let ident = &pipeline.item.ident;
        errors.push_spanned(
            ident,
            format_args!(
                "pipeline `{ident}` has no stages; add a field holding a stage \
                 (fields with `#[link(...)]` are buffers)"
            ),
        );
    }
}

/// No two fields share a name. rustc says so too, but only after the macro has expanded the
/// duplicates into a cascade of other errors. ui: fail/pipeline/field-duplicate.rs
fn check_unique_fields(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    let mut seen = BTreeSet::new();
    for raw in pipeline.fields {
        if !seen.insert(raw.ident.to_string()) {
            errors.push_spanned(
                raw.ident,
                format_args!("field `{}` is declared twice; rename one of them", raw.ident),
            );
        }
    }
}

/// A link has a stage on at least one side. ui: fail/pipeline/link-no-stage.rs
fn check_link_has_stage(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    for raw in pipeline.fields {
        let Some(link) = &raw.link else { continue };
        if link.from.is_none() && link.to.is_none() {
            errors.push_spanned(
                &link.arrow.tokens,
                format_args!(
                    "link `{}` joins no stage; write a port on at least one side, as in \
                     `stage.port ->`",
                    raw.ident
                ),
            );
        }
    }
}

/// `fixed` fixes a capacity, so one must be given. ui: fail/pipeline/link-fixed-no-capacity.rs
fn check_fixed_has_capacity(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    for raw in pipeline.fields {
        let Some(link) = &raw.link else { continue };
        if let (Some(fixed), None) = (&link.fixed, &link.capacity) {
            errors.push_spanned(
                fixed,
                "`fixed` needs a capacity to fix; add `capacity = N` to this `#[link(...)]`",
            );
        }
    }
}

/// Each port has one link; the second is reported, naming the first.
/// ui: fail/pipeline/port-linked-twice.rs
fn check_ports_linked_once(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    let mut linked = BTreeMap::new();
    for link in &pipeline.links {
        for end in [&link.from, &link.to].into_iter().flatten() {
            let key = (end.stage, end.port.to_string());
            if let Some(first) = linked.insert(key, &link.name) {
                let stage = pipeline.stage(end.stage);
                let message = if *first == link.name {
                    format!(
                        "port `{stage}.{}` is on both sides of link `{first}`; \
                         link it to another port",
                        end.port
                    )
                } else {
                    format!(
                        "port `{stage}.{}` is linked twice; it is already linked by `{first}`",
                        end.port
                    )
                };
                errors.push_spanned(&end.port, message);
            }
        }
    }
}

/// A stage cannot hold both ends of one link: it would borrow the buffer twice, and a stage
/// that feeds itself needs no buffer. ui: fail/pipeline/link-stage-to-itself.rs
fn check_link_not_looped(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    for link in &pipeline.links {
        if let (Some(from), Some(to)) = (&link.from, &link.to) {
            if from.stage == to.stage && from.port != to.port {
                let stage = pipeline.stage(from.stage);
                errors.push_spanned(
                    &to.port,
                    format_args!(
                        "link `{}` joins stage `{stage}` to itself; a stage cannot hold both ends \
                         of a buffer, so link its ports to other stages",
                        link.name
                    ),
                );
            }
        }
    }
}

/// Each stage names a variant of the error enum, so no two may give the same name.
/// ui: fail/pipeline/stage-variant-clash.rs
fn check_variant_names(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    let mut seen = BTreeMap::new();
    for stage in &pipeline.stages {
        let variant = variant_name(stage.ident).to_string();
        match seen.get(&variant) {
            Some(first) if *first != stage.ident => errors.push_spanned(
                stage.ident,
                format_args!(
                    "stages `{first}` and `{}` would both be `{variant}` in the error enum; \
                     rename one of them",
                    stage.ident
                ),
            ),
            _ => {
                seen.insert(variant, stage.ident);
            }
        }
    }
}

/// An external link gets an accessor method of its name, which must not hide one of the
/// pipeline's own items. ui: fail/pipeline/link-name-taken.rs
fn check_accessor_names(pipeline: &Pipeline<'_>, errors: &mut Errors) {
    for link in pipeline.links.iter().filter(|link| link.is_external()) {
        if PIPELINE_ITEMS.contains(&link.name.as_str()) {
            let ident = &link.ident;
            errors.push_spanned(
                quote!(#ident),
                format_args!(
                    "external link `{ident}` would hide the pipeline's own `{ident}`; rename it"
                ),
            );
        }
    }
}
