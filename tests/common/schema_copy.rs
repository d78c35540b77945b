//! A source schema holding a fixture and an empty copy schema beside it, for the round trips
//! reflect → `create_all` through `schema_translate_map` → reflect; both dropped at the end.

use super::pg;
use sqlcore::*;

/// Two PostgreSQL schemas named after the test, dropped when the value is.
pub struct SchemaCopy {
    /// The schema holding the fixture.
    pub source: String,
    /// The empty schema the copy goes to.
    pub copy: String,
}

impl SchemaCopy {
    /// The two schemas, the fixture SQL run in the source with `{s}` naming it; `None` (with
    /// a message) when the server is unreachable outside CI.
    pub fn create(test: &str, fixture: &str) -> Option<SchemaCopy> {
        let mut client = pg::connect()?;
        let id = std::process::id();
        let schemas = SchemaCopy {
            source: format!("sqlcore_{test}_src_{id}"),
            copy: format!("sqlcore_{test}_copy_{id}"),
        };
        let (src, copy) = (&schemas.source, &schemas.copy);
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {src} CASCADE; DROP SCHEMA IF EXISTS {copy} CASCADE;
                 CREATE SCHEMA {src}; CREATE SCHEMA {copy};"
            ))
            .expect("schemas");
        client
            .batch_execute(&fixture.replace("{s}", src))
            .expect("fixture");
        Some(schemas)
    }

    /// An engine whose search path names no schema of the test: every table, type and
    /// sequence is reached through the translate map, which sends `None` to `schema`.
    pub fn engine(&self, schema: &str) -> Engine {
        let base = pg::url();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3Dsqlcore_nowhere");
        Engine::builder(&url).build().unwrap().execution_options(
            ExecutionOptions::default()
                .schema_translate_map(SchemaTranslateMap::new().map(None, schema)),
        )
    }
}

impl Drop for SchemaCopy {
    fn drop(&mut self) {
        if let Some(mut client) = pg::connect() {
            let _ = client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE; DROP SCHEMA IF EXISTS {} CASCADE;",
                self.source, self.copy
            ));
        }
    }
}
