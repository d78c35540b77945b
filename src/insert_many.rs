//! "insertmanyvalues": an `execute_many` of an INSERT sent as multi-row `VALUES` in batches,
//! within the dialect's parameter limit, with RETURNING rows in input order.

use crate::error::{Error, Result};
use sqlcore_compiler::{
    BindParam, Compile, CompileError, Compiled, Dialect, Expr, Insert, InsertSource, ParamSource,
    Params, Value,
};
use std::sync::Arc;

/// Where each parameter of a batch statement takes its value from.
enum Slot {
    /// Parameter `key` of the batch's row `row`.
    Row(usize, Arc<str>),
    /// A value the statement itself carries.
    Literal(usize),
}

/// A compiled multi-row INSERT for batches of one size.
pub(crate) struct BatchPlan {
    pub compiled: Compiled,
    slots: Vec<Slot>,
    /// No parameter is read twice, so values can be moved out of the rows.
    unique: bool,
}

/// Whether `ins` can be batched: a single VALUES row.
pub(crate) fn eligible(ins: &Insert) -> bool {
    matches!(&ins.source, InsertSource::Values(rows) if rows.len() == 1)
}

/// Rows per batch: the page size, or fewer so one batch stays within the parameter limit.
pub(crate) fn rows_per_batch(
    single_row: &Compiled,
    page_size: usize,
    max_parameters: usize,
) -> usize {
    let per_row = single_row.params.len().max(1);
    page_size.min(max_parameters / per_row).max(1)
}

fn separator(name: &str, row: usize) -> Arc<str> {
    format!("{name}__{row}").into()
}

/// The INSERT of `ins`'s single row repeated `rows` times, its named parameters renamed
/// `name__<row>`.
pub(crate) fn plan(ins: &Insert, rows: usize, dialect: &dyn Dialect) -> Result<BatchPlan> {
    let InsertSource::Values(single) = &ins.source else {
        return Err(CompileError::invalid("insertmanyvalues needs an INSERT ... VALUES").into());
    };
    let row = single.first().cloned().unwrap_or_default();
    let batch: Vec<Vec<(Arc<str>, Expr)>> = (0..rows)
        .map(|r| {
            row.iter()
                .map(|(col, e)| {
                    let e = match e {
                        Expr::Param(p) => Expr::Param(BindParam {
                            name: separator(&p.name, r),
                            ..p.clone()
                        }),
                        other => other.clone(),
                    };
                    (col.clone(), e)
                })
                .collect()
        })
        .collect();
    let stmt = Insert {
        source: InsertSource::Values(batch),
        ..ins.clone()
    };
    let compiled = stmt.compile(dialect)?;
    let slots = compiled
        .params
        .iter()
        .map(|p| match &p.source {
            ParamSource::Literal(i) => Slot::Literal(*i),
            ParamSource::Named(name) => {
                let (key, r) = name.rsplit_once("__").unwrap_or((name, "0"));
                Slot::Row(r.parse().unwrap_or(0), key.into())
            }
        })
        .collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    let unique = slots.iter().all(|s| match s {
        Slot::Row(r, key) => seen.insert((*r, key.clone())),
        Slot::Literal(_) => true,
    });
    Ok(BatchPlan {
        compiled,
        slots,
        unique,
    })
}

impl BatchPlan {
    /// The values of one batch, in placeholder order, moved out of `rows` when no parameter
    /// is read twice.
    pub fn values(&self, rows: &mut [Params]) -> Result<Vec<Value>> {
        self.slots
            .iter()
            .map(|slot| match slot {
                Slot::Literal(i) => Ok(self.compiled.literals[*i].clone()),
                Slot::Row(r, key) => {
                    let row = rows.get_mut(*r);
                    let value = if self.unique {
                        row.and_then(|p| p.take(key))
                    } else {
                        row.and_then(|p| p.get(key).cloned())
                    };
                    value.ok_or_else(|| {
                        Error::Compile(CompileError::MissingParameter {
                            name: key.to_string(),
                        })
                    })
                }
            })
            .collect()
    }
}
