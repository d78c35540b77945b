//! Window frames, JSON access, LATERAL, `text()` fragments and the query-building
//! conveniences, rendered for PostgreSQL, SQLite and MySQL and snapshotted in
//! `snapshots/<dialect>/`; each rendering is parsed back with sqlparser and executed through
//! sqlcore on SQLite and on PostgreSQL (see `tests/common/mod.rs`).

#[macro_use]
mod common;

use common::fixtures::*;
use sqlcore::*;

// ---- window frames ----------------------------------------------------------------------
snap!(window_rows_running_total, {
    let o = orders();
    select([
        o.c("id"),
        sum(o.c("amount"))
            .over_window(
                Window::new()
                    .order_by([o.c("id")])
                    .rows(FrameBound::UnboundedPreceding, FrameBound::CurrentRow),
            )
            .label("running"),
    ])
});
snap!(window_rows_offsets, {
    let o = orders();
    select([
        o.c("id"),
        sum(o.c("amount"))
            .over_window(
                Window::new()
                    .partition_by([o.c("user_id")])
                    .order_by([o.c("id")])
                    .rows(FrameBound::Preceding(2), FrameBound::Following(1)),
            )
            .label("moving"),
    ])
});
snap!(window_range_current_to_unbounded, {
    let o = orders();
    select([
        o.c("id"),
        count_all()
            .over_window(
                Window::new()
                    .order_by([o.c("amount")])
                    .range_(FrameBound::CurrentRow, FrameBound::UnboundedFollowing),
            )
            .label("n"),
    ])
});
snap!(window_range_offsets, {
    let u = users();
    select([
        u.c("id"),
        count_all()
            .over_window(
                Window::new()
                    .order_by([u.c("score")])
                    .range_(FrameBound::Preceding(10), FrameBound::Following(10)),
            )
            .label("near"),
    ])
});
snap!(window_groups_frame, {
    let u = users();
    select([
        u.c("id"),
        count_all()
            .over_window(
                Window::new()
                    .order_by([u.c("active")])
                    .groups(FrameBound::Preceding(1), FrameBound::CurrentRow),
            )
            .label("n"),
    ])
});
snap!(window_empty_over, {
    let u = users();
    select([
        u.c("id"),
        count_all().over_window(Window::new()).label("total"),
    ])
});
snap!(window_frame_from_sqlalchemy_offsets, {
    let u = users();
    select([
        u.c("id"),
        sum(u.c("score"))
            .over_window(
                Window::new()
                    .order_by([u.c("id")])
                    .rows(FrameBound::start(Some(-1)), FrameBound::end(None)),
            )
            .label("s"),
    ])
});
snap!(window_named_in_window_clause, {
    let o = orders();
    select([
        o.c("id"),
        sum(o.c("amount"))
            .over_window(Window::named("per_user"))
            .label("total"),
        func("row_number", ())
            .over_window(Window::named("per_user").order_by(o.c("id")))
            .label("rn"),
        sum(o.c("amount"))
            .over_window(
                Window::named("by_id").rows(FrameBound::Preceding(1), FrameBound::CurrentRow),
            )
            .label("pair"),
    ])
    .window("per_user", Window::new().partition_by([o.c("user_id")]))
    .window("by_id", Window::new().order_by(o.c("id")))
    .order_by(o.c("id"))
});
snap!(window_frame_backwards_is_an_error, {
    let u = users();
    select([sum(u.c("score"))
        .over_window(
            Window::new()
                .order_by([u.c("id")])
                .rows(FrameBound::Following(1), FrameBound::CurrentRow),
        )
        .label("s")])
});

// ---- JSON --------------------------------------------------------------------------------
snap!(json_get_key, {
    let d = docs();
    select([d.c("id"), d.c("doc").get("a").label("a")])
});
snap!(json_get_index_as_string, {
    let d = docs();
    select([d.c("doc").get("tags").get(0).as_string().label("first_tag")])
});
snap!(json_path_as_json_and_string, {
    let d = docs();
    select([
        d.c("doc").path(["a", "b"]).label("b_json"),
        d.c("doc").path(["a", "b"]).as_string().label("b"),
    ])
});
snap!(json_path_with_index, {
    let d = docs();
    select([d
        .c("doc")
        .path(["tags".into(), JsonKey::Index(1)])
        .as_string()
        .label("second")])
});
snap!(json_typed_reads, {
    let d = docs();
    select([
        d.c("doc").path(["a", "n"]).as_integer().label("n"),
        d.c("doc").get("f").as_float().label("f"),
        d.c("doc").get("ok").as_boolean().label("ok"),
    ])
});
snap!(json_element_in_where, {
    let d = docs();
    select([d.c("id")]).filter(d.c("doc").path(["a", "b"]).as_string().eq("x"))
});
snap!(jsonb_contains, {
    let d = docs();
    select([d.c("id")]).filter(d.c("doc").json_contains(serde_json::json!({"ok": true})))
});
snap!(jsonb_contained_by, {
    let d = docs();
    select([d.c("id")]).filter(
        d.c("doc")
            .get("tags")
            .contained_by(serde_json::json!(["red", "blue", "green"])),
    )
});
snap!(jsonb_has_key, {
    let d = docs();
    select([d.c("id")]).filter(d.c("doc").has_key("f"))
});
snap!(jsonb_has_any_has_all, {
    let d = docs();
    select([d.c("id")]).filter(
        d.c("doc")
            .has_any(["f", "zz"])
            .and(d.c("doc").has_all(["a", "tags"])),
    )
});

// ---- LATERAL and text() fragments --------------------------------------------------------
snap!(lateral_join_on_true, {
    let (u, o) = (users(), orders());
    let biggest = select([o.c("amount")])
        .filter(o.c("user_id").eq(u.c("id")))
        .order_by([o.c("amount").desc()])
        .limit(1)
        .lateral("biggest");
    select([u.c("name"), biggest.c("amount")]).join_on(&biggest, true_())
});
snap!(lateral_outerjoin, {
    let (u, a) = (users(), addresses());
    let n = select([count_all().label("n")])
        .filter(a.c("user_id").eq(u.c("id")))
        .lateral("n_addresses");
    select([u.c("name"), n.c("n")]).outerjoin_on(&n, true_())
});
snap!(
    text_expanding_in,
    text("SELECT name FROM users WHERE id IN :ids ORDER BY id")
        .bindparams([bindparam_expanding("ids")]),
    params! { "ids" => Value::Array(vec![Value::I32(1), Value::I32(3)]) }
);
snap!(
    text_expanding_in_empty_list,
    text("SELECT name FROM users WHERE id NOT IN :ids")
        .bindparams([bindparam_expanding("ids").with_type(SqlType::Integer)]),
    params! { "ids" => Value::Array(Vec::new()) }
);
snap!(text_fragment_as_where, {
    let u = users();
    select([u.c("id")])
        .filter(u.c("active").is_(true_()))
        .filter(
            text("users.score > :min OR users.score < :max")
                .bind_values(params! { "min" => 50, "max" => 10 }),
        )
});
snap!(text_fragment_as_column, {
    let u = users();
    select([
        u.c("id").into(),
        SelectItem::from(text("users.score * :k").bind_values(params! { "k" => 2 })),
    ])
});
snap!(
    text_count_star_column,
    select(text("count(*)")).select_from(users())
);
snap!(is_true_is_not_false, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("active")
            .is_(true_())
            .and(u.c("active").is_not(false_())),
    )
});
snap!(is_not_distinct_via_is, {
    let u = users();
    select([u.c("id")]).filter(u.c("email").is_(u.c("fullname")))
});

// ---- query-building conveniences ---------------------------------------------------------
snap!(join_from_inferred, {
    let (u, a) = (users(), addresses());
    select([u.c("name"), a.c("email_address")]).join_from(&a, &u)
});
snap!(outerjoin_from_alias, {
    let (u, a) = (users(), addresses());
    let ua = u.alias("u2");
    select([ua.c("name"), a.c("email_address")]).outerjoin_from(&ua, &a)
});
snap!(alias_and_subquery_outerjoin, {
    let (u, o) = (users(), orders());
    let totals = select([o.c("user_id"), sum(o.c("amount")).label("total")])
        .group_by(o.c("user_id"))
        .subquery("totals");
    let ua = u.alias("u2");
    select([ua.c("name"), totals.c("total")])
        .select_from(ua.outerjoin(&totals, Some(totals.c("user_id").eq(ua.c("id")))))
});
snap!(subquery_outerjoin_left, {
    let (u, o) = (users(), orders());
    let big = select([o.c("user_id")])
        .filter(o.c("amount").gt(100))
        .subquery("big");
    select([big.c("user_id"), u.c("name")])
        .select_from(big.outerjoin(&u, Some(u.c("id").eq(big.c("user_id")))))
});
snap!(order_and_group_by_label_name, {
    let o = orders();
    select((o.c("status"), count_all().label("n")))
        .group_by("status")
        .order_by((desc("n"), "status"))
});
snap!(order_by_unknown_name_is_an_error, {
    let u = users();
    select([u.c("id")]).order_by("nope")
});
snap!(order_by_mixed_items, {
    let u = users();
    select([u.c("id"), u.c("name")]).order_by((u.c("active").desc(), u.c("name"), asc(u.c("id"))))
});
snap!(compound_order_by_name, {
    let (u, a) = (users(), addresses());
    select([u.c("email").label("e")])
        .union(select([a.c("email_address")]))
        .order_by(desc("e"))
});
snap!(func_without_arguments, {
    let u = users();
    select([
        u.c("id"),
        func("row_number", ())
            .over_window(Window::new().order_by(u.c("id")))
            .label("rn"),
        func("coalesce", (u.c("fullname"), u.c("name"), "?")).label("shown"),
    ])
});
snap!(case_with_value, {
    let u = users();
    select([
        u.c("id"),
        case_value(u.c("name"), [("ed", "E"), ("wendy", "W")], Some("?")).label("initial"),
    ])
});
snap!(
    limit_offset_bindparams,
    {
        let u = users();
        select([u.c("id")])
            .order_by(u.c("id"))
            .limit(bindparam("lim"))
            .offset(bindparam("off"))
    },
    params! { "lim" => 2, "off" => 1 }
);
snap!(exists_where_correlated, {
    let (u, a) = (users(), addresses());
    select([u.c("name")]).filter(exists_where(a.c("user_id").eq(u.c("id"))))
});
snap!(not_exists_where, {
    let (u, o) = (users(), orders());
    select([u.c("name")]).filter(not_(exists_where(
        o.c("user_id").eq(u.c("id")).and(o.c("status").eq("paid")),
    )))
});
snap!(anonymous_subqueries, {
    let (u, o) = (users(), orders());
    let totals = select([o.c("user_id"), sum(o.c("amount")).label("total")])
        .group_by(o.c("user_id"))
        .anon_subquery();
    let active = select([u.c("id"), u.c("name")])
        .filter(u.c("active").is_(true_()))
        .anon_subquery();
    select([active.c("name"), totals.c("total")])
        .join_from_on(&active, &totals, totals.c("user_id").eq(active.c("id")))
        .order_by(active.c("name"))
});

// ---- one bound value used twice -------------------------------------------------------------
// One bind (built once, cloned) is one parameter wherever it appears: `$1` / `?1` at each place,
// the value bound at each `?` on MySQL (named parameters: `bindparam_used_twice`). PostgreSQL refuses the GROUP BY below with two
// parameters (42803): it cannot tell that they are equal.
snap!(bind_used_twice_in_select_and_group_by, {
    let u = users();
    let prefix = func("substr", (u.c("name"), literal(1), literal(2))).label("prefix");
    select([prefix.clone(), count_all().label("n")])
        .group_by(prefix.clone())
        .order_by(prefix)
});
snap!(bind_used_twice_in_where_and_having, {
    let o = orders();
    let floor = literal(10);
    select([o.c("user_id"), count_all().label("n")])
        .filter(o.c("amount").gt(floor.clone()))
        .group_by(o.c("user_id"))
        .having(min(o.c("amount")).gt(floor))
});
snap!(equal_values_bound_apart_are_two_parameters, {
    let u = users();
    select([func("substr", (u.c("name"), literal(1), literal(2))).label("prefix")])
        .filter(func("substr", (u.c("name"), literal(1), literal(2))).ne("zz"))
});
