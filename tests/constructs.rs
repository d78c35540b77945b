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

crate::on_every_backend!(
    rows_frame_gives_a_running_sum,
    rows_frame_offsets_give_a_moving_window,
    range_and_groups_frames_count_peers,
);
