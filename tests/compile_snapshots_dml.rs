//! INSERT, UPDATE, DELETE, DDL, quoting and edge cases of the compiler, rendered for
//! PostgreSQL, SQLite and MySQL and snapshotted in `snapshots/<dialect>/`; each rendering is
//! parsed back with sqlparser, and each statement is executed through sqlcore on SQLite and on
//! PostgreSQL.

#[macro_use]
mod common;

use common::fixtures::*;
use sqlcore::*;

// ---- INSERT ----------------------------------------------------------------------------------------------
snap!(
    insert_single_row,
    insert(&users()).values(params! { "id" => 10, "name" => "ed", "fullname" => "Ed Jones" })
);
snap!(
    insert_multi_row,
    insert(&addresses()).values_many([
        params! { "user_id" => 1, "email_address" => "a@x.org" },
        params! { "user_id" => 1, "email_address" => "b@x.org" },
        params! { "user_id" => 2, "email_address" => "c@x.org" },
    ])
);
snap!(insert_from_select, {
    let (u, a) = (users(), addresses());
    insert(&a).from_select(
        ["user_id", "email_address"],
        select([u.c("id"), u.c("email")]).filter(u.c("email").is_not_null()),
    )
});
snap!(insert_from_select_adds_client_defaults, {
    let (u, a) = (users(), addresses());
    insert(&u).from_select(
        ["name", "email"],
        select([a.c("email_address"), a.c("email_address")]).filter(a.c("id").eq(2)),
    )
});
snap!(insert_from_select_with_cte, {
    let (u, a) = (users(), addresses());
    let active = select([u.c("id"), u.c("email")])
        .filter(u.c("active").eq(true))
        .cte("active_users");
    insert(&a).from_select(
        ["user_id", "email_address"],
        select([active.c("id"), active.c("email")]),
    )
});
snap!(
    insert_returning,
    insert(&users())
        .values(params! { "name" => "ed" })
        .returning([users().c("id"), users().c("active")])
);
snap!(
    insert_default_values,
    insert(&events())
        .values(params! { "kind" => "x" })
        .default_values()
);
snap!(
    insert_expression_value,
    insert(&orders()).values([
        ("amount", Expr::from(10)),
        ("placed_at", now()),
        (
            "user_id",
            select([users().c("id")])
                .filter(users().c("name").eq("ed"))
                .scalar_subquery()
        )
    ])
);
snap!(
    insert_applies_client_default,
    insert(&users()).values(params! { "name" => "no active given" })
);
snap!(
    on_conflict_do_nothing,
    insert(&kv())
        .values(params! { "k" => "a", "v" => "1" })
        .on_conflict_do_nothing(["k"])
);
snap!(
    on_conflict_do_nothing_any_target,
    insert(&kv())
        .values(params! { "k" => "a", "v" => "1" })
        .on_conflict_do_nothing(Vec::<&str>::new())
);
snap!(on_conflict_do_update, {
    let kv = kv();
    insert(&kv)
        .values(params! { "k" => "a", "v" => "1" })
        .on_conflict_do_update(["k"], [("v", excluded("v")), ("hits", kv.c("hits") + 1)])
        .on_conflict_filter(kv.c("v").ne(excluded("v")))
});
snap!(on_duplicate_key_update, {
    let kv = kv();
    insert(&kv)
        .values(params! { "k" => "a", "v" => "1" })
        .on_duplicate_key_update([("v", excluded("v")), ("hits", kv.c("hits") + 1)])
});

// ---- UPDATE / DELETE ---------------------------------------------------------------------------------------
snap!(update_simple, {
    let u = users();
    update(&u)
        .filter(u.c("id").eq(5))
        .values(params! { "name" => "new", "fullname" => None::<String> })
});
snap!(update_with_expression, {
    let c = counters();
    update(&c)
        .values([("n", c.c("n") + 1)])
        .filter(c.c("id").eq(1))
});
snap!(update_returning, {
    let c = counters();
    update(&c)
        .values([("n", c.c("n") * 2)])
        .returning([c.c("id"), c.c("n")])
});
snap!(update_from_other_table, {
    let (u, o) = (users(), orders());
    update(&o)
        .values([("status", Expr::from("vip"))])
        .filter(o.c("user_id").eq(u.c("id")))
        .filter(u.c("score").gt(90))
});
snap!(update_correlated_subquery, {
    let (u, o) = (users(), orders());
    update(&u).values([(
        "score",
        select([count(o.c("id"))])
            .filter(o.c("user_id").eq(u.c("id")))
            .scalar_subquery(),
    )])
});
snap!(delete_simple, {
    let u = users();
    delete(&u).filter(u.c("active").eq(false))
});
snap!(delete_returning, {
    let a = addresses();
    delete(&a)
        .filter(a.c("email_address").endswith("@spam.com"))
        .returning([a.c("id"), a.c("email_address")])
});
snap!(delete_with_subquery, {
    let (u, o) = (users(), orders());
    delete(&u).filter(not_(exists(
        select([o.c("id")]).filter(o.c("user_id").eq(u.c("id"))),
    )))
});
snap!(delete_all_rows, delete(&counters()));
snap!(delete_using_other_table, {
    let (u, o) = (users(), orders());
    delete(&o)
        .filter(o.c("user_id").eq(u.c("id")))
        .filter(u.c("active").eq(false))
});

// ---- DDL -------------------------------------------------------------------------------------------------
snap!(create_table_users, create_table(&users()));
snap!(create_table_every_type, create_table(&every_type()));
snap!(
    create_table_every_type_no_interval,
    create_table(&every_type_but_interval())
);
snap!(create_table_constraints, create_table(&constrained()));
snap!(
    create_table_if_not_exists,
    create_table(&Table::new("fresh").column(Column::new("id", SqlType::BigInteger).primary_key()))
        .if_not_exists()
);
snap!(
    create_table_identity,
    create_table(
        &Table::new("ident")
            .column(
                Column::new("id", SqlType::BigInteger)
                    .primary_key()
                    .identity()
            )
            .column(Column::new("x", SqlType::Text))
    )
);
snap!(
    create_table_composite_key,
    create_table(
        &Table::new("memberships")
            .column(Column::new("user_id", SqlType::Integer).references("users.id"))
            .column(Column::new("group_id", SqlType::Integer))
            .column(Column::new("role", SqlType::String(Some(10))).server_default("member"))
            .primary_key(["user_id", "group_id"])
    )
);
// A named primary key keeps its name, also where SQLite writes it on the column.
snap!(
    create_table_named_primary_key,
    create_table(
        &Table::new("albums")
            .column(Column::new("album_id", SqlType::Integer).primary_key())
            .column(Column::new("title", SqlType::String(Some(160))).not_null())
            .primary_key_name("PK_Album")
    )
);
// SQLite writes dates and times in the text it stores (SQLAlchemy's storage format).
snap!(create_table_datetime_defaults, {
    let at = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
        .unwrap()
        .and_hms_opt(12, 30, 15)
        .unwrap();
    create_table(
        &Table::new("moments")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("at", SqlType::DATETIME).server_default(at))
            .column(Column::new("at_tz", SqlType::DATETIME_TZ).server_default(at.and_utc()))
            .column(Column::new("d", SqlType::Date).server_default(at.date()))
            .column(Column::new("t", SqlType::TIME).server_default(at.time())),
    )
});
snap!(drop_table_plain, drop_table(&counters()));
snap!(
    drop_table_if_exists,
    drop_table(&Table::new("not_there").column(Column::new("x", SqlType::Integer))).if_exists()
);
snap!(
    create_index_plain,
    create_index(&users(), &Index::new("ix_users_fullname", ["fullname"]))
);
snap!(
    create_unique_index_expression,
    create_index(
        &users(),
        &Index::new("ux_users_lower_email", [lower(users().c("email"))]).unique()
    )
);
snap!(
    create_partial_index,
    create_index(
        &orders(),
        &Index::new("ix_orders_open", ["user_id", "placed_at"])
            .filter(orders().c("status").eq("new"))
    )
);
snap!(
    create_index_if_not_exists,
    create_index(&kv(), &Index::new("ix_kv_v", ["v"])).if_not_exists()
);
snap!(drop_index_plain, drop_index(&users(), "ix_users_name"));
snap!(
    drop_index_if_exists,
    drop_index(&users(), "ix_users_name").if_exists()
);
snap!(
    comment_on_table,
    Statement::from(SetComment {
        table: users(),
        column: None,
        comment: "People who can log in".into()
    })
);
snap!(
    comment_on_column,
    Statement::from(SetComment {
        table: users(),
        column: Some("name".into()),
        comment: "It's the login name".into()
    })
);

fn every_type() -> Table {
    every_type_but_interval().column(Column::new("c_interval", SqlType::INTERVAL))
}

fn every_type_but_interval() -> Table {
    Table::new("every_type")
        .column(Column::new("c_small", SqlType::SmallInteger))
        .column(Column::new("c_int", SqlType::Integer))
        .column(Column::new("c_big", SqlType::BigInteger))
        .column(Column::new("c_float", SqlType::Float))
        .column(Column::new("c_double", SqlType::Double))
        .column(Column::new(
            "c_numeric",
            SqlType::Numeric(Some(12), Some(3)),
        ))
        .column(Column::new("c_string", SqlType::String(Some(40))))
        .column(Column::new("c_char", SqlType::Char(Some(3))))
        .column(Column::new("c_char_one", SqlType::Char(None)))
        .column(Column::new("c_text", SqlType::Text))
        .column(Column::new("c_bool", SqlType::Boolean).server_default(false))
        .column(Column::new("c_date", SqlType::Date))
        .column(Column::new("c_time", SqlType::TIME))
        .column(Column::new("c_ts", SqlType::DATETIME).server_default_sql("CURRENT_TIMESTAMP"))
        .column(Column::new("c_tstz", SqlType::DATETIME_TZ))
        .column(Column::new("c_bytes", SqlType::LargeBinary))
        .column(Column::new("c_uuid", SqlType::Uuid))
        .column(Column::new("c_json", SqlType::Json))
}

fn constrained() -> Table {
    Table::new("shipments")
        .comment("Outgoing shipments")
        .column(
            Column::new("id", SqlType::Integer)
                .primary_key()
                .comment("Surrogate key"),
        )
        .column(Column::new("order_id", SqlType::BigInteger).not_null())
        .column(Column::new("code", SqlType::String(Some(12))).not_null())
        .column(Column::new("weight", SqlType::Numeric(Some(8), Some(2))).server_default_sql("0.0"))
        .column(Column::new("note", SqlType::String(Some(200))).server_default("it's 'quoted'"))
        .foreign_key(
            ForeignKey::new(["order_id"], "orders", ["id"])
                .name("fk_shipments_order")
                .on_delete(ReferentialAction::Cascade)
                .on_update(ReferentialAction::Restrict),
        )
        .unique(UniqueConstraint::new(["order_id", "code"]).name("uq_shipments_order_code"))
        .check(CheckConstraint::new("weight >= 0").name("ck_weight_positive"))
}

// ---- quoting ---------------------------------------------------------------------------------------------
snap!(reserved_and_uppercase_identifiers, {
    let o = reserved_table().alias("Recent");
    select([o.c("select"), o.c("UserName").label("Who"), o.c("group")])
        .filter(o.c("group").eq("x"))
        .order_by([o.c("UserName")])
});
snap!(hostile_identifiers, {
    let t = hostile_table();
    select([t.c("a\"b`c"), t.c("x; DROP TABLE users; --").label("l'bl")])
        .filter(t.c("a\"b`c").eq("'; DROP TABLE users; --"))
});
snap!(create_hostile_table, create_table(&hostile_table()));

// ---- edge cases ------------------------------------------------------------------------------------------
snap!(except_of_except_keeps_grouping, {
    let (u, a, o) = (users(), addresses(), orders());
    select([u.c("id")]).except(select([a.c("user_id")]).except(select([o.c("user_id")])))
});
snap!(order_by_label_outside_column_list, {
    let u = users();
    select([u.c("name")]).order_by([lower(u.c("name")).label("ln"), u.c("id")])
});
snap!(duplicate_column_names_get_labels, {
    let (u, a) = (users(), addresses());
    select([
        u.c("id"),
        a.c("id"),
        cast(u.c("score"), SqlType::BigInteger),
    ])
    .join(&a)
});
snap!(subquery_of_duplicate_names, {
    let (u, a) = (users(), addresses());
    let sq = select([u.c("id"), a.c("id")]).join(&a).subquery("pairs");
    select([sq.c("id"), sq.c("id_1")])
});
snap!(select_from_repeated_inside_join, {
    let (u, a) = (users(), addresses());
    select([u.c("name")])
        .select_from(&u)
        .select_from(u.join(&a, None))
});
snap!(join_picks_rightmost_left_table, {
    let (u, a) = (users(), addresses());
    let shipments = Table::new("shipments")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("user_id", SqlType::Integer).references("users.id"))
        .column(Column::new("address_id", SqlType::Integer).references("addresses.id"));
    let sql = select([u.c("name")]).join(&a).join(&shipments);
    let _ = sql
        .clone()
        .compile(&PostgreSQL)
        .expect("the join from addresses is unambiguous");
    select([u.c("name"), a.c("email_address")])
        .join(&a)
        .join(orders())
});
snap!(upsert_from_select_without_where, {
    let k = kv();
    insert(&k)
        .from_select(
            ["k", "v"],
            select([users().c("name"), users().c("fullname")]),
        )
        .on_conflict_do_nothing(["k"])
});
snap!(
    upsert_default_values,
    insert(&events()).on_conflict_do_nothing(Vec::<&str>::new())
);
snap!(negated_values, {
    let u = users();
    select([
        u.c("id"),
        (-u.c("score")).label("neg"),
        (-(u.c("score") - 5)).label("five"),
    ])
});
snap!(empty_and_in_comparison, {
    let u = users();
    select([u.c("id")]).filter(u.c("active").eq(and_(Vec::<Expr>::new())))
});
snap!(
    partial_index_with_negative_literal,
    create_index(
        &users(),
        &Index::new("ix_users_neg", ["score"]).filter(users().c("score").gt(-literal(5)))
    )
);
