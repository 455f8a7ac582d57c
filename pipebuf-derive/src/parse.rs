//! The syntax of `#[pipeline]`: which fields are links, and what their `#[link(...)]` says.
//! Nothing here knows about the graph; `model` turns these records into one.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Data, DeriveInput, Expr, Field, Fields, FieldsNamed, Ident, Token};

use crate::errors::Errors;
use crate::symbol::{CFG, CFG_ATTR, LINK, kw};

/// One field of the pipeline struct, with its `#[link(...)]` if it has one.
pub(crate) struct RawField<'a> {
    pub(crate) field: &'a Field,
    pub(crate) ident: &'a Ident,
    pub(crate) link: Option<LinkAttr>,
    /// True if the field has a `#[link]`, even one that failed to parse: it is then no stage.
    pub(crate) is_link: bool,
}

/// `#[link(from -> to, options)]` or `#[link(from <-> to, options)]`; either end may be
/// missing, which makes the link external.
pub(crate) struct LinkAttr {
    pub(crate) from: Option<EndSyntax>,
    pub(crate) arrow: Arrow,
    pub(crate) to: Option<EndSyntax>,
    pub(crate) capacity: Option<Expr>,
    pub(crate) fixed: Option<kw::fixed>,
    pub(crate) limit: Option<Expr>,
}

/// `stage.port`, as written.
pub(crate) struct EndSyntax {
    pub(crate) stage: Ident,
    pub(crate) port: Ident,
}

/// The arrow of a link, with its tokens for error spans.
pub(crate) struct Arrow {
    pub(crate) duplex: bool,
    pub(crate) tokens: TokenStream,
}

/// The arguments of `#[pipeline(...)]`.
#[derive(Default)]
pub(crate) struct PipelineArgs {
    /// `error = Type`: the error type `process` returns, made from the generated enum by `From`.
    pub(crate) error: Option<syn::Type>,
}

impl Parse for PipelineArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = PipelineArgs::default();
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::error) {
                let key: kw::error = input.parse()?;
                input.parse::<Token![=]>()?;
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(input.error("expected the error type after `error =`"));
                }
                set_once(&mut args.error, input.parse()?, key)?;
            } else {
                return Err(lookahead.error());
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// Returns the named fields of the struct, or records why there are none.
///
/// `#[pipeline]` on something else than a struct is reported at its keyword and name.
pub(crate) fn struct_fields<'a>(
    input: &'a DeriveInput,
    errors: &mut Errors,
) -> Option<&'a FieldsNamed> {
    let ident = &input.ident;
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => return Some(fields),
            _ => errors.push_spanned(
                quote!(#ident),
                "`#[pipeline]` needs a struct with named fields; name each stage and link",
            ),
        },
        Data::Enum(data) => {
            let keyword = data.enum_token;
            errors.push_spanned(
                quote!(#keyword #ident),
                "`#[pipeline]` goes on a struct, not an enum",
            );
        }
        Data::Union(data) => {
            let keyword = data.union_token;
            errors.push_spanned(
                quote!(#keyword #ident),
                "`#[pipeline]` goes on a struct, not a union",
            );
        }
    }
    None
}

/// Reads every field's attributes, recording errors and carrying on.
pub(crate) fn fields<'a>(fields: &'a FieldsNamed, errors: &mut Errors) -> Vec<RawField<'a>> {
    fields
        .named
        .iter()
        .filter_map(|field| {
            // invariant: fields of `FieldsNamed` always have a name.
            let ident = field.ident.as_ref()?;
            let mut raw = RawField { field, ident, link: None, is_link: false };
            for attr in &field.attrs {
                if is_conditional(attr) {
                    errors.push_spanned(
                        attr,
                        "`#[pipeline]` fields cannot be conditional; \
                         make the whole pipeline conditional instead",
                    );
                } else if attr.path().is_ident(LINK) {
                    link_attr(attr, ident, &mut raw, errors);
                }
            }
            Some(raw)
        })
        .collect()
}

/// Returns true if `attr` makes its field conditional, which `#[pipeline]` rejects.
pub(crate) fn is_conditional(attr: &Attribute) -> bool {
    attr.path().is_ident(CFG) || attr.path().is_ident(CFG_ATTR)
}

/// Returns true if `attr` is one that `#[pipeline]` reads and removes.
pub(crate) fn is_ours(attr: &Attribute) -> bool {
    attr.path().is_ident(LINK)
}

fn link_attr(attr: &Attribute, ident: &Ident, raw: &mut RawField<'_>, errors: &mut Errors) {
    if raw.is_link {
        errors.push_spanned(
            attr,
            format_args!("field `{ident}` has two `#[link(...)]` attributes; keep one"),
        );
        return;
    }
    raw.is_link = true;
    match attr.parse_args::<LinkAttr>() {
        Ok(link) => raw.link = Some(link),
        Err(error) => errors.push(error),
    }
}

impl Parse for LinkAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let from = if input.peek(Ident) { Some(input.parse()?) } else { None };
        let arrow = input.parse()?;
        let to = if input.peek(Ident) { Some(input.parse()?) } else { None };
        let mut link = LinkAttr { from, arrow, to, capacity: None, fixed: None, limit: None };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            link.parse_option(input)?;
        }
        Ok(link)
    }
}

impl LinkAttr {
    fn parse_option(&mut self, input: ParseStream<'_>) -> syn::Result<()> {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::capacity) {
            let key: kw::capacity = input.parse()?;
            input.parse::<Token![=]>()?;
            set_once(&mut self.capacity, input.parse()?, key)
        } else if lookahead.peek(kw::limit) {
            let key: kw::limit = input.parse()?;
            input.parse::<Token![=]>()?;
            set_once(&mut self.limit, input.parse()?, key)
        } else if lookahead.peek(kw::fixed) {
            let key: kw::fixed = input.parse()?;
            set_once(&mut self.fixed, key, key)
        } else {
            Err(lookahead.error())
        }
    }
}

/// Sets an option, or fails at its second occurrence.
fn set_once<T>(slot: &mut Option<T>, value: T, key: impl ToTokens) -> syn::Result<()> {
    if slot.is_some() {
        let name = key.to_token_stream();
        return Err(syn::Error::new_spanned(
            &name,
            format_args!("`{name}` is given twice; keep one"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

impl Parse for EndSyntax {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let stage = input.parse()?;
        input.parse::<Token![.]>()?;
        let port = input.parse()?;
        Ok(EndSyntax { stage, port })
    }
}

impl Parse for Arrow {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![->]) {
            let arrow: Token![->] = input.parse()?;
            return Ok(Arrow { duplex: false, tokens: arrow.into_token_stream() });
        }
        if input.peek(Token![<-]) {
            let left: Token![<-] = input.parse()?;
            let right: Token![>] = input.parse()?;
            return Ok(Arrow { duplex: true, tokens: quote!(#left #right) });
        }
        Err(input.error(
            "expected `->` (output to input) or `<->` (duplex to duplex), as in `a.output -> b.input`",
        ))
    }
}
