//! User types ([`TypeDecorator`](crate::TypeDecorator)) in a compiled statement: their SQL
//! around a bound value (`bind_expression`) and around a column of the outermost SELECT list
//! or RETURNING (`column_expression`), and their conversion of the values bound to them
//! ([`Compiled::convert_binds`]). What a statement needs is recorded when it is compiled, so a
//! statement without user types pays nothing at execution.

use super::{Compiled, Compiler, ParamSlot, Piece, Res};
use crate::error::CompileError;
use crate::expr::Expr;
use crate::schema::{CustomType, SqlType};
use crate::stmt::NamedItem;
use crate::value::Value;
use std::sync::Arc;

/// Stands for the bound value or the column inside the expression a user type builds around
/// it; replaced when rendered, never left in SQL.
const MARKER: &str = "\u{1}sqlcore-user-type\u{1}";

fn marker() -> Expr {
    Expr::Raw(Arc::from(MARKER))
}

fn misplaced(ty: &CustomType, hook: &str) -> CompileError {
    CompileError::invalid(format!(
        "the {hook} of the user type {:?} must use the expression it is given exactly once",
        ty.name()
    ))
}

/// The user type of a column of a SELECT list: a column's, or a CAST's, labelled or not.
fn user_type_of(e: &Expr) -> Option<&CustomType> {
    match e {
        Expr::Column(c) => match &c.column.sql_type {
            SqlType::Custom(ty) => Some(ty),
            _ => None,
        },
        Expr::Cast(_, SqlType::Custom(ty)) => Some(ty),
        Expr::Label(_, inner) => user_type_of(inner),
        _ => None,
    }
}

/// Whether values meeting `sql_type` are wrapped in a user type's bind expression.
pub(super) fn wraps_binds(sql_type: Option<&SqlType>) -> bool {
    matches!(sql_type, Some(SqlType::Custom(ty)) if ty.wraps_binds())
}

/// The slot's user type, when it has one.
fn slot_type(slot: &ParamSlot) -> Option<&CustomType> {
    match &slot.sql_type {
        Some(SqlType::Custom(ty)) => Some(ty),
        _ => None,
    }
}

impl Compiler<'_> {
    /// Renders `wrapper` (a user type's expression around [`MARKER`]) with `inner` where the
    /// marker stands.
    fn wrapped(
        &mut self,
        ty: &CustomType,
        hook: &str,
        wrapper: &Expr,
        inner: impl FnOnce(&mut Self) -> Res,
    ) -> Res {
        let pieces = self.capture(|c| c.expr(wrapper))?;
        let mut inner = Some(inner);
        for piece in pieces {
            match piece {
                Piece::Sql(range) => {
                    let sql = self.sql_of(&range);
                    let Some(at) = sql.find(MARKER) else {
                        self.flush();
                        self.push_sql(range);
                        continue;
                    };
                    let after = range.start + at + MARKER.len()..range.end;
                    let (Some(render), false) =
                        (inner.take(), self.sql_of(&after).contains(MARKER))
                    else {
                        return Err(misplaced(ty, hook));
                    };
                    self.flush();
                    self.push_sql(range.start..range.start + at);
                    render(self)?;
                    self.flush();
                    self.push_sql(after);
                }
                other => self.append(vec![other]),
            }
        }
        match inner {
            Some(_) => Err(misplaced(ty, hook)),
            None => Ok(()),
        }
    }

    /// Writes the expanding slot `idx` with `wrapper` (a user type's bind expression around
    /// [`MARKER`]) around each of its elements. The expression may hold no parameter of its
    /// own (it is repeated per element as SQL text).
    fn wrapped_each(&mut self, ty: &CustomType, wrapper: &Expr, idx: usize) -> Res {
        let pieces = self.capture(|c| c.expr(wrapper))?;
        let mut text = String::new();
        for piece in pieces {
            let Piece::Sql(range) = piece else {
                return Err(CompileError::unsupported(
                    format!(
                        "the bind expression of the user type {:?} binding values of its own \
                         around a list of values",
                        ty.name()
                    ),
                    self.d.name(),
                ));
            };
            text.push_str(self.sql_of(&range));
        }
        let Some((before, after)) = text.split_once(MARKER) else {
            return Err(misplaced(ty, "bind expression"));
        };
        if after.contains(MARKER) {
            return Err(misplaced(ty, "bind expression"));
        }
        self.each(idx, before.to_owned(), after.to_owned());
        Ok(())
    }

    /// Writes slot `idx` meeting `sql_type`: inside the user type's `bind_expression` when
    /// it has one.
    pub(super) fn typed_slot(&mut self, idx: usize, sql_type: Option<&SqlType>) -> Res {
        if let Some(SqlType::Custom(ty)) = sql_type {
            if let Some(wrapper) = ty.decorator().bind_expression(marker()) {
                if self.slots[idx].expanding {
                    return self.wrapped_each(ty, &wrapper, idx);
                }
                return self.wrapped(ty, "bind expression", &wrapper, |c| {
                    c.slot(idx);
                    Ok(())
                });
            }
        }
        self.slot(idx);
        Ok(())
    }

    /// Writes a column of the outermost SELECT list or of RETURNING whose user type has a
    /// `column_expression`: the expression, labelled with the column's name (so rows are
    /// still read by it). `false` when the column has none (nothing written).
    pub(super) fn user_type_column(&mut self, item: &NamedItem<'_>) -> Result<bool, CompileError> {
        let Some(ty) = user_type_of(&item.expr) else {
            return Ok(false);
        };
        let Some(wrapper) = ty.decorator().column_expression(marker()) else {
            return Ok(false);
        };
        let ty = ty.clone();
        self.wrapped(&ty, "column expression", &wrapper, |c| c.expr(&item.expr))?;
        self.w(" AS ");
        if item.generated {
            self.generated_ident(&item.name)?;
        } else {
            self.ident(&item.name)?;
        }
        Ok(true)
    }
}

/// A user type's conversion of a value failed: which type, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the user type {type_name:?} could not convert the value {site}: {message}")]
pub struct TypeConversionError {
    /// The type's [`name`](crate::TypeDecorator::name).
    pub type_name: String,
    /// The parameter bound or the column read.
    pub site: ConversionSite,
    /// What the decorator said.
    pub message: String,
}

/// Where a user type converted a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversionSite {
    /// Binding the parameter of this name (`param_N` for a value the statement carries).
    Parameter(String),
    /// Reading the result column of this name.
    Column(String),
}

impl std::fmt::Display for ConversionSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConversionSite::Parameter(name) => write!(f, "bound to parameter {name:?}"),
            ConversionSite::Column(name) => write!(f, "read from column {name:?}"),
        }
    }
}

impl CustomType {
    /// Whether the type puts SQL around its bound values
    /// ([`bind_expression`](crate::TypeDecorator::bind_expression)).
    pub fn wraps_binds(&self) -> bool {
        self.decorator().bind_expression(marker()).is_some()
    }

    /// `value` as stored: the decorator's
    /// [`process_bind_param`](crate::TypeDecorator::process_bind_param), bound to the parameter `name`.
    pub fn bind_value(&self, value: Value, name: &str) -> Result<Value, TypeConversionError> {
        self.decorator()
            .process_bind_param(value)
            .map_err(|e| TypeConversionError {
                type_name: self.name().to_owned(),
                site: ConversionSite::Parameter(name.to_owned()),
                message: e.to_string(),
            })
    }

    /// `value` as read: the decorator's
    /// [`process_result_value`](crate::TypeDecorator::process_result_value), read from the
    /// column `name`.
    pub fn result_value(&self, value: Value, name: &str) -> Result<Value, TypeConversionError> {
        self.decorator()
            .process_result_value(value)
            .map_err(|e| TypeConversionError {
                type_name: self.name().to_owned(),
                site: ConversionSite::Column(name.to_owned()),
                message: e.to_string(),
            })
    }
}

/// The values of a statement's parameters meeting a user type, converted as stored
/// ([`Compiled::convert_binds`]); empty — and not allocated — for a statement without any.
#[derive(Debug, Default)]
pub struct ConvertedBinds(Vec<Option<Value>>);

impl ConvertedBinds {
    /// The converted value of the `i`-th slot bound, if it meets a user type.
    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&Value> {
        self.0.get(i).and_then(Option::as_ref)
    }
}

/// `value` bound to `slot` as its user type stores it; each element of a list bound to an
/// expanding slot.
fn convert_slot(ty: &CustomType, slot: &ParamSlot, value: &Value) -> Result<Value, CompileError> {
    let converted = match value {
        Value::Array(items) if slot.expanding => items
            .iter()
            .map(|v| ty.bind_value(v.clone(), &slot.name))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        v => ty.bind_value(v.clone(), &slot.name),
    };
    converted.map_err(CompileError::TypeConversion)
}

impl Compiled {
    /// Whether some parameter meets a user type (whose values [`Compiled::convert_binds`]
    /// converts).
    #[inline]
    pub fn converts_binds(&self) -> bool {
        self.converts_binds
    }

    /// The result columns of a user type, by position, whose values are read through it
    /// ([`CustomType::result_value`]); empty for most statements.
    #[inline]
    pub fn user_type_columns(&self) -> &[(usize, CustomType)] {
        &self.user_type_columns
    }

    /// The values of the parameters meeting a user type, converted by it
    /// ([`TypeDecorator::process_bind_param`](crate::TypeDecorator::process_bind_param)):
    /// `literal(i)` is the statement's value `i`, `named` the named parameters. Pass the
    /// result to [`Compiled::bind_refs`]. Nothing is allocated when no parameter meets one.
    pub fn convert_binds<'v>(
        &self,
        literal: &impl Fn(usize) -> &'v Value,
        named: &'v super::Params,
    ) -> Result<ConvertedBinds, CompileError> {
        if !self.converts_binds {
            return Ok(ConvertedBinds::default());
        }
        let slots = match &self.template {
            Some(template) => &template.slots,
            None => &self.params,
        };
        let mut converted = Vec::with_capacity(slots.len());
        for slot in slots {
            converted.push(match slot_type(slot) {
                Some(ty) => Some(convert_slot(
                    ty,
                    slot,
                    Self::value_of(slot, literal, named)?,
                )?),
                None => None,
            });
        }
        Ok(ConvertedBinds(converted))
    }

    /// Converts `values`, given in the driver's order (as [`Compiled::params`]), as the user
    /// types they meet store them.
    pub fn convert_values(&self, values: &mut [Value]) -> Result<(), CompileError> {
        if !self.converts_binds {
            return Ok(());
        }
        for (value, slot) in values.iter_mut().zip(&self.params) {
            if let Some(ty) = slot_type(slot) {
                *value = ty
                    .bind_value(std::mem::take(value), &slot.name)
                    .map_err(CompileError::TypeConversion)?;
            }
        }
        Ok(())
    }
}

/// What a compiled statement records of its user types: whether a parameter meets one, and
/// the result columns of one.
pub(super) fn record(
    slots: &[ParamSlot],
    columns: &[super::ResultColumn],
) -> (bool, Vec<(usize, CustomType)>) {
    let binds = slots.iter().any(|s| slot_type(s).is_some());
    let columns = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.sql_type {
            Some(SqlType::Custom(ty)) => Some((i, ty.clone())),
            _ => None,
        })
        .collect();
    (binds, columns)
}
