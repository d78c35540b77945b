//! The Rust enums `--format rust` declares for the enum types its tables' columns use, one
//! [`sqlcore::sql_enum!`] each: named after the type in CamelCase (PostgreSQL's named types;
//! MySQL's per-column `ENUM` is named after its column), `Enum` or a number appended where
//! that name is taken; each label a variant, in CamelCase too (`not sure` → `NotSure`).

use indexmap::IndexMap;
use sqlcore::{EnumType, SqlType, Table};
use std::fmt::Write;

/// The enum types of the tables written, each with its Rust name.
pub struct Enums(IndexMap<EnumType, String>);

impl Enums {
    /// The enum types `tables` use (in arrays and under domains too), named apart from each other and from
    /// every name `taken` says is in use.
    pub fn collect(tables: &[&Table], taken: impl Fn(&str) -> bool) -> Enums {
        let mut enums = IndexMap::new();
        for column in tables.iter().flat_map(|t| t.columns.values()) {
            let e = match column.sql_type.storage_type() {
                SqlType::Enum(e) => e,
                SqlType::Array { item, .. } => match item.storage_type() {
                    SqlType::Enum(e) => e,
                    _ => continue,
                },
                _ => continue,
            };
            if enums.contains_key(e) {
                continue;
            }
            let camel = crate::rust::camel_case(e.name());
            let base = if camel.is_empty() {
                "Enum".to_owned()
            } else {
                camel
            };
            let free = |name: &str| !taken(name) && !enums.values().any(|n: &String| n == name);
            let name = std::iter::once(base.clone())
                .chain(std::iter::once(format!("{base}Enum")))
                .chain((2..).map(|n| format!("{base}Enum{n}")))
                .find(|name| free(name))
                .unwrap_or_default();
            enums.insert(e.clone(), name);
        }
        Enums(enums)
    }

    /// The Rust name of enum type `e`.
    pub fn rust_name(&self, e: &EnumType) -> Option<&str> {
        self.0.get(e).map(String::as_str)
    }

    /// Writes one `sqlcore::sql_enum!` per enum type.
    pub fn write(&self, out: &mut String) {
        for (e, name) in &self.0 {
            let schema = e
                .schema_name()
                .map(|s| format!(" in {s:?}"))
                .unwrap_or_default();
            let _ = writeln!(out, "\nsqlcore::sql_enum! {{");
            let doc = format!("The database enum `{}`.", e.name());
            let lines: Vec<String> = doc.lines().map(str::to_owned).collect();
            crate::rust::write_doc(out, "    ", &lines);
            let _ = writeln!(out, "    pub enum {name} = {:?}{schema} {{", e.name());
            for (variant, label) in variants(e.values()).iter().zip(e.values()) {
                let _ = writeln!(out, "        {variant} = {label:?},");
            }
            let _ = writeln!(out, "    }}\n}}");
        }
    }
}

/// A variant name for each label: its ASCII letters and digits in CamelCase (`in_progress`,
/// `in progress` → `InProgress`), `V` before a leading digit, `Value{n}` for a label with
/// none, and a number appended to one already given.
fn variants(labels: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(labels.len());
    for (i, label) in labels.iter().enumerate() {
        let camel: String = label
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .map(|part| part[..1].to_ascii_uppercase() + &part[1..])
            .collect();
        let base = match camel.chars().next() {
            None => format!("Value{}", i + 1),
            Some(c) if c.is_ascii_digit() => format!("V{camel}"),
            Some(_) if camel == "Self" => "Self_".to_owned(),
            Some(_) => camel,
        };
        let name = std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}{n}")))
            .find(|name| !names.contains(name))
            .unwrap_or_default();
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_rust_identifiers_and_distinct() {
        let labels = [
            "happy",
            "not sure",
            "in_progress",
            "N/A",
            "1st",
            "",
            "é",
            "Self",
            "happy!",
        ];
        let labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        assert_eq!(
            variants(&labels),
            [
                "Happy",
                "NotSure",
                "InProgress",
                "NA",
                "V1st",
                "Value6",
                "Value7",
                "Self_",
                "Happy2"
            ]
        );
    }
}
