//! `#[derive(FromRow)]` for sqlcore: reads a result row into a struct. Use it through
//! `sqlcore::FromRow`, whose documentation describes the attributes.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input, spanned::Spanned};

/// Implements `sqlcore::FromRow` for a struct: named fields by column name (a field's
/// `#[sqlcore(rename = "column")]` names another column; the struct's `#[sqlcore(by_position)]`
/// reads the fields in column order instead), tuple structs by position.
#[proc_macro_derive(FromRow, attributes(sqlcore))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// How a struct's fields find their columns.
enum Mapping {
    /// By these column names, one per field.
    ByName(Vec<String>),
    /// In column order.
    ByPosition,
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.span(),
            "FromRow can be derived for structs only",
        ));
    };
    let by_position = container_by_position(input)?;
    let count = data.fields.len();
    let (construct, mapping) = match &data.fields {
        Fields::Named(fields) => {
            let mut names = Vec::with_capacity(count);
            let mut inits = Vec::with_capacity(count);
            for (i, field) in fields.named.iter().enumerate() {
                let ident = field.ident.as_ref().expect("a named field");
                let column = field_rename(field)?.unwrap_or_else(|| unraw(ident));
                if !by_position && names.contains(&column) {
                    return Err(syn::Error::new(
                        field.span(),
                        format!("two fields read the column {column:?}"),
                    ));
                }
                names.push(column);
                inits.push(quote! { #ident: row.get(columns[#i])? });
            }
            let mapping = if by_position {
                Mapping::ByPosition
            } else {
                Mapping::ByName(names)
            };
            (quote! { Self { #(#inits),* } }, mapping)
        }
        Fields::Unnamed(fields) => {
            for field in &fields.unnamed {
                if let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident("sqlcore")) {
                    return Err(syn::Error::new(
                        attr.span(),
                        "the fields of a tuple struct are read by position: rename does not apply",
                    ));
                }
            }
            let inits = (0..count).map(|i| quote! { row.get(columns[#i])? });
            (quote! { Self ( #(#inits),* ) }, Mapping::ByPosition)
        }
        Fields::Unit => (quote! { Self }, Mapping::ByPosition),
    };
    let ident = &input.ident;
    let target = ident.to_string();
    let locate = match mapping {
        Mapping::ByName(names) => quote! { keys.positions([#(#names),*], #target) },
        Mapping::ByPosition => quote! { keys.all_positions::<#count>(#target) },
    };
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::sqlcore::FromRow for #ident #ty_generics #where_clause {
            type Columns = [usize; #count];

            fn columns(keys: &::sqlcore::ResultKeys) -> ::sqlcore::Result<Self::Columns> {
                #locate
            }

            #[allow(unused_variables)]
            fn from_row(
                row: &mut ::sqlcore::RowReader<'_>,
                columns: &Self::Columns,
            ) -> ::sqlcore::Result<Self> {
                ::core::result::Result::Ok(#construct)
            }
        }
    })
}

/// Whether the struct says `#[sqlcore(by_position)]`.
fn container_by_position(input: &DeriveInput) -> syn::Result<bool> {
    let mut by_position = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sqlcore")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("by_position") {
                by_position = true;
                Ok(())
            } else {
                Err(meta.error("expected `by_position`"))
            }
        })?;
    }
    Ok(by_position)
}

/// The column a field's `#[sqlcore(rename = "...")]` names, if it has one.
fn field_rename(field: &syn::Field) -> syn::Result<Option<String>> {
    let mut rename = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("sqlcore")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<LitStr>()?.value());
                Ok(())
            } else {
                Err(meta.error("expected `rename = \"column\"`"))
            }
        })?;
    }
    Ok(rename)
}

/// A field's name without its `r#`.
fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}
