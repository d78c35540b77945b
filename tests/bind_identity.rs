//! One bound value used twice is one parameter (SQLAlchemy renders one bind parameter for one
//! bind object): `date_trunc('month', at)` in the SELECT list and in GROUP BY runs on
//! PostgreSQL, on every execution path (cache miss, cache hit, prepared, executemany,
//! `schema_translate_map`, expanding IN lists, `text()`); values bound apart stay apart, and
//! the compiled cache keeps one entry per shape without ever mixing the two.

#[macro_use]
mod common;

use chrono::NaiveDateTime;
use common::backend::TestDb;
use sqlcore::*;

fn events() -> Table {
    Table::new("events")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("at", SqlType::DATETIME))
        .column(Column::new("kind", SqlType::String(Some(20))))
        .column(Column::new("amount", SqlType::Integer))
        .column(Column::new("bonus", SqlType::Integer))
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Six events over three months of 2024: two in January, three in February, one in March.
fn engine_with_events(b: &TestDb) -> Engine {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let mut md = MetaData::new();
    md.add(events()).unwrap();
    md.create_all(&engine).unwrap();
    let rows = [
        (1, "2024-01-03 10:00:00", "Click", 10),
        (2, "2024-01-20 11:30:00", "view", 20),
        (3, "2024-02-01 00:00:00", "click", 30),
        (4, "2024-02-14 12:00:00", "VIEW", 40),
        (5, "2024-02-29 23:59:59", "click", 50),
        (6, "2024-03-31 08:15:00", "view", 60),
    ];
    let mut conn = engine.connect().unwrap();
    conn.execute_many(
        insert(&events()),
        rows.iter().map(|(id, when, kind, amount)| {
            params! { "id" => *id, "at" => at(when), "kind" => *kind, "amount" => *amount }
        }),
    )
    .unwrap();
    conn.commit().unwrap();
    engine
}

/// The month (or another unit) of `at`, the way each backend truncates a timestamp:
/// `date_trunc(unit, at)` on PostgreSQL, `strftime(format, at)` on SQLite. The unit is one
/// bound value, used wherever the expression is.
fn truncated(b: &TestDb, unit: Expr) -> Expr {
    let t = events();
    if b.is_postgres() {
        func("date_trunc", (unit, t.c("at")))
    } else {
        func("strftime", (unit, t.c("at")))
    }
}

fn month_unit(b: &TestDb) -> &'static str {
    if b.is_postgres() { "month" } else { "%Y-%m" }
}

fn year_unit(b: &TestDb) -> &'static str {
    if b.is_postgres() { "year" } else { "%Y" }
}

/// The period of each event shown by the unit `shown`, the events grouped and ordered by the
/// unit `grouped`.
fn shaped(b: &TestDb, shown: Expr, grouped: Expr) -> Select {
    let t = events();
    let shown = truncated(b, shown).label("period");
    let grouped = truncated(b, grouped).label("period");
    select([
        shown,
        count_all().label("n"),
        sum(t.c("amount")).label("total"),
    ])
    .group_by(grouped.clone())
    .order_by(grouped)
}

/// The query: one truncation (one bound unit) in the SELECT list, GROUP BY and ORDER
/// BY.
fn per_period(b: &TestDb, unit: &str) -> Select {
    let unit = literal(unit);
    shaped(b, unit.clone(), unit)
}

/// The period of each row as `YYYY-MM` (PostgreSQL gives a timestamp, SQLite the text).
fn rows_of(b: &TestDb, result: CursorResult) -> Vec<(String, i64, i64)> {
    result
        .all()
        .unwrap()
        .iter()
        .map(|row| {
            let period = if b.is_postgres() {
                row.get::<NaiveDateTime>("period")
                    .unwrap()
                    .format("%Y-%m")
                    .to_string()
            } else {
                row.get::<String>("period").unwrap()
            };
            (period, row.get("n").unwrap(), row.get("total").unwrap())
        })
        .collect()
}

fn by_month() -> Vec<(String, i64, i64)> {
    vec![
        ("2024-01".into(), 2, 30),
        ("2024-02".into(), 3, 120),
        ("2024-03".into(), 1, 60),
    ]
}

fn by_year(b: &TestDb) -> Vec<(String, i64, i64)> {
    // PostgreSQL's year starts in January; SQLite's `%Y` is the year itself.
    let year = if b.is_postgres() { "2024-01" } else { "2024" };
    vec![(year.into(), 6, 210)]
}

fn a_bound_constant_in_select_and_group_by_is_one_parameter(b: &TestDb) {
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let stmt = per_period(b, month_unit(b));
    let compiled = stmt.compile(engine.dialect()).unwrap();
    let one = if b.is_postgres() { "$1" } else { "?1" };
    assert_eq!(compiled.sql.matches(one).count(), 2, "{}", compiled.sql);
    assert_eq!(compiled.params.len(), 1, "{}", compiled.sql);
    assert!(
        !compiled.sql.contains("$2") && !compiled.sql.contains("?2"),
        "one parameter: {}",
        compiled.sql
    );
    // Compiled and stored, then the same shape built again with another unit: a cache hit.
    let before = engine.cache_stats();
    let rows = rows_of(b, conn.execute(stmt, ()).unwrap());
    assert_eq!(rows, by_month());
    let rows = rows_of(b, conn.execute(per_period(b, year_unit(b)), ()).unwrap());
    assert_eq!(rows, by_year(b));
    let after = engine.cache_stats();
    assert_eq!(after.size, before.size + 1, "one shape, one entry");
    assert_eq!(after.hits, before.hits + 1);
    // Prepared: the compiled form held, the statement's own value bound.
    let prepared = engine.prepare(per_period(b, month_unit(b))).unwrap();
    assert!(prepared.is_compiled());
    assert_eq!(rows_of(b, conn.execute(&prepared, ()).unwrap()), by_month());
    let prepared = engine.prepare(per_period(b, year_unit(b))).unwrap();
    assert_eq!(rows_of(b, conn.execute(&prepared, ()).unwrap()), by_year(b));
    // Without the cache.
    let uncached = per_period(b, month_unit(b)).execution_options(|o| o.compiled_cache(None));
    assert_eq!(rows_of(b, conn.execute(uncached, ()).unwrap()), by_month());
}

fn values_bound_apart_stay_apart_and_never_share_the_repeated_form(b: &TestDb) {
    // The same shape but for the binds: the SELECT list shows the year, the groups are
    // months. Two binds, two parameters; served the repeated form, it would group by year.
    let apart = || shaped(b, literal(year_unit(b)), literal(month_unit(b)));
    let engine = engine_with_events(b);
    for repeated_first in [true, false] {
        let mut conn = engine.connect().unwrap();
        engine.compiled_cache().clear();
        let run_repeated = |conn: &mut Connection| {
            let rows = rows_of(b, conn.execute(per_period(b, month_unit(b)), ()).unwrap());
            assert_eq!(rows, by_month());
        };
        if repeated_first {
            run_repeated(&mut conn);
        }
        let compiled = apart().compile(engine.dialect()).unwrap();
        assert_eq!(compiled.params.len(), 2, "{}", compiled.sql);
        if b.is_postgres() {
            // PostgreSQL cannot tell that two parameters are equal.
            let err = conn.execute(apart(), ()).unwrap_err();
            let sqlstate = err.as_db_error().and_then(|e| e.sqlstate.clone());
            assert_eq!(sqlstate.as_deref(), Some("42803"), "{err}");
            conn.rollback().unwrap();
        } else {
            // SQLite evaluates the SELECT list on one row of each month: the year of each.
            let mut rows = rows_of(b, conn.execute(apart(), ()).unwrap());
            rows.sort();
            let years: Vec<(String, i64, i64)> = by_month()
                .into_iter()
                .map(|(_, n, total)| ("2024".to_string(), n, total))
                .collect();
            let mut expected = years;
            expected.sort();
            assert_eq!(rows, expected);
        }
        if !repeated_first {
            run_repeated(&mut conn);
        }
        assert_eq!(
            engine.cache_stats().size,
            2,
            "apart and repeated: two entries"
        );
    }
}

fn bindparam_used_twice_is_one_named_parameter(b: &TestDb) {
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let t = events();
    let period = truncated(b, bindparam("unit")).label("period");
    let stmt = select([
        period.clone(),
        count_all().label("n"),
        sum(t.c("amount")).label("total"),
    ])
    .group_by(period.clone())
    .order_by(period);
    let stmt = Statement::from(stmt);
    let rows = rows_of(
        b,
        conn.execute(&stmt, params! { "unit" => month_unit(b) })
            .unwrap(),
    );
    assert_eq!(rows, by_month());
    let rows = rows_of(
        b,
        conn.execute(&stmt, params! { "unit" => year_unit(b) })
            .unwrap(),
    );
    assert_eq!(rows, by_year(b));
}

fn executemany_binds_a_repeated_value_at_each_place(b: &TestDb) {
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let t = events();
    // INSERT (batched as multi-row VALUES) and UPDATE, each with one bound value twice.
    let seven = literal(7);
    conn.execute_many(
        insert(&t).values([
            ("id", bindparam("id")),
            ("amount", seven.clone()),
            ("bonus", seven),
        ]),
        (10..15).map(|id| params! { "id" => id }),
    )
    .unwrap();
    let bump = literal(3);
    conn.execute_many(
        update(&t)
            .filter(t.c("id").eq(bindparam("target")))
            .values([("amount", t.c("amount") + bump.clone()), ("bonus", bump)]),
        [11, 13].map(|id| params! { "target" => id }),
    )
    .unwrap();
    let rows: Vec<(i32, i32, i32)> = conn
        .execute(
            select([t.c("id"), t.c("amount"), t.c("bonus")])
                .filter(t.c("id").ge(10))
                .order_by(t.c("id")),
            (),
        )
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
        .collect();
    assert_eq!(
        rows,
        [(10, 7, 7), (11, 10, 3), (12, 7, 7), (13, 10, 3), (14, 7, 7)]
    );
}

fn expanding_lists_and_text_used_twice(b: &TestDb) {
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let t = events();
    // One IN list in the SELECT list and in WHERE (an array on PostgreSQL, expanded at
    // each place elsewhere).
    let chosen = t.c("id").in_([1, 3, 5]);
    let stmt = select([t.c("id"), chosen.clone().label("chosen")])
        .filter(chosen.or(t.c("id").eq(2)))
        .order_by(t.c("id"));
    for _ in 0..2 {
        let rows: Vec<(i32, bool)> = conn
            .execute(stmt.clone(), ())
            .unwrap()
            .all()
            .unwrap()
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
            .collect();
        assert_eq!(rows, [(1, true), (2, false), (3, true), (5, true)]);
    }
    // A text() fragment carrying a value, in the SELECT list and in GROUP BY.
    let key =
        Expr::from(text("lower(events.kind) || :mark").bind_values(params! { "mark" => "!" }));
    let stmt = select([key.clone().label("k"), count_all().label("n")])
        .select_from(&t)
        .group_by(key)
        .order_by(literal_column("k"));
    for _ in 0..2 {
        let rows: Vec<(String, i64)> = conn
            .execute(stmt.clone(), ())
            .unwrap()
            .all()
            .unwrap()
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
            .collect();
        assert_eq!(rows, [("click!".to_string(), 3), ("view!".to_string(), 3)]);
    }
}

fn one_bind_in_two_ctes_and_both_sides_of_a_union(b: &TestDb) {
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let t = events();
    let limit = literal(25);
    let big = select([t.c("id"), t.c("amount")])
        .filter(t.c("amount").gt(limit.clone()))
        .cte("big");
    let bigger = select([big.c("id")])
        .filter(big.c("amount").lt(limit.clone() + 20))
        .cte("bigger");
    let stmt = select([count_all()]).select_from(&bigger);
    let compiled = stmt.compile(engine.dialect()).unwrap();
    assert_eq!(compiled.literals.len(), 2, "{}", compiled.sql);
    let n: i64 = conn.execute(stmt, ()).unwrap().scalar_one().unwrap();
    assert_eq!(n, 2, "amounts 30 and 40");
    let side = select([t.c("id")]).filter(t.c("amount").gt(limit));
    let both = side.clone().union_all(side);
    assert_eq!(both.compile(engine.dialect()).unwrap().literals.len(), 1);
    let n = conn.execute(both, ()).unwrap().all().unwrap().len();
    assert_eq!(n, 8);
}

/// On PostgreSQL, the query through `schema_translate_map`.
fn through_schema_translate_map(b: &TestDb) {
    let Some(schema) = b.schema() else {
        return;
    };
    let engine = engine_with_events(b);
    let mut conn = engine.connect().unwrap();
    let tenant = events().schema("tenant");
    let period = func("date_trunc", (literal("month"), tenant.c("at"))).label("period");
    let stmt = select([
        period.clone(),
        count_all().label("n"),
        sum(tenant.c("amount")).label("total"),
    ])
    .group_by(period.clone())
    .order_by(period);
    let map = SchemaTranslateMap::new().map(Some("tenant"), schema);
    for _ in 0..2 {
        let map = map.clone();
        let translated = stmt
            .clone()
            .execution_options(move |o| o.schema_translate_map(map.clone()));
        assert_eq!(
            rows_of(b, conn.execute(translated, ()).unwrap()),
            by_month()
        );
    }
}

on_every_backend!(
    executemany_binds_a_repeated_value_at_each_place,
    one_bind_in_two_ctes_and_both_sides_of_a_union;
    not_on_mariadb:
    a_bound_constant_in_select_and_group_by_is_one_parameter => "the test groups by strftime()/date_trunc() and counts numbered placeholders; MySQL's `?` form is tested in tests/engine_mysql.rs",
    values_bound_apart_stay_apart_and_never_share_the_repeated_form => "the test groups by strftime()/date_trunc() and counts numbered placeholders; MySQL's `?` form is tested in tests/engine_mysql.rs",
    bindparam_used_twice_is_one_named_parameter => "the test groups by strftime()/date_trunc() and counts numbered placeholders; MySQL's `?` form is tested in tests/engine_mysql.rs",
    expanding_lists_and_text_used_twice => "the test groups by strftime()/date_trunc() and counts numbered placeholders; MySQL's `?` form is tested in tests/engine_mysql.rs",
    through_schema_translate_map => "the test groups by strftime()/date_trunc() and counts numbered placeholders; MySQL's `?` form is tested in tests/engine_mysql.rs",
);

/// The three dialects' renderings of one bind used twice.
#[test]
fn every_dialect_renders_one_bind_used_twice() {
    let t = events();
    let unit = literal("month");
    let stmt = select([func("date_trunc", (unit.clone(), t.c("at"))).label("m")])
        .group_by(func("date_trunc", (unit, t.c("at"))));
    let pg = stmt.compile(&PostgreSQL).unwrap();
    assert_eq!(
        pg.sql,
        "SELECT date_trunc($1, events.at) AS m FROM events GROUP BY date_trunc($1, events.at)"
    );
    assert_eq!(
        pg.bind(&Params::new()).unwrap().values,
        [Value::from("month")]
    );
    let sqlite = stmt.compile(&SQLite).unwrap();
    assert_eq!(
        sqlite.sql,
        "SELECT date_trunc(?1, events.at) AS m FROM events GROUP BY date_trunc(?1, events.at)"
    );
    assert_eq!(sqlite.bind(&Params::new()).unwrap().values.len(), 1);
    let mysql = stmt.compile(&MySQL).unwrap();
    assert_eq!(
        mysql.sql,
        "SELECT date_trunc(?, events.at) AS m FROM events GROUP BY date_trunc(?, events.at)"
    );
    assert_eq!(
        mysql.bind(&Params::new()).unwrap().values,
        [Value::from("month"), Value::from("month")]
    );
    // Statements built alike compare equal whichever of them bound a value twice.
    let apart = select([func("date_trunc", (literal("month"), t.c("at"))).label("m")])
        .group_by(func("date_trunc", (literal("month"), t.c("at"))));
    assert_eq!(
        Statement::from(apart.clone()),
        Statement::from(stmt.clone())
    );
    // ... but never share a cache key.
    let (stmt, apart) = (Statement::from(stmt), Statement::from(apart));
    for dialect in [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL] {
        let (a, b) = (
            extract(&stmt, dialect).unwrap(),
            extract(&apart, dialect).unwrap(),
        );
        assert!(!a.matches(&b.to_key()), "{}", dialect.name());
        assert_eq!(a.values().len(), 2, "each place's value is extracted");
    }
}
