//! A data-access layer: a small repository module that owns its tables and statements, runs
//! each use case in a transaction, and turns database errors into the domain's own typed
//! errors (a duplicate e-mail, a missing account, insufficient funds) — on an embedded SQLite
//! file.
//!
//! Run with `cargo run --example data_access`.

use sqlcore::rust_decimal::Decimal;

/// The repository: the rest of the program sees accounts and `BankError`s, never SQL.
mod accounts {
    use sqlcore::rust_decimal::Decimal;
    use sqlcore::{
        Column, DbErrorReason, Engine, FromRow, MetaData, MetaDataExt, SqlType, Table, insert,
        params, select, update,
    };

    /// What can go wrong, in the domain's words; anything else is a database error.
    #[derive(Debug, thiserror::Error)]
    pub enum BankError {
        /// An account with this e-mail exists already (the UNIQUE constraint said so).
        #[error("an account for {0} exists already")]
        DuplicateEmail(String),
        /// No account has this id.
        #[error("no account {0}")]
        NotFound(i64),
        /// The transfer would overdraw the account; nothing was changed.
        #[error("account {id} holds {balance}, less than {wanted}")]
        InsufficientFunds {
            /// The account debited.
            id: i64,
            /// Its balance.
            balance: Decimal,
            /// The amount asked for.
            wanted: Decimal,
        },
        /// The database failed (connection, SQL, constraint other than the ones above).
        #[error(transparent)]
        Db(#[from] sqlcore::Error),
    }

    /// One account, read by column name.
    #[derive(Debug, Clone, PartialEq, FromRow)]
    pub struct Account {
        pub id: i64,
        pub email: String,
        pub balance: Decimal,
    }

    /// The accounts store: an engine (a pool; cheap to clone) and the table it owns.
    pub struct Accounts {
        engine: Engine,
        table: Table,
    }

    impl Accounts {
        /// Opens the store on `url`, creating its table if it does not exist.
        pub fn open(url: &str) -> Result<Self, BankError> {
            let mut metadata = MetaData::new();
            let table = metadata
                .add(
                    Table::new("accounts")
                        .column(Column::new("id", SqlType::Integer).primary_key())
                        .column(Column::new("email", SqlType::String(Some(120))).unique())
                        .column(
                            Column::new("balance", SqlType::Numeric(Some(12), Some(2))).not_null(),
                        ),
                )
                .map_err(sqlcore::Error::from)?;
            let engine = sqlcore::create_engine(url)?;
            metadata.create_all(&engine)?;
            Ok(Self { engine, table })
        }

        /// Opens an account; a second account for one e-mail is `DuplicateEmail`.
        pub fn open_account(&self, email: &str, deposit: Decimal) -> Result<i64, BankError> {
            let inserted = self.engine.transaction(|conn| {
                conn.execute(
                    insert(&self.table),
                    params! { "email" => email, "balance" => deposit },
                )?
                .inserted_primary_key()?
                .get::<i64>(0)
            });
            inserted.map_err(|e| match e.as_db_error().and_then(|db| db.reason) {
                Some(DbErrorReason::UniqueViolation) => BankError::DuplicateEmail(email.into()),
                _ => e.into(),
            })
        }

        /// Reads one account; a missing one is `NotFound`.
        pub fn get(&self, id: i64) -> Result<Account, BankError> {
            let stmt = select(&self.table).filter(self.table.c("id").eq(id));
            self.engine
                .connect()?
                .execute(stmt, ())?
                .one_or_none_as()?
                .ok_or(BankError::NotFound(id))
        }

        /// Moves `amount` from one account to another in one transaction: both balances
        /// change, or (on any error, returned early with `?`) neither does — the transaction
        /// guard rolls back when it is dropped without `commit()`.
        pub fn transfer(&self, from: i64, to: i64, amount: Decimal) -> Result<(), BankError> {
            let mut tx = self.engine.begin()?;
            let by_id = |id: i64| self.table.c("id").eq(id);
            let add = |id: i64, delta: Decimal| {
                update(&self.table)
                    .filter(by_id(id))
                    .values([("balance", self.table.c("balance") + delta)])
            };
            // Credit first, so a missing target is found before anything is debited.
            if tx.execute(add(to, amount), ())?.rowcount() != 1 {
                return Err(BankError::NotFound(to));
            }
            let balance: Option<Decimal> = tx
                .execute(select([self.table.c("balance")]).filter(by_id(from)), ())?
                .scalar_one_or_none()?;
            let balance = balance.ok_or(BankError::NotFound(from))?;
            if balance < amount {
                // Returning drops `tx`: the credit above is rolled back.
                return Err(BankError::InsufficientFunds {
                    id: from,
                    balance,
                    wanted: amount,
                });
            }
            tx.execute(add(from, -amount), ())?;
            tx.commit()?;
            Ok(())
        }
    }
}

use accounts::{Accounts, BankError};

fn main() -> Result<(), BankError> {
    let path = std::env::temp_dir().join(format!("sqlcore-data-access-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = Accounts::open(&format!("sqlite:///{}", path.display()))?;

    let alice = store.open_account("alice@example.com", Decimal::from(100))?;
    let bob = store.open_account("bob@example.com", Decimal::from(5))?;
    println!("opened accounts {alice} and {bob}");

    // A transfer that succeeds moves the money.
    store.transfer(alice, bob, Decimal::from(30))?;
    let (a, b) = (store.get(alice)?, store.get(bob)?);
    println!("after transfer: {a:?} / {b:?}");
    assert_eq!(
        (a.balance, b.balance),
        (Decimal::from(70), Decimal::from(35))
    );

    // One that would overdraw fails with a typed error, and its credit was rolled back.
    let err = store.transfer(bob, alice, Decimal::from(1000)).unwrap_err();
    println!("refused: {err}");
    assert!(matches!(err, BankError::InsufficientFunds { id, .. } if id == bob));
    assert_eq!(
        store.get(alice)?.balance,
        Decimal::from(70),
        "credit rolled back"
    );

    // Constraint and lookup failures arrive as domain errors, not strings.
    let err = store
        .open_account("alice@example.com", Decimal::ZERO)
        .unwrap_err();
    println!("refused: {err}");
    assert!(matches!(err, BankError::DuplicateEmail(_)));
    let err = store.transfer(alice, 999, Decimal::ONE).unwrap_err();
    println!("refused: {err}");
    assert!(matches!(err, BankError::NotFound(999)));
    assert!(matches!(store.get(999), Err(BankError::NotFound(999))));

    let _ = std::fs::remove_file(&path);
    println!("data_access: ok");
    Ok(())
}
