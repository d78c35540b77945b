//! Opening a native async PostgreSQL connection: the sync driver's configuration and TLS
//! (libpq's URL options, `sslmode=allow` included), connected on the caller's runtime, the
//! connection's task spawned there.

use super::super::pg_error::connect_error;
use super::super::pg_stmt_cache::StatementCache;
use super::super::pg_tls::Tls;
use super::{ConnState, PgAsyncConnection};
use crate::error::{Error, Result};
use futures_util::{Stream, StreamExt};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls};

/// Opens a connection with `config` and `tls` (plain first, then TLS, for `allow`), keeping
/// its prepared statements in `cache`.
pub(crate) async fn connect(
    config: Config,
    tls: Tls,
    cache: StatementCache,
) -> Result<PgAsyncConnection> {
    let (client, task) = if tls.allow {
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
        task: Some(task),
        tls: tls.connector,
        cache,
        isolation: None,
        state: Arc::new(ConnState::default()),
        in_tx: false,
        tx_failed: false,
        hold_cursors: 0,
        cursors: 0,
        handle: tokio::runtime::Handle::current(),
    })
}

/// One connect attempt: the client and the task driving its connection.
async fn open(
    config: &Config,
    tls: Option<&tokio_postgres_rustls::MakeRustlsConnect>,
) -> Result<(Client, JoinHandle<()>)> {
    let connected = match tls {
        None => config
            .connect(NoTls)
            .await
            .map(|(client, conn)| (client, spawn(conn))),
        Some(tls) => config
            .connect(tls.clone())
            .await
            .map(|(client, conn)| (client, spawn(conn))),
    };
    connected.map_err(|e| Error::Db(connect_error(config, &e)))
}

/// Drives `connection` on the current runtime until it ends, logging the server's notices.
fn spawn<S, T>(mut connection: Connection<S, T>) -> JoinHandle<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx)).boxed();
    tokio::spawn(async move { drain(&mut messages).await })
}

async fn drain(
    messages: &mut (impl Stream<Item = Result<AsyncMessage, tokio_postgres::Error>> + Unpin),
) {
    while let Some(message) = messages.next().await {
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
}
