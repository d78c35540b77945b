//! Sequences on every backend with both engines (see `on_both_engines!`): a column's sequence
//! feeds its key (and `inserted_primary_key`) on PostgreSQL and MariaDB, one value per row of
//! an `execute_many`; `next_value()` reads the next one; `create_all`/`drop_all` create and
//! drop the sequence, checking first. SQLite has none: the column is an ordinary
//! autoincrement key and `next_value()` is a CompileError. Then MariaDB's own: the sequence and
//! the column's default reflected, a tenant copy drawing from its own sequence, and MySQL's
//! dialect on the same server refusing sequences.

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use sqlcore::*;

fn ticket_ids() -> Sequence {
    Sequence::new("ticket_ids").start(1000).increment(5)
}

fn tickets() -> Table {
    Table::new("tickets")
        .column(
            Column::new("id", SqlType::Integer)
                .default_sequence(ticket_ids())
                .primary_key(),
        )
        .column(Column::new("title", SqlType::Text))
}

fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(tickets()).unwrap();
    md
}

async fn a_sequence_feeds_the_key<E: TestEngine>(engine: &E, db: &TestDb) {
    let sequences = db.is_postgres() || db.is_mysql();
    let md = metadata();
    let ddl = create_engine(&db.url()).unwrap();
    md.create_all(&ddl).unwrap();
    md.create_all(&ddl).unwrap(); // checkfirst: the sequence and the table exist
    let t = tickets();
    let mut conn = engine.conn().await.unwrap();
    let first = conn
        .exec(insert(&t).values(params! { "title" => "a" }), Params::new())
        .await
        .unwrap();
    let id: i64 = first.inserted_primary_key().unwrap().get("id").unwrap();
    assert_eq!(id, if sequences { 1000 } else { 1 });
    conn.exec_many(
        insert(&t),
        vec![params! { "title" => "b" }, params! { "title" => "c" }],
    )
    .await
    .unwrap();
    let ids: Vec<i64> = conn
        .exec(select([t.c("id")]).order_by([t.c("id")]), Params::new())
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    let want: Vec<i64> = if sequences {
        vec![1000, 1005, 1010]
    } else {
        vec![1, 2, 3]
    };
    assert_eq!(ids, want);
    let next = conn
        .one_value(Statement::from(ticket_ids().next_value()), Params::new())
        .await;
    if sequences {
        assert_eq!(i64::from_value(next.unwrap()).unwrap(), 1015);
    } else {
        let err = next.unwrap_err();
        assert!(matches!(err, Error::Compile(_)), "{err}");
    }
    conn.commit().await.unwrap();
    drop(conn);
    md.drop_all(&ddl).unwrap();
    let mut conn = ddl.connect().unwrap();
    let mut inspector = Inspector::new(&mut conn).unwrap();
    assert!(inspector.table_names(None).unwrap().is_empty());
    assert!(inspector.sequence_names(None).unwrap().is_empty());
}

on_both_engines!(a_sequence_feeds_the_key);

#[cfg(feature = "mysql")]
mod mariadb {
    use super::*;
    use common::mysql;

    /// A free-standing sequence with every option and a column drawing from it, as MariaDB's
    /// catalog describes them.
    const FIXTURE: &str = "
        CREATE SEQUENCE {db}.shared_ids START WITH 50 INCREMENT BY 3 MINVALUE 10 \
            MAXVALUE 100000 CACHE 20 CYCLE;
        CREATE SEQUENCE {db}.plain_ids;
        CREATE TABLE {db}.items (id INT NOT NULL DEFAULT nextval({db}.shared_ids) PRIMARY KEY, \
            qty INT NOT NULL)";

    fn shared_ids() -> Sequence {
        Sequence::new("shared_ids")
            .start(50)
            .increment(3)
            .min_value(10)
            .max_value(100_000)
            .cache(20)
            .cycle(true)
    }

    /// The sequences and the column's default reflect with their options; `create_all` of the
    /// reflected table through `schema_translate_map` makes a copy that reflects the same and
    /// draws from its own sequence; `drop_all` removes the copy and nothing else.
    #[test]
    fn reflected_and_copied_to_a_tenant() {
        let Some(source) = TestDb::mariadb("seq_reflect_source") else {
            return;
        };
        let Some(copy) = TestDb::mariadb("seq_reflect_copy") else {
            return;
        };
        let (src, dst) = (source.schema().unwrap(), copy.schema().unwrap());
        mysql::run(&FIXTURE.replace("{db}", src));
        let engine = create_engine(&source.url()).unwrap();
        let mut conn = engine.connect().unwrap();
        let mut inspector = Inspector::new(&mut conn).unwrap();
        assert_eq!(
            inspector.sequence_names(None).unwrap(),
            ["plain_ids", "shared_ids"]
        );
        assert_eq!(
            inspector.sequences(None).unwrap(),
            [Sequence::new("plain_ids"), shared_ids()]
        );
        assert_eq!(
            inspector.sequences(Some(src)).unwrap()[1],
            shared_ids().schema(src)
        );
        drop(conn);
        let mut md = MetaData::new();
        md.reflect(&engine).unwrap();
        let items = md.tables().next().unwrap().clone();
        let id = items.get_column("id").unwrap();
        assert_eq!(id.sequence(), Some(&shared_ids()));
        assert!(id.server_default.is_none());
        assert_eq!(
            items.autoincrement_column().map(|c| c.name.to_string()),
            Some("id".into())
        );

        // The copy, through the map: its own sequence, created first and checked for.
        let tenant = engine.execution_options(
            ExecutionOptions::default()
                .schema_translate_map(SchemaTranslateMap::new().map(None, dst)),
        );
        md.create_all(&tenant).unwrap();
        md.create_all(&tenant).unwrap();
        let copy_engine = create_engine(&copy.url()).unwrap();
        let mut copied = MetaData::new();
        copied.reflect(&copy_engine).unwrap();
        assert_eq!(copied.tables().collect::<Vec<_>>(), [&items]);
        let mut conn = tenant.connect().unwrap();
        let inserted = conn
            .execute(insert(&items).values(params! { "qty" => 1 }), ())
            .unwrap();
        let id: i64 = inserted.inserted_primary_key().unwrap().get("id").unwrap();
        assert_eq!(id, 50);
        conn.commit().unwrap();
        // The source's sequence was not drawn from.
        let mut conn = engine.connect().unwrap();
        let next: i64 = conn
            .execute(Statement::from(shared_ids().next_value()), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(next, 50);
        md.drop_all(&tenant).unwrap();
        let mut conn = copy_engine.connect().unwrap();
        let mut inspector = Inspector::new(&mut conn).unwrap();
        assert!(inspector.table_names(None).unwrap().is_empty());
        assert!(inspector.sequence_names(None).unwrap().is_empty());
        let mut conn = engine.connect().unwrap();
        let mut inspector = Inspector::new(&mut conn).unwrap();
        assert_eq!(inspector.sequence_names(None).unwrap().len(), 2);
    }

    /// On a `mysql://` URL (the MySQL dialect, which has no sequences), the same server's
    /// sequence cannot be named: a CompileError before anything is sent; `create_all` makes the
    /// column `AUTO_INCREMENT` and creates no sequence, as SQLAlchemy does.
    #[test]
    fn mysql_dialect_refuses_sequences() {
        let Some(db) = TestDb::mariadb("seq_mysql_dialect") else {
            return;
        };
        let engine = create_engine(&mysql::url_for("mysql", db.schema().unwrap())).unwrap();
        let md = metadata();
        md.create_all(&engine).unwrap();
        let mut conn = engine.connect().unwrap();
        let err = conn
            .execute(Statement::from(ticket_ids().next_value()), ())
            .unwrap_err();
        assert!(matches!(err, Error::Compile(_)), "{err}");
        assert!(err.to_string().contains("mysql"), "{err}");
        let inserted = conn
            .execute(insert(&tickets()).values(params! { "title" => "a" }), ())
            .unwrap();
        let id: i64 = inserted.inserted_primary_key().unwrap().get("id").unwrap();
        assert_eq!(id, 1);
        let mut inspector = Inspector::new(&mut conn).unwrap();
        assert!(inspector.sequence_names(None).unwrap().is_empty());
    }
}
