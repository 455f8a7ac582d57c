//! The names of the macros' attributes and arguments, in one place.

/// The field attribute of `#[pipeline]` that makes a field a link.
pub(crate) const LINK: &str = "link";
/// The attribute of `#[derive(Stage)]`.
pub(crate) const STAGE: &str = "stage";
/// Attributes that remove fields before the macro could see which remain.
pub(crate) const CFG: &str = "cfg";
pub(crate) const CFG_ATTR: &str = "cfg_attr";

/// Keywords of the attribute arguments, for `lookahead1`, so errors list what is accepted.
pub(crate) mod kw {
    syn::custom_keyword!(capacity);
    syn::custom_keyword!(fixed);
    syn::custom_keyword!(limit);
    syn::custom_keyword!(ports);
    syn::custom_keyword!(error);
}

/// The port types a stage may declare, and the port of a chain's links.
pub(crate) const INPUT_PORT: &str = "PBufRd";
pub(crate) const OUTPUT_PORT: &str = "PBufWr";
pub(crate) const DUPLEX_PORT: &str = "PBufRdWr";
pub(crate) const UPPER: &str = "upper";
pub(crate) const LOWER: &str = "lower";

/// Methods and items a pipeline defines, which a link accessor must not shadow.
pub(crate) const PIPELINE_ITEMS: &[&str] =
    &["new", "process", "process_with", "release_empty_links", "GRAPH"];
