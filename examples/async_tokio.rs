//! The async engine in a tokio service: handlers shaped as axum's (shared state in, a typed
//! result out, an error that maps to an HTTP status), without depending on axum. The engine is
//! the shared state; each request checks a connection out of the pool for its duration.
//!
//! Runs on an in-memory SQLite database (its connection lives on a thread of its own, so no
//! runtime worker ever waits on SQLite); the same code runs on PostgreSQL (native async) with a
//! `postgresql://` URL. Run with `cargo run --example async_tokio`.

use sqlcore::*;
use std::sync::Arc;

/// The application state every handler receives (axum's `State<AppState>`).
#[derive(Clone)]
struct AppState {
    engine: AsyncEngine,
    users: Arc<Table>,
}

/// What a handler returns to the client.
#[derive(Debug, PartialEq, FromRow)]
struct User {
    id: i64,
    name: String,
}

/// A handler's error, with the HTTP status it becomes (axum's `IntoResponse`).
#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("user {0} not found")]
    NotFound(i64),
    #[error("name {0:?} is taken")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] Error),
}

impl ApiError {
    fn status(&self) -> u16 {
        match self {
            ApiError::NotFound(_) => 404,
            ApiError::Conflict(_) => 409,
            ApiError::Db(_) => 500,
        }
    }
}

/// `GET /users/{id}`.
async fn get_user(state: AppState, id: i64) -> Result<User, ApiError> {
    let stmt = select(&*state.users).filter(state.users.c("id").eq(id));
    let mut conn = state.engine.connect().await?; // waits its turn when the pool is busy
    let user = conn.execute(stmt, ()).await?.one_or_none_as()?;
    user.ok_or(ApiError::NotFound(id))
}

/// `POST /users`: inserts in a transaction, committed before the response.
async fn create_user(state: AppState, name: String) -> Result<User, ApiError> {
    let mut tx = state.engine.begin().await?;
    let inserted = tx
        .execute(insert(&state.users), params! { "name" => name.clone() })
        .await;
    let id: i64 = match inserted {
        Ok(result) => result.inserted_primary_key()?.get(0)?,
        Err(e)
            if e.as_db_error().and_then(|db| db.reason) == Some(DbErrorReason::UniqueViolation) =>
        {
            // Dropping `tx` rolls the transaction back.
            return Err(ApiError::Conflict(name));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(User { id, name })
}

#[tokio::main]
async fn main() -> Result<(), ApiError> {
    let engine = create_async_engine("sqlite://")?;
    let mut metadata = MetaData::new();
    let users = metadata
        .add(
            Table::new("users")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(
                    Column::new("name", SqlType::String(Some(40)))
                        .not_null()
                        .unique(),
                ),
        )
        .map_err(Error::from)?;
    // DDL is sync code: run_sync runs it on the connection's own thread.
    let mut conn = engine.connect().await?;
    conn.run_sync(move |conn| metadata.create_all(conn)).await?;
    conn.commit().await?;
    drop(conn);
    let state = AppState {
        engine,
        users: Arc::new(users),
    };

    // Requests served concurrently, each a task of its own, as a server would.
    let names = ["ada", "grace", "edsger", "barbara"];
    let tasks: Vec<_> = names
        .iter()
        .map(|name| tokio::spawn(create_user(state.clone(), name.to_string())))
        .collect();
    for task in tasks {
        let user = task.await.expect("the task ran")?;
        println!("201 created {user:?}");
    }
    let tasks: Vec<_> = (1..=names.len() as i64)
        .map(|id| tokio::spawn(get_user(state.clone(), id)))
        .collect();
    let mut found = Vec::new();
    for task in tasks {
        found.push(task.await.expect("the task ran")?.name);
    }
    found.sort();
    println!("200 read back {found:?}");
    assert_eq!(found, ["ada", "barbara", "edsger", "grace"]);

    // Errors become statuses; the failed insert left nothing behind.
    let err = create_user(state.clone(), "ada".into()).await.unwrap_err();
    println!("{} {err}", err.status());
    assert_eq!(err.status(), 409);
    let err = get_user(state.clone(), 99).await.unwrap_err();
    println!("{} {err}", err.status());
    assert_eq!(err.status(), 404);

    // A large result as a Stream: max_row_buffer rows held at a time.
    use futures_util::TryStreamExt;
    let mut conn = state.engine.connect().await?;
    let mut rows = conn
        .stream(
            select([state.users.c("name")]).order_by([state.users.c("id")]),
            (),
        )
        .await?;
    let mut streamed = 0;
    while let Some(row) = rows.try_next().await? {
        let _name: String = row.get("name")?;
        streamed += 1;
    }
    assert_eq!(streamed, names.len());
    println!("streamed {streamed} rows\nasync_tokio: ok");
    Ok(())
}
