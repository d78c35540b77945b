//! Hostile identifiers and values are quoted or bound, never injected: every rendering parses
//! as exactly one statement naming the hostile identifiers intact, and on SQLite the hostile
//! table is created, written and read back while the other tables survive.

mod common;

use common::{dialects, execute_sqlite, fixtures};
use sqlcore::*;
use sqlparser::ast::{
    Expr as AstExpr, SelectItem as AstItem, SetExpr, Statement as AstStatement, TableFactor,
};
use sqlparser::parser::Parser;

const HOSTILE: &[&str] = &[
    "x'; DROP TABLE users; --",
    "a\"b",
    "c`d",
    "semi;colon",
    "/* comment */",
    "-- line",
    "Mixed Case",
    "select",
    "back\\slash",
    "$1",
    "?",
    ":name",
    "ünïcødé",
];

fn hostile_table(name: &str) -> Table {
    Table::new(name)
        .column(Column::new(name, SqlType::Text))
        .column(Column::new("n", SqlType::Integer))
}

#[test]
fn hostile_identifiers_survive_a_parse_round_trip() {
    for name in HOSTILE {
        let t = hostile_table(name);
        let stmt = select([t.c(name)]).filter(t.c("n").eq(1));
        for (dialect, parser_dialect) in dialects() {
            let sql = stmt.compile(dialect).unwrap().sql;
            let parsed = Parser::parse_sql(&*parser_dialect, &sql)
                .unwrap_or_else(|e| panic!("{name:?} on {}: {e}\n{sql}", dialect.name()));
            assert_eq!(parsed.len(), 1, "{name:?} on {}: {sql}", dialect.name());
            let AstStatement::Query(q) = &parsed[0] else {
                panic!("not a query: {sql}")
            };
            let SetExpr::Select(sel) = &*q.body else {
                panic!("not a select: {sql}")
            };
            let TableFactor::Table {
                name: table_name, ..
            } = &sel.from[0].relation
            else {
                panic!("not a table: {sql}")
            };
            let idents: Vec<String> = table_name
                .0
                .iter()
                .map(|p| p.as_ident().expect("identifier").value.clone())
                .collect();
            assert_eq!(
                idents,
                [name.to_string()],
                "table name on {}: {sql}",
                dialect.name()
            );
            let AstItem::UnnamedExpr(AstExpr::CompoundIdentifier(parts)) = &sel.projection[0]
            else {
                panic!("unexpected column list: {sql}")
            };
            let parts: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
            assert_eq!(parts, [*name, *name], "column on {}: {sql}", dialect.name());
        }
    }
}

#[test]
fn hostile_names_and_values_work_on_sqlite() {
    let conn = fixtures::sqlite_fixture();
    for name in HOSTILE {
        let t = hostile_table(name);
        let ddl = create_table(&t).compile(&SQLite).unwrap();
        execute_sqlite(&conn, name, &ddl.sql, &[]);
        for value in HOSTILE {
            let ins = insert(&t)
                .values([(*name, Expr::from(*value)), ("n", Expr::from(1))])
                .compile(&SQLite)
                .unwrap();
            let bound = ins.bind(&Params::new()).unwrap();
            execute_sqlite(&conn, name, &bound.sql, &bound.values);
        }
        let sel = select([t.c(name)])
            .filter(t.c("n").eq(1))
            .compile(&SQLite)
            .unwrap();
        let bound = sel.bind(&Params::new()).unwrap();
        let mut stmt = conn.prepare(&bound.sql).unwrap();
        let got: Vec<String> = stmt
            .query_map([1], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(got, HOSTILE, "values read back from {name:?}");
    }
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 3, "the users table survives");
}

#[test]
fn hostile_literals_in_ddl_are_escaped() {
    // Comments and server defaults are the only values written into SQL text (DDL cannot bind).
    let t = Table::new("t")
        .comment("it's \\'; DROP TABLE users; --")
        .column(
            Column::new("c", SqlType::String(Some(50)))
                .server_default("x\\'); DROP TABLE users; --")
                .comment("\\' OR 1=1"),
        );
    for (dialect, parser_dialect) in dialects() {
        for ddl in create_table_ddl(&t, dialect, false) {
            let sql = ddl.compile(dialect).unwrap().sql;
            let parsed = Parser::parse_sql(&*parser_dialect, &sql)
                .unwrap_or_else(|e| panic!("{}: {e}\n{sql}", dialect.name()));
            assert_eq!(parsed.len(), 1, "{}: {sql}", dialect.name());
        }
    }
    let conn = fixtures::sqlite_empty();
    let sql = create_table(&t).compile(&SQLite).unwrap().sql;
    execute_sqlite(&conn, "ddl", &sql, &[]);
    execute_sqlite(&conn, "ddl", "INSERT INTO t DEFAULT VALUES", &[]);
    let got: String = conn.query_row("SELECT c FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(got, "x\\'); DROP TABLE users; --");
}

#[test]
fn identifiers_with_nul_and_odd_type_names_are_errors() {
    let t = Table::new("a\0b").column(Column::new("c", SqlType::Integer));
    for (dialect, _) in dialects() {
        assert!(matches!(
            select(&t).compile(dialect),
            Err(CompileError::InvalidStatement(_))
        ));
    }
    let t = Table::new("t").column(Column::new(
        "c",
        SqlType::Other("INT); DROP TABLE users; --".into()),
    ));
    for (dialect, _) in dialects() {
        assert!(matches!(
            create_table(&t).compile(dialect),
            Err(CompileError::Unsupported { .. })
        ));
    }
    let ok = Table::new("t").column(Column::new("c", SqlType::Other("VARCHAR(10)[]".into())));
    assert_eq!(
        create_table(&ok).compile(&PostgreSQL).unwrap().sql,
        "CREATE TABLE t (c VARCHAR(10)[])"
    );
}

#[test]
fn function_names_are_quoted_when_odd() {
    let sql = select([func("bad name()", [literal(1)]).label("x")])
        .compile(&PostgreSQL)
        .unwrap()
        .sql;
    assert_eq!(sql, "SELECT \"bad name()\"($1) AS x");
}

#[test]
fn hostile_identifiers_past_the_length_limit_are_refused_not_cut() {
    // The limit counts the name, not its quoted form: 21 × `a"b` is 63 bytes, quoted 86.
    let at_limit = "a\"b".repeat(21);
    let t = hostile_table(&at_limit);
    let sql = select([t.c(&at_limit)]).compile(&PostgreSQL).unwrap().sql;
    let parsed = Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &sql).unwrap();
    assert_eq!(parsed.len(), 1, "{sql}");
    assert!(
        sql.contains(&format!("\"{}\"", at_limit.replace('"', "\"\""))),
        "{sql}"
    );
    // One byte more, hostile or not, is an error on PostgreSQL: never a truncated name.
    for name in HOSTILE {
        let mut long = name.repeat(64 / name.len() + 1);
        while long.len() > 64 {
            long.pop();
        }
        let long = format!("{long}{}", "x".repeat(64 - long.len()));
        assert_eq!(long.len(), 64);
        let t = hostile_table(&long);
        for stmt in [
            Statement::from(select([t.c(&long)])),
            create_table(&t).into(),
            drop_table(&t).into(),
        ] {
            match stmt.compile(&PostgreSQL) {
                Err(CompileError::IdentifierTooLong {
                    identifier, max, ..
                }) => assert_eq!((identifier, max), (long.clone(), 63)),
                other => panic!("{long:?}: {other:?}"),
            }
        }
        // MySQL counts characters: 65 of them are too many.
        let long65: String = name.chars().cycle().take(65).collect();
        assert!(matches!(
            select(&hostile_table(&long65)).compile(&MySQL),
            Err(CompileError::IdentifierTooLong { max: 64, .. })
        ));
    }
    // SQLite keeps any length: a long hostile name is quoted, created and read back.
    let conn = fixtures::sqlite_fixture();
    let long = HOSTILE.concat().repeat(4);
    assert!(long.len() > 300);
    let t = hostile_table(&long);
    execute_sqlite(
        &conn,
        "long",
        &create_table(&t).compile(&SQLite).unwrap().sql,
        &[],
    );
    let ins = insert(&t)
        .values([(long.as_str(), Expr::from("v")), ("n", Expr::from(1))])
        .compile(&SQLite)
        .unwrap();
    let bound = ins.bind(&Params::new()).unwrap();
    execute_sqlite(&conn, "long", &bound.sql, &bound.values);
    let sel = select([t.c(&long)]).compile(&SQLite).unwrap().sql;
    let got: String = conn.query_row(&sel, [], |r| r.get(0)).unwrap();
    assert_eq!(got, "v");
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 3, "the users table survives");
}
