//! What `#[pipeline]` writes when the input has errors: the struct as the user wrote it (less our
//! attributes and any second field of the same name), the errors, and the items the macro would
//! have made, with plain bodies where theirs depend on a sound wiring, so that the user's other
//! code still compiles and only the real errors show.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand::{
    accessor, as_trait, error_name, graph_const, nested_stage, pipeline_impl, returned_error,
    user_field,
};
use crate::model::Pipeline;
use crate::parse::RawField;

pub(crate) fn pipeline(p: &Pipeline<'_>, errors: &syn::Error) -> TokenStream {
    let item = p.item;
    let (attrs, vis, name) = (&item.attrs, &item.vis, &item.ident);
    let (generics, where_clause) = (&item.generics, &item.generics.where_clause);
    let mut seen = BTreeSet::new();
    let fields: Vec<&RawField<'_>> =
        p.fields.iter().filter(|raw| seen.insert(raw.ident.to_string())).collect();
    let declared = fields.iter().map(|raw| user_field(raw));
    let compile_errors = errors.to_compile_error();
    let item = quote! {
        #compile_errors

        #(#attrs)*
        #vis struct #name #generics #where_clause {
            #(#declared,)*
        }
    };
    // The generated impls name the struct without parameters; for a generic struct (itself an
    // error) they would only add more.
    if !generics.params.is_empty() {
        return item;
    }
    let unique = fields.len() == p.fields.len();
    let (error, returned) = (error_name(name), returned_error(p));
    // `new` takes the stages and makes every link with no options: real code, which only adds
    // an error where the struct has one anyway (a link field of a type that is no buffer).
    let params = fields.iter().filter(|raw| !raw.is_link).map(|raw| {
        let (ident, ty) = (raw.ident, &raw.field.ty);
        quote!(#ident: #ty)
    });
    let inits = fields.iter().map(|raw| {
        let ident = raw.ident;
        if raw.is_link {
            let link = as_trait(&raw.field.ty, &quote!(::pipebuf::__private::Link));
            quote!(#ident: #link::create(::core::option::Option::None, false, ::core::option::Option::None))
        } else {
            quote!(#ident)
        }
    });
    let mut links_seen = BTreeSet::new();
    let accessors = p
        .links
        .iter()
        .filter(|link| link.is_external() && links_seen.insert(link.ident.to_string()))
        .map(|link| accessor(p, link));
    let graph = graph_const(p);
    let stage = if unique { nested_stage(p) } else { quote!() };
    // A generic struct is itself an error; an impl for it without its parameters would add more.
    let pipeline_impl = if generics.params.is_empty() { pipeline_impl(p) } else { quote!() };
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

        // Nothing runs: the program does not compile. These keep the user's calls well-typed.
        #[allow(unused_variables, clippy::all)]
        impl #name {
            #vis fn new(#(#params),*) -> Self {
                Self { #(#inits,)* }
            }

            #vis fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, #returned> {
                ::core::result::Result::Ok(::pipebuf::Status::Waiting)
            }

            #vis fn process_with(
                &mut self,
                budget: ::pipebuf::Budget,
            ) -> ::core::result::Result<::pipebuf::Status, #returned> {
                ::core::result::Result::Ok(::pipebuf::Status::Waiting)
            }

            #vis fn release_empty_links(&mut self) {}

            #graph
            #(#accessors)*
        }

        #pipeline_impl

        #stage
    }
}
