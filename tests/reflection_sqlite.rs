//! SQLite-specific reflection round trips: what SQLite's CREATE TABLE text carries and the
//! pragmas do not (constraint names) survives reflect → create_all → reflect.

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
