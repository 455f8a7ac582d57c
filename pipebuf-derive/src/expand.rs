//! The code `#[pipeline]` writes for a checked model. Nothing here can fail.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::model::{End, Link, Pipeline, Side, Stage};
use crate::parse::{RawField, is_conditional, is_ours};

/// The struct with its buffers and bookkeeping, and everything that runs it.
pub(crate) fn pipeline(p: &Pipeline<'_>) -> TokenStream {
    let item = struct_item(p);
    let inherent = inherent_impl(p);
    let error = error_enum(p);
    let stage = nested_stage(p);
    let assertions = stage_assertions(p);
    quote! {
        #item
        #inherent
        #error
        #stage
        #assertions
    }
}

/// The name of a stage's error variant: its field name in `UpperCamelCase`.
pub(crate) fn variant_name(field: &Ident) -> Ident {
    let name = field.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let mut variant = String::with_capacity(name.len());
    for word in name.split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            variant.extend(first.to_uppercase());
            variant.push_str(chars.as_str());
        }
    }
    if variant.is_empty() || variant.starts_with(|c: char| c.is_ascii_digit()) {
        variant.insert(0, 'S');
    }
    if variant == "Self" {
        // `self_` would give the keyword.
        variant.push_str("Stage");
    }
    Ident::new(&variant, field.span())
}

/// The name of the error enum of pipeline `name`.
pub(crate) fn error_name(name: &Ident) -> Ident {
    // Spanned at the struct's name, where rustc reports a clash with another item.
    format_ident!("{}Error", name, span = name.span())
}

/// `impl pipebuf::Pipeline`, which calls the pipeline's own items (the fallback's stubs too).
pub(crate) fn pipeline_impl(p: &Pipeline<'_>) -> TokenStream {
    let name = &p.item.ident;
    let returned = returned_error(p);
    quote! {
        #[automatically_derived]
        impl ::pipebuf::Pipeline for #name {
            type Error = #returned;

            fn process_with(
                &mut self,
                budget: ::pipebuf::Budget,
            ) -> ::core::result::Result<::pipebuf::Status, #returned> {
                #name::process_with(self, budget)
            }

            fn release_empty_links(&mut self) {
                #name::release_empty_links(self);
            }

            fn graph() -> &'static ::pipebuf::Graph {
                &Self::GRAPH
            }
        }
    }
}

/// The error type `process` returns: the user's, if `#[pipeline(error = ...)]` names one, else the
/// generated enum.
pub(crate) fn returned_error(p: &Pipeline<'_>) -> TokenStream {
    p.args
        .error
        .as_ref()
        .map_or_else(|| error_name(&p.item.ident).to_token_stream(), ToTokens::to_token_stream)
}

/// The name of the ports struct of pipeline `name`, when it is a stage.
pub(crate) fn ports_name(name: &Ident) -> Ident {
    format_ident!("{}Ports", name, span = name.span())
}

/// The user's struct without our attributes, plus the chain's links and the run state.
pub(crate) fn struct_item(p: &Pipeline<'_>) -> TokenStream {
    let item = p.item;
    let attrs = &item.attrs;
    let (vis, name) = (&item.vis, &item.ident);
    let fields = p.fields.iter().map(user_field);
    let chain = p.links.iter().filter(|link| link.original.is_none()).map(|link| {
        let (ident, ty) = (&link.ident, &link.ty);
        quote!(#ident: #ty)
    });
    let stages = p.stages.len();
    quote! {
        #(#attrs)*
        #vis struct #name {
            #(#fields,)*
            #(#chain,)*
            __pipebuf: ::pipebuf::__private::Runtime<#stages>,
        }
    }
}

/// A field of the user's struct as declared, without the attributes the macro reads or rejects
/// (`#[cfg]` is reported, and the field kept, so that no error follows from its absence).
pub(crate) fn user_field(raw: &RawField<'_>) -> TokenStream {
    let field = raw.field;
    let attrs = field.attrs.iter().filter(|attr| !is_ours(attr) && !is_conditional(attr));
    let (vis, ident, ty) = (&field.vis, raw.ident, &field.ty);
    quote!(#(#attrs)* #vis #ident: #ty)
}

fn inherent_impl(p: &Pipeline<'_>) -> TokenStream {
    let (vis, name) = (&p.item.vis, &p.item.ident);
    let returned = returned_error(p);
    let params = p.stages.iter().map(|s| {
        let (ident, ty) = (s.ident, s.ty);
        quote!(#ident: #ty)
    });
    let stage_fields = p.stages.iter().map(|s| s.ident);
    let link_fields = p.links.iter().map(|link| {
        let (ident, ty) = (&link.ident, &link.ty);
        let (capacity, fixed, limit) = link_options(link);
        let link = as_trait(ty, &quote!(::pipebuf::__private::Link));
        quote!(#ident: #link::create(#capacity, #fixed, #limit))
    });
    let accessors = p.links.iter().filter(|link| link.is_external()).map(|link| accessor(p, link));
    let release = p.links.iter().map(|link| {
        let (ident, ty) = (&link.ident, &link.ty);
        let link = as_trait(ty, &quote!(::pipebuf::__private::Link));
        quote!(#link::release_if_empty(&mut self.#ident);)
    });
    let process = process_fn(p);
    let graph = graph_const(p);
    let pipeline_impl = pipeline_impl(p);
    let stages = p.stages.len();
    let error = error_name(name);
    let process_doc = format!(
        " Runs the stages until nothing more moves, and says how the pipeline stands.\n\n\
         # Errors\n\n\
         The first stage that failed during this call, as [`{error}`] (converted by `From` when \
         `#[pipeline(error = ...)]` names another type). Its outputs have been \
         aborted and the abort has reached the ends of the pipeline; it is not called again, while \
         the other stages go on at the next call."
    );
    quote! {
        #[automatically_derived]
        impl #name {
            /// Creates the pipeline from its stages, with empty, open links.
            #[must_use]
            #vis fn new(#(#params),*) -> Self {
                Self {
                    #(#stage_fields,)*
                    #(#link_fields,)*
                    __pipebuf: ::pipebuf::__private::Runtime::<#stages>::new(),
                }
            }

            #[doc = #process_doc]
            #vis fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, #returned> {
                self.process_with(::pipebuf::Budget::UNLIMITED)
            }

            /// Frees the storage of every link that holds no data and can grow again, so that
            /// an idle pipeline holds no buffer memory; a link grows again when next written.
            /// Drivers call it when a connection goes quiet. The links of a nested pipeline are
            /// its own: call its `release_empty_links` too.
            #vis fn release_empty_links(&mut self) {
                #(#release)*
            }

            #process
            #graph
            #(#accessors)*
        }

        #pipeline_impl
    }
}

fn link_options(link: &Link<'_>) -> (TokenStream, TokenStream, TokenStream) {
    let Some((_, attr)) = link.original else {
        return (
            quote!(::core::option::Option::None),
            quote!(false),
            quote!(::core::option::Option::None),
        );
    };
    let some = |expr: &Option<syn::Expr>| {
        expr.as_ref().map_or_else(
            || quote!(::core::option::Option::None),
            |expr| quote_spanned!(expr.span()=> ::core::option::Option::Some(#expr)),
        )
    };
    let fixed = attr.fixed.is_some();
    (some(&attr.capacity), quote!(#fixed), some(&attr.limit))
}

/// The accessor of an external link: the end the outside holds.
pub(crate) fn accessor(p: &Pipeline<'_>, link: &Link<'_>) -> TokenStream {
    let (vis, ident, ty) = (&p.item.vis, &link.ident, &link.ty);
    let inner = link.from.as_ref().or(link.to.as_ref()).map(|end| {
        let stage = p.stage(end.stage);
        format!("`{stage}.{}`", end.port)
    });
    let inner = inner.unwrap_or_default();
    let (doc, ret, body) = match (link.duplex, link.from.is_none()) {
        (false, true) => (
            format!(
                " The pipeline's input `{ident}`, read by {inner}: write into it, close or abort it."
            ),
            {
                let link = as_trait(ty, &quote!(::pipebuf::__private::Simplex));
                quote!(::pipebuf::PBufWr<'_, #link::Element>)
            },
            link_end(link, "wr"),
        ),
        (false, false) => (
            format!(" The pipeline's output `{ident}`, written by {inner}: read from it."),
            {
                let link = as_trait(ty, &quote!(::pipebuf::__private::Simplex));
                quote!(::pipebuf::PBufRd<'_, #link::Element>)
            },
            link_end(link, "rd"),
        ),
        (true, outside_is_lower) => {
            let end = link_end(link, if outside_is_lower { "lower" } else { "upper" });
            (
                format!(
                    " The pipeline's duplex port `{ident}`, joined to {inner}: the outside's end."
                ),
                {
                    let link = as_trait(ty, &quote!(::pipebuf::__private::Duplex));
                    quote!(::pipebuf::PBufRdWr<'_, #link::Element>)
                },
                end,
            )
        }
    };
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn #ident(&mut self) -> #ret {
            #body
        }
    }
}

/// The activity loop. Each stage is called with its ports while they may have work; a pass that
/// changes nothing ends the call.
fn process_fn(p: &Pipeline<'_>) -> TokenStream {
    let vis = &p.item.vis;
    let returned = returned_error(p);
    // At the user's error type, if any, where rustc reports a missing `From` impl.
    let convert = p.args.error.as_ref().map_or_else(
        || quote!(error),
        |ty| quote_spanned!(first_span(ty)=> ::core::convert::From::from(error)),
    );
    let total = trip_sum(p.links.iter());
    let calls = p.stages.iter().enumerate().map(|(i, stage)| stage_call(p, i, stage));
    let done = p.links.iter().map(|link| {
        let ident = &link.ident;
        let drain = |end: Option<&End>| {
            end.map_or_else(
                || quote!(false),
                |end| {
                    let stage = end.stage;
                    quote!(!self.__pipebuf.has_failed(#stage))
                },
            )
        };
        // A pair's `down` is read by its lower end, `up` by its upper end.
        let (first, second) = if link.duplex {
            (drain(link.from.as_ref()), drain(link.to.as_ref()))
        } else {
            (drain(link.to.as_ref()), quote!(false))
        };
        quote!(::pipebuf::__private::Link::finished(&self.#ident, [#first, #second]))
    });
    let done = join(done, &quote!(&&), quote!(true));
    let blocked = p.links.iter().filter_map(|link| {
        let ident = &link.ident;
        let up = match (link.duplex, &link.from, &link.to) {
            (false, _, None) | (true, None, _) => false,
            (true, _, None) => true,
            _ => return None,
        };
        Some(quote!(::pipebuf::__private::Link::is_full(&self.#ident, #up)))
    });
    let blocked = join(blocked, &quote!(||), quote!(false));
    let names = p.stages.iter().map(|s| s.ident.to_string());
    quote! {
        /// Runs the stages for at most `budget` passes, and says how the pipeline stands:
        /// [`Status::Pending`](::pipebuf::Status::Pending) if the budget ran out first.
        ///
        /// # Errors
        ///
        /// As [`process`](Self::process).
        #vis fn process_with(
            &mut self,
            budget: ::pipebuf::Budget,
        ) -> ::core::result::Result<::pipebuf::Status, #returned> {
            let mut error = ::core::option::Option::None;
            let next = {
                let mut run = self.__pipebuf.start(budget);
                loop {
                    #(#calls)*
                    match run.end_pass(|| #total) {
                        ::pipebuf::__private::Next::Again => {}
                        next => break next,
                    }
                }
            };
            if let ::core::option::Option::Some(error) = error {
                return ::core::result::Result::Err(#convert);
            }
            const NAMES: &[&str] = &[#(#names),*];
            ::core::result::Result::Ok(match next {
                ::pipebuf::__private::Next::Hung { stage } => ::pipebuf::Status::Hung {
                    stage: match NAMES.get(stage) {
                        ::core::option::Option::Some(name) => name,
                        ::core::option::Option::None => "",
                    },
                },
                ::pipebuf::__private::Next::Pending => ::pipebuf::Status::Pending,
                _ if #done => ::pipebuf::Status::Done,
                _ if #blocked => ::pipebuf::Status::Blocked,
                ::pipebuf::__private::Next::Rest { changed: false } => ::pipebuf::Status::Waiting,
                _ => ::pipebuf::Status::Progress,
            })
        }
    }
}

/// `a op b op c`, or `empty` when there are no terms.
fn join(
    terms: impl Iterator<Item = TokenStream>,
    op: &TokenStream,
    empty: TokenStream,
) -> TokenStream {
    let mut terms = terms;
    let Some(first) = terms.next() else { return empty };
    quote!(#first #(#op #terms)*)
}

/// One stage's turn in a pass.
fn stage_call(p: &Pipeline<'_>, i: usize, stage: &Stage<'_>) -> TokenStream {
    let (ident, ty) = (stage.ident, stage.ty);
    let error = error_name(&p.item.ident);
    let variant = variant_name(ident);
    let ports: Vec<_> = p.ports_of(i).collect();
    let fields = ports.iter().map(|(link, side)| port_value(link, *side));
    let aborts = ports.iter().map(|(link, side)| match (link.duplex, side) {
        (false, Side::From) => {
            let wr = link_end(link, "wr");
            quote!(#wr.abort();)
        }
        (false, Side::To) => quote!(),
        (true, Side::From) => {
            let lower = link_end(link, "lower");
            quote!(#lower.wr.abort();)
        }
        (true, Side::To) => {
            let upper = link_end(link, "upper");
            quote!(#upper.wr.abort();)
        }
    });
    let alias = Ident::new("Ports", first_span(ty));
    let stage_trait = as_trait(ty, &quote!(::pipebuf::Stage));
    // All of it at the stage's type: a field that holds no stage is reported there, once.
    quote_spanned! {first_span(ty)=>
        if run.should_call(#i) {
            type #alias<'x> = #stage_trait::Ports<'x>;
            let ports = #alias { #(#fields),* };
            match #stage_trait::process(&mut self.#ident, ports) {
                ::core::result::Result::Ok(active) => run.record(#i, active),
                ::core::result::Result::Err(failure) => {
                    run.fail(#i);
                    #(#aborts)*
                    error.get_or_insert(#error::#variant(failure));
                }
            }
        }
    }
}

/// `port: <the link's end, as the port type the stage declares>`, spanned at the port's name so
/// that rustc's errors (no such port, wrong direction, wrong element type) land there.
fn port_value(link: &Link<'_>, side: Side) -> TokenStream {
    // invariant: `ports_of` yields only sides that have an end.
    let Some(end) = link.end(side) else { return quote!() };
    let port = &end.port;
    let span = port.span();
    let (end_wr, end_rd) = (link_end(link, "wr"), link_end(link, "rd"));
    let (end_lower, end_upper) = (link_end(link, "lower"), link_end(link, "upper"));
    match (link.duplex, side) {
        (false, Side::From) => quote_spanned!(span=>
            #port: ::pipebuf::__private::output(#end_wr)),
        (false, Side::To) => quote_spanned!(span=>
            #port: ::pipebuf::__private::input(#end_rd)),
        (true, Side::From) => quote_spanned!(span=>
            #port: ::pipebuf::__private::duplex(#end_lower)),
        (true, Side::To) => quote_spanned!(span=>
            #port: ::pipebuf::__private::duplex(#end_upper)),
    }
}

/// The sum of the tripwires of some links: it changes whenever any of them does.
fn trip_sum<'l, 'a: 'l>(links: impl Iterator<Item = &'l Link<'a>>) -> TokenStream {
    let terms = links.map(|link| {
        let ident = &link.ident;
        quote!(.wrapping_add(::pipebuf::__private::Link::trip(&self.#ident)))
    });
    quote!(0u64 #(#terms)*)
}

pub(crate) fn graph_const(p: &Pipeline<'_>) -> TokenStream {
    let vis = &p.item.vis;
    let name = p.item.ident.to_string();
    let stages = p.stages.iter().map(|s| {
        let ty = s.ty;
        let (ident, type_name) = (s.ident.to_string(), type_text(ty));
        let stage_trait = as_trait(ty, &quote!(::pipebuf::Stage));
        quote! {
            ::pipebuf::StageInfo {
                name: #ident,
                type_name: #type_name,
                ports: #stage_trait::PORTS,
            }
        }
    });
    let links = p.links.iter().map(|link| {
        let end = |end: Option<&End>| {
            end.map_or_else(
                || quote!(::core::option::Option::None),
                |end| {
                    let stage = p.stage(end.stage).to_string();
                    let port = end.port.to_string();
                    quote!(::core::option::Option::Some(::pipebuf::Endpoint::new(#stage, #port)))
                },
            )
        };
        let (name, duplex) = (&link.name, link.duplex);
        let (from, to) = (end(link.from.as_ref()), end(link.to.as_ref()));
        quote!(::pipebuf::LinkInfo { name: #name, from: #from, to: #to, duplex: #duplex })
    });
    quote! {
        /// The wiring of this pipeline: its stages, their ports and its links. Print it with
        /// [`Graph::dot`](::pipebuf::Graph::dot) or [`Graph::mermaid`](::pipebuf::Graph::mermaid).
        #vis const GRAPH: ::pipebuf::Graph = ::pipebuf::Graph {
            name: #name,
            stages: &[#(#stages),*],
            links: &[#(#links),*],
        };
    }
}

/// A call that returns one end of a link (`rd`, `wr`, `lower` or `upper`), spanned at the link's
/// type so that a link of the wrong kind is reported on the user's field.
fn link_end(link: &Link<'_>, method: &str) -> TokenStream {
    let span = first_span(&link.ty);
    let kind = if link.duplex { quote!(Duplex) } else { quote!(Simplex) };
    let (ident, method) = (&link.ident, Ident::new(method, span));
    quote_spanned!(span=> ::pipebuf::__private::#kind::#method(&mut self.#ident))
}

/// The span of the first token, where rustc puts errors about the whole (stable Rust cannot
/// join spans).
fn first_span(tokens: &impl ToTokens) -> Span {
    tokens.to_token_stream().into_iter().next().map_or_else(Span::call_site, |t| t.span())
}

/// `<ty as path>`, spanned at the type so that rustc's error about a missing impl lands on the
/// user's field.
pub(crate) fn as_trait(ty: &impl ToTokens, path: &TokenStream) -> TokenStream {
    quote_spanned!(first_span(ty)=> <#ty as #path>)
}

/// A type as text, without the spaces `to_string` puts around punctuation.
pub(crate) fn type_text(ty: &impl ToTokens) -> String {
    let text = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let glue = c == ' '
            && (out.ends_with(['<', '&', ':', '(', '['])
                || matches!(next, Some('<' | '>' | ',' | ':' | ')' | ']')));
        if !glue {
            out.push(c);
        }
    }
    out
}

fn error_enum(p: &Pipeline<'_>) -> TokenStream {
    let (vis, name) = (&p.item.vis, &p.item.ident);
    let error = error_name(name);
    let doc =
        format!(" The errors of [`{name}`]: one variant per stage, holding the stage's own error.");
    let variants = p.stages.iter().map(|s| {
        let (variant, ty) = (variant_name(s.ident), s.ty);
        let doc = format!(" Stage `{}` failed.", s.ident);
        let stage = as_trait(ty, &quote!(::pipebuf::Stage));
        quote!(#[doc = #doc] #variant(#stage::Error))
    });
    let names = p.stages.iter().map(|s| {
        let (variant, text) = (variant_name(s.ident), s.ident.to_string());
        quote_spanned!(first_span(s.ty)=> Self::#variant(_) => #text)
    });
    // The arms that use the stage's error type are spanned at the stage's type, where rustc
    // reports a field that holds no stage.
    let debugs = p.stages.iter().map(|s| {
        let (variant, text) = (variant_name(s.ident), variant_name(s.ident).to_string());
        quote_spanned!(first_span(s.ty)=> Self::#variant(error) => f.debug_tuple(#text).field(error).finish())
    });
    let sources = p.stages.iter().map(|s| {
        let variant = variant_name(s.ident);
        quote_spanned!(first_span(s.ty)=> Self::#variant(error) => error)
    });
    quote! {
        #[doc = #doc]
        ///
        /// A stage that cannot fail (its error is `Infallible`) has a variant that cannot be made,
        /// and a `match` need not name it.
        #vis enum #error {
            #(#variants,)*
        }

        #[automatically_derived]
        impl ::core::fmt::Debug for #error {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    #(#debugs,)*
                }
            }
        }

        #[automatically_derived]
        impl #error {
            /// Returns the name of the stage that failed.
            #[must_use]
            #vis fn stage(&self) -> &'static str {
                match self {
                    #(#names,)*
                }
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for #error {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::write!(f, "stage `{}` failed", self.stage())
            }
        }

        #[automatically_derived]
        impl ::core::error::Error for #error {
            fn source(&self) -> ::core::option::Option<&(dyn ::core::error::Error + 'static)> {
                ::core::option::Option::Some(match self {
                    #(#sources,)*
                })
            }
        }
    }
}

/// Each stage field holds a stage, asserted at its type so the error lands there.
fn stage_assertions(p: &Pipeline<'_>) -> TokenStream {
    let asserts = p.stages.iter().map(|s| {
        let ty = s.ty;
        quote_spanned!(ty.span()=> ::pipebuf::__private::assert_stage::<#ty>();)
    });
    quote! {
        const _: () = {
            #(#asserts)*
        };
    }
}

/// A pipeline with external links is a stage itself: its ports are those links, seen from
/// inside the outer pipeline.
pub(crate) fn nested_stage(p: &Pipeline<'_>) -> TokenStream {
    let externals: Vec<&Link<'_>> = p.links.iter().filter(|link| link.is_external()).collect();
    if externals.is_empty() {
        return quote!();
    }
    let (vis, name) = (&p.item.vis, &p.item.ident);
    let (returned, ports) = (returned_error(p), ports_name(name));
    let doc =
        format!(" The ports of [`{name}`] as a stage of another pipeline: one per external link.");
    let mut fields = Vec::new();
    let mut specs = Vec::new();
    let mut inward = Vec::new();
    let mut outward = Vec::new();
    let mut trips = Vec::new();
    for link in &externals {
        let (ident, ty) = (&link.ident, &link.ty);
        // Every use of the link's type is spanned at it, so a wrong type is reported there.
        let span = first_span(ty);
        let field_doc = format!(" The end of the outer link that feeds or drains `{ident}`.");
        let (port_ty, direction, element) = match (link.duplex, link.from.is_none()) {
            (false, true) => {
                let wr = link_end(link, "wr");
                inward.push(quote_spanned!(span=> ports.#ident.forward(#wr);));
                (quote!(PBufRd), quote!(Input), quote!(Simplex))
            }
            (false, false) => {
                let rd = link_end(link, "rd");
                outward.push(quote_spanned!(span=> #rd.forward(ports.#ident.reborrow());));
                (quote!(PBufWr), quote!(Output), quote!(Simplex))
            }
            (true, outside_is_lower) => {
                let end = link_end(link, if outside_is_lower { "lower" } else { "upper" });
                inward.push(quote_spanned!(span=> ports.#ident.rd.forward(#end.wr);));
                outward.push(quote_spanned!(span=> #end.rd.forward(ports.#ident.wr.reborrow());));
                (quote!(PBufRdWr), quote!(Duplex), quote!(Duplex))
            }
        };
        let projection = as_trait(ty, &quote!(::pipebuf::__private::#element));
        fields.push(quote! {
            #[doc = #field_doc]
            pub #ident: ::pipebuf::#port_ty<'a, #projection::Element>
        });
        let (text, element_text) = (ident.to_string(), link_element_text(link));
        specs.push(quote! {
            ::pipebuf::Port { name: #text, direction: ::pipebuf::Direction::#direction, element: #element_text }
        });
        trips.push(quote_spanned!(span=> ports.#ident.tripwire()));
    }
    let upper = externals.iter().find(|l| l.duplex && l.ident == crate::symbol::UPPER).map(|l| {
        let link = as_trait(&l.ty, &quote!(::pipebuf::__private::Duplex));
        quote! {
            #[automatically_derived]
            impl ::pipebuf::__private::UpperPort for #name {
                type Element = #link::Element;
            }
        }
    });
    quote! {
        #[doc = #doc]
        #vis struct #ports<'a> {
            #(#fields,)*
        }

        #[automatically_derived]
        impl ::pipebuf::Stage for #name {
            type Ports<'a> = #ports<'a>;
            type Error = #returned;
            const PORTS: &'static [::pipebuf::Port] = &[#(#specs),*];

            fn process(&mut self, mut ports: #ports<'_>) -> ::core::result::Result<bool, #returned> {
                let before = (#(#trips,)*);
                #(#inward)*
                let result = self.process_with(::pipebuf::Budget::UNLIMITED);
                // What the stages handed on before one of them failed goes out with the abort.
                #(#outward)*
                let status = result?;
                let moved = before != (#(#trips,)*);
                // A hung inner stage counts as activity, so the outer pipeline catches it too.
                ::core::result::Result::Ok(moved || ::core::matches!(
                    status,
                    ::pipebuf::Status::Progress | ::pipebuf::Status::Hung { .. }
                ))
            }
        }

        #upper
    }
}

/// The element type of a link as text: the argument of `PipeBuf<T>`/`PipeBufPair<T>` as
/// written, `u8` when it is left out, or the whole type when it is an alias.
fn link_element_text(link: &Link<'_>) -> String {
    let Some((field, _)) = link.original else { return String::new() };
    if let syn::Type::Path(path) = &field.ty {
        if let Some(last) = path.path.segments.last() {
            if last.ident == "PipeBuf" || last.ident == "PipeBufPair" {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(ty)) = args.args.first() {
                        return type_text(ty);
                    }
                }
                return "u8".to_owned();
            }
        }
    }
    type_text(&field.ty)
}
