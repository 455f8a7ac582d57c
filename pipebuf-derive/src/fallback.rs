//! What `#[pipeline]` writes when the input has errors: the struct as the user wrote it (less our
//! attributes and any second field of the same name), the errors, and stubs of the items the
//! macro would have made, so the user's other code still compiles and only the real errors show.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand::error_name;
use crate::model::Pipeline;
use crate::parse::is_ours;

pub(crate) fn pipeline(p: &Pipeline<'_>, errors: &syn::Error) -> TokenStream {
    let item = p.item;
    let (attrs, vis, name) = (&item.attrs, &item.vis, &item.ident);
    let mut seen = BTreeSet::new();
    let fields = p.fields.iter().filter(|raw| seen.insert(raw.ident.to_string())).map(|raw| {
        let field = raw.field;
        let attrs = field.attrs.iter().filter(|attr| !is_ours(attr));
        let (vis, ident, ty) = (&field.vis, raw.ident, &field.ty);
        quote!(#(#attrs)* #vis #ident: #ty)
    });
    let error = error_name(name);
    let params = p.stages.iter().map(|s| {
        let (ident, ty) = (s.ident, s.ty);
        quote!(#ident: #ty)
    });
    let compile_errors = errors.to_compile_error();
    quote! {
        #compile_errors

        #(#attrs)*
        #vis struct #name {
            #(#fields,)*
        }

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

            #vis fn process(&mut self) -> ::core::result::Result<::pipebuf::Status, #error> {
                ::core::unimplemented!()
            }

            #vis fn process_with(
                &mut self,
                budget: ::pipebuf::Budget,
            ) -> ::core::result::Result<::pipebuf::Status, #error> {
                ::core::unimplemented!()
            }
        }
    }
}
