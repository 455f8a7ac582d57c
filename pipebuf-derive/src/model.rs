//! The pipeline as a graph: stages, and links between their ports. Stages and links are kept in
//! declaration order and referred to by index, so errors and expansion come out the same every
//! time.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Field, Ident, Type};

use crate::errors::Errors;
use crate::parse::{EndSyntax, LinkAttr, PipelineArgs, RawField};
use crate::symbol::{LOWER, UPPER};

pub(crate) struct Pipeline<'a> {
    pub(crate) item: &'a DeriveInput,
    pub(crate) args: PipelineArgs,
    pub(crate) fields: &'a [RawField<'a>],
    pub(crate) stages: Vec<Stage<'a>>,
    pub(crate) links: Vec<Link<'a>>,
}

/// A field that holds a stage.
pub(crate) struct Stage<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
}

/// A buffer (or pair) between two ports, or between a port and the outside.
pub(crate) struct Link<'a> {
    /// The field that holds it; a straight chain's links get hidden fields.
    pub(crate) ident: Ident,
    /// The name shown in the graph.
    pub(crate) name: String,
    pub(crate) ty: TokenStream,
    pub(crate) duplex: bool,
    /// The writing end, or for a pair the lower layer; `None` is the outside.
    pub(crate) from: Option<End>,
    /// The reading end, or for a pair the upper layer; `None` is the outside.
    pub(crate) to: Option<End>,
    /// What the user wrote, for links the user declared.
    pub(crate) original: Option<(&'a Field, &'a LinkAttr)>,
}

/// A port of a stage.
pub(crate) struct End {
    pub(crate) stage: usize,
    /// The port's name, spanned at the user's tokens (or at the stage, for chain links).
    pub(crate) port: Ident,
}

impl<'a> Pipeline<'a> {
    /// Builds the graph, recording unknown stages and dropping the links that name them.
    pub(crate) fn build(
        item: &'a DeriveInput,
        args: PipelineArgs,
        fields: &'a [RawField<'a>],
        errors: &mut Errors,
    ) -> Self {
        let stages: Vec<Stage<'a>> = fields
            .iter()
            .filter(|raw| !raw.is_link)
            .map(|raw| Stage { ident: raw.ident, ty: &raw.field.ty })
            .collect();
        let mut index = BTreeMap::new();
        for (i, stage) in stages.iter().enumerate() {
            index.entry(stage.ident.to_string()).or_insert(i);
        }
        let names: Vec<String> = stages.iter().map(|s| format!("`{}`", s.ident)).collect();
        let mut resolve = |end: &Option<EndSyntax>| -> Result<Option<End>, ()> {
            let Some(end) = end else { return Ok(None) };
            let Some(&stage) = index.get(&end.stage.to_string()) else {
                errors.push_spanned(&end.stage, unknown_stage(&end.stage, &names));
                return Err(());
            };
            Ok(Some(End { stage, port: end.port.clone() }))
        };
        let mut links = Vec::new();
        for raw in fields {
            let Some(attr) = &raw.link else { continue };
            let (Ok(from), Ok(to)) = (resolve(&attr.from), resolve(&attr.to)) else { continue };
            links.push(Link {
                ident: raw.ident.clone(),
                name: raw.ident.to_string(),
                ty: raw.field.ty.to_token_stream(),
                duplex: attr.arrow.duplex,
                from,
                to,
                original: Some((raw.field, attr)),
            });
        }
        if is_chain(fields, &stages) {
            links.extend(
                stages.windows(2).enumerate().map(|(i, pair)| chain_link(i, &pair[0], &pair[1])),
            );
        }
        Pipeline { item, args, fields, stages, links }
    }

    /// The name of stage `i`.
    pub(crate) fn stage(&self, i: usize) -> &Ident {
        // invariant: ends are only ever made with the index of an existing stage.
        self.stages.get(i).map_or(self.item_ident(), |s| s.ident)
    }

    fn item_ident(&self) -> &'a Ident {
        &self.item.ident
    }

    /// The links that touch stage `stage`, with the end that is the stage's.
    pub(crate) fn ports_of(&self, stage: usize) -> impl Iterator<Item = (&Link<'a>, Side)> {
        self.links.iter().flat_map(move |link| {
            let from =
                link.from.as_ref().filter(|end| end.stage == stage).map(|_| (link, Side::From));
            let to = link.to.as_ref().filter(|end| end.stage == stage).map(|_| (link, Side::To));
            from.into_iter().chain(to)
        })
    }
}

/// Which end of a link a stage holds.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Side {
    /// The writer of a `->` link, or the lower layer of a `<->` link.
    From,
    /// The reader of a `->` link, or the upper layer of a `<->` link.
    To,
}

impl Link<'_> {
    pub(crate) fn end(&self, side: Side) -> Option<&End> {
        match side {
            Side::From => self.from.as_ref(),
            Side::To => self.to.as_ref(),
        }
    }

    pub(crate) fn is_external(&self) -> bool {
        self.from.is_none() || self.to.is_none()
    }
}

/// True if the stages form a straight chain: no link joins two stages, and the only links
/// declared are duplex ones at the chain's ends (the first stage's `lower`, the last one's
/// `upper`).
fn is_chain(fields: &[RawField<'_>], stages: &[Stage<'_>]) -> bool {
    let (Some(first), Some(last)) = (stages.first(), stages.last()) else { return false };
    let at_end = |end: &EndSyntax| {
        (end.stage == *first.ident && end.port == LOWER)
            || (end.stage == *last.ident && end.port == UPPER)
    };
    stages.len() > 1
        && fields.iter().filter(|raw| raw.is_link).all(|raw| {
            raw.link.as_ref().is_some_and(|link| {
                link.arrow.duplex
                    && match (&link.from, &link.to) {
                        (Some(end), None) | (None, Some(end)) => at_end(end),
                        _ => false,
                    }
            })
        })
}

/// The link between one stage's `upper` and the next one's `lower`, in a hidden field whose
/// type takes the element type from the lower stage's `upper` port.
fn chain_link<'a>(i: usize, lower: &Stage<'a>, upper: &Stage<'a>) -> Link<'a> {
    // The stage's own type spans these tokens, so errors about the link land on that field.
    let span = lower.ty.span();
    let lower_ty = lower.ty;
    let ty = quote_spanned!(span=>
        ::pipebuf::PipeBufPair<<#lower_ty as ::pipebuf::__private::UpperPort>::Element>
    );
    Link {
        ident: format_ident!("__pipebuf_chain{}", i),
        name: format!("{}-{}", lower.ident, upper.ident),
        ty,
        duplex: true,
        from: Some(End { stage: i, port: Ident::new(UPPER, lower.ident.span()) }),
        to: Some(End { stage: i + 1, port: Ident::new(LOWER, upper.ident.span()) }),
        original: None,
    }
}

fn unknown_stage(stage: &Ident, names: &[String]) -> String {
    if names.is_empty() {
        format!("no stage named `{stage}`; this pipeline has no stages")
    } else {
        format!("no stage named `{stage}`; the stages are {}", names.join(", "))
    }
}
