//! [`Prepared`]: a statement whose compiled form was looked up in the cache once.

use crate::cache::{CacheEntry, CacheLookup, CompiledCache};
use crate::error::Result;
use crate::executable::{Executable, Held};
use sqlcore_compiler::{Compile, Dialect, InsertSource, Statement, Value, extract};
use std::sync::Arc;

/// A statement built once whose compiled form was taken from the compiled-statement cache
/// when it was prepared ([`Engine::prepare`]). Executed by reference, it skips what every
/// other execution does first — walking the statement for its cache key and looking the key
/// up — and binds its own values and the named parameters given straight away. Everything
/// else is as for the statement itself: execution options, `schema_translate_map` (applied
/// at each execution), echo, results — except `compiled_cache`, which has no say once the
/// compiled form is held.
///
/// A statement whose compiled form cannot be kept or used (the cache turned off, an INSERT
/// taking its columns from the parameters of each execution, or one that gains a RETURNING
/// for its primary key at execution, as on PostgreSQL) runs as any other statement:
/// correctly, compiled or looked up each time. Prepared statements are `Send + Sync`: build them once
/// and share them between threads.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// let users = Table::new("users")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::Text));
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"), ())?;
/// conn.execute(insert(&users).values([("id", Value::from(1)), ("name", "ed".into())]), ())?;
///
/// let by_id = engine.prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))?;
/// assert!(by_id.is_compiled());
/// let name: String = conn.query_row(&by_id, params! { "id" => 1 }, |row| row.get("name"))?;
/// assert_eq!(name, "ed");
/// let row = conn.execute(&by_id, params! { "id" => 1 })?.one()?;
/// assert_eq!(row.get::<i64>("id")?, 1);
/// # Ok::<(), sqlcore::Error>(())
/// ```
///
/// [`Engine::prepare`]: crate::Engine::prepare
#[derive(Debug)]
pub struct Prepared {
    statement: Statement,
    form: Option<PreparedForm>,
}

/// The compiled form of a prepared statement, with the statement's own values in the order
/// its compiled form binds them.
#[derive(Debug)]
pub(crate) struct PreparedForm {
    pub(crate) entry: Arc<CacheEntry>,
    pub(crate) literals: Vec<Value>,
}

impl Prepared {
    /// Looks `statement` up in `cache` (compiling and storing it on a miss).
    pub(crate) fn new(
        statement: Statement,
        dialect: &'static dyn Dialect,
        cache: Option<&CompiledCache>,
    ) -> Result<Self> {
        let form = match cache.filter(|c| c.capacity() > 0) {
            Some(cache) if !takes_columns_from_params(&statement) => {
                match extract(&statement, dialect) {
                    Some(extracted) => match cache.lookup(&statement, &extracted, dialect)? {
                        CacheLookup::Hit(entry) | CacheLookup::Stored(entry) => {
                            let literals = entry
                                .cached()
                                .literals(&extracted)
                                .into_iter()
                                .cloned()
                                .collect();
                            Some(PreparedForm { entry, literals })
                        }
                        CacheLookup::Uncacheable(_) => None,
                    },
                    // The statement is invalid: compiling says why.
                    None => {
                        statement.compile(dialect)?;
                        None
                    }
                }
            }
            _ => None,
        };
        Ok(Prepared { statement, form })
    }

    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// Whether the compiled form is held (otherwise each execution looks the statement up).
    pub fn is_compiled(&self) -> bool {
        self.form.is_some()
    }
}

/// An INSERT without values: its columns come from each execution's parameters.
fn takes_columns_from_params(statement: &Statement) -> bool {
    matches!(statement, Statement::Insert(ins)
        if matches!(&ins.source, InsertSource::Values(rows) if rows.is_empty()))
}

impl<'s> From<&'s Prepared> for Executable<'s> {
    fn from(prepared: &'s Prepared) -> Self {
        Executable {
            statement: Held::Borrowed(&prepared.statement),
            options: None,
            prepared: prepared.form.as_ref(),
        }
    }
}
