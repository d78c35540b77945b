//! Query results of user-created and extension types (an enum, a domain, `citext`, `hstore`,
//! an array of one) behind a transaction-pooling proxy (`pgbouncer=true`), read without
//! tokio-postgres's own type lookup.
//!
//! tokio-postgres describes a type it does not know with named statements it prepares once
//! and keeps for the client's life; behind a proxy that hands each transaction another server
//! session those statements are missing (`prepared statement "s0" does not exist`), or
//! another client's of the same name are there. So behind a proxy sqlcore keeps
//! tokio-postgres from meeting such a type at all. The first time an engine runs a query, it
//! describes it itself:
//!
//! 1. its column names: one simple query (one implicit transaction, hence one server session)
//!    of `PREPARE` under a name used once, of the query wrapped in `LIMIT 0`, its `EXECUTE`
//!    (which reads nothing) and `DEALLOCATE` — inside a savepoint in a transaction, so a query
//!    the server refuses leaves the transaction as it was and is then sent as it is, to fail
//!    with its own error;
//! 2. its columns' types and the catalog rows of every type they reach (a domain's base, an
//!    array's element): an unnamed statement taking the columns' `pg_typeof` on the one row of
//!    NULLs a join on `false` makes (the query itself is not run), whose own columns are all
//!    of types tokio-postgres knows.
//!
//! A query whose result has a type tokio-postgres does not know is then sent rewritten, each
//! such column cast to a type it knows, under its own name:
//!
//! - a domain → its base type (a domain over `integer` reads as an integer, as directly);
//! - an array of such a type → an array of the element's cast (`mood[]` → `text[]`);
//! - any other type (an enum, `citext`, `hstore`, a range or composite of user types) →
//!   `text`, the form sqlcore reads for it on a direct connection.
//!
//! The plan of each SQL text (the names, and the rewritten SQL if any) is kept per engine
//! (types do not change per connection) and forgotten when the query fails, so a changed type
//! is described afresh. Statements that are not queries (`INSERT … RETURNING`) cannot be
//! described without running them and are sent as they are.

use super::pg_value::PgParam;
use super::{Request, ResultNames};
use lru::LruCache;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

/// The SQL texts whose plan an engine keeps.
const PLANS: usize = 1024;

/// How deep a chain of domains and arrays is followed.
const MAX_DEPTH: usize = 16;

/// What to send for one query behind a proxy.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The parameter types the query was described with.
    params: Vec<u32>,
    /// The SQL to send instead, when the result has types tokio-postgres does not know.
    rewritten: Option<String>,
    /// The result's column names.
    pub(crate) names: Vec<Arc<str>>,
}

impl Plan {
    /// The SQL to send for the query `sql` this plan is for.
    pub(crate) fn sql<'a>(&'a self, sql: &'a str) -> &'a str {
        self.rewritten.as_deref().unwrap_or(sql)
    }

    /// The names of `request`'s result (as `pg_decode::result_names` reads them off a
    /// prepared statement).
    pub(crate) fn result_names(&self, request: &Request<'_>) -> crate::error::Result<ResultNames> {
        ResultNames::read(self.names.len(), request.result_columns, |i| {
            Ok(self.names[i].clone())
        })
    }
}

/// The plans of one engine's statements (see the module's documentation).
pub(crate) struct ResultTypes {
    plans: Mutex<LruCache<String, Arc<Plan>>>,
}

impl std::fmt::Debug for ResultTypes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultTypes")
            .field("plans", &self.plans.lock().len())
            .finish()
    }
}

impl Default for ResultTypes {
    fn default() -> Self {
        ResultTypes {
            plans: Mutex::new(LruCache::new(NonZeroUsize::new(PLANS).expect("non-zero"))),
        }
    }
}

impl ResultTypes {
    /// The plan kept for `request` with parameter `types`, if any; `None` also when the
    /// statement needs none (it cannot return rows).
    pub(crate) fn kept(&self, request: &Request<'_>, types: &[Type]) -> Option<Arc<Plan>> {
        let plan = self.plans.lock().get(request.sql)?.clone();
        let same = plan.params.len() == types.len()
            && plan.params.iter().zip(types).all(|(p, t)| *p == t.oid());
        same.then_some(plan)
    }

    /// The plan for `request` with parameter `types`: kept, or described now on `client`
    /// (inside a savepoint when `in_transaction`, so a statement the server cannot describe
    /// leaves the transaction as it was). `None` when the statement is sent as it is: it is
    /// not a query (DML with `RETURNING` cannot be described without running it), it is not
    /// in one piece, or the server could not describe it (it then reports its own error when
    /// it runs).
    pub(crate) async fn plan(
        &self,
        client: &Client,
        request: &Request<'_>,
        types: &[Type],
        in_transaction: bool,
    ) -> Result<Option<Arc<Plan>>, tokio_postgres::Error> {
        if let Some(plan) = self.kept(request, types) {
            return Ok(Some(plan));
        }
        if !(super::pg_decode::streams(request.sql) && single_statement(request.sql)) {
            return Ok(None);
        }
        let described = match describe(client, request, types, in_transaction).await {
            Ok(described) => described,
            Err(e) if e.code().is_some() => {
                if in_transaction {
                    client
                        .batch_execute(&format!(
                            "ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}"
                        ))
                        .await?;
                }
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let plan = Arc::new(plan(types, described));
        self.plans.lock().put(request.sql.to_owned(), plan.clone());
        Ok(Some(plan))
    }

    /// Forgets the plan of `sql` (its statement failed: a type may have changed).
    pub(crate) fn forget(&self, sql: &str) {
        self.plans.lock().pop(sql);
    }
}

/// A type's catalog row: its kind (`typtype`), array element, domain base and array type.
struct TypeRow {
    kind: String,
    element: u32,
    base: u32,
    array: u32,
}

/// What a statement's description says.
struct Described<'a> {
    sql: &'a str,
    /// The result's column names.
    names: Vec<Arc<str>>,
    /// The result's type OIDs.
    types: Vec<u32>,
    /// The catalog rows of those types and of every type they reach.
    catalog: HashMap<u32, TypeRow>,
}

/// A statement name no describe used before, in this process or (with the process id) in
/// another one sharing the server session.
fn describe_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "sqlcore_describe_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The savepoint a description inside a transaction runs in.
const SAVEPOINT: &str = "sqlcore_describe";

/// The simple query giving the column names of the query `sql` with parameter `types`
/// (see the module's documentation): `PREPARE` of the query wrapped in `LIMIT 0`, its
/// `EXECUTE` (which reads nothing) and `DEALLOCATE`, inside a savepoint when
/// `in_transaction`.
fn names_sql(sql: &str, types: &[Type], in_transaction: bool) -> String {
    let name = describe_name();
    let (declared, nulls) = if types.is_empty() {
        (String::new(), String::new())
    } else {
        let names: Vec<String> = types
            .iter()
            .map(|t| match t.oid() {
                0 => "unknown".to_owned(),
                _ => format!("pg_catalog.\"{}\"", t.name()),
            })
            .collect();
        (
            format!("({})", names.join(", ")),
            format!("({})", vec!["NULL"; types.len()].join(", ")),
        )
    };
    let (begin, end) = if in_transaction {
        (
            format!("SAVEPOINT {SAVEPOINT};\n"),
            format!(";\nRELEASE SAVEPOINT {SAVEPOINT}"),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "{begin}PREPARE {name}{declared} AS SELECT * FROM ({sql}) AS sqlcore_q LIMIT 0;\n\
         EXECUTE {name}{nulls};\nDEALLOCATE {name}{end}"
    )
}

/// The query giving the type OIDs of the `count` columns of the query `sql` (`{25,16390}`,
/// on each row) and the catalog rows of every type they reach (a domain's base, an array's
/// element): the columns' `pg_typeof` on the one row of NULLs a join on `false` makes, so
/// `sql` itself is not run. Every column's type is one tokio-postgres knows.
fn types_sql(sql: &str, count: usize) -> String {
    let aliases: Vec<String> = (0..count).map(|i| format!("c{i}")).collect();
    let typeofs: Vec<String> = (0..count)
        .map(|i| format!("pg_catalog.pg_typeof(sqlcore_q.c{i})::oid"))
        .collect();
    format!(
        "WITH RECURSIVE s(types) AS (SELECT ARRAY[{}]::oid[] FROM (SELECT 1) AS sqlcore_one \
         LEFT JOIN ({sql}) AS sqlcore_q({}) ON false), \
         r(oid) AS (SELECT unnest(types) FROM s \
         UNION SELECT v.x FROM r JOIN pg_catalog.pg_type t ON t.oid = r.oid \
         CROSS JOIN LATERAL (VALUES (t.typbasetype), \
         (CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0::oid END)) AS v(x) \
         WHERE v.x <> 0) \
         SELECT (SELECT types::text FROM s), t.oid, t.typtype::text, \
         CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0::oid END, t.typbasetype, \
         t.typarray FROM r JOIN pg_catalog.pg_type t ON t.oid = r.oid",
        typeofs.join(", "),
        aliases.join(", ")
    )
}

/// Describes the query `request` (parameter `types`): its column names (a simple query, see
/// [`names_sql`]), then its columns' types and their catalog rows (an unnamed statement
/// with the request's values, see [`types_sql`]).
async fn describe<'a>(
    client: &Client,
    request: &Request<'a>,
    types: &[Type],
    in_transaction: bool,
) -> Result<Described<'a>, tokio_postgres::Error> {
    let messages = client
        .simple_query(&names_sql(request.sql, types, in_transaction))
        .await?;
    let names: Vec<Arc<str>> = messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::RowDescription(columns) => {
                Some(columns.iter().map(|c| Arc::from(c.name())).collect())
            }
            _ => None,
        })
        .unwrap_or_default();
    let count = names.len();
    let mut described = Described {
        sql: request.sql,
        names,
        types: Vec::new(),
        catalog: HashMap::new(),
    };
    if count == 0 {
        return Ok(described);
    }
    let typed: Vec<(PgParam<'_>, Type)> = request
        .params
        .iter()
        .copied()
        .map(PgParam)
        .zip(types.iter().cloned())
        .collect();
    let rows = client
        .query_typed(&types_sql(request.sql, count), &typed_refs(&typed))
        .await?;
    for row in rows {
        if described.types.is_empty() {
            described.types = oid_list(row.try_get(0)?);
        }
        described.catalog.insert(
            row.try_get(1)?,
            TypeRow {
                kind: row.try_get(2)?,
                element: row.try_get(3)?,
                base: row.try_get(4)?,
                array: row.try_get(5)?,
            },
        );
    }
    Ok(described)
}

/// The parameters as `query_typed` takes them.
fn typed_refs<'a>(typed: &'a [(PgParam<'a>, Type)]) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
    typed
        .iter()
        .map(|(p, t)| (p as &(dyn ToSql + Sync), t.clone()))
        .collect()
}

/// `{25,16390}` as OIDs.
fn oid_list(text: &str) -> Vec<u32> {
    text.trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// The type tokio-postgres knows that a value of type `oid` is read as (see the module's
/// documentation).
fn target(oid: u32, catalog: &HashMap<u32, TypeRow>, depth: usize) -> u32 {
    if Type::from_oid(oid).is_some() {
        return oid;
    }
    let text = Type::TEXT.oid();
    let Some(row) = catalog.get(&oid).filter(|_| depth < MAX_DEPTH) else {
        return text;
    };
    if row.kind == "d" {
        return target(row.base, catalog, depth + 1);
    }
    if row.element == 0 {
        return text;
    }
    match target(row.element, catalog, depth + 1) {
        e if e == text => Type::TEXT_ARRAY.oid(),
        e => catalog
            .get(&e)
            .map(|r| r.array)
            .filter(|a| Type::from_oid(*a).is_some())
            .unwrap_or(Type::TEXT_ARRAY.oid()),
    }
}

/// `name` as a quoted identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The plan for a query with parameter `types` from its description.
fn plan(types: &[Type], described: Described) -> Plan {
    let params = types.iter().map(Type::oid).collect();
    let casts: Vec<Option<Type>> = described
        .types
        .iter()
        .map(|oid| match Type::from_oid(*oid) {
            Some(_) => None,
            None => Type::from_oid(target(*oid, &described.catalog, 0)),
        })
        .collect();
    let names = described.names;
    if casts.iter().all(Option::is_none) || casts.len() != names.len() {
        return Plan {
            params,
            rewritten: None,
            names,
        };
    }
    let columns: Vec<String> = casts
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(i, (cast, name))| match cast {
            None => format!("sqlcore_q.c{i} AS {}", quoted(name)),
            Some(t) => format!(
                "CAST(sqlcore_q.c{i} AS pg_catalog.\"{}\") AS {}",
                t.name(),
                quoted(name)
            ),
        })
        .collect();
    let aliases: Vec<String> = (0..casts.len()).map(|i| format!("c{i}")).collect();
    Plan {
        params,
        rewritten: Some(format!(
            "SELECT {} FROM ({}) AS sqlcore_q({})",
            columns.join(", "),
            described.sql,
            aliases.join(", ")
        )),
        names,
    }
}

/// Whether `sql` is one statement that cannot end the parentheses it is wrapped in: no `;`
/// and no unmatched `)` outside quotes and comments. Unsure (a backslash in a string, an
/// unterminated quote) is `false`: such a statement is sent as it is.
fn single_statement(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' => return false,
            b'(' => depth += 1,
            b')' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            quote @ (b'\'' | b'"') => {
                let Some(end) = closing(bytes, i + 1, quote) else {
                    return false;
                };
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                match bytes[i..].iter().position(|b| *b == b'\n') {
                    Some(n) => i += n,
                    None => return depth == 0,
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Comments nest in PostgreSQL.
                let mut nested = 0usize;
                i += 2;
                loop {
                    match (bytes.get(i), bytes.get(i + 1)) {
                        (Some(b'*'), Some(b'/')) if nested == 0 => break,
                        (Some(b'*'), Some(b'/')) => nested -= 1,
                        (Some(b'/'), Some(b'*')) => nested += 1,
                        (None, _) => return false,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                // A dollar-quoted string ($$…$$, $tag$…$tag$), or a parameter ($1).
                let tag_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map(|n| i + 1 + n);
                if let Some(end) = tag_end.filter(|e| bytes[*e] == b'$') {
                    if !bytes[i + 1].is_ascii_digit() || end == i + 1 {
                        let tag = &bytes[i..=end];
                        let body = end + 1;
                        let Some(n) = bytes[body..].windows(tag.len()).position(|w| w == tag)
                        else {
                            return false;
                        };
                        i = body + n + tag.len() - 1;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// The index of the quote closing the string or identifier opened before `from` (a doubled
/// quote is part of it); `None` when unterminated or, in a string, a backslash makes its end
/// unsure (`E'\''`).
fn closing(bytes: &[u8], mut from: usize, quote: u8) -> Option<usize> {
    while from < bytes.len() {
        match bytes[from] {
            b'\\' if quote == b'\'' => return None,
            b if b == quote => {
                if bytes.get(from + 1) == Some(&quote) {
                    from += 2;
                    continue;
                }
                return Some(from);
            }
            _ => {}
        }
        from += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Described, TypeRow, plan, single_statement};
    use std::collections::HashMap;
    use std::sync::Arc;

    #[test]
    fn columns_of_types_tokio_postgres_does_not_know_are_cast_to_what_sqlcore_reads() {
        let row = |kind: &str, element: u32, base: u32, array: u32| TypeRow {
            kind: kind.into(),
            element,
            base,
            array,
        };
        // int4, mood (an enum), mood[], positive_int (a domain over int4), positive_int[],
        // citext.
        let catalog = HashMap::from([
            (23, row("b", 0, 0, 1007)),
            (90001, row("e", 0, 0, 90002)),
            (90002, row("b", 90001, 0, 0)),
            (90003, row("d", 0, 23, 90004)),
            (90004, row("b", 90003, 0, 0)),
            (90005, row("b", 0, 0, 90006)),
        ]);
        let names = ["id", "feeling", "moods", "score", "scores", "e\"mail"];
        let described = Described {
            sql: "SELECT * FROM notes",
            names: names.iter().map(|n| Arc::from(*n)).collect(),
            types: vec![23, 90001, 90002, 90003, 90004, 90005],
            catalog,
        };
        let cast = plan(&[], described);
        assert_eq!(
            cast.sql("SELECT * FROM notes"),
            "SELECT sqlcore_q.c0 AS \"id\", \
             CAST(sqlcore_q.c1 AS pg_catalog.\"text\") AS \"feeling\", \
             CAST(sqlcore_q.c2 AS pg_catalog.\"_text\") AS \"moods\", \
             CAST(sqlcore_q.c3 AS pg_catalog.\"int4\") AS \"score\", \
             CAST(sqlcore_q.c4 AS pg_catalog.\"_int4\") AS \"scores\", \
             CAST(sqlcore_q.c5 AS pg_catalog.\"text\") AS \"e\"\"mail\" \
             FROM (SELECT * FROM notes) AS sqlcore_q(c0, c1, c2, c3, c4, c5)"
        );
        // Only types tokio-postgres knows: sent as it is.
        let described = Described {
            sql: "SELECT 1",
            names: vec![Arc::from("x")],
            types: vec![23],
            catalog: HashMap::new(),
        };
        assert_eq!(plan(&[], described).sql("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn a_statement_in_one_piece_is_told_from_one_that_could_leave_its_parentheses() {
        for sql in [
            "SELECT a FROM t WHERE b = $1",
            "SELECT ';' AS x, \"a;)\" FROM t -- ; )\n WHERE (c)",
            "SELECT 'it''s' /* ; /* ) */ */ FROM t",
            "SELECT $$;)$$, $q$ ) $q$, $1 FROM t",
        ] {
            assert!(single_statement(sql), "{sql}");
        }
        for sql in [
            "SELECT 1; DELETE FROM t",
            "SELECT 1) AS q LIMIT 0; DELETE FROM t; SELECT (1",
            "SELECT E'\\'' FROM t",
            "SELECT 'open FROM t",
            "SELECT $$ open",
            "SELECT (1",
        ] {
            assert!(!single_statement(sql), "{sql}");
        }
    }
}
