//! [`CachedCompiled`]: a compiled statement as the compiled-statement cache keeps it (see the
//! [`cache_key`](crate::cache_key) module for how statements are keyed).

use crate::cache_key::{CacheKey, Extracted};
use crate::compile::{Bound, BoundRefs, Compiled, ConvertedBinds, Params, SchemaTranslateMap};
use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::value::Value;
use std::collections::HashMap;

/// A compiled statement as a cache keeps it: its key, and for each value it binds, which of
/// the statement's extracted values that is (or none, for a value of the schema such as a
/// client default, which the key's table fixes).
#[derive(Debug, Clone)]
pub struct CachedCompiled {
    compiled: Compiled,
    key: CacheKey,
    sources: Box<[Option<u32>]>,
}

impl CachedCompiled {
    /// Pairs `compiled` — the compiled form of the very statement `extracted` was taken from
    /// — with its key. A value the compiler bound that cannot be traced to an extracted value
    /// makes the statement uncacheable: the compiled form is handed back.
    pub fn new(compiled: Compiled, extracted: &Extracted<'_>) -> Result<Self, Box<Compiled>> {
        let addr = |v: &&Value| *v as *const Value as usize;
        let small = extracted.values.len() <= 16;
        let index: HashMap<usize, u32> = if small {
            HashMap::new()
        } else {
            let mut index = HashMap::with_capacity(extracted.values.len());
            for (i, v) in extracted.values.iter().enumerate().rev() {
                index.insert(addr(v), i as u32);
            }
            index
        };
        let mut sources = Vec::with_capacity(compiled.literal_origins.len());
        for &origin in &compiled.literal_origins {
            if origin == 0 {
                sources.push(None);
                continue;
            }
            let found = if small {
                extracted
                    .values
                    .iter()
                    .position(|v| addr(v) == origin)
                    .map(|i| i as u32)
            } else {
                index.get(&origin).copied()
            };
            match found {
                Some(i) => sources.push(Some(i)),
                None => return Err(Box::new(compiled)),
            }
        }
        Ok(CachedCompiled {
            compiled,
            key: extracted.to_key(),
            sources: sources.into(),
        })
    }

    /// The compiled form (its `literals` are those of the statement first compiled).
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// The key.
    pub fn key(&self) -> &CacheKey {
        &self.key
    }

    /// Value `i` of a statement of this shape, in the order of [`Compiled::literals`].
    fn literal<'v>(&'v self, extracted: &'v Extracted<'_>, i: usize) -> &'v Value {
        match self.sources[i] {
            Some(j) => extracted.values[j as usize],
            None => &self.compiled.literals[i],
        }
    }

    /// The values of a statement of this shape, in the order of [`Compiled::literals`].
    pub fn literals<'v>(&'v self, extracted: &'v Extracted<'_>) -> Vec<&'v Value> {
        (0..self.sources.len())
            .map(|i| self.literal(extracted, i))
            .collect()
    }

    /// Binds a statement of this shape (`extracted` must match [`CachedCompiled::key`]):
    /// its values, `named` parameters, and for expanding parameters the schema translation.
    pub fn bind<'a>(
        &'a self,
        extracted: &Extracted<'_>,
        named: &Params,
        translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
    ) -> Result<Bound<'a>, CompileError> {
        let converted = self.convert_binds(extracted, named)?;
        self.bind_refs(extracted, named, &converted, translate)
            .map(BoundRefs::into_owned)
    }

    /// The values of a statement of this shape meeting user types, converted by them
    /// ([`Compiled::convert_binds`]).
    pub fn convert_binds(
        &self,
        extracted: &Extracted<'_>,
        named: &Params,
    ) -> Result<ConvertedBinds, CompileError> {
        self.compiled
            .convert_binds(&|i| self.literal(extracted, i), named)
    }

    /// As [`CachedCompiled::bind`], the values borrowed rather than copied (`converted` from
    /// [`CachedCompiled::convert_binds`]).
    pub fn bind_refs<'a: 'v, 'v>(
        &'a self,
        extracted: &'v Extracted<'_>,
        named: &'v Params,
        converted: &'v ConvertedBinds,
        translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
    ) -> Result<BoundRefs<'a, 'v>, CompileError> {
        self.compiled
            .bind_refs(|i| self.literal(extracted, i), named, converted, translate)
    }
}
