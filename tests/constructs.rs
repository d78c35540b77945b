//! Results of window frames, JSON access and the other constructs on every backend — SQLite
//! (a file per test) and PostgreSQL (a schema per test).

mod common;

use common::backend::TestDb;
use sqlcore::*;

fn points() -> Table {
    Table::new("points")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("grp", SqlType::Integer).not_null())
        .column(Column::new("n", SqlType::Integer).not_null())
}

/// An engine holding `points` with ids 1..=5, group 1 for ids 1–3 and 2 for 4–5, `n = id * 10`.
fn engine(b: &TestDb) -> Engine {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let mut md = MetaData::new();
    md.add(points()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    for id in 1..=5 {
        conn.execute(
            insert(&points()),
            params! { "id" => id, "grp" => if id <= 3 { 1 } else { 2 }, "n" => id * 10 },
        )
        .unwrap();
    }
    conn.commit().unwrap();
    engine
}

fn ints(conn: &mut Connection, q: Select) -> Vec<i64> {
    conn.execute(q, ()).unwrap().scalars::<i64>().all().unwrap()
}

fn rows_frame_gives_a_running_sum(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let p = points();
    let running = sum(p.c("n")).over_window(
        Window::new()
            .order_by([p.c("id")])
            .rows(FrameBound::UnboundedPreceding, FrameBound::CurrentRow),
    );
    let q = select([running.cast(SqlType::BigInteger).label("s")]).order_by([p.c("id")]);
    assert_eq!(ints(&mut conn, q), [10, 30, 60, 100, 150]);
}

fn rows_frame_offsets_give_a_moving_window(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let p = points();
    // SQLAlchemy's rows=(-1, 1): the row before, the row and the row after, per group.
    let moving = sum(p.c("n")).over_window(
        Window::new()
            .partition_by([p.c("grp")])
            .order_by([p.c("id")])
            .rows(FrameBound::start(Some(-1)), FrameBound::end(Some(1))),
    );
    let q = select([moving.cast(SqlType::BigInteger).label("s")]).order_by([p.c("id")]);
    assert_eq!(ints(&mut conn, q), [30, 60, 50, 90, 90]);
}

fn named_windows_are_shared(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let p = points();
    let q = select([
        sum(p.c("n"))
            .over_window(Window::named("g"))
            .cast(SqlType::BigInteger)
            .label("total"),
        func("row_number", ())
            .over_window(Window::named("g").order_by(p.c("id").desc()))
            .cast(SqlType::BigInteger)
            .label("rn"),
    ])
    .window("g", Window::new().partition_by([p.c("grp")]))
    .order_by(p.c("id"));
    let rows = conn.execute(q, ()).unwrap().all().unwrap();
    let got: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    assert_eq!(got, [(60, 3), (60, 2), (60, 1), (90, 2), (90, 1)]);
}

fn range_and_groups_frames_count_peers(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let p = points();
    // Values within 10 of the row's own n.
    let near = count_all().over_window(
        Window::new()
            .order_by([p.c("n")])
            .range_(FrameBound::Preceding(10), FrameBound::Following(10)),
    );
    let q = select([near.cast(SqlType::BigInteger).label("c")]).order_by([p.c("id")]);
    assert_eq!(ints(&mut conn, q), [2, 3, 3, 3, 2]);
    // The row's group and the one before it.
    let groups = count_all().over_window(
        Window::new()
            .order_by([p.c("grp")])
            .groups(FrameBound::Preceding(1), FrameBound::CurrentRow),
    );
    let q = select([groups.cast(SqlType::BigInteger).label("c")]).order_by([p.c("id")]);
    assert_eq!(ints(&mut conn, q), [3, 3, 3, 5, 5]);
}

fn docs() -> Table {
    Table::new("docs")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("doc", SqlType::Json))
}

fn docs_engine(b: &TestDb) -> Engine {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let mut md = MetaData::new();
    md.add(docs()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    for (id, doc) in [
        (
            1,
            serde_json::json!({"a": {"b": "x", "n": 5}, "tags": ["red", "blue"], "ok": true, "f": 1.5}),
        ),
        (
            2,
            serde_json::json!({"a": {"b": null}, "tags": [], "ok": false}),
        ),
    ] {
        conn.execute(insert(&docs()), params! { "id" => id, "doc" => doc })
            .unwrap();
    }
    conn.commit().unwrap();
    engine
}

fn json_elements_read_as_sql_values(b: &TestDb) {
    let engine = docs_engine(b);
    let mut conn = engine.connect().unwrap();
    let d = docs();
    let doc = || d.c("doc");
    let one = |conn: &mut Connection, e: Expr| -> Value {
        conn.execute(select([e.label("v")]).filter(d.c("id").eq(1)), ())
            .unwrap()
            .scalar_one()
            .unwrap()
    };
    assert_eq!(
        one(&mut conn, doc().path(["a", "b"]).as_string()),
        Value::Text("x".into())
    );
    assert_eq!(
        one(&mut conn, doc().get("a").get("b").as_string()),
        Value::Text("x".into())
    );
    assert_eq!(
        one(&mut conn, doc().get("tags").get(1).as_string()),
        Value::Text("blue".into())
    );
    assert_eq!(
        one(
            &mut conn,
            doc().path(["tags".into(), JsonKey::Index(0)]).as_string()
        ),
        Value::Text("red".into())
    );
    let n: i64 = conn
        .execute(
            select([doc().path(["a", "n"]).as_integer().label("n")]).filter(d.c("id").eq(1)),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 5);
    let f: f64 = conn
        .execute(
            select([doc().get("f").as_float().label("f")]).filter(d.c("id").eq(1)),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(f, 1.5);
    let ok: Vec<bool> = conn
        .execute(
            select([doc().get("ok").as_boolean().label("ok")]).order_by([d.c("id")]),
            (),
        )
        .unwrap()
        .scalars::<bool>()
        .all()
        .unwrap();
    assert_eq!(ok, [true, false]);
    // A JSON element read as JSON is a document; a JSON null read as text is SQL NULL.
    let a: serde_json::Value = conn
        .execute(
            select([doc().get("a").label("a")]).filter(d.c("id").eq(1)),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(a, serde_json::json!({"b": "x", "n": 5}));
    let null_b: Option<String> = conn
        .execute(
            select([doc().path(["a", "b"]).as_string().label("b")]).filter(d.c("id").eq(2)),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(null_b, None);
    // In WHERE, compared with a bound value.
    let ids: Vec<i64> = conn
        .execute(
            select([d.c("id")]).filter(doc().path(["a", "b"]).as_string().eq("x")),
            (),
        )
        .unwrap()
        .scalars::<i64>()
        .all()
        .unwrap();
    assert_eq!(ids, [1]);
    if !b.is_postgres() {
        let err = conn
            .execute(select([d.c("id")]).filter(doc().has_key("f")), ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("?") && err.contains(conn.dialect().name()),
            "{err}"
        );
        return;
    }
    let ids = |conn: &mut Connection, cond: Expr| -> Vec<i64> {
        conn.execute(select([d.c("id")]).filter(cond).order_by([d.c("id")]), ())
            .unwrap()
            .scalars::<i64>()
            .all()
            .unwrap()
    };
    assert_eq!(
        ids(
            &mut conn,
            doc().json_contains(serde_json::json!({"ok": true}))
        ),
        [1]
    );
    assert_eq!(
        ids(
            &mut conn,
            doc()
                .get("tags")
                .contained_by(serde_json::json!(["red", "blue"]))
        ),
        [1, 2]
    );
    assert_eq!(ids(&mut conn, doc().has_key("f")), [1]);
    assert_eq!(ids(&mut conn, doc().has_any(["f", "ok"])), [1, 2]);
    assert_eq!(ids(&mut conn, doc().has_all(["f", "ok"])), [1]);
}

fn lateral_picks_the_top_row_per_group(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let p = points();
    let outer = p.alias("o");
    let top = select([p.c("n")])
        .filter(p.c("grp").eq(outer.c("grp")))
        .order_by([p.c("n").desc()])
        .limit(1)
        .lateral("top");
    let q = select([outer.c("id"), top.c("n")])
        .join_on(&top, true_())
        .order_by([outer.c("id")]);
    if !b.is_postgres() {
        let err = conn.execute(q, ()).unwrap_err().to_string();
        assert!(err.contains("LATERAL") && err.contains("sqlite"), "{err}");
        return;
    }
    let rows = conn.execute(q, ()).unwrap().all().unwrap();
    let got: Vec<(i32, i32)> = rows
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    assert_eq!(got, [(1, 30), (2, 30), (3, 30), (4, 50), (5, 50)]);
}

fn text_expanding_parameter_and_fragments(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let ids = |conn: &mut Connection, list: Vec<Value>| -> Vec<i64> {
        let t = text("SELECT id FROM points WHERE id IN :ids ORDER BY id")
            .bindparams([bindparam_expanding("ids").with_type(SqlType::Integer)]);
        conn.execute(t, params! { "ids" => Value::Array(list) })
            .unwrap()
            .scalars::<i64>()
            .all()
            .unwrap()
    };
    // One compiled form serves every length, the empty list included.
    assert_eq!(
        ids(&mut conn, vec![Value::I32(2), Value::I32(4), Value::I32(9)]),
        [2, 4]
    );
    assert_eq!(ids(&mut conn, vec![Value::I32(5)]), [5]);
    assert_eq!(ids(&mut conn, vec![]), Vec::<i64>::new());
    // A Rust list binds as the list it is (integers here, not the bytes of a Vec<u8>).
    let t = text("SELECT id FROM points WHERE id IN :ids ORDER BY id")
        .bindparams([bindparam_expanding("ids")]);
    let got: Vec<i64> = conn
        .execute(t, params! { "ids" => vec![1, 3] })
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(got, [1, 3]);
    let pts = points();
    let q = select([pts.c("id")])
        .filter(pts.c("id").in_(bindparam_expanding("ids")))
        .order_by([pts.c("id")]);
    let got: Vec<i64> = conn
        .execute(q, params! { "ids" => vec![2_i64, 5] })
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(got, [2, 5]);
    // A fragment carrying its own values, as a criterion and as a column.
    let p = points();
    let q = select([
        p.c("id").into(),
        SelectItem::from(text("points.n * :k").bind_values(params! { "k" => 3 })),
    ])
    .filter(
        text("points.n > :lo AND points.grp = :g").bind_values(params! { "lo" => 10, "g" => 1 }),
    )
    .order_by([p.c("id")]);
    let rows = conn.execute(q, ()).unwrap().all().unwrap();
    let got: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
        .collect();
    assert_eq!(got, [(2, 60), (3, 90)]);
    // is_(true_()) on a boolean comparison's result.
    let q = select([count_all()]).filter(p.c("n").gt(20).is_(true_()));
    let n: i64 = conn.execute(q, ()).unwrap().scalar_one().unwrap();
    assert_eq!(n, 3);
}

/// Statements that differ only in a frame, a JSON step's kind or type, a label name, a
/// LATERAL flag or which anonymous subquery a column is of compile differently, so they never
/// share a cache key.
#[test]
fn constructs_are_part_of_the_cache_key() {
    let p = points();
    let d = docs();
    let framed = |start: FrameBound| -> Statement {
        select([sum(p.c("n"))
            .over_window(
                Window::new()
                    .order_by(p.c("id"))
                    .rows(start, FrameBound::CurrentRow),
            )
            .label("s")])
        .into()
    };
    let json = |e: Expr| -> Statement { select([e.label("v")]).into() };
    let named = |name: &str| -> Statement {
        select((p.c("grp"), count_all().label("n"), count_all().label("m")))
            .group_by(p.c("grp"))
            .order_by(desc(name))
            .into()
    };
    let lateral = |lat: bool| -> Statement {
        let q = select([p.c("n")]).limit(1);
        let sq = if lat { q.lateral("x") } else { q.subquery("x") };
        select([sq.c("n")]).into()
    };
    // Two anonymous subqueries of the same query, or one used twice.
    let anon = |twice: bool| -> Statement {
        let make = || select([p.c("n")]).anon_subquery();
        let (a, b) = if twice {
            let a = make();
            (a.clone(), a)
        } else {
            (make(), make())
        };
        select([a.c("n"), b.c("n")]).into()
    };
    let groups: Vec<Vec<Statement>> = vec![
        vec![anon(true), anon(false)],
        vec![
            framed(FrameBound::Preceding(1)),
            framed(FrameBound::Preceding(2)),
            framed(FrameBound::UnboundedPreceding),
        ],
        vec![
            json(d.c("doc").get("a")),
            json(d.c("doc").path(["a"])),
            json(d.c("doc").get("a").as_string()),
            json(d.c("doc").get("a").as_integer()),
        ],
        vec![named("n"), named("m")],
        vec![lateral(true), lateral(false)],
    ];
    for dialect in [&PostgreSQL as &dyn Dialect, &MySQL] {
        for group in &groups {
            let keys: Vec<_> = group.iter().map(|s| extract(s, dialect).unwrap()).collect();
            for (i, a) in keys.iter().enumerate() {
                for (j, b) in keys.iter().enumerate() {
                    assert_eq!(
                        i == j,
                        a.matches(&b.to_key()),
                        "{i} vs {j} on {}",
                        dialect.name()
                    );
                }
            }
        }
    }
    // Values are not part of the key: another key, index or offset value shares it.
    let a = json(d.c("doc").get("a"));
    let b = json(d.c("doc").get("b"));
    assert!(
        extract(&a, &SQLite)
            .unwrap()
            .matches(&extract(&b, &SQLite).unwrap().to_key())
    );
}

crate::on_every_backend!(
    rows_frame_gives_a_running_sum,
    rows_frame_offsets_give_a_moving_window,
    named_windows_are_shared,
    json_elements_read_as_sql_values,
    text_expanding_parameter_and_fragments;
    not_on_mariadb:
    range_and_groups_frames_count_peers => "GROUPS window frames: MySQL and MariaDB have none (a CompileError)",
    lateral_picks_the_top_row_per_group => "LATERAL: MariaDB has none (MySQL 8.0.14 has)",
);
