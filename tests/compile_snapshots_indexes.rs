//! CREATE INDEX with access methods, operator classes, order and NULLS per element, INCLUDE,
//! storage parameters and prefix lengths, rendered for PostgreSQL, SQLite and MySQL (or the
//! CompileError where the dialect lacks the option), parsed back, and executed on SQLite and
//! PostgreSQL against the fixture schema.

#[macro_use]
mod common;

use common::fixtures::*;
use sqlcore::*;

snap!(
    index_gin_jsonb_path_ops,
    create_index(
        &docs(),
        &Index::new("ix_docs_doc", ["doc"])
            .using(IndexMethod::Gin)
            .opclass("doc", "jsonb_path_ops")
    )
);
snap!(
    index_hash,
    create_index(
        &users(),
        &Index::new("ix_users_name_hash", ["name"]).using(IndexMethod::Hash)
    )
);
snap!(
    index_gist_expression,
    create_index(
        &messages(),
        &Index::new(
            "ix_messages_body_fts",
            [func(
                "to_tsvector",
                (literal("simple"), messages().c("body"))
            )]
        )
        .using(IndexMethod::Gist)
    )
);
snap!(
    index_brin,
    create_index(
        &orders(),
        &Index::new("ix_orders_placed_brin", ["placed_at"]).using(IndexMethod::Brin)
    )
);
snap!(
    index_spgist,
    create_index(
        &tags(),
        &Index::new("ix_tags_name_spgist", ["name"]).using(IndexMethod::SpGist)
    )
);
snap!(
    index_btree_explicit,
    create_index(
        &users(),
        &Index::new("ix_users_fullname_btree", ["fullname"]).using(IndexMethod::Btree)
    )
);
snap!(
    index_desc_nulls_last_opclass_include_with,
    create_index(
        &users(),
        &Index::new("ix_users_score_name", ["score", "name"])
            .desc("score")
            .nulls_last("score")
            .opclass("name", "varchar_pattern_ops")
            .include(["email"])
            .with_storage("fillfactor", "70")
    )
);
snap!(
    index_desc_every_dialect,
    create_index(
        &users(),
        &Index::new("ix_users_score_desc", ["score", "name"])
            .desc("score")
            .asc(1)
    )
);
snap!(
    index_expression_desc_by_position,
    create_index(
        &users(),
        &Index::new("ix_users_lower_name_desc", [lower(users().c("name"))]).desc(0)
    )
);
snap!(
    index_prefix_length_using_btree,
    create_index(
        &users(),
        &Index::new("ix_users_fullname_prefix", ["fullname"])
            .prefix_length("fullname", 10)
            .using(IndexMethod::Btree)
    )
);
snap!(
    index_partial_unique_where,
    create_index(
        &users(),
        &Index::new("ux_users_name_active", ["name"])
            .unique()
            .filter(users().c("active").eq(true))
    )
);
snap!(
    index_option_names_no_element,
    create_index(
        &users(),
        &Index::new("ix_users_name", ["name"]).desc("nope")
    )
);
snap!(
    index_storage_parameter_not_a_word,
    create_index(
        &users(),
        &Index::new("ix_users_name", ["name"])
            .with_storage("fillfactor", "70); DROP TABLE users; --")
    )
);
snap!(
    index_include_unknown_column,
    create_index(
        &users(),
        &Index::new("ix_users_name", ["name"]).include(["nope"])
    )
);
/// CONCURRENTLY cannot run in the snapshot harness's transaction: rendered here, and
/// executed by `create_all` in tests/indexes.rs.
#[test]
fn index_concurrently_renders_per_dialect() {
    let ix = Index::new("ix_users_name_conc", ["name"]).concurrently();
    let stmt = create_index(&users(), &ix);
    assert_eq!(
        stmt.compile(&PostgreSQL).unwrap().sql,
        "CREATE INDEX CONCURRENTLY ix_users_name_conc ON users (name)"
    );
    for dialect in [&SQLite as &dyn Dialect, &MySQL] {
        assert!(matches!(
            stmt.compile(dialect),
            Err(CompileError::Unsupported { .. })
        ));
    }
}

/// A method an extension would install is written as a quoted identifier where needed (no
/// server here has such a method, so the statement is only rendered).
#[test]
fn index_other_method_is_an_identifier() {
    let ix =
        Index::new("ix_users_name_odd", ["name"]).using(IndexMethod::Other("Odd Method".into()));
    assert_eq!(
        create_index(&users(), &ix)
            .compile(&PostgreSQL)
            .unwrap()
            .sql,
        "CREATE INDEX ix_users_name_odd ON users USING \"Odd Method\" (name)"
    );
    assert!(create_index(&users(), &ix).compile(&MySQL).is_err());
}
