//! The PostgreSQL driver's round trips, as async functions of a `tokio_postgres::Client`: what
//! each call sends and reads back, written once. The sync driver drives them on its session's
//! runtime (see `pg_session`); a driver on the caller's runtime awaits the same functions.
//! Errors are tokio-postgres' own, mapped by the caller (`pg_error::fail`), which also knows
//! whether a transaction was open.

use super::pg_value::PgParam;
use crate::error::Result;
use crate::options::IsolationLevel;
use futures_util::TryStreamExt;
use sqlcore_compiler::Value;
use std::pin::pin;
use std::time::Duration;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Error, Row, Statement};

/// How long a ping waits for the server's answer.
pub(super) const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// `values` as parameters of a prepared statement (bound to the types it declares).
fn bound<'a>(values: &'a [&'a Value]) -> Vec<PgParam<'a>> {
    values.iter().copied().map(PgParam).collect()
}

/// The parameters as tokio-postgres takes them.
fn refs<'a>(params: &'a [PgParam<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Prepares `sql` with the parameter `types` (type 0: the server infers it).
pub(super) async fn prepare(
    client: &Client,
    sql: &str,
    types: &[Type],
) -> Result<Statement, Error> {
    client.prepare_typed(sql, types).await
}

/// Runs `sql` as an unnamed statement (nothing outlives the call on the server) with each
/// value bound to its declared type: every row, and the rows affected.
pub(super) async fn query_unnamed(
    client: &Client,
    sql: &str,
    values: &[&Value],
    types: Vec<Type>,
) -> Result<(Vec<Row>, Option<u64>), Error> {
    let typed: Vec<(PgParam<'_>, Type)> = values.iter().copied().map(PgParam).zip(types).collect();
    let mut stream = pin!(client.query_typed_raw(sql, typed).await?);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await? {
        rows.push(row);
    }
    Ok((rows, stream.rows_affected()))
}

/// The statement that begins a transaction: `BEGIN`, or with an isolation level of its own
/// (`BEGIN ISOLATION LEVEL …`, which leaves no session setting behind, as a
/// transaction-pooling proxy needs).
pub(super) fn begin_sql(level: Option<IsolationLevel>) -> String {
    match level {
        Some(level) if level != IsolationLevel::Autocommit => {
            format!("BEGIN ISOLATION LEVEL {level}")
        }
        _ => "BEGIN".to_owned(),
    }
}

/// Setting the isolation level of a connection's next transactions: the statement that sets
/// it on the session, or — behind a transaction-pooling proxy, where no session setting may be
/// left behind — `None`, the level kept in `kept` for each `BEGIN` to name
/// ([`begin_sql`]). AUTOCOMMIT is no isolation level.
pub(super) fn isolation_setting(
    level: IsolationLevel,
    transaction_pooling: bool,
    kept: &mut Option<IsolationLevel>,
) -> Result<Option<String>> {
    if level == IsolationLevel::Autocommit {
        return Err(crate::error::Error::Argument(
            "AUTOCOMMIT is not a transaction isolation level".into(),
        ));
    }
    if transaction_pooling {
        *kept = Some(level);
        return Ok(None);
    }
    Ok(Some(format!(
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {level}"
    )))
}

/// How a streamed result fetches its next chunk: a prepared `FETCH`, or the `FETCH` text sent
/// unnamed each time (nothing kept on the server, for transaction-pooling proxies).
#[derive(Clone)]
pub(super) enum Fetch {
    /// `FETCH n FROM name`, prepared once.
    Prepared(Statement),
    /// `FETCH n FROM name`, sent unnamed.
    Unnamed(std::sync::Arc<str>),
}

/// Runs a prepared statement returning no rows: the rows affected.
pub(super) async fn execute(
    client: &Client,
    stmt: &Statement,
    values: &[&Value],
) -> Result<u64, Error> {
    let params = bound(values);
    client.execute(stmt, &refs(&params)).await
}

/// Runs a prepared query: all its rows in one go (cheaper than waking the driver once per
/// row).
pub(super) async fn query(
    client: &Client,
    stmt: &Statement,
    values: &[&Value],
) -> Result<Vec<Row>, Error> {
    let params = bound(values);
    client.query(stmt, &refs(&params)).await
}

/// Runs a query as one portal with no row limit (Bind, Execute, Sync): its rows are read
/// from the returned stream as they arrive from the socket. The statement `stmt` prepared
/// for `sql` is bound, or — `unnamed` — `sql` is sent again unnamed with its parameter
/// types (nothing the rows hold then outlives the transaction on the server).
#[cfg(feature = "async")]
pub(super) async fn query_portal(
    client: &Client,
    sql: &str,
    stmt: &Statement,
    values: &[&Value],
    unnamed: bool,
) -> Result<tokio_postgres::RowStream, Error> {
    if unnamed {
        let typed = values
            .iter()
            .copied()
            .map(PgParam)
            .zip(stmt.params().to_vec());
        return client.query_typed_raw(sql, typed).await;
    }
    let params = bound(values);
    client.query_raw(stmt, refs(&params)).await
}

/// Declares a server-side cursor (`declare`: `DECLARE name … FOR query`, sent unnamed) with
/// the query's parameter `types` and values; `fetch` (`FETCH n FROM name`) is then prepared,
/// unless `unnamed`.
pub(super) async fn declare_cursor(
    client: &Client,
    declare: &str,
    types: Vec<Type>,
    values: &[&Value],
    fetch: &str,
    unnamed: bool,
) -> Result<Fetch, Error> {
    query_unnamed(client, declare, values, types).await?;
    Ok(if unnamed {
        Fetch::Unnamed(fetch.into())
    } else {
        Fetch::Prepared(client.prepare(fetch).await?)
    })
}

/// The next chunk of a cursor's rows.
pub(super) async fn fetch(client: &Client, fetch: &Fetch) -> Result<Vec<Row>, Error> {
    match fetch {
        Fetch::Prepared(stmt) => client.query(stmt, &[]).await,
        Fetch::Unnamed(sql) => Ok(query_unnamed(client, sql, &[], Vec::new()).await?.0),
    }
}

/// Loads `rows` through `COPY … FROM STDIN (FORMAT binary)` (`sql`), each value encoded as
/// its column's `types`: the rows copied. A row that fails to come (`Err` from `rows`) aborts
/// the COPY and is the inner error.
pub(super) async fn copy_in(
    client: &Client,
    sql: &str,
    types: &[Type],
    rows: &mut (dyn Iterator<Item = Result<Vec<Value>>> + Send),
) -> Result<Result<i64>, Error> {
    let sink = client.copy_in(sql).await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, types));
    for row in rows {
        // Returning drops the writer, which aborts the COPY.
        let row = match row {
            Ok(row) => row,
            Err(e) => return Ok(Err(e)),
        };
        let params: Vec<PgParam<'_>> = row.iter().map(PgParam).collect();
        writer.as_mut().write(&refs(&params)).await?;
    }
    Ok(Ok(writer.finish().await? as i64))
}

/// An empty query: whether the server answered within [`PING_TIMEOUT`].
pub(super) async fn ping(client: &Client) -> Result<bool, Error> {
    match tokio::time::timeout(PING_TIMEOUT, client.simple_query("")).await {
        Ok(answer) => answer.map(|_| true),
        Err(_) => Ok(false),
    }
}

/// The session's transaction isolation level, as the server names it (a simple query:
/// nothing prepared).
pub(super) async fn isolation_level(client: &Client) -> Result<String, Error> {
    let messages = client.simple_query("SHOW transaction_isolation").await?;
    Ok(messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_default())
}

/// The names of the tables in `schema` (or the current schema), asked unnamed.
pub(super) async fn table_names(
    client: &Client,
    schema: Option<&str>,
) -> Result<Vec<String>, Error> {
    let rows = match schema {
        Some(s) => {
            client
                .query_typed(
                    "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = $1",
                    &[(&s, Type::TEXT)],
                )
                .await?
        }
        None => {
            client
                .query_typed(
                    "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                    &[],
                )
                .await?
        }
    };
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
