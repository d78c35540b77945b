//! Database enums as Rust enums: [`sql_enum!`](crate::sql_enum) declares one, and it is the
//! typed kind of its columns ([`SqlEnum`]).

use super::AsExpr;
use super::types::{Nullable, SqlKind};
use sqlcore_compiler::{Expr, LabelEnum, literal};

/// A Rust enum declared with [`sql_enum!`](crate::sql_enum) for a database enum type: the
/// typed kind of the columns of that type (their values are the enum's variants), written
/// and read as the type's labels.
pub trait SqlEnum: SqlKind<Rust = Self> + Copy + LabelEnum {
    /// The database's labels, in the type's order (one per variant).
    const LABELS: &'static [&'static str];

    /// The variant's label in the database.
    fn label(self) -> &'static str;
}

impl<E: SqlEnum> AsExpr<E> for E {
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

impl<E: SqlEnum> AsExpr<Nullable<E>> for E {
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

impl<E: SqlEnum> AsExpr<Nullable<E>> for Option<E> {
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

/// Declares a Rust enum for a database enum type (PostgreSQL's `CREATE TYPE … AS ENUM`,
/// MySQL's `ENUM(…)`, a string with a CHECK elsewhere), each variant given its label: the
/// enum is the [`SqlEnum`] kind of the type's columns in [`table!`](crate::table) (write
/// `super::Mood` inside a table declared in the same module; `Array<super::Mood>` for an
/// array of them), reads from the label (another text is a conversion error) and is written
/// as it. `= "name"` is the type's name in the database, `in "schema"` its schema when it is
/// not the table's.
///
/// ```
/// use sqlcore::*;
///
/// sqlcore::sql_enum! {
///     /// How a user feels.
///     pub enum Mood = "mood" {
///         Happy = "happy",
///         NotSure = "not sure",
///     }
/// }
///
/// sqlcore::table! {
///     users (id) {
///         id -> Integer,
///         mood -> Nullable<super::Mood>,
///     }
/// }
///
/// sqlcore::sql_enum! {
///     /// A type of another schema.
///     pub enum Level = "level" in "audit" { Low = "low", High = "high" }
/// }
///
/// fn main() -> Result<(), CompileError> {
///     use sqlcore::typed::types::SqlKind;
///     let SqlType::Enum(level) = Level::sql_type() else { unreachable!() };
///     assert_eq!((level.name(), level.schema_name()), ("level", Some("audit")));
///     assert_eq!(level.values(), ["low", "high"]);
///
///     let unsure = select(users::table).filter(users::mood.eq(Mood::NotSure));
///     let sql = unsure.compile(&PostgreSQL)?.sql;
///     assert_eq!(sql, "SELECT users.id, users.mood FROM users WHERE users.mood = $1");
///     assert_eq!(Value::from(Mood::NotSure), Value::Text("not sure".into()));
///     assert_eq!(Mood::from_value(Value::from("happy")), Ok(Mood::Happy));
///     assert!(Mood::from_value(Value::from("sad")).is_err());
///     Ok(())
/// }
/// ```
///
/// A string, or a value of another enum, does not compile:
///
/// ```compile_fail
/// sqlcore::sql_enum! { pub enum Mood = "mood" { Happy = "happy" } }
/// sqlcore::table! { users (id) { id -> Integer, mood -> super::Mood } }
///
/// fn main() {
///     let wrong = users::mood.eq("happy");
/// }
/// ```
#[macro_export]
macro_rules! sql_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident = $sql_name:literal $(in $schema:literal)? {
            $($(#[$variant_meta:meta])* $variant:ident = $label:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $crate::typed::types::SqlKind for $name {
            type Rust = $name;
            const NULLABLE: bool = false;
            fn sql_type() -> $crate::SqlType {
                let labels = <$name as $crate::typed::SqlEnum>::LABELS.iter().copied();
                $crate::SqlType::Enum(
                    $crate::EnumType::new($sql_name, labels)$(.schema($schema))?,
                )
            }
        }

        impl $crate::typed::SqlEnum for $name {
            const LABELS: &'static [&'static str] = &[$($label),+];

            fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl $crate::LabelEnum for $name {}

        impl ::core::convert::From<$name> for $crate::Value {
            fn from(value: $name) -> Self {
                $crate::Value::Text($crate::typed::SqlEnum::label(value).to_owned())
            }
        }

        impl $crate::FromValue for $name {
            fn from_value(
                value: $crate::Value,
            ) -> ::core::result::Result<Self, $crate::ValueConversionError> {
                <$name as $crate::FromValue>::from_value_ref(&$crate::ValueRef::from(&value))
            }

            fn from_value_ref(
                value: &$crate::ValueRef<'_>,
            ) -> ::core::result::Result<Self, $crate::ValueConversionError> {
                let label = match value {
                    $crate::ValueRef::Text(label) => Some(*label),
                    $crate::ValueRef::Value(v) => match v.as_ref() {
                        $crate::Value::Text(label) => Some(label.as_str()),
                        _ => None,
                    },
                    _ => None,
                };
                match label {
                    $(Some($label) => Ok($name::$variant),)+
                    _ => Err($crate::ValueConversionError {
                        from: value.to_value().kind_name(),
                        to: ::core::stringify!($name),
                    }),
                }
            }
        }
    };
}
