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
