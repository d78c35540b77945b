//! The MySQL / MariaDB catalog, as far as it goes: names from `information_schema` (enough
//! for `create_all`/`drop_all` with checkfirst, `has_table` and the Inspector's name lists).
//! Reading tables' definitions (columns, keys, indexes) is a later step: it is an error that
//! says so, never an empty table.

use super::{Catalog, Relation, TableParts};
use crate::connection::Connection;
use crate::error::{DbError, DbErrorKind, Error, Result};
use sqlcore_compiler::{params, text as sql};

pub(crate) struct MySqlCatalog;

impl Catalog for MySqlCatalog {
    fn default_schema_name(&self, conn: &mut Connection) -> Result<String> {
        conn.execute(sql("SELECT COALESCE(DATABASE(), '')"), ())?
            .scalar_one()
    }

    fn schema_names(&self, conn: &mut Connection) -> Result<Vec<String>> {
        conn.execute(
            sql("SELECT schema_name FROM information_schema.schemata \
                 WHERE schema_name NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') \
                 ORDER BY schema_name"),
            (),
        )?
        .scalars()
        .all()
    }

    fn relation_names(
        &self,
        conn: &mut Connection,
        schema: &str,
        kind: Relation,
    ) -> Result<Vec<String>> {
        let kind = match kind {
            Relation::Table => "BASE TABLE",
            Relation::View => "VIEW",
        };
        conn.execute(
            sql("SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = :schema AND table_type = :kind ORDER BY table_name"),
            params! { "schema" => schema, "kind" => kind },
        )?
        .scalars()
        .all()
    }

    fn read(
        &self,
        _conn: &mut Connection,
        _schema: &str,
        _only: Option<&[String]>,
    ) -> Result<Vec<TableParts>> {
        Err(Error::Db(DbError::new(
            DbErrorKind::NotSupported,
            "reflecting table definitions is not implemented for MySQL/MariaDB yet (table names are)",
        )))
    }
}
