//! Full text search rendered for PostgreSQL, SQLite and MySQL and snapshotted in
//! `snapshots/<dialect>/`: the `TSVECTOR` / `TSQUERY` DDL (a CompileError off PostgreSQL),
//! `match_` per dialect, `@@` and the text search functions. Each rendering is parsed back
//! with sqlparser; PostgreSQL's run on the server against a table with a generated `tsvector`
//! column, SQLite's against an FTS5 virtual table of the same name.

#[macro_use]
mod common;

use sqlcore::*;

/// The searched table on PostgreSQL: its `body` a generated `tsvector`.
fn docs() -> Table {
    Table::new("search_articles")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("title", SqlType::Text))
        .column(
            Column::new("body", SqlType::TsVector)
                .computed(Computed::new("to_tsvector('english', title)")),
        )
}

/// `snap!` with the searched table created first: `docs()` on PostgreSQL, an FTS5 table
/// `search_articles(id, title, body)` on SQLite.
macro_rules! snap_search {
    ($name:ident, $stmt:expr) => {
        #[test]
        fn $name() {
            let setup = [Statement::from(create_table(&docs()))];
            let fts5 = [Statement::from(text(
                "CREATE VIRTUAL TABLE search_articles USING fts5(id, title, body)",
            ))];
            crate::common::check_after_each(
                stringify!($name),
                &setup,
                &fts5,
                $stmt,
                &Params::new(),
            );
        }
    };
}

// ---- DDL --------------------------------------------------------------------------------
snap!(
    create_table_text_search,
    create_table(
        &Table::new("search_docs")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("body", SqlType::Text))
            .column(
                Column::new("doc", SqlType::TsVector)
                    .computed(Computed::new("to_tsvector('english', body)"))
            )
            .column(Column::new("query", SqlType::TsQuery))
    )
);

// ---- match ------------------------------------------------------------------------------
snap_search!(match_plain, {
    let d = docs();
    select([d.c("id")]).filter(d.c("body").match_("fat cat"))
});
snap_search!(match_config, {
    let d = docs();
    select([d.c("id")]).filter(d.c("body").match_config("english", "fat cats"))
});
snap_search!(match_negated_and_combined, {
    let d = docs();
    select([d.c("id")]).filter(not_(d.c("body").match_("rat")).and(d.c("id").gt(1)))
});

// ---- @@ and the text search functions ---------------------------------------------------
snap_search!(ts_match_functions, {
    let d = docs();
    let q = websearch_to_tsquery("english", "fat -rat");
    select([
        d.c("id"),
        ts_rank(d.c("body"), q.clone()).label("rank"),
        ts_headline("english", d.c("title"), q.clone()).label("headline"),
    ])
    .filter(to_tsvector("simple", d.c("title")).ts_match(q.clone()))
    .order_by(ts_rank(d.c("body"), q).desc())
});
snap_search!(ts_match_bound_query, {
    let d = docs();
    select([d.c("id")])
        .filter(d.c("body").ts_match("'fat' & !'rat'"))
        .filter(d.c("body").ts_match(plainto_tsquery("english", "cats")))
});
