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
    /// Where each key sits in the first row: rows built alike are read without hashing.
    positions: Vec<(Arc<str>, usize)>,
}

/// Takes `key` out of `row`, first trying the position it had in the batch's first row.
fn take(row: &mut Params, key: &Arc<str>, positions: &[(Arc<str>, usize)]) -> Option<Value> {
    if let Some((_, pos)) = positions.iter().find(|(k, _)| Arc::ptr_eq(k, key)) {
        if let Some((name, value)) = row.get_index_mut(*pos) {
            if name == &**key {
                return Some(std::mem::take(value));
            }
        }
    }
    row.take(key)
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
    // One shared name per key, so slots and positions compare by pointer.
    let mut keys: Vec<Arc<str>> = Vec::new();
    let slots = compiled
        .params
        .iter()
        .map(|p| match &p.source {
            ParamSource::Literal(i) => Slot::Literal(*i),
            ParamSource::Named(name) => {
                let (key, r) = name.rsplit_once("__").unwrap_or((name, "0"));
                let key = match keys.iter().find(|k| ***k == *key) {
                    Some(k) => k.clone(),
                    None => {
                        keys.push(Arc::from(key));
                        keys[keys.len() - 1].clone()
                    }
                };
                Slot::Row(r.parse().unwrap_or(0), key)
            }
        })
        .collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    let unique = slots.iter().all(|s| match s {
        Slot::Row(r, key) => seen.insert((*r, key.clone())),
        Slot::Literal(_) => true,
    });
    // The single row was built from the first parameter set, in its order.
    let positions: Vec<(Arc<str>, usize)> = keys
        .iter()
        .filter_map(|key| {
            row.iter()
                .position(|(_, e)| matches!(e, Expr::Param(p) if *p.name == **key))
                .map(|pos| (key.clone(), pos))
        })
        .collect();
    Ok(BatchPlan {
        compiled,
        slots,
        unique,
        positions,
    })
}

impl BatchPlan {
    /// The values of one batch, in placeholder order, moved out of `rows` when no parameter
    /// is read twice.
    pub fn values(&self, rows: &mut [Params]) -> Result<Vec<Value>> {
        let mut values = self
            .slots
            .iter()
            .map(|slot| match slot {
                Slot::Literal(i) => Ok(self.compiled.literals[*i].clone()),
                Slot::Row(r, key) => {
                    let row = rows.get_mut(*r);
                    let value = if self.unique {
                        row.and_then(|p| take(p, key, &self.positions))
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
            .collect::<Result<Vec<Value>>>()?;
        self.compiled.check_values(&values)?;
        self.compiled.convert_values(&mut values)?;
        Ok(values)
    }
}
