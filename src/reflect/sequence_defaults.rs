//! A reflected sequence's options with the server's own choices left unset, so it reads as a
//! declared sequence states them (shared by the backends that have sequences).

use sqlcore_compiler::Sequence;

/// What a server chooses for the options a sequence does not state: ascending sequences run
/// from 1 to `max`, descending ones from `min` to -1, each starts at the bound it begins from,
/// increments by 1, caches `cache` values and does not cycle.
pub(super) struct ServerChoices {
    /// The lower bound of a descending sequence.
    pub min: i64,
    /// The upper bound of an ascending sequence.
    pub max: i64,
    /// The number of values cached.
    pub cache: i64,
}

/// `seq` with every option equal to the server's choice (see [`ServerChoices`]) left unset.
pub(super) fn without_defaults(mut seq: Sequence, server: ServerChoices) -> Sequence {
    let increment = seq.increment.unwrap_or(1);
    let (min, max) = if increment > 0 {
        (1, server.max)
    } else {
        (server.min, -1)
    };
    let start = if increment > 0 {
        seq.min_value.unwrap_or(min)
    } else {
        seq.max_value.unwrap_or(max)
    };
    let clear = |field: &mut Option<i64>, default: i64| {
        if *field == Some(default) {
            *field = None;
        }
    };
    clear(&mut seq.start, start);
    clear(&mut seq.increment, 1);
    clear(&mut seq.min_value, min);
    clear(&mut seq.max_value, max);
    clear(&mut seq.cache, server.cache);
    if seq.cycle == Some(false) {
        seq.cycle = None;
    }
    seq
}
