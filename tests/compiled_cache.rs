//! The compiled-statement cache: keys never hold values, statements that compile differently
//! never share a key (a generated corpus), the cache's options and counts, and
//! `schema_translate_map` on SQLite's attached databases.

mod common;

use common::KeyedStatements;
use common::people::{metadata, rows_in, users};
use sqlcore::*;

/// A small deterministic random source (xorshift), so a failing case can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text))
        .column(Column::new("qty", SqlType::Integer))
        .column(Column::new("price", SqlType::Float))
        .column(Column::new("tag", SqlType::String(Some(10))).default("none"))
}

/// Random statements whose structure comes from one random source and whose values from
/// another: the same structure seed with other value seeds gives statements that differ only
/// in their values.
struct Gen<'a> {
    shape: Rng,
    values: Rng,
    t: &'a Table,
    /// The values bound so far, by column: the structure may use one again (one bind in two
    /// places, one parameter).
    bound: Vec<(String, Expr)>,
}

impl Gen<'_> {
    fn value(&mut self, column: &str) -> Expr {
        if self.shape.below(4) == 0 {
            if let Some((_, again)) = self.bound.iter().rev().find(|(c, _)| c == column) {
                return again.clone();
            }
        }
        let n = self.values.below(1000) as i64;
        let value = match column {
            "name" | "tag" => literal(format!("v{n}")),
            "price" => literal(n as f64 / 4.0),
            _ => literal(n),
        };
        self.bound.push((column.to_owned(), value.clone()));
        value
    }

    fn column(&mut self) -> (&'static str, Expr) {
        let name = ["id", "name", "qty", "price", "tag"][self.shape.below(5) as usize];
        (name, self.t.c(name))
    }

    fn condition(&mut self, depth: u32) -> Expr {
        let (name, col) = self.column();
        let pick = if depth == 0 {
            self.shape.below(8)
        } else {
            self.shape.below(11)
        };
        match pick {
            0 => col.eq(self.value(name)),
            1 => col.ne(self.value(name)),
            2 => col.lt(self.value(name)),
            3 => col.ge(self.value(name)),
            4 => col.is_null(),
            5 => {
                let n = 1 + self.shape.below(3);
                let list: Vec<Value> = (0..n)
                    .map(|_| match self.value(name) {
                        Expr::Bind(b) => b.value,
                        _ => Value::Null,
                    })
                    .collect();
                col.in_(list)
            }
            6 => col.between(self.value(name), self.value(name)),
            7 => col.eq(bindparam("p")),
            8 => and_([self.condition(depth - 1), self.condition(depth - 1)]),
            9 => or_([self.condition(depth - 1), self.condition(depth - 1)]),
            _ => not_(self.condition(depth - 1)),
        }
    }

    fn statement(&mut self) -> Statement {
        let t = self.t;
        match self.shape.below(4) {
            0 | 1 => {
                let mut s = if self.shape.below(2) == 0 {
                    select(t)
                } else {
                    let (_, a) = self.column();
                    let (_, b) = self.column();
                    match self.shape.below(3) {
                        0 => select([a]),
                        1 => select([a.label("x"), b]),
                        _ => select([count(a), max(b)]),
                    }
                };
                for _ in 0..self.shape.below(3) {
                    let depth = self.shape.below(3) as u32;
                    s = s.filter(self.condition(depth));
                }
                if self.shape.below(2) == 0 {
                    let (_, c) = self.column();
                    s = s.order_by([c.desc()]);
                }
                if self.shape.below(3) == 0 {
                    s = s.limit(self.values.below(50) as i64 + 1);
                }
                if self.shape.below(4) == 0 {
                    s = s.offset(self.values.below(50) as i64);
                }
                if self.shape.below(5) == 0 {
                    s = s.distinct();
                }
                s.into()
            }
            2 => {
                let mut set = vec![("qty", self.value("qty"))];
                if self.shape.below(2) == 0 {
                    set.push(("name", self.value("name")));
                }
                let mut u = update(t).values(set);
                if self.shape.below(3) > 0 {
                    u = u.filter(self.condition(1));
                }
                u.into()
            }
            _ => {
                let mut row = vec![("id", self.value("id")), ("qty", self.value("qty"))];
                if self.shape.below(2) == 0 {
                    row.push(("tag", self.value("tag")));
                }
                insert(t).values(row).into()
            }
        }
    }
}

fn generate(t: &Table, shape: u64, values: u64) -> Statement {
    Gen {
        shape: Rng(shape * 2 + 1),
        values: Rng(values * 2 + 1),
        t,
        bound: Vec::new(),
    }
    .statement()
}

#[test]
fn generated_statements_share_a_key_exactly_when_they_compile_alike() {
    let t = items();
    let named = params! { "p" => 1 };
    for dialect in [&PostgreSQL as &dyn Dialect, &SQLite] {
        let mut keyed = KeyedStatements::default();
        for shape in 0..600u64 {
            let stmt = generate(&t, shape, 0);
            let compiled = stmt.compile(dialect).unwrap();
            let extracted = extract(&stmt, dialect).expect("a key");
            // The same structure with other values: the same key, and binding through the
            // cached form gives exactly the values compiling it afresh gives.
            let cached = CachedCompiled::new(compiled.clone(), &extracted).expect("traceable");
            for values in 1..4u64 {
                let twin = generate(&t, shape, values);
                let twin_extracted = extract(&twin, dialect).unwrap();
                assert!(
                    twin_extracted.matches(cached.key()),
                    "shape {shape}: values changed the key"
                );
                let fresh = twin.compile(dialect).unwrap();
                assert_eq!(
                    cached.bind(&twin_extracted, &named, None).unwrap(),
                    fresh.bind(&named).unwrap(),
                    "shape {shape} values {values}: cached binding differs"
                );
            }
            // Any earlier statement with an equal key compiled to the same SQL.
            keyed.add(
                format!("shape {shape} on {}", dialect.name()),
                &extracted,
                compiled,
            );
        }
        // And statements compiling differently have different keys: the corpus is varied.
        let mut distinct_sql: Vec<&str> = keyed.compiled().map(|c| c.sql.as_str()).collect();
        distinct_sql.sort();
        distinct_sql.dedup();
        assert!(distinct_sql.len() > 300, "{}", distinct_sql.len());
    }
}

/// An in-memory SQLite engine on `cache`.
fn memory_engine_with(cache: &CompiledCache) -> Engine {
    Engine::builder("sqlite://")
        .compiled_cache(cache.clone())
        .build()
        .unwrap()
}

#[test]
fn values_never_enter_the_key() {
    let cache = CompiledCache::new(100);
    let engine = memory_engine_with(&cache);
    let u = users();
    metadata().create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    let before = cache.stats().size;
    for i in 0..1000 {
        conn.execute(
            insert(&u).values([("id", literal(i)), ("name", literal(format!("user {i}")))]),
            (),
        )
        .unwrap();
    }
    assert_eq!(cache.stats().size, before + 1, "1,000 inserts, one entry");
    for i in (0..1000).step_by(7) {
        let name: String = conn
            .execute(select([u.c("name")]).filter(u.c("id").eq(i)), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(name, format!("user {i}"));
    }
    assert_eq!(cache.stats().size, before + 2);
    assert_eq!(rows_in(&mut conn, "users"), 1000);
    // IN lists of any length share one entry too (expanded after the lookup).
    for n in 0..20 {
        let ids: Vec<i32> = (0..n).collect();
        let count: i64 = conn
            .execute(select([count(u.c("id"))]).filter(u.c("id").in_(ids)), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(count, n as i64);
    }
    assert_eq!(cache.stats().size, before + 4, "{:?}", cache.stats());
}

#[test]
fn the_cache_is_bounded_lru_and_reports_its_counts() {
    let engine = Engine::builder("sqlite://")
        .query_cache_size(3)
        .build()
        .unwrap();
    assert_eq!(engine.query_cache_size(), 3);
    let mut conn = engine.connect().unwrap();
    for n in 0..10 {
        conn.execute(text(&format!("SELECT {n}")), ()).unwrap();
    }
    let stats = engine.cache_stats();
    assert_eq!((stats.size, stats.capacity, stats.misses), (3, 3, 10));
    // text() is cached: the most recent ones hit.
    conn.execute(text("SELECT 9"), ()).unwrap();
    assert_eq!(engine.cache_stats().hits, 1);
    conn.execute(text("SELECT 0"), ()).unwrap();
    assert_eq!(engine.cache_stats().misses, 11, "the oldest was evicted");
    engine.compiled_cache().clear();
    assert_eq!(engine.cache_stats().size, 0);
}

#[test]
fn a_cache_can_be_shared_and_bypassed() {
    let shared = CompiledCache::new(10);
    let a = memory_engine_with(&shared);
    let b = memory_engine_with(&shared);
    let stmt = || select([literal(1).label("one")]);
    a.connect().unwrap().execute(stmt(), ()).unwrap();
    b.connect().unwrap().execute(stmt(), ()).unwrap();
    // (In-memory SQLite has one connection per engine: each is dropped before the next.)
    assert_eq!((shared.stats().size, shared.stats().hits), (1, 1));
    assert!(a.compiled_cache() == b.compiled_cache());

    // Off for a connection.
    let mut conn = a.connect().unwrap();
    conn.update_execution_options(|o| o.compiled_cache(None))
        .unwrap();
    conn.execute(select([literal(2).label("two")]), ()).unwrap();
    assert_eq!(shared.stats().size, 1);
    drop(conn);
    // Off for a statement, and a cache of one's own for another.
    let mut conn = a.connect().unwrap();
    conn.execute(
        select([literal(3).label("three")]).execution_options(|o| o.compiled_cache(None)),
        (),
    )
    .unwrap();
    assert_eq!(shared.stats().size, 1);
    let own = CompiledCache::new(5);
    let own_for_stmt = own.clone();
    conn.execute(
        select([literal(4).label("four")])
            .execution_options(move |o| o.compiled_cache(own_for_stmt.clone())),
        (),
    )
    .unwrap();
    assert_eq!((shared.stats().size, own.stats().size), (1, 1));
    // A cache of size 0 caches nothing.
    let none = Engine::builder("sqlite://")
        .query_cache_size(0)
        .build()
        .unwrap();
    none.connect().unwrap().execute(stmt(), ()).unwrap();
    assert_eq!(none.cache_stats().size, 0);
}

/// An engine on one in-memory SQLite connection with two attached tenant databases.
fn attached_engine() -> Engine {
    Engine::builder("sqlite://")
        .on_connect(|c| {
            c.execute_batch(
                "ATTACH DATABASE ':memory:' AS tenant_a; ATTACH DATABASE ':memory:' AS tenant_b",
            )
        })
        .build()
        .unwrap()
}

#[test]
fn schema_translate_map_retargets_core_statements_ddl_and_execute_many() {
    let engine = attached_engine();
    let u = users();
    for tenant in ["tenant_a", "tenant_b"] {
        let tenant_engine = engine.execution_options(
            ExecutionOptions::default()
                .schema_translate_map(SchemaTranslateMap::new().map(None, tenant)),
        );
        metadata().create_all(&tenant_engine).unwrap();
        let mut conn = tenant_engine.connect().unwrap();
        conn.execute(
            insert(&u).values([("id", literal(1)), ("name", literal(tenant))]),
            (),
        )
        .unwrap();
        conn.execute_many(
            insert(&u),
            (2..5).map(|i| params! { "id" => i, "name" => format!("{tenant} {i}") }),
        )
        .unwrap();
        conn.commit().unwrap();
    }
    let mut conn = engine.connect().unwrap();
    // Nothing in the main database; each tenant holds its own rows.
    assert!(conn.table_names(None).unwrap().is_empty());
    for tenant in ["tenant_a", "tenant_b"] {
        assert_eq!(rows_in(&mut conn, &format!("{tenant}.users")), 4);
        let name: String = conn
            .execute(
                text(&format!("SELECT name FROM {tenant}.users WHERE id = 1")),
                (),
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(name, tenant);
    }
    // One select, per connection map and per statement map: the right tenant each time, and
    // one cache entry for every tenant.
    let before = engine.cache_stats().size;
    for tenant in ["tenant_a", "tenant_b", "tenant_a"] {
        let stmt = select([u.c("name")]).filter(u.c("id").eq(1));
        let map = SchemaTranslateMap::new().map(None, tenant);
        let name: String = conn
            .execute(
                stmt.execution_options(move |o| o.schema_translate_map(map.clone())),
                (),
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(name, tenant);
    }
    assert_eq!(engine.cache_stats().size, before + 1);
    drop(conn);
    // text() is left alone.
    let mut tenant_conn = engine.connect().unwrap();
    tenant_conn
        .update_execution_options(|o| {
            o.schema_translate_map(
                SchemaTranslateMap::new()
                    .map(None, "tenant_b")
                    .map(Some("tenant_a"), "tenant_b"),
            )
        })
        .unwrap();
    let name: String = tenant_conn
        .execute(text("SELECT name FROM tenant_a.users WHERE id = 1"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(name, "tenant_a", "text() is not translated");
    // IN lists (expanded after the lookup) are translated too.
    let n: i64 = tenant_conn
        .execute(
            select([count(u.c("id"))]).filter(u.c("id").in_([1, 2, 3])),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 3);
}

#[test]
fn a_hostile_schema_name_is_quoted_not_injected() {
    let engine = attached_engine();
    let u = users();
    metadata().create_all(&engine).unwrap();
    let hostile = "tenant_a\".users; DROP TABLE main.users; --";
    let map = SchemaTranslateMap::new().map(None, hostile);
    let stmt = select(&u).filter(u.c("id").eq(1));
    let sql = stmt
        .compile(&SQLite)
        .unwrap()
        .translate(&map, &SQLite)
        .unwrap();
    let parsed =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, &sql).unwrap();
    assert_eq!(parsed.len(), 1, "{sql}");
    let mut conn = engine.connect().unwrap();
    conn.update_execution_options(|o| o.schema_translate_map(map))
        .unwrap();
    // The whole name is one quoted identifier: no such table, and nothing else ran.
    let err = conn.execute(stmt, ()).unwrap_err();
    assert!(err.to_string().contains("no such table"), "{err}");
    conn.rollback().unwrap();
    conn.update_execution_options(|o| {
        let mut o = o;
        o.schema_translate_map = None;
        o
    })
    .unwrap();
    assert_eq!(
        rows_in(&mut conn, "main.users"),
        0,
        "main.users still exists"
    );
}

/// An array's element type and dimensions are part of the key where they change the SQL (a
/// CAST, DDL) or the parameters' types (a column of another element type); the values of an
/// array, its length included, are not.
#[test]
fn array_element_type_and_dimensions_are_part_of_the_key() {
    let tagged =
        |item: SqlType| Table::new("tagged").column(Column::new("ns", SqlType::array(item)));
    let values = |ns: &[i32]| Value::Array(ns.iter().map(|&n| Value::I32(n)).collect());
    let statements: Vec<(&str, Statement)> = vec![
        (
            "cast to integer[]",
            select([cast(literal(values(&[1])), SqlType::array(SqlType::Integer)).label("a")])
                .into(),
        ),
        (
            "cast to integer[][]",
            select([cast(
                literal(values(&[1])),
                SqlType::array(SqlType::Integer).dimensions(2),
            )
            .label("a")])
            .into(),
        ),
        (
            "cast to text[]",
            select([cast(literal(values(&[1])), SqlType::array(SqlType::Text)).label("a")]).into(),
        ),
        (
            "integer elements",
            select([tagged(SqlType::Integer).c("ns")])
                .filter(tagged(SqlType::Integer).c("ns").array_contains([1]))
                .into(),
        ),
        (
            "bigint elements",
            select([tagged(SqlType::BigInteger).c("ns")])
                .filter(tagged(SqlType::BigInteger).c("ns").array_contains([1]))
                .into(),
        ),
        (
            "two dimensions",
            create_table(&Table::new("t").column(Column::new(
                "g",
                SqlType::array(SqlType::Integer).dimensions(2),
            )))
            .into(),
        ),
        (
            "three dimensions",
            create_table(&Table::new("t").column(Column::new(
                "g",
                SqlType::array(SqlType::Integer).dimensions(3),
            )))
            .into(),
        ),
    ];
    let mut keys: Vec<(&str, CacheKey, Compiled)> = Vec::new();
    for (case, stmt) in &statements {
        let compiled = stmt.compile(&PostgreSQL).unwrap();
        let extracted = extract(stmt, &PostgreSQL).expect("a key");
        for (other, key, other_compiled) in &keys {
            assert!(
                !extracted.matches(key),
                "{case} shares a key with {other}: {} / {}",
                compiled.sql,
                other_compiled.sql
            );
        }
        keys.push((*case, extracted.to_key(), compiled));
    }
    // Other values, another length: the same key.
    let t = tagged(SqlType::Integer);
    let short = select([t.c("ns")]).filter(t.c("ns").array_overlap([1]));
    let long = select([t.c("ns")]).filter(t.c("ns").array_overlap([4, 5, 6]));
    let (short, long) = (Statement::from(short), Statement::from(long));
    let key = extract(&short, &PostgreSQL).unwrap().to_key();
    assert!(extract(&long, &PostgreSQL).unwrap().matches(&key));
}
