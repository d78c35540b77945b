//! MariaDB-specific reflection: the server's own types and clauses (as SQLAlchemy's MySQL and
//! MariaDB dialects read them), on a table created with SQL rather than by sqlcore, and its
//! round trip (reflect → create_all in another database → reflect again).
#![cfg(feature = "mysql")]

mod common;

use common::backend::TestDb;
use sqlcore::*;

const TABLE: &str = "CREATE TABLE kinds (\
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'key', \
    flag TINYINT(1) NOT NULL DEFAULT 0, \
    tiny TINYINT, \
    amount DECIMAL(12,3) DEFAULT 1.5, \
    stamp DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6), \
    changed TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, \
    updated DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), \
    touched TIMESTAMP NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP, \
    doc JSON, \
    mood ENUM('sad','it''s ok','happy') DEFAULT 'sad', \
    digest BINARY(16), \
    big_text MEDIUMTEXT, \
    code CHAR(4), \
    label VARCHAR(40) NOT NULL DEFAULT 'none', \
    n INT, \
    twice INT AS (n * 2) VIRTUAL, \
    thrice INT AS (n * 3) STORED, \
    parent_id INT UNSIGNED, \
    UNIQUE KEY uq_kinds_code (code), \
    KEY ix_kinds_label (label(8), mood), \
    CONSTRAINT fk_kinds_parent FOREIGN KEY (parent_id) REFERENCES kinds (id) \
        ON DELETE CASCADE ON UPDATE SET NULL, \
    CONSTRAINT ck_kinds_amount CHECK (amount >= 0)\
) COMMENT 'every kind'";

fn kinds(engine: &Engine) -> (MetaData, Table) {
    let mut metadata = MetaData::new();
    let table = Table::autoload("kinds", &mut metadata, engine).unwrap();
    (metadata, table)
}

#[test]
fn mariadb_types_and_clauses_reflect() {
    let Some(b) = TestDb::mariadb("reflect_mysql_kinds") else {
        return;
    };
    common::mysql::run(&format!(
        "USE `{}`; {TABLE}; CREATE VIEW kind_labels AS SELECT id, label FROM kinds",
        b.schema().unwrap()
    ));
    let engine = create_engine(&b.url()).unwrap();
    let (metadata, t) = kinds(&engine);
    let column = |name: &str| (*t.columns[name]).clone();
    let ty = |name: &str| column(name).sql_type;
    let default = |name: &str| match column(name).server_default {
        Some(ServerDefault::Sql(sql)) => Some(sql),
        other => panic!("{name}: {other:?}"),
    };

    assert_eq!(ty("id"), SqlType::Other("INT UNSIGNED".into()));
    assert_eq!(column("id").comment.as_deref(), Some("key"));
    assert_eq!(
        t.autoincrement_column().map(|c| c.name.clone()),
        Some("id".into())
    );
    assert_eq!(ty("flag"), SqlType::Boolean);
    assert_eq!(default("flag").as_deref(), Some("false"));
    assert_eq!(ty("tiny"), SqlType::Other("TINYINT".into()));
    assert_eq!(ty("amount"), SqlType::Numeric(Some(12), Some(3)));
    assert_eq!(default("amount").as_deref(), Some("1.500"));
    assert_eq!(
        ty("stamp"),
        SqlType::DateTime {
            timezone: false,
            precision: Some(6)
        }
    );
    assert_eq!(default("stamp").as_deref(), Some("CURRENT_TIMESTAMP(6)"));
    assert_eq!(ty("changed"), SqlType::DATETIME_TZ);
    // ON UPDATE in the default's SQL, as SQLAlchemy reflects it.
    assert_eq!(
        default("updated").as_deref(),
        Some("CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)")
    );
    assert_eq!(
        default("touched").as_deref(),
        Some("NULL ON UPDATE CURRENT_TIMESTAMP")
    );
    assert_eq!(ty("doc"), SqlType::Json, "LONGTEXT with json_valid is JSON");
    match ty("mood") {
        SqlType::Enum(e) => assert_eq!(e.values(), ["sad", "it's ok", "happy"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(default("mood").as_deref(), Some("'sad'"));
    assert_eq!(ty("digest"), SqlType::Other("BINARY(16)".into()));
    assert_eq!(ty("big_text"), SqlType::Other("MEDIUMTEXT".into()));
    assert_eq!(ty("code"), SqlType::Char(Some(4)));
    assert_eq!(ty("label"), SqlType::String(Some(40)));
    assert!(!column("label").nullable);
    assert_eq!(default("label").as_deref(), Some("'none'"));
    let twice = column("twice").computed.unwrap();
    assert_eq!(
        (twice.sql.as_str(), twice.persisted),
        ("n * 2", Some(false))
    );
    let thrice = column("thrice").computed.unwrap();
    assert_eq!(
        (thrice.sql.as_str(), thrice.persisted),
        ("n * 3", Some(true))
    );

    assert_eq!(t.primary_key.columns, [std::sync::Arc::from("id")]);
    assert_eq!(t.unique_constraints.len(), 1);
    assert_eq!(
        t.unique_constraints[0].name.as_deref(),
        Some("uq_kinds_code")
    );
    let fk = &t.foreign_keys[0];
    assert_eq!(fk.name.as_deref(), Some("fk_kinds_parent"));
    assert_eq!(fk.on_delete, Some(ReferentialAction::Cascade));
    assert_eq!(fk.on_update, Some(ReferentialAction::SetNull));
    assert_eq!(t.indexes.len(), 1, "{:?}", t.indexes);
    let index = &t.indexes[0];
    assert_eq!(index.name, "ix_kinds_label");
    assert_eq!(index.element_options(0).length, Some(8));
    assert_eq!(index.element_options(1).length, None);
    assert_eq!(t.check_constraints.len(), 1, "{:?}", t.check_constraints);
    assert_eq!(t.check_constraints[0].sql, "amount >= 0");
    assert_eq!(t.comment.as_deref(), Some("every kind"));

    let mut inspector = inspect(&engine).unwrap();
    assert_eq!(inspector.view_names(None).unwrap(), ["kind_labels"]);
    let view = inspector.columns("kind_labels", None).unwrap();
    assert_eq!(view[1].sql_type, SqlType::String(Some(40)));
    drop(inspector);

    // Created elsewhere from the reflection, the table reflects the same again.
    let again = TestDb::mariadb("reflect_mysql_kinds_again").unwrap();
    let again_engine = create_engine(&again.url()).unwrap();
    metadata.create_all(&again_engine).unwrap();
    let (_, twice) = kinds(&again_engine);
    assert!(twice.same_definition(&t), "{twice:#?}\n{t:#?}");
    // The ON UPDATE clauses created again do their job.
    let mut conn = again_engine.connect().unwrap();
    conn.execute(text("INSERT INTO kinds (id, n) VALUES (1, 1)"), ())
        .unwrap();
    let touched = "SELECT touched IS NULL FROM kinds";
    let null: i64 = conn
        .execute(text(touched), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(null, 1);
    conn.execute(text("UPDATE kinds SET n = 2"), ()).unwrap();
    let null: i64 = conn
        .execute(text(touched), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(null, 0, "ON UPDATE set the column");
    conn.rollback().unwrap();
}
