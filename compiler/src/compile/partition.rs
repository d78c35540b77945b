//! Rendering partitioned tables: `PARTITION BY …` after a table's columns, and a partition's
//! `PARTITION OF parent FOR VALUES …`.

use super::{Compiler, Res};
use crate::error::CompileError;
use crate::schema::{IndexElement, PartitionBound, PartitionBy, PartitionOf, RangeValue, Table};
use crate::value::Value;

impl Compiler<'_> {
    /// ` PARTITION BY RANGE (a, (expr))`.
    pub(super) fn partition_by(&mut self, table: &Table, by: &PartitionBy) -> Res {
        if by.keys.is_empty() {
            return Err(CompileError::InvalidTable {
                table: table.name.clone(),
                reason: "its partition key has no columns".into(),
            });
        }
        self.w(" PARTITION BY ");
        self.w(by.strategy.as_sql());
        self.w(" (");
        // Key expressions name columns bare and write values as literals.
        let (qualify, literal_binds) = (self.qualify, self.literal_binds);
        self.qualify = false;
        self.literal_binds = true;
        for (i, key) in by.keys.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            match key {
                IndexElement::Column(name) => {
                    if !table.columns.contains_key(name) {
                        return Err(CompileError::NoSuchColumn {
                            source_name: table.fullname(),
                            column: name.to_string(),
                        });
                    }
                    self.ident(name)?;
                }
                IndexElement::Expr(e) => {
                    self.w("(");
                    self.expr(e)?;
                    self.w(")");
                }
            }
        }
        self.w(")");
        (self.qualify, self.literal_binds) = (qualify, literal_binds);
        Ok(())
    }

    fn literal_list(&mut self, values: &[Value]) -> Res {
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            let lit = self.d.literal_sql(v)?;
            self.w(&lit);
        }
        Ok(())
    }

    fn range_values(&mut self, values: &[RangeValue]) -> Res {
        self.w("(");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            match v {
                RangeValue::Value(v) => {
                    let lit = self.d.literal_sql(v)?;
                    self.w(&lit);
                }
                RangeValue::MinValue => self.w("MINVALUE"),
                RangeValue::MaxValue => self.w("MAXVALUE"),
            }
        }
        self.w(")");
        Ok(())
    }

    /// ` PARTITION OF parent FOR VALUES …` (and the partition's own key when it is itself
    /// partitioned).
    pub(super) fn partition_of(&mut self, table: &Table, of: &PartitionOf) -> Res {
        self.w(" PARTITION OF ");
        self.schema(of.parent_schema.as_deref())?;
        self.ident(&of.parent)?;
        self.w(" ");
        match &of.bound {
            PartitionBound::Range { from, to } => {
                if from.is_empty() || from.len() != to.len() {
                    return Err(CompileError::InvalidTable {
                        table: table.name.clone(),
                        reason: "a range partition needs one FROM and one TO value per key".into(),
                    });
                }
                self.w("FOR VALUES FROM ");
                self.range_values(from)?;
                self.w(" TO ");
                self.range_values(to)?;
            }
            PartitionBound::List(values) => {
                if values.is_empty() {
                    return Err(CompileError::InvalidTable {
                        table: table.name.clone(),
                        reason: "a list partition needs at least one value".into(),
                    });
                }
                self.w("FOR VALUES IN (");
                self.literal_list(values)?;
                self.w(")");
            }
            PartitionBound::Hash { modulus, remainder } => {
                self.w(&format!(
                    "FOR VALUES WITH (MODULUS {modulus}, REMAINDER {remainder})"
                ));
            }
            PartitionBound::Default => self.w("DEFAULT"),
            PartitionBound::Sql(sql) => {
                self.w("FOR VALUES ");
                self.w(sql);
            }
        }
        if let Some(by) = &table.partition_by {
            self.partition_by(table, by)?;
        }
        Ok(())
    }
}
