//! Running the `sqlcore` program in the CLI tests, and the SQL it writes.

use sqlcore::*;
use std::process::Command;

/// What a run of the program gave.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `sqlcore args…`.
pub fn sqlcore(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_sqlcore"))
        .args(args)
        .output()
        .expect("run sqlcore");
    Output {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// `sqlcore reflect URL args…`, which must succeed; its stdout and its warnings (stderr has
/// nothing else: no progress when it is not a terminal).
pub fn reflect_warning(url: &str, args: &[&str]) -> (String, Vec<String>) {
    let out = sqlcore(&[&["reflect", url], args].concat());
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let warnings: Vec<String> = out.stderr.lines().map(str::to_owned).collect();
    for w in &warnings {
        assert!(w.starts_with("sqlcore: warning: "), "{args:?}: {w}");
    }
    (out.stdout, warnings)
}

/// Runs `;`-separated statements on `url` in one transaction.
pub fn create(url: &str, schema: &str) {
    let engine = create_engine(url).unwrap();
    engine
        .transaction(|c| {
            for sql in schema.split(';').filter(|s| !s.trim().is_empty()) {
                c.execute(text(sql), ())?;
            }
            Ok(())
        })
        .unwrap();
}

/// Asserts that the checked-in `tests/generated/{file}` (`checked_in`) is what the command
/// writes now (`now`); the message tells how to regenerate it (`how`: the arguments after the
/// URL, and any rewriting of the output) when the output changes on purpose.
pub fn assert_generated(file: &str, checked_in: &str, now: &str, how: &str) {
    assert!(
        now == checked_in,
        "tests/generated/{file} is stale: regenerate it with: sqlcore reflect <url> {how}\n{now}"
    );
}
