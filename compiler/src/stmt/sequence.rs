//! `CREATE SEQUENCE` / `DROP SEQUENCE`.

use crate::schema::Sequence;

/// `CREATE SEQUENCE [IF NOT EXISTS] [schema.]name [options]` (PostgreSQL; a
/// [`CompileError`](crate::CompileError) on dialects without sequences).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSequence {
    /// The sequence.
    pub sequence: Sequence,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// `DROP SEQUENCE [IF EXISTS] [schema.]name`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropSequence {
    /// The sequence.
    pub sequence: Sequence,
    /// `IF EXISTS`.
    pub if_exists: bool,
}

/// `CREATE SEQUENCE` for `sequence`.
pub fn create_sequence(sequence: &Sequence) -> CreateSequence {
    CreateSequence {
        sequence: sequence.clone(),
        if_not_exists: false,
    }
}

/// `DROP SEQUENCE` for `sequence`.
pub fn drop_sequence(sequence: &Sequence) -> DropSequence {
    DropSequence {
        sequence: sequence.clone(),
        if_exists: false,
    }
}

impl CreateSequence {
    /// `IF NOT EXISTS`.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }
}

impl DropSequence {
    /// `IF EXISTS`.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }
}
