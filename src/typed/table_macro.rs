//! The [`table!`](crate::table) declaration.

/// Declares a typed table: a module named after the table holding `table` (a marker that
/// derefs to the [`Table`](crate::Table) and can be selected from) and one
/// [`Col`](crate::typed::Col) handle per column, typed by its SQL type from
/// [`typed::types`](crate::typed::types) (`Nullable<T>` for a column that takes NULL). The
/// columns in parentheses form the primary key.
///
/// A table in a schema other than the connection's default one is declared `schema.table`
/// (the module is named after the table). A table or column named with a Rust keyword is
/// written as a raw identifier (`r#type`): its SQL name is the keyword itself.
///
/// ```
/// use sqlcore::*;
///
/// sqlcore::table! {
///     /// The users.
///     users (id) {
///         id -> Integer,
///         name -> Text,
///         email -> Nullable<Text>,
///     }
/// }
///
/// let by_name = select(users::table).filter(users::name.eq("ed").and(users::email.eq(None::<String>)));
/// // The same statement through the dynamic API:
/// let t: &Table = &users::table;
/// let dynamic = select(t).filter(t.c("name").eq("ed").and(t.c("email").eq(None::<String>)));
/// assert_eq!(by_name.compile(&PostgreSQL)?.sql, dynamic.compile(&PostgreSQL)?.sql);
///
/// sqlcore::table! {
///     analytics.events (id) {
///         id -> BigInt,
///         r#type -> Text,
///     }
/// }
///
/// let clicks = select(events::table).filter(events::r#type.eq("click"));
/// assert!(clicks.compile(&PostgreSQL)?.sql.contains("FROM analytics.events"));
/// # Ok::<(), sqlcore::CompileError>(())
/// ```
///
/// A value of another type does not compile:
///
/// ```compile_fail
/// sqlcore::table! { users (id) { id -> Integer, name -> Text } }
/// let wrong = users::name.eq(5);
/// ```
#[macro_export]
macro_rules! table {
    (
        @table [$($attrs:tt)*] [$($schema:ident)?]
        $name:ident ($($pk:ident),+ $(,)?) {
            $($(#[$col_meta:meta])* $col:ident -> $kind:ty),+ $(,)?
        }
    ) => {
        $($attrs)*
        #[allow(non_camel_case_types, non_upper_case_globals, dead_code, unused_imports)]
        pub mod $name {
            use $crate::typed::types::*;

            /// The primary key's columns (each one a column declared below).
            const PRIMARY_KEY: &[&str] = &[$($pk.name()),+];

            /// The table: derefs to its [`Table`]($crate::Table).
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct table;

            impl $crate::typed::TypedTable for table {
                fn table() -> &'static $crate::Table {
                    static TABLE: ::std::sync::LazyLock<$crate::Table> =
                        ::std::sync::LazyLock::new(|| {
                            $crate::Table::new($crate::typed::unraw(stringify!($name)))
                                $(.schema($crate::typed::unraw(stringify!($schema))))?
                                $(.column($crate::typed::column::<$kind>(
                                    $crate::typed::unraw(stringify!($col)),
                                    PRIMARY_KEY.contains(&$crate::typed::unraw(stringify!($col))),
                                )))+
                        });
                    &TABLE
                }
            }

            impl ::std::ops::Deref for table {
                type Target = $crate::Table;
                fn deref(&self) -> &$crate::Table {
                    <table as $crate::typed::TypedTable>::table()
                }
            }

            impl $crate::IntoSelectItems for table {
                fn into_select_items(self) -> ::std::vec::Vec<$crate::SelectItem> {
                    $crate::IntoSelectItems::into_select_items(&*self)
                }
            }

            impl ::std::convert::From<table> for $crate::FromClause {
                fn from(table: table) -> $crate::FromClause {
                    $crate::FromClause::from(&*table)
                }
            }

            $(
                $(#[$col_meta])*
                pub const $col: $crate::typed::Col<table, $kind> =
                    $crate::typed::Col::new($crate::typed::unraw(stringify!($col)));
            )+
        }
    };
    (
        $(#[$meta:meta])*
        $schema:ident . $name:ident ($($pk:ident),+ $(,)?) { $($columns:tt)* }
    ) => {
        $crate::table! {
            @table [$(#[$meta])*] [$schema] $name ($($pk),+) { $($columns)* }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident ($($pk:ident),+ $(,)?) { $($columns:tt)* }
    ) => {
        $crate::table! {
            @table [$(#[$meta])*] [] $name ($($pk),+) { $($columns)* }
        }
    };
}
