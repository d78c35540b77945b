//! Every query construct of the compiler (SELECT, expressions, compound selects, `text()`),
//! rendered for PostgreSQL, SQLite and MySQL and snapshotted in `snapshots/<dialect>/`; each
//! rendering is parsed back with sqlparser, and each statement is executed through sqlcore on
//! SQLite and on PostgreSQL.

#[macro_use]
mod common;

use common::fixtures::*;
use sqlcore::*;

// ---- SELECT basics ----------------------------------------------------------------------
snap!(select_whole_table, select(&users()));
snap!(select_columns_where, {
    let u = users();
    select([u.c("id"), u.c("name")]).filter(u.c("name").eq("Alice"))
});
snap!(select_filter_called_twice, {
    let u = users();
    select([u.c("id")])
        .filter(u.c("name").eq("a"))
        .filter(u.c("score").gt(10))
});
snap!(select_and_or_precedence, {
    let u = users();
    select([u.c("id")]).filter(or_([
        and_([u.c("name").eq("a"), u.c("score").gt(1)]),
        and_([
            u.c("name").eq("b"),
            or_([u.c("score").lt(0), u.c("score").gt(100)]),
        ]),
    ]))
});
snap!(select_not, {
    let u = users();
    select([u.c("id")]).filter(not_(u.c("name").eq("a").or(u.c("active").eq(true))))
});
snap!(select_comparisons, {
    let u = users();
    select([u.c("id")]).filter(and_([
        u.c("score").eq(1),
        u.c("score").ne(2),
        u.c("score").lt(3),
        u.c("score").le(4),
        u.c("score").gt(5),
        u.c("score").ge(6),
    ]))
});
snap!(select_is_null, {
    let u = users();
    select([u.c("id")]).filter(u.c("email").is_null().and(u.c("fullname").is_not_null()))
});
snap!(select_eq_none_is_null, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("email")
            .eq(None::<String>)
            .or(u.c("fullname").ne(None::<String>)),
    )
});
snap!(select_is_distinct_from, {
    let u = users();
    select([u.c("id")]).filter(u.c("email").is_distinct_from(u.c("fullname")))
});
snap!(select_is_not_distinct_from, {
    let u = users();
    select([u.c("id")]).filter(u.c("email").is_not_distinct_from("x@y"))
});
snap!(select_arithmetic_precedence, {
    let u = users();
    select([
        (u.c("score") - (u.c("id") - 1)).label("a"),
        ((u.c("score") + 1) * 2).label("b"),
        (u.c("score") * 2 + 1).label("c"),
        (-(u.c("score") + 1)).label("d"),
        (u.c("score") % 7 / 2).label("e"),
    ])
});
snap!(select_concat, {
    let u = users();
    select([u
        .c("name")
        .concat(" <")
        .concat(u.c("email"))
        .concat(">")
        .label("display")])
});
snap!(select_concat_mixed_with_arithmetic, {
    let u = users();
    select([u.c("name").concat(u.c("score") + 1).label("x")])
});
snap!(
    select_literal,
    select([literal(1).label("one"), literal("two").label("two")])
);
snap!(select_literal_column, {
    let u = users();
    select([u.c("id"), literal_column("1").label("one")]).filter(literal_column("1 = 1"))
});

// ---- IN, BETWEEN, LIKE ---------------------------------------------------------------------
snap!(in_list, {
    let u = users();
    select([u.c("id")]).filter(u.c("id").in_([1, 2, 3]))
});
snap!(not_in_list, {
    let u = users();
    select([u.c("id")]).filter(u.c("name").not_in(["a", "b"]))
});
snap!(in_empty_list, {
    let u = users();
    select([u.c("id")]).filter(u.c("id").in_(Vec::<i32>::new()))
});
snap!(not_in_empty_list, {
    let u = users();
    select([u.c("id")]).filter(u.c("id").not_in(Vec::<i32>::new()))
});
snap!(in_list_with_other_params, {
    let u = users();
    select([u.c("id")])
        .filter(u.c("score").gt(1))
        .filter(u.c("id").in_([4, 5]))
        .filter(u.c("name").ne("z"))
});
snap!(in_subquery, {
    let (u, a) = (users(), addresses());
    select([u.c("name")]).filter(
        u.c("id")
            .in_(select([a.c("user_id")]).filter(a.c("email_address").like("%@x.org"))),
    )
});
snap!(not_in_subquery, {
    let (u, o) = (users(), orders());
    select([u.c("name")]).filter(u.c("id").not_in(select([o.c("user_id")])))
});
snap!(
    in_expanding_bindparam,
    {
        let u = users();
        select([u.c("id")]).filter(u.c("id").in_(bindparam("ids")))
    },
    params! { "ids" => Value::Array(vec![Value::I32(7), Value::I32(8)]) }
);
snap!(between_and_not_between, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("score")
            .between(1, 10)
            .and(u.c("id").not_between(100, 200)),
    )
});
snap!(like_and_not_like, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("name")
            .like("a%")
            .and(u.c("email").not_like("%@spam.com")),
    )
});
snap!(ilike_and_not_ilike, {
    let u = users();
    select([u.c("id")]).filter(u.c("name").ilike("A%").and(u.c("fullname").not_ilike("%X")))
});
snap!(startswith_escapes_wildcards, {
    let u = users();
    select([u.c("id")]).filter(u.c("name").startswith(autoescape("50%_off/")))
});
snap!(endswith_escapes, {
    let u = users();
    select([u.c("id")]).filter(u.c("email").endswith(autoescape("@example.com")))
});
snap!(contains_escapes_wildcards, {
    let u = users();
    select([u.c("id")]).filter(u.c("fullname").contains(autoescape("_x%")))
});
snap!(like_custom_escape, {
    let u = users();
    select([u.c("id")]).filter(u.c("name").like_escape("a!%%", '!'))
});

// ---- functions, CASE, CAST, labels ---------------------------------------------------------
snap!(function_generic, {
    let u = users();
    select([
        func("length", [u.c("name")]).label("len"),
        func("abs", [u.c("score")]),
    ])
});
snap!(aggregates_group_by_having, {
    let o = orders();
    select([
        o.c("user_id"),
        count(o.c("id")),
        sum(o.c("amount")),
        avg(o.c("amount")),
        min(o.c("amount")),
        max(o.c("amount")),
    ])
    .group_by([o.c("user_id")])
    .having(count(o.c("id")).gt(2))
    .having(sum(o.c("amount")).ge(100))
});
snap!(count_all_rows, {
    let u = users();
    select([count_all().label("n")]).select_from(&u)
});
snap!(count_distinct, {
    let o = orders();
    select([count(distinct(o.c("user_id"))).label("buyers")])
});
snap!(coalesce_lower_upper, {
    let u = users();
    select([
        coalesce([u.c("fullname"), u.c("name")]).label("display"),
        lower(u.c("name")),
        upper(u.c("email")),
    ])
});
snap!(now_function, {
    let o = orders();
    select([o.c("id")]).filter(o.c("placed_at").lt(now()))
});
snap!(case_with_else, {
    let u = users();
    select([
        u.c("id"),
        case(
            [(u.c("score").ge(90), "high"), (u.c("score").ge(50), "mid")],
            Some("low"),
        )
        .label("band"),
    ])
});
snap!(case_without_else, {
    let u = users();
    select([case([(u.c("active").eq(true), 1)], None::<Expr>).label("flag")])
});
snap!(cast_to_types, {
    let u = users();
    select([
        cast(u.c("score"), SqlType::Numeric(Some(10), Some(2))).label("a"),
        cast(u.c("score"), SqlType::String(Some(10))).label("b"),
        cast(u.c("id"), SqlType::BigInteger).label("c"),
        cast(literal("2024-01-02"), SqlType::Date).label("d"),
    ])
});
snap!(cast_to_interval, {
    let u = users();
    select([
        u.c("id"),
        cast(literal("1 day"), SqlType::INTERVAL).label("i"),
    ])
});
snap!(labels_in_order_by, {
    let u = users();
    let total = (u.c("score") * 2).label("double_score");
    select([u.c("id"), total.clone()]).order_by([total.desc()])
});

// ---- DISTINCT, ORDER, LIMIT -----------------------------------------------------------------
snap!(select_distinct, {
    let u = users();
    select([u.c("name")]).distinct()
});
snap!(select_distinct_on, {
    let o = orders();
    select([o.c("user_id"), o.c("amount")])
        .distinct_on([o.c("user_id")])
        .order_by([o.c("user_id").asc(), o.c("amount").desc()])
});
snap!(order_by_asc_desc, {
    let u = users();
    select([u.c("id")]).order_by([u.c("name").asc(), u.c("id").desc()])
});
snap!(order_by_nulls, {
    let u = users();
    select([u.c("id")]).order_by([
        u.c("email").asc().nulls_first(),
        u.c("fullname").desc().nulls_last(),
    ])
});
snap!(limit_offset, {
    let u = users();
    select([u.c("id")])
        .order_by([u.c("id")])
        .limit(10)
        .offset(20)
});
snap!(offset_only, {
    let u = users();
    select([u.c("id")]).order_by([u.c("id")]).offset(5)
});
snap!(for_update, {
    let u = users();
    select([u.c("id")]).filter(u.c("id").eq(1)).for_update()
});
snap!(for_update_options, {
    let (u, a) = (users(), addresses());
    select([u.c("id"), a.c("id")])
        .join(&a)
        .with_for_update(ForUpdate {
            read: false,
            nowait: false,
            skip_locked: true,
            of: vec![Source::from(&u)],
        })
});
snap!(for_share_nowait, {
    let u = users();
    select([u.c("id")]).with_for_update(ForUpdate {
        read: true,
        nowait: true,
        ..ForUpdate::default()
    })
});

// ---- FROM, joins, aliases --------------------------------------------------------------------
snap!(select_from_explicit, {
    let u = users();
    select([literal(1).label("x")]).select_from(&u)
});
snap!(join_inferred_from_foreign_key, {
    let (u, a) = (users(), addresses());
    select([u.c("name"), a.c("email_address")]).join(&a)
});
snap!(join_explicit_on, {
    let (u, a) = (users(), addresses());
    select([u.c("name"), a.c("email_address")]).join_on(
        &a,
        a.c("user_id")
            .eq(u.c("id"))
            .and(a.c("email_address").like("%@x.org")),
    )
});
snap!(outer_join, {
    let (u, a) = (users(), addresses());
    select([u.c("name"), count(a.c("id"))])
        .outerjoin(&a)
        .group_by([u.c("name")])
});
snap!(full_outer_join, {
    let (u, o) = (users(), orders());
    select([u.c("id"), o.c("id")]).full_join(&o)
});
snap!(join_chain, {
    let (u, a, o) = (users(), addresses(), orders());
    select([u.c("name"), a.c("email_address"), o.c("amount")])
        .join(&a)
        .join(&o)
});
snap!(join_table_method, {
    let (u, a) = (users(), addresses());
    select([u.c("id")]).select_from(u.join(&a, None).outerjoin(orders(), None))
});
snap!(join_ambiguous_foreign_keys, {
    let (u, m) = (users(), messages());
    select([u.c("name"), m.c("body")]).join(&m)
});
snap!(join_without_foreign_key, {
    let (u, k) = (users(), kv());
    select([u.c("name"), k.c("v")]).join(&k)
});
snap!(self_join_alias, {
    let n = nodes();
    let parent = n.alias("parent");
    select([n.c("label"), parent.c("label").label("parent_label")]).join(&parent)
});
snap!(two_aliases_of_one_table, {
    let (u, m) = (users(), messages());
    let (s, r) = (u.alias("sender"), u.alias("recipient"));
    select([
        m.c("body"),
        s.c("name").label("from_name"),
        r.c("name").label("to_name"),
    ])
    .join_on(&s, m.c("sender_id").eq(s.c("id")))
    .join_on(&r, m.c("recipient_id").eq(r.c("id")))
});
snap!(schema_qualified_table, {
    let t = tags();
    select([t.c("name")]).filter(t.c("id").eq(1))
});

// ---- subqueries, correlation, CTEs -----------------------------------------------------------
snap!(subquery_in_from, {
    let o = orders();
    let totals = select([o.c("user_id"), sum(o.c("amount")).label("total")])
        .group_by([o.c("user_id")])
        .subquery("totals");
    let u = users();
    select([u.c("name"), totals.c("total")])
        .join_on(&totals, totals.c("user_id").eq(u.c("id")))
        .filter(totals.c("total").gt(100))
});
snap!(exists_correlated, {
    let (u, a) = (users(), addresses());
    select([u.c("name")]).filter(exists(
        select([a.c("id")]).filter(a.c("user_id").eq(u.c("id"))),
    ))
});
snap!(not_exists_correlated, {
    let (u, o) = (users(), orders());
    select([u.c("name")]).filter(not_(
        select([o.c("id")])
            .filter(o.c("user_id").eq(u.c("id")))
            .exists(),
    ))
});
snap!(scalar_subquery_correlated, {
    let (u, a) = (users(), addresses());
    let n = select([count(a.c("id"))])
        .filter(a.c("user_id").eq(u.c("id")))
        .scalar_subquery();
    select([u.c("name"), n.label("address_count")])
});
snap!(scalar_subquery_uncorrelated, {
    let o = orders();
    let avg_amount = select([avg(o.c("amount"))]).scalar_subquery();
    select([o.c("id")]).filter(o.c("amount").gt(avg_amount))
});
snap!(correlate_none, {
    let (u, a) = (users(), addresses());
    let sub = select([count(a.c("id"))])
        .filter(a.c("user_id").eq(u.c("id")))
        .correlate_none()
        .scalar_subquery();
    select([u.c("name"), sub.label("n")])
});
snap!(cte_simple, {
    let o = orders();
    let big = select([o.c("user_id"), o.c("amount")])
        .filter(o.c("amount").gt(100))
        .cte("big_orders");
    select([big.c("user_id"), count_all().label("n")]).group_by([big.c("user_id")])
});
snap!(cte_recursive, {
    let n = nodes();
    let tree = select([n.c("id"), n.c("parent_id"), n.c("label")])
        .filter(n.c("id").eq(1))
        .cte_recursive("tree");
    let tree = tree.union_all(
        select([n.c("id"), n.c("parent_id"), n.c("label")])
            .join_on(&tree, n.c("parent_id").eq(tree.c("id"))),
    );
    select([tree.c("label")])
});
snap!(cte_depending_on_cte, {
    let o = orders();
    let big = select([o.c("user_id"), o.c("amount")])
        .filter(o.c("amount").gt(100))
        .cte("big");
    let per_user = select([big.c("user_id"), sum(big.c("amount")).label("total")])
        .group_by([big.c("user_id")])
        .cte("per_user");
    let u = users();
    select([u.c("name"), per_user.c("total")])
        .join_on(&per_user, per_user.c("user_id").eq(u.c("id")))
        .filter(u.c("active").eq(true))
});
snap!(window_function, {
    let o = orders();
    select([
        o.c("id"),
        func("row_number", Vec::<Expr>::new())
            .over([o.c("user_id")], [o.c("amount").desc()])
            .label("rn"),
        sum(o.c("amount"))
            .over(Vec::<Expr>::new(), [o.c("id")])
            .label("running"),
    ])
});
snap!(window_partition_only, {
    let o = orders();
    select([
        o.c("id"),
        avg(o.c("amount"))
            .over([o.c("user_id")], Vec::<Expr>::new())
            .label("user_avg"),
    ])
});

// ---- compound selects --------------------------------------------------------------------------
snap!(union_distinct, {
    let (u, a) = (users(), addresses());
    select([u.c("email").label("e")]).union(select([a.c("email_address")]))
});
snap!(union_all_order_limit, {
    let (u, a) = (users(), addresses());
    select([u.c("email").label("e")])
        .union_all(select([a.c("email_address")]))
        .order_by([literal_column("e")])
        .limit(5)
});
snap!(intersect_distinct, {
    let (u, o) = (users(), orders());
    select([u.c("id")]).intersect(select([o.c("user_id")]))
});
snap!(except_distinct, {
    let (u, o) = (users(), orders());
    select([u.c("id")]).except(select([o.c("user_id")]))
});
snap!(intersect_all_rows, {
    let (u, o) = (users(), orders());
    select([u.c("id")]).intersect_all(select([o.c("user_id")]))
});
snap!(union_member_with_limit, {
    let u = users();
    select([u.c("id")])
        .order_by([u.c("id")])
        .limit(1)
        .union(select([u.c("id")]).order_by([u.c("id").desc()]).limit(1))
});
snap!(union_of_three, {
    let (u, a, o) = (users(), addresses(), orders());
    select([u.c("id")])
        .union(select([a.c("user_id")]))
        .union(select([o.c("user_id")]))
});

// ---- bind parameters, text() -----------------------------------------------------------------------
snap!(
    bindparam_used_twice,
    {
        let u = users();
        select([u.c("id")]).filter(
            u.c("name")
                .eq(bindparam("n"))
                .or(u.c("fullname").eq(bindparam("n"))),
        )
    },
    params! { "n" => "ed" }
);
snap!(
    text_with_parameters,
    text("SELECT id, name FROM users WHERE name = :name AND id > :min_id"),
    params! { "name" => "ed", "min_id" => 0 }
);
snap!(
    text_cast_string_comment_and_repeat,
    text("SELECT :p + 1 AS p, ':not_a_param' AS s, name AS \"odd:name\" -- :nor_this\nFROM users"),
    params! { "p" => 5 }
);
