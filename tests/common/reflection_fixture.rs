//! The schema the reflection suite creates on every backend (`tests/reflection.rs`), which
//! the `sqlcore` command's round trip reflects too (`tests/cli_fixture.rs`).

use super::backend::TestDb;
use sqlcore::*;

/// Every feature reflection covers: composite keys, self-referential and (PostgreSQL, MariaDB)
/// cross-schema foreign keys, expression and partial indexes (MariaDB, which has neither: a
/// prefix index), checks, comments, identity and serial columns, every type (MariaDB: no
/// INTERVAL, no VARCHAR without a length, and indexed strings of a bounded length).
pub fn fixture(b: &TestDb, other: &str) -> MetaData {
    let (pg, mysql) = (b.is_postgres(), b.is_mysql());
    // MySQL indexes no TEXT column without a prefix length.
    let indexed_text = if mysql {
        SqlType::String(Some(100))
    } else {
        SqlType::Text
    };
    let mut md = MetaData::new();
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(
            Column::new("name", SqlType::String(Some(50)))
                .not_null()
                .comment("display name"),
        )
        .column(
            Column::new("email", indexed_text.clone())
                .not_null()
                .unique(),
        )
        .column(
            Column::new("active", SqlType::Boolean)
                .not_null()
                .server_default(true),
        )
        .column(
            Column::new("created_at", SqlType::DATETIME_TZ).server_default_sql("CURRENT_TIMESTAMP"),
        )
        .column(Column::new("small", SqlType::SmallInteger).server_default(0))
        .column(Column::new("big", SqlType::BigInteger))
        .column(Column::new("score", SqlType::Numeric(Some(10), Some(2))))
        .column(Column::new("ratio", SqlType::Double))
        .column(Column::new("weight", SqlType::Real))
        .column(
            Column::new("nickname", SqlType::String(mysql.then_some(30))).server_default("anon"),
        )
        .column(Column::new("born", SqlType::Date))
        .column(Column::new("wakes", SqlType::TIME))
        .column(Column::new("seen", SqlType::DATETIME));
    // MySQL has no INTERVAL.
    let users = if mysql {
        users
    } else {
        users.column(Column::new("idle", SqlType::INTERVAL))
    };
    let users = users
        .column(Column::new("avatar", SqlType::LargeBinary))
        .column(Column::new("token", SqlType::Uuid))
        .column(Column::new("prefs", SqlType::Json))
        .column(Column::new("code", SqlType::Char(Some(3))))
        .column(Column::new(
            "extra",
            SqlType::Other(if pg { "inet" } else { "GEOMETRY" }.into()),
        ))
        .check(CheckConstraint::new("small >= 0").name("ck_users_small"))
        .check(CheckConstraint::new("big <> 0"))
        .comment("people");
    let users = if pg {
        users.column(Column::new("tags", SqlType::array(SqlType::Integer)))
    } else {
        users
    };
    let users = if mysql {
        users.index(Index::new("ix_users_name_prefix", ["name", "code"]).prefix_length(0, 10))
    } else {
        let email_index = Index::new("ix_users_lower_email", [lower(users.c("email"))]).unique();
        let active_index =
            Index::new("ix_users_active_name", ["name"]).filter(users.c("active").eq(true));
        users.index(email_index).index(active_index)
    };
    md.add(users).unwrap();

    md.add(
        Table::new("addresses")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("user_id", SqlType::Integer).not_null())
            .column(Column::new("email_address", SqlType::String(Some(100))).not_null())
            .foreign_key(
                ForeignKey::new(["user_id"], "users", ["id"])
                    .name("fk_addresses_user")
                    .on_delete(ReferentialAction::Cascade),
            )
            .unique(
                UniqueConstraint::new(["user_id", "email_address"]).name("uq_addresses_user_email"),
            )
            .index(Index::new("ix_addresses_email", ["email_address"])),
    )
    .unwrap();

    let (key_type, id) = if pg {
        (
            SqlType::BigInteger,
            Column::new("id", SqlType::BigInteger)
                .primary_key()
                .identity(),
        )
    } else {
        (
            SqlType::Integer,
            Column::new("id", SqlType::Integer)
                .primary_key()
                .autoincrement(Autoincrement::Yes),
        )
    };
    md.add(
        Table::new("nodes")
            .column(id)
            .column(Column::new("parent_id", key_type))
            .column(Column::new("label", indexed_text).index())
            .foreign_key(
                ForeignKey::new(["parent_id"], "nodes", ["id"])
                    .on_delete(ReferentialAction::SetNull),
            ),
    )
    .unwrap();

    md.add(
        Table::new("orders")
            .column(Column::new("region", SqlType::String(Some(10))))
            .column(Column::new("number", SqlType::Integer))
            .column(Column::new("total", SqlType::Numeric(Some(12), Some(2))).not_null())
            .primary_key(["region", "number"])
            .primary_key_name("pk_orders"),
    )
    .unwrap();
    md.add(
        Table::new("order_items")
            .column(Column::new("region", SqlType::String(Some(10))))
            .column(Column::new("order_number", SqlType::Integer))
            .column(Column::new("line", SqlType::SmallInteger))
            .column(Column::new("qty", SqlType::Integer).not_null())
            .primary_key(["region", "order_number", "line"])
            .foreign_key(
                ForeignKey::new(["region", "order_number"], "orders", ["region", "number"])
                    .name("fk_items_order")
                    .on_update(ReferentialAction::Cascade)
                    .on_delete(ReferentialAction::Restrict),
            )
            .check(CheckConstraint::new("qty > 0").name("ck_items_qty")),
    )
    .unwrap();

    if pg || mysql {
        // MySQL resolves an unqualified referred table in the referring table's database, so
        // a table of the other schema cannot name one of the default schema.
        let owner_id = Column::new("owner_id", SqlType::Integer);
        let owner_id = if mysql {
            owner_id
        } else {
            owner_id.references("users.id")
        };
        md.add(
            Table::new("accounts")
                .schema(other)
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(owner_id),
        )
        .unwrap();
        md.add(
            Table::new("memberships")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(
                    Column::new("account_id", SqlType::Integer)
                        .not_null()
                        .references(format!("{other}.accounts.id")),
                ),
        )
        .unwrap();
    }
    if pg {
        md.add(
            Table::new("counters")
                .column(
                    Column::new("id", SqlType::Integer)
                        .primary_key()
                        .autoincrement(Autoincrement::No),
                )
                .column(Column::new("ticket", SqlType::Integer).autoincrement(Autoincrement::Yes)),
        )
        .unwrap();
    }
    md
}
