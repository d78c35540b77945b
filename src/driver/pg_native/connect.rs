//! Opening a native async PostgreSQL connection: the sync driver's configuration and TLS
//! (libpq's URL options, `sslmode=allow` included), connected on the caller's runtime, the
//! connection's task spawned there.

use super::super::pg_error::connect_error;
use super::super::pg_result_types::ResultTypes;
use super::super::pg_stmt_cache::StatementCache;
use super::super::pg_tls::Tls;
use super::driver::Driver;
use super::{ConnState, PgAsyncConnection};
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls};

/// Opens a connection with `config` and `tls` (plain first, then TLS, for `allow`), keeping
/// its prepared statements in `cache` (and, behind a transaction-pooling proxy, reading
/// results of user types by the engine's `result_types` plans).
pub(crate) async fn connect(
    config: Config,
    tls: Tls,
    cache: StatementCache,
    result_types: Option<Arc<ResultTypes>>,
) -> Result<PgAsyncConnection> {
    let (client, socket) = if tls.allow {
        let mut plain = config.clone();
        plain.ssl_mode(SslMode::Disable);
        match open(&plain, None).await {
            Err(Error::Db(e)) if e.sqlstate.as_deref().is_some_and(|s| s.starts_with("28")) => {
                open(&config, tls.connector.as_ref()).await?
            }
            other => other?,
        }
    } else {
        open(&config, tls.connector.as_ref()).await?
    };
    Ok(PgAsyncConnection {
        cancel: client.cancel_token(),
        client: Some(Arc::new(client)),
        tls: tls.connector,
        cache,
        result_types,
        isolation: None,
        state: Arc::new(ConnState {
            driver: Driver::new(socket),
            ..ConnState::default()
        }),
        in_tx: false,
        tx_failed: false,
        hold_cursors: 0,
        cursors: 0,
        handle: tokio::runtime::Handle::current(),
    })
}

/// One connect attempt: the client and the future driving its connection.
async fn open(
    config: &Config,
    tls: Option<&tokio_postgres_rustls::MakeRustlsConnect>,
) -> Result<(Client, BoxFuture<'static, ()>)> {
    let connected = match tls {
        None => config
            .connect(NoTls)
            .await
            .map(|(client, conn)| (client, drive(conn))),
        Some(tls) => config
            .connect(tls.clone())
            .await
            .map(|(client, conn)| (client, drive(conn))),
    };
    connected.map_err(|e| Error::Db(connect_error(config, &e)))
}

/// Drives `connection` until it ends, logging the server's notices.
fn drive<S, T>(mut connection: Connection<S, T>) -> BoxFuture<'static, ()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    Box::pin(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notice(notice)) => {
                    tracing::info!(target: "sqlcore.postgres", "{}: {}", notice.severity(), notice.message());
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(target: "sqlcore.postgres", error = %e, "connection ended");
                    return;
                }
            }
        }
    })
}
