//! `#[derive(Stage)]`: the ports declared once, in `#[stage(ports(...))]`, become the stage's
//! ports struct, its port description and its `Stage` impl, which calls the stage's own inherent
//! `process`.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{DeriveInput, GenericParam, Ident, Token, Type};

use crate::errors::Errors;
use crate::expand::type_text;
use crate::symbol::{DUPLEX_PORT, INPUT_PORT, OUTPUT_PORT, STAGE, UPPER, kw};

/// Expands `#[derive(Stage)]`, or returns every error found.
pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::new();
    let attr = stage_attr(input, &mut errors);
    let ports = attr.ports.iter().filter_map(|decl| port(decl, &mut errors)).collect::<Vec<_>>();
    if attr.ports.is_empty() && !attr.malformed {
        errors.push_spanned(
            &input.ident,
            format_args!(
                "stage `{}` declares no ports; add `#[stage(ports(name: PBufRd<T>, ...))]`",
                input.ident
            ),
        );
    }
    errors.finish()?;
    Ok(expand(input, &ports, attr.error.as_ref()))
}

/// Everything the `#[stage(...)]` attributes say.
#[derive(Default)]
struct StageAttr {
    ports: Vec<PortDecl>,
    error: Option<Type>,
    /// True if an attribute failed to parse: its ports are unknown, so none may be missing.
    malformed: bool,
}

/// `name: Type`, as written in `ports(...)`.
struct PortDecl {
    name: Ident,
    ty: Type,
}

/// A checked port.
struct Port<'a> {
    name: &'a Ident,
    kind: Kind,
    element: TokenStream,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Input,
    Output,
    Duplex,
}

fn stage_attr(input: &DeriveInput, errors: &mut Errors) -> StageAttr {
    let mut result = StageAttr::default();
    let mut ports_seen = false;
    let mut names = BTreeSet::new();
    for attr in input.attrs.iter().filter(|attr| attr.path().is_ident(STAGE)) {
        let args = match attr.parse_args_with(Punctuated::<StageArg, Token![,]>::parse_terminated) {
            Ok(args) => args,
            Err(error) => {
                errors.push(error);
                result.malformed = true;
                continue;
            }
        };
        for arg in args {
            match arg {
                StageArg::Ports(key, ports) => {
                    if ports_seen {
                        errors.push_spanned(
                            key,
                            "`ports(...)` is given twice; list every port in one",
                        );
                        continue;
                    }
                    ports_seen = true;
                    for decl in ports {
                        if names.insert(decl.name.to_string()) {
                            result.ports.push(decl);
                        } else {
                            errors.push_spanned(
                                &decl.name,
                                format_args!("port `{}` is declared twice; rename one", decl.name),
                            );
                        }
                    }
                }
                StageArg::Error(key, ty) => {
                    if result.error.is_some() {
                        errors.push_spanned(key, "`error` is given twice; keep one");
                    } else {
                        result.error = Some(ty);
                    }
                }
            }
        }
    }
    result
}

enum StageArg {
    Ports(kw::ports, Vec<PortDecl>),
    Error(kw::error, Type),
}

impl Parse for StageArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::ports) {
            let key = input.parse()?;
            let content;
            syn::parenthesized!(content in input);
            let ports = Punctuated::<PortDecl, Token![,]>::parse_terminated(&content)?;
            Ok(StageArg::Ports(key, ports.into_iter().collect()))
        } else if lookahead.peek(kw::error) {
            let key = input.parse()?;
            input.parse::<Token![=]>()?;
            Ok(StageArg::Error(key, input.parse()?))
        } else {
            Err(lookahead.error())
        }
    }
}

impl Parse for PortDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        Ok(PortDecl { name, ty: input.parse()? })
    }
}

/// Reads a port's type: `PBufRd`, `PBufWr` or `PBufRdWr`, with an optional lifetime and an
/// optional element type (`u8` if left out).
fn port<'a>(decl: &'a PortDecl, errors: &mut Errors) -> Option<Port<'a>> {
    let wrong = |errors: &mut Errors| {
        errors.push_spanned(
            &decl.ty,
            format_args!(
                "port `{}` has type `{}`; a port is `PBufRd<T>` (input), `PBufWr<T>` (output) \
                 or `PBufRdWr<T>` (duplex)",
                decl.name,
                type_text(&decl.ty)
            ),
        );
    };
    let Type::Path(path) = &decl.ty else {
        wrong(errors);
        return None;
    };
    let Some(last) = path.path.segments.last().filter(|_| path.qself.is_none()) else {
        wrong(errors);
        return None;
    };
    let kind = match last.ident.to_string().as_str() {
        INPUT_PORT => Kind::Input,
        OUTPUT_PORT => Kind::Output,
        DUPLEX_PORT => Kind::Duplex,
        _ => {
            wrong(errors);
            return None;
        }
    };
    let mut types = Vec::new();
    match &last.arguments {
        syn::PathArguments::None => {}
        syn::PathArguments::AngleBracketed(args) => {
            for arg in &args.args {
                match arg {
                    syn::GenericArgument::Lifetime(_) => {}
                    syn::GenericArgument::Type(ty) => types.push(ty),
                    _ => {
                        wrong(errors);
                        return None;
                    }
                }
            }
        }
        syn::PathArguments::Parenthesized(_) => {
            wrong(errors);
            return None;
        }
    }
    let element = match types.as_slice() {
        [] => quote!(u8),
        [ty] => ty.to_token_stream(),
        _ => {
            wrong(errors);
            return None;
        }
    };
    Some(Port { name: &decl.name, kind, element })
}

fn expand(input: &DeriveInput, ports: &[Port<'_>], error: Option<&Type>) -> TokenStream {
    let (vis, name) = (&input.vis, &input.ident);
    let ports_ty = format_ident!("{}Ports", name);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (declared, used) = used_generics(input, ports);
    let life = ports_lifetime(input);
    let error =
        error.map_or_else(|| quote!(::core::convert::Infallible), ToTokens::to_token_stream);
    let fields = ports.iter().map(|port| {
        let (name, element) = (port.name, &port.element);
        let (ty, what) = match port.kind {
            Kind::Input => (quote!(PBufRd), "input"),
            Kind::Output => (quote!(PBufWr), "output"),
            Kind::Duplex => (quote!(PBufRdWr), "duplex port"),
        };
        let doc = format!(" Port `{name}`: {what} of `{}`.", type_text(element));
        quote!(#[doc = #doc] pub #name: ::pipebuf::#ty<#life, #element>)
    });
    let specs = ports.iter().map(|port| {
        let name = port.name.to_string();
        let direction = match port.kind {
            Kind::Input => quote!(Input),
            Kind::Output => quote!(Output),
            Kind::Duplex => quote!(Duplex),
        };
        let element = type_text(&port.element);
        quote!(::pipebuf::Port { name: #name, direction: ::pipebuf::Direction::#direction, element: #element })
    });
    let upper = ports.iter().find(|port| port.kind == Kind::Duplex && port.name == UPPER).map(|port| {
        let element = &port.element;
        quote! {
            #[automatically_derived]
            impl #impl_generics ::pipebuf::__private::UpperPort for #name #ty_generics #where_clause {
                type Element = #element;
            }
        }
    });
    let doc = format!(" The ports of [`{name}`], one field per port.");
    quote! {
        #[doc = #doc]
        #vis struct #ports_ty<#life, #(#declared),*> {
            #(#fields,)*
        }

        #[automatically_derived]
        impl #impl_generics ::pipebuf::Stage for #name #ty_generics #where_clause {
            type Ports<#life> = #ports_ty<#life, #(#used),*> where Self: #life;
            type Error = #error;
            const PORTS: &'static [::pipebuf::Port] = &[#(#specs),*];

            #[inline]
            fn process(
                &mut self,
                ports: #ports_ty<'_, #(#used),*>,
            ) -> ::core::result::Result<bool, #error> {
                // The stage's inherent `process` does the work. If it has none, this call would
                // find the trait's own method and recurse forever; the helper trait makes it an
                // ambiguity error instead, which names the helper and so the fix.
                use ::pipebuf::__private::AddAnInherentProcessFnToTheStage as _;
                ::pipebuf::__private::ProcessResult::<#error>::into_result(Self::process(self, ports))
            }
        }

        #upper
    }
}

/// The lifetime of the ports struct: `'a`, or the first of `'b`, `'c`, ... that the stage does not
/// use itself.
fn ports_lifetime(input: &DeriveInput) -> syn::Lifetime {
    let taken: BTreeSet<String> =
        input.generics.lifetimes().map(|def| def.lifetime.ident.to_string()).collect();
    // There are fewer lifetimes than names to try, so one is always free.
    let name = ('a'..='z')
        .map(String::from)
        .chain((0..=taken.len()).map(|i| format!("a{i}")))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| "a".to_owned());
    syn::Lifetime::new(&format!("'{name}"), proc_macro2::Span::call_site())
}

/// The stage's generic parameters that appear in port types, which the ports struct needs too:
/// as declared (for the struct) and as used (in the impl).
fn used_generics(input: &DeriveInput, ports: &[Port<'_>]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut idents = BTreeSet::new();
    for port in ports {
        collect_idents(port.element.clone(), &mut idents);
    }
    let mut params: Vec<_> = input.generics.params.iter().collect();
    // Lifetimes come first in a parameter list.
    params.sort_by_key(|param| !matches!(param, GenericParam::Lifetime(_)));
    params
        .into_iter()
        .filter_map(|param| match param {
            GenericParam::Lifetime(def) if idents.contains(&def.lifetime.ident.to_string()) => {
                let lifetime = &def.lifetime;
                Some((quote!(#lifetime), quote!(#lifetime)))
            }
            GenericParam::Type(def) if idents.contains(&def.ident.to_string()) => {
                let ident = &def.ident;
                Some((quote!(#ident), quote!(#ident)))
            }
            GenericParam::Const(def) if idents.contains(&def.ident.to_string()) => {
                let (ident, ty) = (&def.ident, &def.ty);
                Some((quote!(const #ident: #ty), quote!(#ident)))
            }
            _ => None,
        })
        .unzip()
}

fn collect_idents(tokens: TokenStream, idents: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                idents.insert(ident.to_string());
            }
            TokenTree::Group(group) => collect_idents(group.stream(), idents),
            _ => {}
        }
    }
}
