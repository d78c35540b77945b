//! Full text search end to end. PostgreSQL: a table whose `tsvector` column is generated
//! from its body (`to_tsvector('english', body)` STORED) with a GIN index, searched with
//! `match_` / `match_config` / `ts_match` and the text search functions, ranked with
//! `ts_rank`; `tsvector` and `tsquery` values bound as text, read as text, compared, and
//! reflected as their types. SQLite: `match_` on an FTS5 virtual table. MariaDB: `match_` as
//! `MATCH … AGAINST` over a FULLTEXT index.

mod common;

use common::backend::TestDb;
use sqlcore::*;

fn articles() -> Table {
    Table::new("articles")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("body", SqlType::Text))
        .column(
            Column::new("doc", SqlType::TsVector)
                .computed(Computed::new("to_tsvector('english', body)")),
        )
        .index(Index::new("ix_articles_doc", ["doc"]))
}

const BODIES: [&str; 4] = [
    "The fat cat sat on the mat",
    "A rat ate the fat cheese, and the fat rats ran",
    "Dogs chase cats and rats",
    "Nothing to see here",
];

fn ids(conn: &mut Connection, t: &Table, cond: Expr) -> Vec<i32> {
    conn.execute(select([t.c("id")]).filter(cond).order_by(t.c("id")), ())
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| r.get::<i32>("id").unwrap())
        .collect()
}

fn seeded(conn: &mut Connection) -> Table {
    let t = articles();
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&mut *conn).unwrap();
    conn.execute(
        text("CREATE INDEX ix_articles_doc_gin ON articles USING gin (doc)"),
        (),
    )
    .unwrap();
    let rows: Vec<Params> = BODIES
        .iter()
        .enumerate()
        .map(|(i, b)| params! { "id" => i as i32 + 1, "body" => *b })
        .collect();
    conn.execute_many(insert(&t), rows).unwrap();
    conn.commit().unwrap();
    t
}

#[test]
fn postgres_match_queries_return_the_matching_rows() {
    let Some(b) = TestDb::postgres("fts_match") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = seeded(&mut conn);
    let doc = || t.c("doc");
    // plainto_tsquery with the server's default configuration (english in the test server's
    // default `default_text_search_config`, else simple: both find these words).
    assert_eq!(ids(&mut conn, &t, doc().match_("fat")), [1, 2]);
    // The configuration stems: "rats" finds "rat" and "rats"; every word is required.
    assert_eq!(
        ids(&mut conn, &t, doc().match_config("english", "rats")),
        [2, 3]
    );
    assert_eq!(
        ids(&mut conn, &t, doc().match_config("english", "fat cats")),
        [1]
    );
    // A configuration is a bound value: a quote in it is a wrong name, never SQL.
    let err = conn
        .execute(
            select([t.c("id")])
                .filter(doc().match_config("english'); DROP TABLE articles; --", "x")),
            (),
        )
        .unwrap_err();
    assert!(err.to_string().contains("invalid name syntax"), "{err}");
    conn.rollback().unwrap();
    assert_eq!(ids(&mut conn, &t, doc().match_("fat")), [1, 2]);
    // `@@` between a text search function over text and a tsquery.
    assert_eq!(
        ids(
            &mut conn,
            &t,
            to_tsvector("english", t.c("body")).ts_match(to_tsquery("english", "cat | cheese"))
        ),
        [1, 2, 3]
    );
    assert_eq!(
        ids(
            &mut conn,
            &t,
            doc().ts_match(websearch_to_tsquery("english", "rat -cheese"))
        ),
        [3]
    );
    // A string on the right of `ts_match` is bound as a tsquery in its text form.
    assert_eq!(ids(&mut conn, &t, doc().ts_match("'fat' & 'mat'")), [1]);
}

#[test]
fn postgres_rank_orders_the_best_match_first() {
    let Some(b) = TestDb::postgres("fts_rank") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = seeded(&mut conn);
    let query = plainto_tsquery("english", "fat rat");
    let rank = ts_rank(t.c("doc"), query.clone());
    assert_eq!(rank.sql_type(), Some(SqlType::Real));
    let rows = conn
        .execute(
            select([
                t.c("id"),
                rank.clone().label("rank"),
                ts_headline("english", t.c("body"), query.clone()).label("headline"),
            ])
            .filter(t.c("doc").ts_match(query))
            .order_by(rank.desc()),
            (),
        )
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<i32>("id").unwrap(), 2);
    assert!(matches!(rows[0]["rank"], Value::F32(r) if r > 0.0));
    assert_eq!(
        rows[0].get::<String>("headline").unwrap(),
        "A <b>rat</b> ate the <b>fat</b> cheese, and the <b>fat</b> <b>rats</b> ran"
    );
    // Ranking across several matches: "fat" twice ranks above "fat" once.
    let q = plainto_tsquery("english", "fat");
    let rank = ts_rank(t.c("doc"), q.clone());
    let order: Vec<i32> = conn
        .execute(
            select([t.c("id")])
                .filter(t.c("doc").ts_match(q))
                .order_by([rank.desc(), t.c("id").asc()]),
            (),
        )
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| r.get::<i32>("id").unwrap())
        .collect();
    assert_eq!(order, [2, 1]);
}

#[test]
fn postgres_tsvector_and_tsquery_values_bind_read_and_reflect() {
    let Some(b) = TestDb::postgres("fts_values") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = Table::new("vectors")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("v", SqlType::TsVector))
        .column(Column::new("q", SqlType::TsQuery));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&mut conn).unwrap();
    // Text bound to tsvector / tsquery parameters: the server parses it as its own input.
    conn.execute(
        insert(&t).values(params! { "id" => 1, "v" => "a fat cat", "q" => "fat & cat" }),
        (),
    )
    .unwrap();
    conn.execute_many(
        insert(&t),
        vec![
            params! { "id" => 2, "v" => "'fat':2 'rat':3", "q" => "rat" },
            params! { "id" => 3, "v" => Value::Null, "q" => Value::Null },
        ],
    )
    .unwrap();
    let row = conn
        .execute(select(&t).filter(t.c("id").eq(1)), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row["v"], Value::from("'a' 'cat' 'fat'"));
    assert_eq!(row["q"], Value::from("'fat' & 'cat'"));
    // Comparisons with bound text values, and `@@` between the two columns.
    assert_eq!(ids(&mut conn, &t, t.c("v").eq("fat a cat")), [1]);
    assert_eq!(ids(&mut conn, &t, t.c("v").ts_match(t.c("q"))), [1, 2]);
    assert_eq!(ids(&mut conn, &t, t.c("v").ts_match("rat & !cat")), [2]);
    // RETURNING reads the stored text form.
    let back: Value = conn
        .execute(
            insert(&t)
                .values(params! { "id" => 4, "v" => "b:1 a:2" })
                .returning([t.c("v")]),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(back, Value::from("'a':2 'b':1"));
    conn.commit().unwrap();

    // Reflected as their types (once `Other("tsvector")`), and created again alike.
    let mut reflected = MetaData::new();
    let table = Table::autoload("vectors", &mut reflected, &engine).unwrap();
    assert_eq!(table.columns["v"].sql_type, SqlType::TsVector);
    assert_eq!(table.columns["q"].sql_type, SqlType::TsQuery);
    let articles = articles();
    let mut md = MetaData::new();
    md.add(articles).unwrap();
    md.create_all(&mut conn).unwrap();
    conn.commit().unwrap();
    let mut reflected = MetaData::new();
    let table = Table::autoload("articles", &mut reflected, &engine).unwrap();
    assert_eq!(table.columns["doc"].sql_type, SqlType::TsVector);
    assert!(table.columns["doc"].computed.is_some());
}

#[test]
fn tsvector_is_postgresql_only_in_ddl() {
    let err = create_table(&Table::new("v").column(Column::new("doc", SqlType::TsVector)))
        .compile(&SQLite)
        .unwrap_err();
    assert!(matches!(err, CompileError::Unsupported { .. }), "{err}");
    let err = select([literal(1).label("one")])
        .filter(literal("a").ts_match("a"))
        .compile(&MySQL)
        .unwrap_err();
    assert!(matches!(err, CompileError::Unsupported { .. }), "{err}");
}

#[test]
fn sqlite_match_searches_an_fts5_table() {
    let b = TestDb::sqlite("fts5");
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        text("CREATE VIRTUAL TABLE notes USING fts5(title, body)"),
        (),
    )
    .unwrap();
    let notes = Table::new("notes")
        .column(Column::new("title", SqlType::Text))
        .column(Column::new("body", SqlType::Text));
    conn.execute_many(
        insert(&notes),
        vec![
            params! { "title" => "cats", "body" => "The fat cat sat on the mat" },
            params! { "title" => "rats", "body" => "A rat ate the fat cheese" },
            params! { "title" => "dogs", "body" => "Dogs chase cats" },
        ],
    )
    .unwrap();
    let titles = |conn: &mut Connection, cond: Expr| -> Vec<String> {
        conn.execute(
            select([notes.c("title")])
                .filter(cond)
                .order_by(notes.c("title")),
            (),
        )
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| r.get::<String>("title").unwrap())
        .collect()
    };
    // A column of the FTS5 table.
    assert_eq!(
        titles(&mut conn, notes.c("body").match_("fat")),
        ["cats", "rats"]
    );
    // FTS5 query syntax travels in the bound text.
    assert_eq!(
        titles(&mut conn, notes.c("body").match_("cat* NOT fat")),
        ["dogs"]
    );
    // The table itself, every column searched (SQLite's `notes MATCH ?`).
    assert_eq!(
        titles(&mut conn, literal_column("notes").match_("rats OR dogs")),
        ["dogs", "rats"]
    );
}

#[test]
fn configurations_and_search_texts_are_values_of_one_cached_shape() {
    let t = articles();
    let stmt = |config: &str, words: &str| -> Statement {
        select([t.c("id")])
            .filter(t.c("doc").match_config(config, words))
            .into()
    };
    let (a, b) = (stmt("english", "fat cat"), stmt("simple", "rat"));
    let (ka, kb) = (
        extract(&a, &PostgreSQL).unwrap(),
        extract(&b, &PostgreSQL).unwrap(),
    );
    let cached = CachedCompiled::new(a.compile(&PostgreSQL).unwrap(), &ka).unwrap();
    assert!(kb.matches(cached.key()));
    assert_eq!(
        cached.bind(&kb, &Params::new(), None).unwrap().values,
        [Value::from("simple"), Value::from("rat")]
    );
    // With and without a configuration, and `@@`, are different shapes.
    let plain: Statement = select([t.c("id")]).filter(t.c("doc").match_("rat")).into();
    let op: Statement = select([t.c("id")])
        .filter(t.c("doc").ts_match("rat"))
        .into();
    for other in [&plain, &op] {
        assert!(!extract(other, &PostgreSQL).unwrap().matches(cached.key()));
    }
}

/// MySQL/MariaDB: `match_` is `MATCH (col) AGAINST (… IN BOOLEAN MODE)` over a FULLTEXT index
/// (InnoDB: whole words, no stemming; boolean operators in the search text).
#[test]
fn mariadb_match_against_searches_a_fulltext_index() {
    let Some(b) = TestDb::mariadb("fts_match") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = Table::new("notes")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("body", SqlType::Text));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&mut conn).unwrap();
    conn.execute(
        text("CREATE FULLTEXT INDEX ix_notes_body ON notes (body)"),
        (),
    )
    .unwrap();
    let rows: Vec<Params> = BODIES
        .iter()
        .enumerate()
        .map(|(i, b)| params! { "id" => i as i32 + 1, "body" => *b })
        .collect();
    conn.execute_many(insert(&t), rows).unwrap();
    // InnoDB's full-text index sees committed rows.
    conn.commit().unwrap();
    let body = || t.c("body");
    assert_eq!(ids(&mut conn, &t, body().match_("fat")), [1, 2]);
    assert_eq!(ids(&mut conn, &t, body().match_("rats")), [2, 3]);
    // Without operators any word matches; `+` requires one, `-` excludes one.
    assert_eq!(ids(&mut conn, &t, body().match_("mat cheese")), [1, 2]);
    assert_eq!(ids(&mut conn, &t, body().match_("+fat +mat")), [1]);
    assert_eq!(ids(&mut conn, &t, body().match_("fat -cheese")), [1]);
    assert_eq!(ids(&mut conn, &t, not_(body().match_("fat"))), [3, 4]);
    // The search text is a bound value: quotes in it are words, never SQL (and a search text
    // the boolean syntax refuses is the server's error, the table untouched).
    assert!(ids(&mut conn, &t, body().match_("x' OR 'a'='a")).is_empty());
    let err = conn
        .execute(
            select([t.c("id")]).filter(body().match_("x'); DROP TABLE notes; --")),
            (),
        )
        .unwrap_err();
    assert!(err.to_string().contains("syntax error"), "{err}");
    conn.rollback().unwrap();
    assert_eq!(ids(&mut conn, &t, body().match_("fat")), [1, 2]);
}
