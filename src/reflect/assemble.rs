//! Turning a catalog's [`TableParts`] into a [`Table`] that compiles back to the same DDL.

use super::TableParts;
use sqlcore_compiler::{Autoincrement, ForeignKey, SchemaTranslateMap, Table};

/// Where the tables were read, for naming the schemas their foreign keys refer to.
pub(crate) struct Naming<'a> {
    /// The schema the caller asked for (`None`: the default one); reflected tables carry it.
    pub requested: Option<&'a str>,
    /// The database schema actually read (after `schema_translate_map`).
    pub read: &'a str,
    /// The database's default schema.
    pub default: &'a str,
    /// The connection's `schema_translate_map`, read backwards.
    pub translate: Option<&'a SchemaTranslateMap>,
}

impl Naming<'_> {
    /// A referred schema as the reflected table should name it: the table's own schema as the
    /// caller named it, the schema the translate map sends there, `None` for the default
    /// schema, else the database's name.
    fn referred(&self, db_schema: Option<String>) -> Option<String> {
        let db = db_schema?;
        if db == self.read {
            return self.requested.map(str::to_owned);
        }
        let mapped = self
            .translate
            .and_then(|map| map.iter().find(|(_, to)| *to == Some(db.as_str())));
        match mapped {
            Some((from, _)) => from.map(str::to_owned),
            None if db == self.default => None,
            None => Some(db),
        }
    }
}

/// Builds the table. Autoincrement is stated so that the table compiles back to what the
/// database has: a generated sole integer key stays `Auto` (which resolves to it), a generated
/// column elsewhere becomes `Yes`, and a sole integer key the database does not generate
/// becomes `No`.
pub(crate) fn table(parts: TableParts, naming: &Naming<'_>) -> Table {
    let mut table = Table::new(parts.name);
    if let Some(schema) = naming.requested {
        table = table.schema(schema);
    }
    let foreign_keys: Vec<ForeignKey> = parts
        .foreign_keys
        .into_iter()
        .map(|mut fk| {
            fk.referred_schema = naming.referred(fk.referred_schema.take());
            fk
        })
        .collect();
    let pk = parts.primary_key;
    for part in parts.columns {
        let mut column = part.column;
        if let Some(mut seq) = part.sequence {
            // The sequence's schema named as the table's own, or the referred tables', are.
            seq.schema = naming
                .referred(seq.schema.as_deref().map(str::to_owned))
                .map(Into::into);
            column = column.default_sequence(seq);
        }
        if column.autoincrement == Autoincrement::Auto {
            let sole_integer_key = matches!(pk.columns.as_slice(), [only] if *only == column.name)
                && column.sql_type.is_integer()
                && column.server_default.is_none()
                && !foreign_keys
                    .iter()
                    .any(|fk| fk.columns.contains(&column.name));
            column.autoincrement = match (part.generated, sole_integer_key) {
                (true, false) => Autoincrement::Yes,
                (false, true) => Autoincrement::No,
                _ => Autoincrement::Auto,
            };
        }
        table = table.column(column);
    }
    if !pk.columns.is_empty() {
        table = table.primary_key(pk.columns);
        if let Some(name) = pk.name {
            table = table.primary_key_name(name);
        }
    }
    for fk in foreign_keys {
        table = table.foreign_key(fk);
    }
    for unique in parts.unique_constraints {
        table = table.unique(unique);
    }
    for check in parts.check_constraints {
        table = table.check(check);
    }
    for index in parts.indexes {
        table = table.index(index);
    }
    if let Some(comment) = parts.comment {
        table = table.comment(comment);
    }
    if let Some(by) = parts.partition_by {
        table = table.partition_by(by.strategy, by.keys);
    }
    if let Some(of) = parts.partition_of {
        // The parent named as a foreign key's referred table is (a table of its own).
        let parent = Table::new(of.parent);
        let parent = match naming.referred(Some(of.parent_schema)) {
            Some(schema) => parent.schema(schema),
            None => parent,
        };
        table = table.partition_of(&parent, of.bound);
    }
    table
}
