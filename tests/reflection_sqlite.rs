//! SQLite-specific reflection round trips: what SQLite's CREATE TABLE text carries and the
//! pragmas do not (constraint names) survives reflect → create_all → reflect.
#![cfg(feature = "sqlite")]

use sqlcore::*;

/// Chinook's Album table, as its SQLite script writes it: the primary key named at table level
/// on a sole INTEGER column (a rowid alias, so created back on the column).
const ALBUM: &str = r#"CREATE TABLE [Album]
(
    [AlbumId] INTEGER  NOT NULL,
    [Title] NVARCHAR(160)  NOT NULL,
    CONSTRAINT [PK_Album] PRIMARY KEY  ([AlbumId])
)"#;

fn reflect(engine: &Engine) -> MetaData {
    let mut metadata = MetaData::new();
    metadata.reflect(engine).unwrap();
    metadata
}

fn create_sql(engine: &Engine) -> String {
    engine
        .connect()
        .unwrap()
        .execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Album'"),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap()
}

#[test]
fn a_named_primary_key_survives_a_round_trip() {
    let source = create_engine("sqlite://").unwrap();
    source
        .transaction(|c| c.execute(text(ALBUM), ()).map(drop))
        .unwrap();
    let reflected = reflect(&source);
    let album = reflected.table("Album").unwrap();
    assert_eq!(album.primary_key.name.as_deref(), Some("PK_Album"));

    let copy = create_engine("sqlite://").unwrap();
    reflected.create_all(&copy).unwrap();
    let sql = create_sql(&copy);
    assert!(
        sql.contains(r#"CONSTRAINT "PK_Album" PRIMARY KEY"#),
        "{sql}"
    );
    let again = reflect(&copy);
    let album = again.table("Album").unwrap();
    assert_eq!(album.primary_key.name.as_deref(), Some("PK_Album"));
    assert_eq!(&*album.primary_key.columns[0], "AlbumId");
    // Still the rowid alias: ids are generated.
    let mut conn = copy.connect().unwrap();
    conn.execute(insert(album), params! { "Title" => "Jagged Little Pill" })
        .unwrap();
    let id: i64 = conn
        .execute(text("SELECT AlbumId FROM Album"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(id, 1);
}

/// Generated columns, written in full or in SQLite's short form (`AS (expr)`), reflect with
/// their expression and storage (`PRAGMA table_xinfo`'s hidden 2: virtual, 3: stored), and a
/// copy reflects the same.
#[test]
fn generated_columns_survive_a_round_trip() {
    let source = create_engine("sqlite://").unwrap();
    source
        .transaction(|c| {
            c.execute(
                text(
                    "CREATE TABLE shapes (w INTEGER, h INTEGER, \
                     area INTEGER GENERATED ALWAYS AS (w * h) STORED, \
                     half REAL AS (w / 2.0), \
                     label TEXT GENERATED ALWAYS AS ('w=' || w) VIRTUAL)",
                ),
                (),
            )?;
            // Only the short form: nothing in the text but the pragma says it is generated.
            c.execute(
                text("CREATE TABLE halves (w INTEGER, half REAL AS (w / 2.0))"),
                (),
            )
            .map(drop)
        })
        .unwrap();
    let halves = reflect(&source);
    let half = halves.table("halves").unwrap().get_column("half").unwrap();
    assert_eq!(
        half.computed,
        Some(Computed::new("w / 2.0").persisted(false))
    );
    let reflected = reflect(&source);
    let shapes = reflected.table("shapes").unwrap();
    let computed = |name: &str| shapes.get_column(name).unwrap().computed.clone();
    assert_eq!(computed("w"), None);
    assert_eq!(
        computed("area"),
        Some(Computed::new("w * h").persisted(true))
    );
    assert_eq!(
        computed("half"),
        Some(Computed::new("w / 2.0").persisted(false))
    );
    assert_eq!(
        computed("label"),
        Some(Computed::new("'w=' || w").persisted(false))
    );

    let copy = create_engine("sqlite://").unwrap();
    reflected.create_all(&copy).unwrap();
    let again = reflect(&copy);
    assert_eq!(again.table("shapes").unwrap(), shapes);
    let mut conn = copy.connect().unwrap();
    conn.execute(insert(shapes), params! { "w" => 3, "h" => 4 })
        .unwrap();
    let row = conn.execute(select(shapes), ()).unwrap().one().unwrap();
    assert_eq!(row.get::<i64>("area").unwrap(), 12);
    assert_eq!(row.get::<f64>("half").unwrap(), 1.5);
    assert_eq!(row.get::<String>("label").unwrap(), "w=3");
}

/// Several foreign keys and indexes on one table come back in a fixed order however SQLite
/// lists them: foreign keys as declared (SQLite numbers them from the last), each with its
/// columns in key order; indexes by name, each with its columns in key order; columns as
/// declared; tables by name.
#[test]
fn keys_and_indexes_come_back_in_order() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    for ddl in [
        "CREATE TABLE zeta (a INTEGER, b INTEGER, PRIMARY KEY (b, a))",
        "CREATE TABLE alpha (x INTEGER PRIMARY KEY)",
        "CREATE TABLE mid (c INTEGER, d INTEGER, e INTEGER, f INTEGER, \
            FOREIGN KEY (e) REFERENCES alpha (x) ON DELETE CASCADE, \
            FOREIGN KEY (d, c) REFERENCES zeta (a, b), \
            FOREIGN KEY (f) REFERENCES alpha (x) ON UPDATE SET NULL)",
        "CREATE INDEX mid_b ON mid (f DESC, c)",
        "CREATE UNIQUE INDEX mid_a ON mid (e, d)",
    ] {
        conn.execute(text(ddl), ()).unwrap();
    }
    conn.commit().unwrap();
    drop(conn);
    let metadata = reflect(&engine);
    let names: Vec<&str> = metadata.tables().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
    let cols = |c: &[std::sync::Arc<str>]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        cols(&metadata.table("zeta").unwrap().primary_key.columns),
        ["b", "a"]
    );

    let mid = metadata.table("mid").unwrap();
    let columns: Vec<&str> = mid.columns.keys().map(|c| &**c).collect();
    assert_eq!(columns, ["c", "d", "e", "f"]);
    let keys: Vec<_> = mid
        .foreign_keys
        .iter()
        .map(|fk| {
            (
                cols(&fk.columns),
                fk.referred_table.as_str(),
                cols(&fk.referred_columns),
                fk.on_delete,
                fk.on_update,
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        keys,
        [
            (
                s(&["e"]),
                "alpha",
                s(&["x"]),
                Some(ReferentialAction::Cascade),
                None
            ),
            (s(&["d", "c"]), "zeta", s(&["a", "b"]), None, None),
            (
                s(&["f"]),
                "alpha",
                s(&["x"]),
                None,
                Some(ReferentialAction::SetNull)
            ),
        ]
    );
    let indexes: Vec<(&str, bool, Vec<String>)> = mid
        .indexes
        .iter()
        .map(|i| {
            let elements = i
                .elements
                .iter()
                .map(|e| match e {
                    IndexElement::Column(c) => c.to_string(),
                    IndexElement::Expr(_) => "<expr>".to_owned(),
                })
                .collect();
            (i.name.as_str(), i.unique, elements)
        })
        .collect();
    assert_eq!(
        indexes,
        [
            ("mid_a", true, s(&["e", "d"])),
            ("mid_b", false, s(&["f", "c"])),
        ]
    );
}
