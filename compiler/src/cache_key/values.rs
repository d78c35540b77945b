//! The values a statement carries, as the cache-key walk collects them: the first four without
//! an allocation.

use crate::value::Value;

/// The values a statement carries, in walk order: up to four held inline, more in a `Vec`
/// (unlike a `SmallVec`, this keeps [`Extracted`](super::Extracted) covariant in its lifetime).
#[derive(Debug)]
pub(crate) struct Values<'s> {
    /// The first values; the slots past `len` hold [`UNSET`].
    inline: [&'s Value; 4],
    len: usize,
    /// All of them, once there are more than `inline` holds.
    spilled: Vec<&'s Value>,
}

/// What the unused inline slots of [`Values`] hold.
static UNSET: Value = Value::Null;

impl Default for Values<'_> {
    fn default() -> Self {
        Values {
            inline: [&UNSET; 4],
            len: 0,
            spilled: Vec::new(),
        }
    }
}

impl<'s> Values<'s> {
    pub(super) fn push(&mut self, value: &'s Value) {
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = value;
        } else {
            if self.spilled.is_empty() {
                self.spilled.extend_from_slice(&self.inline);
            }
            self.spilled.push(value);
        }
        self.len += 1;
    }
}

impl<'s> std::ops::Deref for Values<'s> {
    type Target = [&'s Value];
    #[inline]
    fn deref(&self) -> &[&'s Value] {
        match self.inline.get(..self.len) {
            Some(inline) => inline,
            None => &self.spilled,
        }
    }
}
