//! `sqlcore`: reflects a live database into DDL for any dialect, a JSON description of its
//! tables, or Rust source of typed tables and row structs (see `sqlcore --help`).

mod args;
mod json;
mod portable;
mod rust;
mod rust_enums;

use args::{Command, Format, HELP, Reflect};
use sqlcore::{
    Compile, Dialect, MetaData, MetaDataExt, ReflectOptions, SqlitePath, Table, create_engine,
};
use std::io::{ErrorKind, IsTerminal, Write};
use std::process::ExitCode;

/// The exit status of a usage error (as clap and most Unix tools use).
const USAGE: u8 = 2;

fn main() -> ExitCode {
    match args::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("sqlcore {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Reflect(reflect)) => match run(&reflect) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("sqlcore: error: {message}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("sqlcore: error: {e}\nTry 'sqlcore --help' for more information.");
            ExitCode::from(USAGE)
        }
    }
}

/// Progress lines on stderr, when it is a terminal and `--quiet` was not given.
struct Progress(bool);

impl Progress {
    fn say(&self, message: std::fmt::Arguments<'_>) {
        if self.0 {
            eprintln!("sqlcore: {message}");
        }
    }
}

/// Reflects and writes the output. Errors are sqlcore's, whose messages show a URL redacted.
fn run(cmd: &Reflect) -> Result<(), String> {
    let progress = Progress(!cmd.quiet && std::io::stderr().is_terminal());
    let engine = create_engine(&cmd.url).map_err(|e| e.to_string())?;
    // SQLite would create a missing file: a mistyped path must fail, not reflect nothing.
    if let Some(SqlitePath::File(path)) = engine.url().sqlite_path() {
        if !path.exists() {
            return Err(format!("no SQLite database at {}", path.display()));
        }
    }
    let dialect: &'static dyn Dialect = cmd.dialect.unwrap_or_else(|| engine.dialect());
    progress.say(format_args!("reflecting {}", engine.url()));
    let mut options = ReflectOptions::new();
    if let Some(schema) = &cmd.schema {
        options = options.schema(schema);
    }
    if !cmd.tables.is_empty() {
        options = options.only(cmd.tables.iter().cloned());
    }
    let mut metadata = MetaData::new();
    metadata
        .reflect_with(&engine, &options)
        .map_err(|e| e.to_string())?;
    progress.say(format_args!(
        "reflected {} tables; writing {} for {}",
        metadata.len(),
        cmd.format.name(),
        dialect.name()
    ));
    let out = match cmd.format {
        Format::Ddl => {
            // Warnings are shown whatever --quiet says: they tell what the DDL lost.
            let warn = &mut |w: String| eprintln!("sqlcore: warning: {w}");
            portable::adapt(&metadata, engine.dialect(), dialect, warn)
                .and_then(|metadata| ddl(&metadata, dialect))
        }
        Format::Json => json::describe(&metadata, engine.url().backend(), dialect),
        Format::Rust => Ok(rust::generate(&by_name(&metadata), engine.dialect())),
    }
    .map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // The reader stopped early (`| head`), as it may.
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(format!("writing the output: {e}")),
        _ => Ok(()),
    }
}

/// The tables sorted by schema and name (the JSON and Rust outputs' order).
fn by_name(metadata: &MetaData) -> Vec<&Table> {
    let mut tables: Vec<&Table> = metadata.tables().collect();
    tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    tables
}

/// The statements creating every table on `dialect`, referred tables first, each ending in `;`.
fn ddl(metadata: &MetaData, dialect: &dyn Dialect) -> Result<String, sqlcore::CompileError> {
    let mut out = String::new();
    for statement in metadata.create_all_ddl(dialect, false)? {
        out.push_str(&statement.compile(dialect)?.sql);
        out.push_str(";\n\n");
    }
    Ok(out)
}
