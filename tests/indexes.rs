//! Indexes with access methods, operator classes, order and NULLS per column, INCLUDE,
//! storage parameters, partial and expression indexes, CONCURRENTLY: created by `create_all`
//! on PostgreSQL and SQLite, reflected, and carried through a round trip into another schema
//! (`schema_translate_map`, nothing else on the search path) that reflects the same.

mod common;

use common::backend::TestDb;
use sqlcore::*;

/// A table as a user's database has it, made with plain SQL: one index of every kind.
const PG_ITEMS: &str = "CREATE TABLE items (id integer PRIMARY KEY, name text, code varchar(20), \
     tags jsonb, score integer, body text, created timestamptz); \
     CREATE INDEX ix_items_body_gist ON items USING gist (to_tsvector('simple', body)); \
     CREATE INDEX ix_items_tags_gin ON items USING gin (tags jsonb_path_ops); \
     CREATE INDEX ix_items_created_brin ON items USING brin (created) WITH (pages_per_range = 32); \
     CREATE INDEX ix_items_name_hash ON items USING hash (name); \
     CREATE INDEX ix_items_name_spgist ON items USING spgist (name); \
     CREATE INDEX ix_items_code_pattern ON items (code varchar_pattern_ops); \
     CREATE INDEX ix_items_score ON items (score DESC NULLS LAST, id NULLS FIRST) \
        INCLUDE (name, code) WITH (fillfactor = 70); \
     CREATE UNIQUE INDEX ux_items_lower_name ON items (lower(name)) WHERE score > 0";

/// The indexes of `table`, sorted by name.
fn indexes(md: &MetaData, table: &str) -> Vec<Index> {
    let mut out = md.table(table).expect("table reflected").indexes.clone();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn by_name<'a>(indexes: &'a [Index], name: &str) -> &'a Index {
    indexes
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no index {name}"))
}

/// `indexdef` of each index of `schema`, as the server writes it, sorted by index name.
fn server_indexdefs(schema: &str) -> Vec<String> {
    let mut client = common::pg::connect().unwrap();
    client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname NOT LIKE '%pkey' \
             ORDER BY indexname",
            &[&schema],
        )
        .unwrap()
        .into_iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

/// Reflecting PostgreSQL's indexes keeps their methods (a gist index is not a btree one),
/// operator classes, order and NULLS, INCLUDE columns, storage parameters, expressions and
/// predicates; `create_all` of the reflected table into another schema through a
/// schema_translate_map, with nothing but `pg_catalog` on the search path, makes the same
/// indexes, which reflect the same again.
#[test]
fn postgres_indexes_round_trip_through_schema_translate_map() {
    let Some(src) = TestDb::postgres("indexes_round_trip_src") else {
        return;
    };
    let dst = TestDb::postgres("indexes_round_trip_dst").unwrap();
    let (src_schema, dst_schema) = (src.schema().unwrap(), dst.schema().unwrap());
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!("SET search_path TO {src_schema}; {PG_ITEMS}"))
        .unwrap();

    let engine = create_engine(&src.url()).unwrap();
    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    let first = indexes(&reflected, "items");
    assert_eq!(first.len(), 8, "{first:#?}");

    let gist = by_name(&first, "ix_items_body_gist");
    assert_eq!(gist.method, Some(IndexMethod::Gist));
    assert!(matches!(&gist.elements[..], [IndexElement::Expr(_)]));
    let gin = by_name(&first, "ix_items_tags_gin");
    assert_eq!(gin.method, Some(IndexMethod::Gin));
    assert_eq!(
        gin.element_options(0).opclass.as_deref(),
        Some("jsonb_path_ops")
    );
    let brin = by_name(&first, "ix_items_created_brin");
    assert_eq!(brin.method, Some(IndexMethod::Brin));
    assert_eq!(
        brin.storage,
        [("pages_per_range".to_owned(), "32".to_owned())]
    );
    assert_eq!(
        by_name(&first, "ix_items_name_hash").method,
        Some(IndexMethod::Hash)
    );
    assert_eq!(
        by_name(&first, "ix_items_name_spgist").method,
        Some(IndexMethod::SpGist)
    );
    let pattern = by_name(&first, "ix_items_code_pattern");
    assert_eq!(pattern.method, None, "btree is the default, left unstated");
    assert_eq!(
        pattern.element_options(0).opclass.as_deref(),
        Some("varchar_pattern_ops")
    );
    let score = by_name(&first, "ix_items_score");
    assert_eq!(
        *score,
        Index::new("ix_items_score", ["score", "id"])
            .desc("score")
            .nulls_last("score")
            .nulls_first("id")
            .include(["name", "code"])
            .with_storage("fillfactor", "70")
    );
    let lower_name = by_name(&first, "ux_items_lower_name");
    assert!(lower_name.unique);
    assert!(lower_name.predicate.is_some());
    assert!(matches!(&lower_name.elements[..], [IndexElement::Expr(_)]));

    // Into the other schema: only pg_catalog on the search path, the schema by the map.
    let base = common::pg::url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let bare = format!("{base}{sep}options=-c%20search_path%3Dpg_catalog");
    let map = SchemaTranslateMap::new().map(None, dst_schema);
    let tenant = create_engine(&bare)
        .unwrap()
        .execution_options(ExecutionOptions::default().schema_translate_map(map));
    reflected.create_all(&tenant).unwrap();

    // The server's own definitions are the same in both schemas.
    let defs = |schema: &str| -> Vec<String> {
        server_indexdefs(schema)
            .into_iter()
            .map(|d| d.replace(&format!("{schema}."), "S."))
            .collect()
    };
    let (src_defs, dst_defs) = (defs(src_schema), defs(dst_schema));
    assert_eq!(src_defs, dst_defs);
    assert!(
        dst_defs
            .iter()
            .any(|d| d.contains("ix_items_body_gist ON S.items USING gist")),
        "{dst_defs:#?}"
    );

    let mut again = MetaData::new();
    again.reflect(&tenant).unwrap();
    assert_eq!(indexes(&again, "items"), first);
}

/// `create_all` creates each kind of declared index on PostgreSQL, a CONCURRENTLY one after
/// its transaction (PostgreSQL refuses it inside one); they reflect as declared.
#[test]
fn postgres_create_all_with_every_index_kind() {
    let Some(b) = TestDb::postgres("indexes_create_all") else {
        return;
    };
    let docs = Table::new("docs")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("title", SqlType::String(Some(200))))
        .column(Column::new("body", SqlType::Json))
        .column(Column::new("rank", SqlType::Integer))
        .column(Column::new("at", SqlType::DATETIME_TZ));
    let declared = [
        Index::new("ix_docs_body", ["body"])
            .using(IndexMethod::Gin)
            .opclass("body", "jsonb_path_ops"),
        Index::new("ix_docs_at", ["at"]).using(IndexMethod::Brin),
        Index::new("ix_docs_title_hash", ["title"]).using(IndexMethod::Hash),
        Index::new("ix_docs_rank", ["rank"])
            .desc("rank")
            .nulls_last("rank")
            .include(["title"])
            .with_storage("fillfactor", "70"),
        Index::new("ix_docs_title_pattern", ["title"]).opclass("title", "text_pattern_ops"),
        Index::new("ix_docs_lower_title", [lower(docs.c("title"))])
            .unique()
            .filter(docs.c("rank").gt(0)),
        Index::new("ix_docs_title_conc", ["title"]).concurrently(),
    ];
    let docs = declared.iter().cloned().fold(docs, Table::index);
    let mut md = MetaData::new();
    md.add(docs).unwrap();
    let engine = create_engine(&b.url()).unwrap();
    md.create_all(&engine).unwrap();

    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    let got = indexes(&reflected, "docs");
    assert_eq!(got.len(), declared.len());
    for index in &declared {
        let found = by_name(&got, &index.name);
        assert_eq!(found.method, index.method, "{}", index.name);
        assert_eq!(
            found.element_options, index.element_options,
            "{}",
            index.name
        );
        assert_eq!(found.include, index.include, "{}", index.name);
        assert_eq!(found.storage, index.storage, "{}", index.name);
        assert_eq!(found.unique, index.unique, "{}", index.name);
        assert_eq!(found.predicate.is_some(), index.predicate.is_some());
    }
    // The opclass is used: a LIKE prefix search can use the pattern index.
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(reflected.table("docs").unwrap())
            .values(params! {"id" => 1, "title" => "abc", "rank" => 2}),
        (),
    )
    .unwrap();
    let n: i64 = conn
        .execute(text("SELECT count(*) FROM docs WHERE title LIKE 'ab%'"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    md.drop_all(&engine).unwrap();
}

/// SQLite: DESC columns, expression and partial indexes reflect from `PRAGMA index_xinfo` and
/// the index's own SQL, and create the same again in another database.
#[test]
fn sqlite_indexes_round_trip() {
    let src = TestDb::sqlite("indexes_sqlite_src");
    let engine = create_engine(&src.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    for ddl in [
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score INTEGER)",
        "CREATE INDEX ix_items_score ON items (score DESC, name)",
        "CREATE UNIQUE INDEX ux_items_lower_name ON items (lower(name)) WHERE score > 0",
    ] {
        conn.execute(text(ddl), ()).unwrap();
    }
    conn.commit().unwrap();
    drop(conn);
    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    let first = indexes(&reflected, "items");
    assert_eq!(
        first[0],
        Index::new("ix_items_score", ["score", "name"]).desc("score")
    );
    assert!(first[1].unique && first[1].predicate.is_some());

    let dst = TestDb::sqlite("indexes_sqlite_dst");
    let engine = create_engine(&dst.url()).unwrap();
    reflected.create_all(&engine).unwrap();
    let mut again = MetaData::new();
    again.reflect(&engine).unwrap();
    assert_eq!(indexes(&again, "items"), first);
    // The partial unique index holds: two equal names are fine where score <= 0 only.
    let mut conn = engine.connect().unwrap();
    let items = again.table("items").unwrap().clone();
    for (id, score) in [(1, 0), (2, 0), (3, 1)] {
        conn.execute(
            insert(&items).values(params! {"id" => id, "name" => "A", "score" => score}),
            (),
        )
        .unwrap();
    }
    let dup = conn.execute(
        insert(&items).values(params! {"id" => 4, "name" => "a", "score" => 5}),
        (),
    );
    assert!(dup.is_err(), "lower(name) is unique where score > 0");
}
