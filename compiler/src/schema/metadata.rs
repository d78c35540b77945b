//! [`MetaData`]: a collection of tables in definition order.

use crate::error::CompileError;
use crate::schema::{Sequence, Table};
use indexmap::IndexMap;

/// The tables of one application, keyed by `schema.name`, in definition order.
///
/// ```
/// use sqlcore_compiler::{Column, MetaData, SqlType, Table};
/// let mut metadata = MetaData::new();
/// let users = metadata.add(Table::new("users").column(Column::new("id", SqlType::Integer).primary_key()))?;
/// let posts = metadata.add(
///     Table::new("posts")
///         .column(Column::new("id", SqlType::Integer).primary_key())
///         .column(Column::new("user_id", SqlType::Integer).references("users.id")),
/// )?;
/// let order: Vec<_> = metadata.sorted_tables()?.iter().map(|t| t.name.clone()).collect();
/// assert_eq!(order, ["users", "posts"]);
/// assert!(metadata.add(Table::new("users")).is_err());
/// # let _ = (users, posts);
/// # Ok::<(), sqlcore_compiler::CompileError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MetaData {
    tables: IndexMap<String, Table>,
    sequences: IndexMap<String, Sequence>,
}

impl MetaData {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a table and returns a handle to it; a second table of the same full name is a
    /// [`CompileError::DuplicateTable`].
    pub fn add(&mut self, table: Table) -> Result<Table, CompileError> {
        let key = table.fullname();
        if self.tables.contains_key(&key) {
            return Err(CompileError::DuplicateTable { name: key });
        }
        self.tables.insert(key, table.clone());
        Ok(table)
    }

    /// Adds a free-standing sequence (SQLAlchemy's `Sequence("s", metadata=metadata)`),
    /// created by `create_all` before the tables and dropped by `drop_all` after them. Adding
    /// a sequence of the same full name again replaces it.
    pub fn add_sequence(&mut self, sequence: Sequence) -> Sequence {
        self.sequences.insert(sequence.fullname(), sequence.clone());
        sequence
    }

    /// The free-standing sequences, in the order added.
    pub fn sequences(&self) -> impl Iterator<Item = &Sequence> {
        self.sequences.values()
    }

    /// Every sequence `create_all` creates: the free-standing ones, then those of the
    /// columns' defaults (in table order), each full name once.
    pub fn all_sequences(&self) -> Vec<Sequence> {
        let mut out: IndexMap<String, Sequence> = self.sequences.clone();
        for table in self.tables.values() {
            for column in table.columns.values() {
                if let Some(seq) = column.sequence() {
                    out.entry(seq.fullname()).or_insert_with(|| seq.clone());
                }
            }
        }
        out.into_values().collect()
    }

    /// The table with full name `name` (`"schema.table"` or `"table"`).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Tables in definition order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    /// Number of tables.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// Whether there are no tables.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Tables ordered so that every table comes after the tables its foreign keys refer to
    /// and a partition after its parent (definition order otherwise); the order of `create_all`. A cycle of foreign keys between
    /// tables is a [`CompileError::DependencyCycle`]. References to tables outside this
    /// collection and self-references are ignored.
    pub fn sorted_tables(&self) -> Result<Vec<Table>, CompileError> {
        let keys: Vec<&String> = self.tables.keys().collect();
        let deps: Vec<Vec<usize>> = self
            .tables
            .values()
            .map(|table| {
                let mut out = Vec::new();
                // A partition comes after its parent, as a table after those it refers to.
                let parent = table
                    .partition_of
                    .as_ref()
                    .map(|of| (&of.parent_schema, &of.parent));
                let referred = table
                    .foreign_keys
                    .iter()
                    .map(|fk| (&fk.referred_schema, &fk.referred_table));
                for (schema, name) in parent.into_iter().chain(referred) {
                    let target = match schema {
                        Some(schema) => format!("{schema}.{name}"),
                        None => name.clone(),
                    };
                    if let Some(idx) = self.tables.get_index_of(&target) {
                        if keys[idx] != &table.fullname() && !out.contains(&idx) {
                            out.push(idx);
                        }
                    }
                }
                out
            })
            .collect();
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; keys.len()];
        let mut order = Vec::with_capacity(keys.len());
        fn visit(
            i: usize,
            deps: &[Vec<usize>],
            state: &mut [u8],
            order: &mut Vec<usize>,
            stack: &mut Vec<usize>,
        ) -> Result<(), Vec<usize>> {
            match state[i] {
                2 => return Ok(()),
                1 => {
                    let start = stack.iter().position(|&s| s == i).unwrap_or(0);
                    return Err(stack[start..].to_vec());
                }
                _ => {}
            }
            state[i] = 1;
            stack.push(i);
            for &d in &deps[i] {
                visit(d, deps, state, order, stack)?;
            }
            stack.pop();
            state[i] = 2;
            order.push(i);
            Ok(())
        }
        let mut stack = Vec::new();
        for i in 0..keys.len() {
            visit(i, &deps, &mut state, &mut order, &mut stack).map_err(|cycle| {
                CompileError::DependencyCycle {
                    tables: cycle.into_iter().map(|i| keys[i].clone()).collect(),
                }
            })?;
        }
        Ok(order.into_iter().map(|i| self.tables[i].clone()).collect())
    }
}
