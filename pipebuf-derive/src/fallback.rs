//! What `#[pipeline]` writes when the input has errors: the struct as the user wrote it (less our
//! attributes and any second field of the same name), the errors, and the items the macro would
//! have made, as stubs where their bodies depend on a sound wiring, so that the user's other code
//! still compiles and only the real errors show.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand::{accessor, error_name, graph_const, nested_stage, returned_error};
use crate::model::Pipeline;
use crate::parse::is_ours;

pub(crate) fn pipeline(p: &Pipeline<'_>, errors: &syn::Error) -> TokenStream {
    let item = p.item;
    let (attrs, vis, name) = (&item.attrs, &item.vis, &item.ident);
    let (generics, where_clause) = (&item.generics, &item.generics.where_clause);
    let mut seen = BTreeSet::new();
    let fields = p.fields.iter().filter(|raw| seen.insert(raw.ident.to_string())).map(|raw| {
        let field = raw.field;
        let attrs = field.attrs.iter().filter(|attr| !is_ours(attr));
        let (vis, ident, ty) = (&field.vis, raw.ident, &field.ty);
        quote!(#(#attrs)* #vis #ident: #ty)
    });
    let compile_errors = errors.to_compile_error();
    let item = quote! {
        #compile_errors

        #(#attrs)*
        #vis struct #name #generics #where_clause {
            #(#fields,)*
        }
    };
    // The generated impls name the struct without parameters; for a generic struct (itself an
    // error) they would only add more.
    if !generics.params.is_empty() {
        return item;
    }
    let unique = seen.len() == p.fields.len();
    let (error, returned) = (error_name(name), returned_error(p));
    let mut params_seen = BTreeSet::new();
    let params = p.stages.iter().filter(|s| params_seen.insert(s.ident.to_string())).map(|s| {
        let (ident, ty) = (s.ident, s.ty);
        quote!(#ident: #ty)
    });
    let mut links_seen = BTreeSet::new();
    let accessors = p
        .links
        .iter()
        .filter(|link| link.is_external() && links_seen.insert(link.ident.to_string()))
        .map(|link| accessor(p, link));
    let graph = graph_const(p);
    let stage = if unique { nested_stage(p) } else { quote!() };
    quote! {
        #item

        #[derive(Debug)]
        #vis enum #error {}

        impl ::core::fmt::Display for #error {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match *self {}
            }
        }

        impl ::core::error::Error for #error {}

        #[allow(unused_variables, clippy::all)]
        impl #name {
            #vis fn new(#(#params),*) -> Self {
                ::core::unimplemented!()
            }

            #vis fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, #returned> {
                ::core::unimplemented!()
            }

            #vis fn process_with(
                &mut self,
                budget: ::pipebuf::Budget,
            ) -> ::core::result::Result<::pipebuf::Status, #returned> {
                ::core::unimplemented!()
            }

            #graph
            #(#accessors)*
        }

        #stage
    }
}
