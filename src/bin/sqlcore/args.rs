//! The command line: `sqlcore reflect URL [options]`, parsed by hand (one subcommand, five
//! options).

use sqlcore::{Dialect, MariaDB, MySQL, PostgreSQL, SQLite};
use std::fmt;

/// `--help`.
pub const HELP: &str = "\
sqlcore: reflect a live database into DDL, a JSON description or typed Rust tables

Usage:
  sqlcore reflect URL [--schema S] [--table T]... [--format ddl|json|rust] [--dialect D] [--quiet]
  sqlcore --help | --version

Arguments:
  URL                 the database, as create_engine takes it (sqlite:///path.db,
                      postgresql://user@host/db, mysql://root@host/db, mariadb://...);
                      a password in it is never printed

Options:
  -s, --schema S      reflect schema S (default: the connection's default schema)
  -t, --table T       only table T, and the tables its foreign keys refer to; repeatable,
                      or comma-separated
  -f, --format F      ddl (default): CREATE statements for --dialect
                      json: a description of every table (format \"sqlcore-schema/1\")
                      rust: sqlcore::table! declarations and #[derive(FromRow)] structs
  -d, --dialect D     postgresql, sqlite, mysql or mariadb (default: the URL's backend);
                      the DDL's dialect, and the SQL type names of the JSON output
  -q, --quiet         no progress on stderr (shown when stderr is a terminal)
  -h, --help          this text
  -V, --version       the version

Examples:
  sqlcore reflect sqlite:///app.db
  sqlcore reflect postgresql://app@localhost/app --schema sales --dialect sqlite
  sqlcore reflect mariadb://root@localhost/shop --table orders --table users --format json
  sqlcore reflect postgresql://app@localhost/app --format rust > src/schema.rs

Exit status: 0 on success, 1 when the database or reflection fails, 2 on a usage error.
";

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ddl,
    Json,
    Rust,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ddl => "ddl",
            Format::Json => "json",
            Format::Rust => "rust",
        }
    }
}

/// A parsed `sqlcore reflect` command.
#[derive(Debug)]
pub struct Reflect {
    pub url: String,
    pub schema: Option<String>,
    pub tables: Vec<String>,
    pub format: Format,
    /// `None`: the URL's.
    pub dialect: Option<&'static dyn Dialect>,
    pub quiet: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Help,
    Version,
    Reflect(Reflect),
}

/// A usage error, shown with a pointer to `--help`. It never holds the URL.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// The dialect named `name`.
pub fn dialect_named(name: &str) -> Option<&'static dyn Dialect> {
    Some(match name.to_ascii_lowercase().as_str() {
        "postgresql" | "postgres" => &PostgreSQL,
        "sqlite" => &SQLite,
        "mysql" => &MySQL,
        "mariadb" => &MariaDB,
        _ => return None,
    })
}

/// Parses the arguments after the program's name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, UsageError> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        None => Err(usage("a command is required: reflect")),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("-V" | "--version") => Ok(Command::Version),
        Some("reflect") => parse_reflect(args),
        Some(other) if other.starts_with('-') => Err(usage(format!("unknown option {other:?}"))),
        // Not echoed: it may be a URL with a password typed without the command.
        Some(_) => Err(usage("unknown command (the only command is reflect)")),
    }
}

fn parse_reflect(mut args: impl Iterator<Item = String>) -> Result<Command, UsageError> {
    let mut url = None;
    let mut schema = None;
    let mut tables = Vec::new();
    let mut format = Format::Ddl;
    let mut dialect = None;
    let mut quiet = false;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| usage(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-q" | "--quiet" => quiet = true,
            "-s" | "--schema" => schema = Some(value("--schema")?),
            "-t" | "--table" => tables.extend(
                value("--table")?
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            ),
            "-f" | "--format" => {
                let name = value("--format")?;
                format = [Format::Ddl, Format::Json, Format::Rust]
                    .into_iter()
                    .find(|f| f.name() == name)
                    .ok_or_else(|| usage(format!("unknown format {name:?} (ddl, json or rust)")))?;
            }
            "-d" | "--dialect" => {
                let name = value("--dialect")?;
                dialect = Some(dialect_named(&name).ok_or_else(|| {
                    usage(format!(
                        "unknown dialect {name:?} (postgresql, sqlite, mysql or mariadb)"
                    ))
                })?);
            }
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(usage(format!("unknown option {other:?}")));
            }
            _ if url.is_none() => url = Some(arg),
            // Not echoed: either argument may hold a password.
            _ => {
                return Err(usage(
                    "one URL only (a second positional argument was given)",
                ));
            }
        }
    }
    let url = url.ok_or_else(|| usage("reflect needs a database URL"))?;
    Ok(Command::Reflect(Reflect {
        url,
        schema,
        tables,
        format,
        dialect,
        quiet,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_parse() {
        let Ok(Command::Reflect(r)) = parse(args(
            "reflect sqlite:///x.db -t a,b --table=c --format json -d mysql --schema=s",
        )) else {
            panic!("not parsed");
        };
        assert_eq!(r.url, "sqlite:///x.db");
        assert_eq!(r.tables, ["a", "b", "c"]);
        assert_eq!(r.format, Format::Json);
        assert_eq!(r.dialect.map(|d| d.name()), Some("mysql"));
        assert_eq!(r.schema.as_deref(), Some("s"));
    }

    #[test]
    fn usage_errors_never_echo_positional_arguments() {
        for line in ["postgresql://u:pw@h/db", "reflect a://u:pw@h b://u:pw@h"] {
            let e = parse(args(line)).unwrap_err();
            assert!(!e.0.contains("pw"), "{e}");
        }
        assert!(parse(args("reflect x --format xml")).is_err());
        assert!(parse(args("reflect x --table")).is_err());
        assert!(parse(args("reflect")).is_err());
    }
}
