//! A schema with enums and domains, shared by the snapshot, execution and reflection tests.

use sqlcore::*;

/// `mood`: a native enum (a type of its own on PostgreSQL, inline on MySQL, VARCHAR on SQLite).
pub fn mood() -> EnumType {
    EnumType::new("mood", ["sad", "ok", "happy"])
}

/// `priority`: a non-native enum with its CHECK constraint on every dialect.
pub fn priority() -> EnumType {
    EnumType::new("priority", ["low", "high", "urgent"])
        .native(false)
        .create_constraint(true)
}

/// `positive_int`: a domain over INTEGER, NOT NULL, with a default and a named check.
pub fn positive_int() -> DomainType {
    DomainType::new("positive_int", SqlType::Integer)
        .not_null()
        .default_sql("1")
        .check(Some("positive_int_check"), "VALUE > 0")
}

/// `cheerful`: a domain over the `mood` enum with a default.
pub fn cheerful() -> DomainType {
    DomainType::new("cheerful", SqlType::Enum(mood())).default_sql("'happy'")
}

/// `people` and `visits`, using every type above.
pub fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(
        Table::new("people")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::String(Some(40))).not_null())
            .column(Column::new("feeling", SqlType::Enum(mood())))
            .column(Column::new("prio", SqlType::Enum(priority())))
            .column(Column::new("score", SqlType::Domain(positive_int())))
            .column(Column::new("best", SqlType::Domain(cheerful()))),
    )
    .unwrap();
    md.add(
        Table::new("visits")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("person_id", SqlType::Integer).references("people.id"))
            .column(Column::new("feeling", SqlType::Enum(mood())).not_null()),
    )
    .unwrap();
    md
}
