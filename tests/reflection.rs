//! Reflection on every backend: a fixture schema created with `create_all`, reflected into a
//! fresh `MetaData`, equals the declared one; the reference example runs through an autoloaded
//! table; the Inspector's listings, errors and `schema_translate_map`.

mod common;

use common::backend::TestDb;
use common::other_schema::OtherSchema;
use common::reflection_fixture::fixture;
use sqlcore::dialect::{AutoincrementStyle, CommentStyle};
use sqlcore::*;
use sqlcore::{chrono, rust_decimal, serde_json, uuid};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::sync::Arc;

/// A table as the database can state it, for comparing a declared table with its reflection:
/// column-level UNIQUE, INDEX and REFERENCES as the table-level constraints they create,
/// literal server defaults as the dialect writes them, autoincrement as the column it resolves
/// to, indexes as their CREATE INDEX, NO ACTION as no action; comments and identity only
/// where the backend keeps them. On MySQL/MariaDB: no primary key name (always `PRIMARY`),
/// RESTRICT (its default) as no action, and a UUID as the CHAR(36) that stores it.
#[derive(Debug, PartialEq)]
struct Shape {
    name: String,
    columns: Vec<Column>,
    autoincrement: Option<String>,
    primary_key: PrimaryKey,
    foreign_keys: Vec<ForeignKey>,
    unique_constraints: Vec<UniqueConstraint>,
    check_constraints: Vec<CheckConstraint>,
    indexes: Vec<String>,
    comment: Option<String>,
}

fn shape(table: &Table, dialect: &dyn Dialect) -> Shape {
    let comments = dialect.comment_style() != CommentStyle::Unsupported;
    let mysql = is_mysql(dialect);
    let identity = dialect.autoincrement_style() == AutoincrementStyle::Serial;
    let mut unique_constraints = table.unique_constraints.clone();
    let autoincrement = table.autoincrement_column().map(|c| c.name.clone());
    let columns = table
        .columns
        .values()
        .map(|c| {
            let mut c = (**c).clone();
            if c.unique && !c.index {
                unique_constraints.push(UniqueConstraint::new([c.name.clone()]));
            }
            c.unique = false;
            c.index = false;
            c.references = None;
            c.autoincrement = Autoincrement::Auto;
            if mysql && c.sql_type == SqlType::Uuid {
                c.sql_type = SqlType::Char(Some(36));
            }
            if !identity {
                c.identity = None;
            }
            // SERIAL and identity columns are NOT NULL.
            if identity && autoincrement.as_ref() == Some(&c.name) {
                c.nullable = false;
            }
            if !comments {
                c.comment = None;
            }
            c.server_default = c.server_default.map(|d| match d {
                ServerDefault::Value(v) => ServerDefault::Sql(dialect.literal_sql(&v).unwrap()),
                sql => sql,
            });
            c
        })
        .collect();
    let mut foreign_keys: Vec<ForeignKey> = table
        .foreign_keys
        .iter()
        .cloned()
        .map(|mut fk| {
            for action in [&mut fk.on_delete, &mut fk.on_update] {
                let default = *action == Some(ReferentialAction::NoAction)
                    || (mysql && *action == Some(ReferentialAction::Restrict));
                if default {
                    *action = None;
                }
            }
            fk
        })
        .collect();
    foreign_keys.sort_by(|a, b| a.columns.cmp(&b.columns));
    unique_constraints.sort_by(|a, b| a.columns.cmp(&b.columns));
    let mut check_constraints = table.check_constraints.clone();
    check_constraints.sort_by(|a, b| a.sql.cmp(&b.sql));
    let mut indexes: Vec<String> = create_table_ddl(table, dialect, false)
        .into_iter()
        .filter(|d| matches!(d, Ddl::CreateIndex(_)))
        .map(|d| d.compile(dialect).unwrap().sql)
        .collect();
    indexes.sort();
    let mut primary_key = table.primary_key.clone();
    if mysql {
        primary_key.name = None;
    }
    Shape {
        name: table.fullname(),
        columns,
        autoincrement: autoincrement.map(|c| c.to_string()),
        primary_key,
        foreign_keys,
        unique_constraints,
        check_constraints,
        indexes,
        comment: table.comment.clone().filter(|_| comments),
    }
}

/// Whether the dialect is MySQL's or MariaDB's.
fn is_mysql(dialect: &dyn Dialect) -> bool {
    matches!(dialect.name(), "mysql" | "mariadb")
}

/// Reflected names of constraints the declaration left unnamed are the database's choice.
fn forget_generated_names(declared: &Shape, reflected: &mut Shape) {
    if declared.primary_key.name.is_none() {
        reflected.primary_key.name = None;
    }
    macro_rules! forget {
        ($($list:ident),*) => {$(
            for (d, r) in declared.$list.iter().zip(&mut reflected.$list) {
                if d.name.is_none() {
                    r.name = None;
                }
            }
        )*};
    }
    forget!(foreign_keys, unique_constraints, check_constraints);
}

fn assert_same_tables(declared: &MetaData, reflected: &MetaData, dialect: &dyn Dialect) {
    let mut names: Vec<String> = reflected.tables().map(|t| t.fullname()).collect();
    let mut expected: Vec<String> = declared.tables().map(|t| t.fullname()).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    for table in declared.tables() {
        let want = shape(table, dialect);
        let mut got = shape(reflected.table(&table.fullname()).unwrap(), dialect);
        forget_generated_names(&want, &mut got);
        assert_eq!(got, want, "table {}", table.fullname());
    }
}

/// Snapshots the DDL of the reflected tables (the other schema under a fixed name, through a
/// schema_translate_map), each statement parsed back with sqlparser.
fn snapshot_reflected(reflected: &MetaData, dialect: &dyn Dialect, other: &str) {
    let fixed = SchemaTranslateMap::new().map(Some(other), "other");
    for table in reflected.tables() {
        let statements: Vec<String> = create_table_ddl(table, dialect, false)
            .into_iter()
            .map(|d| {
                d.compile(dialect)
                    .unwrap()
                    .translate(&fixed, dialect)
                    .unwrap()
            })
            .collect();
        for sql in &statements {
            let parsed = if dialect.name() == "postgresql" {
                Parser::parse_sql(&PostgreSqlDialect {}, sql)
            } else if is_mysql(dialect) {
                Parser::parse_sql(&MySqlDialect {}, sql)
            } else {
                Parser::parse_sql(&SQLiteDialect {}, sql)
            };
            assert_eq!(parsed.unwrap_or_else(|e| panic!("{e}\n{sql}")).len(), 1);
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("../snapshots/{}", dialect.name()));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        let case = match &table.schema {
            Some(_) => format!("reflected_other_{}", table.name),
            None => format!("reflected_{}", table.name),
        };
        settings.bind(|| insta::assert_snapshot!(case, statements.join(";\n")));
    }
}

fn fixture_reflects_as_declared(b: &TestDb) {
    let other = OtherSchema::new(b);
    let engine = other.engine();
    let dialect = engine.dialect();
    let declared = fixture(b, &other.name);
    declared.create_all(&engine).unwrap();

    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    assert_same_tables(&declared, &reflected, dialect);
    snapshot_reflected(&reflected, dialect, &other.name);

    // The reflected tables create the same schema again, elsewhere (the other schema mapped
    // to one of the new database's own), and reflect as declared again.
    // Named after this test's database: the PostgreSQL and PostgreSQL-over-TLS runs of this
    // test are concurrent, each with a second database of its own.
    let again = format!("again_{}", b.schema().unwrap_or("sqlite"));
    let again = if b.is_postgres() {
        TestDb::postgres(&again)
    } else if b.is_mysql() {
        TestDb::mariadb(&again)
    } else {
        Some(TestDb::sqlite(&again))
    };
    let again = again.unwrap();
    let again_other = (!again.url().starts_with("sqlite")).then(|| OtherSchema::new(&again));
    let mut engine = create_engine(&again.url()).unwrap();
    if let Some(again_other) = &again_other {
        let map = SchemaTranslateMap::new().map(Some(&other.name), again_other.name.as_str());
        engine = engine.execution_options(ExecutionOptions::default().schema_translate_map(map));
    }
    reflected.create_all(&engine).unwrap();
    let mut twice = MetaData::new();
    twice.reflect(&engine).unwrap();
    assert_same_tables(&declared, &twice, dialect);
}

/// SQLAlchemy's reference example: autoload `users`, then select, insert, update and delete
/// through it, with its types converting values both ways.
fn reference_example_through_an_autoloaded_table(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let declared = fixture(b, "unused");
    let mut only_people = MetaData::new();
    only_people
        .add(declared.table("users").unwrap().clone())
        .unwrap();
    only_people
        .add(declared.table("addresses").unwrap().clone())
        .unwrap();
    only_people.create_all(&engine).unwrap();

    let mut metadata = MetaData::new();
    let addresses = Table::autoload("addresses", &mut metadata, &engine).unwrap();
    let users = metadata
        .table("users")
        .expect("referred table reflected")
        .clone();
    assert_eq!(metadata.len(), 2);
    // Autoloading again returns the table the metadata holds.
    let again = Table::autoload("users", &mut metadata, &engine).unwrap();
    assert!(again.same_definition(&users));

    let mut conn = engine.connect().unwrap();
    let seen = chrono::NaiveDate::from_ymd_opt(2024, 5, 17)
        .unwrap()
        .and_hms_opt(8, 30, 0)
        .unwrap();
    let token = uuid::Uuid::from_u128(0x1234);
    let score: rust_decimal::Decimal = "12.50".parse().unwrap();
    let result = conn
        .execute(
            insert(&users).values(params! {
                "name" => "Alice", "email" => "alice@example.com", "big" => 7_i64,
                "seen" => seen, "token" => token, "score" => score,
            }),
            (),
        )
        .unwrap();
    let id: i32 = result.inserted_primary_key().unwrap().get(0).unwrap();
    conn.execute(
        insert(&addresses).values(params! {
            "user_id" => id, "email_address" => "alice@work.example",
        }),
        (),
    )
    .unwrap();

    let row = conn
        .execute(select(&users).filter(users.c("name").eq("Alice")), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<String>("email").unwrap(), "alice@example.com");
    assert_eq!(row.get::<chrono::NaiveDateTime>("seen").unwrap(), seen);
    assert_eq!(row.get::<uuid::Uuid>("token").unwrap(), token);
    assert_eq!(
        row.get::<rust_decimal::Decimal>("score").unwrap(),
        score,
        "numeric comes back as a decimal of the column's scale"
    );
    assert!(row.get::<bool>("active").unwrap(), "server default visible");
    assert_eq!(row.get::<String>("nickname").unwrap(), "anon");

    let joined = conn
        .execute(
            select([users.c("name"), addresses.c("email_address")])
                .select_from(users.join(&addresses, None)),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(joined.get::<String>(1).unwrap(), "alice@work.example");

    let updated = conn
        .execute(
            update(&users)
                .filter(users.c("id").eq(id))
                .values(params! { "name" => "Alicia" }),
            (),
        )
        .unwrap();
    assert_eq!(updated.rowcount(), 1);
    conn.execute(delete(&addresses).filter(addresses.c("user_id").eq(id)), ())
        .unwrap();
    let deleted = conn
        .execute(delete(&users).filter(users.c("name").eq("Alicia")), ())
        .unwrap();
    assert_eq!(deleted.rowcount(), 1);
    let left: i64 = conn
        .execute(select([count_all()]).select_from(&users), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(left, 0);
    conn.commit().unwrap();
}

fn inspector_lists_and_reads(b: &TestDb) {
    let other = OtherSchema::new(b);
    let engine = other.engine();
    let declared = fixture(b, &other.name);
    declared.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        text("CREATE VIEW active_users AS SELECT id, name FROM users WHERE active"),
        (),
    )
    .unwrap();
    conn.commit().unwrap();

    let mut inspector = inspect(&mut conn).unwrap();
    let default = inspector.default_schema_name().unwrap();
    assert_eq!(default, b.schema().unwrap_or("main"));
    let schemas = inspector.schema_names().unwrap();
    assert!(schemas.contains(&default), "{schemas:?}");
    let tables = inspector.table_names(None).unwrap();
    let mut expected: Vec<String> = declared
        .tables()
        .filter(|t| t.schema.is_none())
        .map(|t| t.name.clone())
        .collect();
    expected.sort();
    assert_eq!(tables, expected);
    assert_eq!(inspector.view_names(None).unwrap(), ["active_users"]);
    assert!(inspector.has_table("users", None).unwrap());
    assert!(inspector.has_table("active_users", None).unwrap());
    assert!(!inspector.has_table("nope", None).unwrap());

    let columns = inspector.columns("active_users", None).unwrap();
    let names: Vec<&str> = columns.iter().map(|c| &*c.name).collect();
    assert_eq!(names, ["id", "name"]);
    assert_eq!(columns[1].sql_type, SqlType::String(Some(50)));

    let pk = inspector.pk_constraint("orders", None).unwrap();
    assert_eq!(pk.columns, [Arc::from("region"), Arc::from("number")]);
    let fks = inspector.foreign_keys("order_items", None).unwrap();
    assert_eq!(fks.len(), 1);
    assert_eq!(fks[0].referred_table, "orders");
    assert_eq!(fks[0].referred_schema, None);
    assert_eq!(fks[0].on_update, Some(ReferentialAction::Cascade));
    // MySQL's RESTRICT is its default, not stated.
    let restrict = (!b.is_mysql()).then_some(ReferentialAction::Restrict);
    assert_eq!(fks[0].on_delete, restrict);
    let uniques = inspector.unique_constraints("addresses", None).unwrap();
    assert_eq!(uniques[0].name.as_deref(), Some("uq_addresses_user_email"));
    let checks = inspector.check_constraints("order_items", None).unwrap();
    assert_eq!(checks[0].name.as_deref(), Some("ck_items_qty"));
    assert_eq!(checks[0].sql, "qty > 0");
    let indexes = inspector.indexes("users", None).unwrap();
    let mut index_names: Vec<&str> = indexes.iter().map(|i| i.name.as_str()).collect();
    index_names.sort();
    if b.is_mysql() {
        assert_eq!(index_names, ["ix_users_name_prefix"]);
        assert_eq!(indexes[0].element_options(0).length, Some(10));
        assert_eq!(indexes[0].element_options(1).length, None);
    } else {
        assert_eq!(
            index_names,
            ["ix_users_active_name", "ix_users_lower_email"]
        );
        let lower_email = indexes
            .iter()
            .find(|i| i.name == "ix_users_lower_email")
            .unwrap();
        assert!(lower_email.unique);
        assert!(matches!(lower_email.elements[0], IndexElement::Expr(_)));
        let partial = indexes
            .iter()
            .find(|i| i.name == "ix_users_active_name")
            .unwrap();
        assert!(partial.predicate.is_some());
    }
    let comment = inspector.table_comment("users", None).unwrap();
    let comments = engine.dialect().comment_style() != CommentStyle::Unsupported;
    assert_eq!(comment.as_deref(), comments.then_some("people"));

    let err = inspector.columns("nope", Some(&other.name)).unwrap_err();
    assert!(
        matches!(&err, Error::NoSuchTable { schema: Some(s), table } if *s == other.name && table == "nope"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("nope") && message.contains(&other.name),
        "{message}"
    );
    let err = inspector.reflect_table("missing", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "NoSuchTableError: no table \"missing\" in the default schema"
    );
    drop(inspector);

    let mut metadata = MetaData::new();
    let err = Table::autoload("missing", &mut metadata, &engine).unwrap_err();
    assert!(matches!(err, Error::NoSuchTable { .. }), "{err:?}");
    let err = metadata
        .reflect_with(&engine, &ReflectOptions::new().only(["users", "missing"]))
        .unwrap_err();
    assert!(matches!(err, Error::NoSuchTable { ref table, .. } if table == "missing"));
    assert!(metadata.is_empty(), "nothing added on error");

    // `only`, views, and no referred tables.
    metadata
        .reflect_with(
            &engine,
            &ReflectOptions::new()
                .only(["order_items"])
                .referred_tables(false),
        )
        .unwrap();
    assert_eq!(metadata.len(), 1);
    metadata
        .reflect_with(&engine, &ReflectOptions::new().views(true))
        .unwrap();
    assert!(metadata.table("active_users").is_some());
    assert!(metadata.table("orders").is_some());
}

/// Reflection under a schema_translate_map reads the translated schema and names the tables
/// as asked.
fn reflection_follows_schema_translate_map(b: &TestDb) {
    let other = OtherSchema::new(b);
    let engine = other.engine();
    let mut tenant = MetaData::new();
    tenant
        .add(
            Table::new("accounts")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("balance", SqlType::Numeric(Some(12), Some(2)))),
        )
        .unwrap();
    tenant
        .add(
            Table::new("entries")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("account_id", SqlType::Integer).references("accounts.id")),
        )
        .unwrap();
    let map = SchemaTranslateMap::new().map(None, other.name.as_str());
    let tenant_engine =
        engine.execution_options(ExecutionOptions::default().schema_translate_map(map));
    tenant.create_all(&tenant_engine).unwrap();

    let mut inspector = inspect(&engine).unwrap();
    assert!(inspector.table_names(None).unwrap().is_empty());
    assert_eq!(
        inspector.table_names(Some(&other.name)).unwrap(),
        ["accounts", "entries"]
    );
    drop(inspector);

    let mut reflected = MetaData::new();
    let entries = Table::autoload("entries", &mut reflected, &tenant_engine).unwrap();
    assert_eq!(entries.schema, None, "named as asked, not as translated");
    assert_eq!(entries.foreign_keys[0].referred_schema, None);
    assert!(reflected.table("accounts").is_some());
    assert_same_tables(&tenant, &reflected, engine.dialect());
    let mut conn = tenant_engine.connect().unwrap();
    conn.execute(
        insert(reflected.table("accounts").unwrap()).values(params! {"id" => 1}),
        (),
    )
    .unwrap();
    conn.execute(
        insert(&entries).values(params! {"id" => 1, "account_id" => 1}),
        (),
    )
    .unwrap();
    let n: i64 = conn
        .execute(select([count_all()]).select_from(&entries), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 1);
}

/// PostgreSQL's `json` and `jsonb` both reflect as `SqlType::Json`, and values go through
/// either column of the autoloaded table as JSON.
#[test]
fn postgres_json_and_jsonb_reflect_as_json() {
    let Some(b) = TestDb::postgres("reflect_json") else {
        return;
    };
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "CREATE TABLE {}.docs (id integer PRIMARY KEY, j json, jb jsonb); \
             INSERT INTO {0}.docs VALUES (1, '{{\"b\": 1, \"a\": [true]}}', '{{\"c\": null}}')",
            b.schema().unwrap()
        ))
        .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut metadata = MetaData::new();
    let docs = Table::autoload("docs", &mut metadata, &engine).unwrap();
    let ty = |name: &str| docs.get_column(name).unwrap().sql_type.clone();
    assert_eq!((ty("j"), ty("jb")), (SqlType::Json, SqlType::Json));

    let mut conn = engine.connect().unwrap();
    let doc = serde_json::json!({"k": [1, "two", {"three": 3.5}]});
    conn.execute(
        insert(&docs).values(params! { "id" => 2, "j" => doc.clone(), "jb" => doc.clone() }),
        (),
    )
    .unwrap();
    let rows = conn
        .execute(
            select([docs.c("j"), docs.c("jb")]).order_by([docs.c("id").asc()]),
            (),
        )
        .unwrap()
        .all()
        .unwrap();
    let json = |row: &Row, col: &str| row.get::<serde_json::Value>(col).unwrap();
    assert_eq!(
        json(&rows[0], "j"),
        serde_json::json!({"b": 1, "a": [true]})
    );
    assert_eq!(json(&rows[0], "jb"), serde_json::json!({"c": null}));
    assert_eq!(
        (json(&rows[1], "j"), json(&rows[1], "jb")),
        (doc.clone(), doc)
    );
}

on_every_backend!(
    fixture_reflects_as_declared,
    reference_example_through_an_autoloaded_table,
    inspector_lists_and_reads,
    reflection_follows_schema_translate_map,
);

/// PostgreSQL constraint and index columns come back in key order, not column order; a CHECK
/// on the whole row (key number 0) names no column and still reflects; an expression between
/// two columns of an index keeps its place.
#[test]
fn postgres_key_order_whole_row_checks_and_expression_indexes() {
    let Some(b) = TestDb::postgres("reflect_key_order") else {
        return;
    };
    let schema = b.schema().unwrap().to_owned();
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "CREATE TABLE {schema}.parent (x int, y int, z int, PRIMARY KEY (z, x), UNIQUE (y, x)); \
             CREATE TABLE {schema}.child (a int, b int, c int, \
                CONSTRAINT child_fk FOREIGN KEY (c, a) REFERENCES {schema}.parent (z, x), \
                CONSTRAINT whole_row CHECK (child IS NOT NULL), \
                CONSTRAINT sum_positive CHECK (b + a > 0)); \
             CREATE INDEX child_mixed ON {schema}.child (c, lower(b::text), a)"
        ))
        .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut metadata = MetaData::new();
    metadata
        .reflect_with(&engine, &ReflectOptions::new().schema(&schema))
        .unwrap();
    let names = |cols: &[Arc<str>]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let parent = metadata.table(&format!("{schema}.parent")).unwrap();
    assert_eq!(names(&parent.primary_key.columns), ["z", "x"]);
    assert_eq!(names(&parent.unique_constraints[0].columns), ["y", "x"]);

    let child = metadata.table(&format!("{schema}.child")).unwrap();
    let fk = &child.foreign_keys[0];
    assert_eq!(
        (names(&fk.columns), names(&fk.referred_columns)),
        (
            vec!["c".to_owned(), "a".to_owned()],
            vec!["z".to_owned(), "x".to_owned()]
        )
    );
    let mut checks: Vec<(&str, &str)> = child
        .check_constraints
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c.sql.as_str()))
        .collect();
    checks.sort();
    assert_eq!(
        checks,
        [
            ("sum_positive", "(b + a) > 0"),
            ("whole_row", "child.* IS NOT NULL")
        ]
    );
    let index = child
        .indexes
        .iter()
        .find(|i| i.name == "child_mixed")
        .unwrap();
    let elements: Vec<String> = index
        .elements
        .iter()
        .map(|e| match e {
            IndexElement::Column(c) => c.to_string(),
            IndexElement::Expr(_) => "<expr>".to_owned(),
        })
        .collect();
    assert_eq!(elements, ["c", "<expr>", "a"]);
}
