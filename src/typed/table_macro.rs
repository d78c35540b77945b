//! The [`table!`](crate::table) declaration.

/// Declares a typed table: a module named after the table holding `table` (a marker that
/// derefs to the [`Table`](crate::Table) and can be selected from) and one
/// [`Col`](crate::typed::Col) handle per column, typed by its SQL type from
/// [`typed::types`](crate::typed::types) (`Nullable<T>` for a column that takes NULL). The
/// columns in parentheses form the primary key.
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
        $(#[$meta:meta])*
        $name:ident ($($pk:ident),+ $(,)?) {
            $($(#[$col_meta:meta])* $col:ident -> $kind:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
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
                            $crate::Table::new(stringify!($name))
                                $(.column($crate::typed::column::<$kind>(
                                    stringify!($col),
                                    PRIMARY_KEY.contains(&stringify!($col)),
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
                    $crate::typed::Col::new(stringify!($col));
            )+
        }
    };
}
