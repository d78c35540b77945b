//! Bound parameters as the echo log shows them, shortened as SQLAlchemy's `_repr_params`
//! does: a long value cut in the middle, a long parameter list or a long list of
//! executemany sets shown by its ends. Written piece by piece: no value's full rendering is
//! ever built.

use std::fmt::{self, Debug, Display, Write};

/// Characters of a value's rendering kept: half from its start, half from its end.
const MAX_CHARS: usize = 300;
/// Parameters of one set shown: half from its start, half from its end.
const MAX_PARAMS: usize = 100;
/// Parameter sets of an executemany shown: the first ones and the last two.
const MAX_SETS: usize = 10;

/// A value's `Debug` rendering; past 300 characters, its first 150, then
/// ` ... (N characters truncated) ... `, then its last 150.
pub(crate) struct DisplayValue<'a, T: ?Sized>(pub &'a T);

impl<T: Debug + ?Sized> Display for DisplayValue<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut count = CharCount(0);
        write!(count, "{:?}", self.0)?;
        let len = count.0;
        if len <= MAX_CHARS {
            return write!(f, "{:?}", self.0);
        }
        let mut window = Window {
            out: f,
            at: 0,
            head: MAX_CHARS / 2,
            tail: len - MAX_CHARS / 2,
            cut: len - MAX_CHARS,
        };
        write!(window, "{:?}", self.0)
    }
}

/// Counts the characters written to it.
struct CharCount(usize);

impl Write for CharCount {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

/// Passes on the characters before `head` and from `tail`, and the truncation marker in place
/// of the `cut` ones between.
struct Window<'a, 'f> {
    out: &'a mut fmt::Formatter<'f>,
    /// Characters seen so far.
    at: usize,
    head: usize,
    tail: usize,
    cut: usize,
}

impl Write for Window<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let start = self.at;
        let n = s.chars().count();
        self.at += n;
        // The byte offset of the piece's `i`-th character.
        let byte = |i: usize| s.char_indices().nth(i).map_or(s.len(), |(b, _)| b);
        if start < self.head {
            self.out.write_str(&s[..byte((self.head - start).min(n))])?;
        }
        if (start..start + n).contains(&self.head) {
            write!(self.out, " ... ({} characters truncated) ... ", self.cut)?;
        }
        if start + n > self.tail {
            self.out
                .write_str(&s[byte(self.tail.saturating_sub(start))..])?;
        }
        Ok(())
    }
}

/// One set of bound values, `[v1, v2, ...]`, each a [`DisplayValue`]; past 100 values, the
/// first 50, then ` ... N parameters truncated ... `, then the last 50.
pub(crate) struct DisplayParams<'a, T>(pub &'a [T]);

impl<T: Debug> Display for DisplayParams<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.0;
        f.write_char('[')?;
        if values.len() > MAX_PARAMS {
            let half = MAX_PARAMS / 2;
            join(f, &values[..half])?;
            let truncated = values.len() - MAX_PARAMS;
            write!(f, " ... {truncated} parameters truncated ... ")?;
            join(f, &values[values.len() - half..])?;
        } else {
            join(f, values)?;
        }
        f.write_char(']')
    }
}

fn join<T: Debug>(f: &mut fmt::Formatter<'_>, values: &[T]) -> fmt::Result {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        Display::fmt(&DisplayValue(value), f)?;
    }
    Ok(())
}

/// The parameter sets of an executemany, `[set, set, ...]`; past 10 sets, the first 8, then
/// `  ... displaying 10 of N total bound parameter sets ...  `, then the last 2. `write_set`
/// writes set `i` (usually as [`DisplayParams`]): only the sets shown are asked for.
pub(crate) struct DisplayParamSets<F> {
    total: usize,
    write_set: F,
}

impl<F: Fn(usize, &mut fmt::Formatter<'_>) -> fmt::Result> DisplayParamSets<F> {
    /// `total` sets, set `i` written by `write_set(i, f)`.
    pub(crate) fn new(total: usize, write_set: F) -> Self {
        DisplayParamSets { total, write_set }
    }

    fn sets(&self, f: &mut fmt::Formatter<'_>, sets: std::ops::Range<usize>) -> fmt::Result {
        let first = sets.start;
        for i in sets {
            if i > first {
                f.write_str(", ")?;
            }
            (self.write_set)(i, f)?;
        }
        Ok(())
    }
}

impl<F: Fn(usize, &mut fmt::Formatter<'_>) -> fmt::Result> Display for DisplayParamSets<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total;
        f.write_char('[')?;
        if total > MAX_SETS {
            self.sets(f, 0..MAX_SETS - 2)?;
            write!(
                f,
                "  ... displaying {MAX_SETS} of {total} total bound parameter sets ...  "
            )?;
            self.sets(f, total - 2..total)?;
        } else {
            self.sets(f, 0..total)?;
        }
        f.write_char(']')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Debug` rendering written in pieces of `piece` characters, as long as `text`.
    struct Pieces<'a> {
        text: &'a str,
        piece: usize,
    }

    impl Debug for Pieces<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let chars: Vec<char> = self.text.chars().collect();
            for chunk in chars.chunks(self.piece) {
                f.write_str(&chunk.iter().collect::<String>())?;
            }
            Ok(())
        }
    }

    #[test]
    fn a_long_value_is_cut_in_the_middle_as_sqlalchemy_does() {
        let text: String = (0..1000)
            .map(|i| if i % 7 == 0 { '€' } else { 'a' })
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let expected = format!(
            "{} ... (700 characters truncated) ... {}",
            chars[..150].iter().collect::<String>(),
            chars[850..].iter().collect::<String>()
        );
        for piece in [1, 2, 3, 149, 150, 151, 299, 700, 849, 850, 851, 1000] {
            let shown = DisplayValue(&Pieces { text: &text, piece }).to_string();
            assert_eq!(shown, expected, "pieces of {piece}");
        }
    }

    #[test]
    fn short_values_are_whole() {
        let text = "é".repeat(300);
        let shown = DisplayValue(&Pieces {
            text: &text,
            piece: 7,
        })
        .to_string();
        assert_eq!(shown, text);
        assert_eq!(DisplayValue(&"x").to_string(), "\"x\"");
    }

    #[test]
    fn long_parameter_lists_show_their_ends() {
        let values: Vec<i32> = (0..250).collect();
        let shown = DisplayParams(&values).to_string();
        let head: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        let tail: Vec<String> = (200..250).map(|i| i.to_string()).collect();
        assert_eq!(
            shown,
            format!(
                "[{} ... 150 parameters truncated ... {}]",
                head.join(", "),
                tail.join(", ")
            )
        );
        let values: Vec<i32> = (0..100).collect();
        assert_eq!(DisplayParams(&values).to_string(), format!("{values:?}"));
        assert_eq!(DisplayParams::<i32>(&[]).to_string(), "[]");
    }

    #[test]
    fn executemany_sets_show_the_first_eight_and_the_last_two() {
        let sets: Vec<Vec<i32>> = (0..100).map(|i| vec![i]).collect();
        let shown =
            DisplayParamSets::new(sets.len(), |i, f| DisplayParams(&sets[i]).fmt(f)).to_string();
        assert_eq!(
            shown,
            "[[0], [1], [2], [3], [4], [5], [6], [7]  ... displaying 10 of 100 total bound \
             parameter sets ...  [98], [99]]"
        );
        let shown = DisplayParamSets::new(3, |i, f| DisplayParams(&sets[i]).fmt(f)).to_string();
        assert_eq!(shown, "[[0], [1], [2]]");
    }
}
