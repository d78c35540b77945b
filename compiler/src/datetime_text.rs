//! Dates and times as text: SQLAlchemy's SQLite storage format, and a reader for the ISO 8601
//! forms found in SQLite databases.
//!
//! SQLite has no date/time storage class; SQLAlchemy's SQLite dialect stores `DateTime`,
//! `Date` and `Time` as text in one fixed form each, so that text comparison (`=`, `<`,
//! `BETWEEN`, `ORDER BY`) agrees with time order:
//!
//! | type | stored text |
//! |---|---|
//! | `DateTime` (naive or `timezone = true`) | `2024-03-01 12:30:15.000000` |
//! | `Date` | `2024-03-01` |
//! | `Time` | `12:30:15.000000` |
//! | `Interval` | the `DateTime` that far past 1970-01-01: `1970-01-04 00:00:04.500000` |
//!
//! Fractions are always six digits (microseconds; finer digits are truncated). SQLAlchemy's
//! bind processor (`sqlalchemy/dialects/sqlite/base.py`, `DATETIME.bind_processor`) writes an
//! aware `datetime`'s wall-clock fields and drops its tzinfo without converting it. sqlcore's
//! aware value is a `DateTime<Utc>`, so dropping its zone stores the UTC wall clock: the same
//! bytes as SQLAlchemy for a UTC value. (A value given with another offset became UTC when it
//! became a [`Value`]; SQLAlchemy would store that offset's wall clock and lose the instant.)
//!
//! Reading accepts more than SQLAlchemy writes, as `datetime.fromisoformat` does: see
//! [`parse_datetime`]. Other dialects write ISO 8601 literals of their own.
//!
//! ```
//! use sqlcore_compiler::chrono::{FixedOffset, NaiveDate, TimeZone};
//! use sqlcore_compiler::datetime_text::parse_datetime;
//! use sqlcore_compiler::{Dialect, MySQL, PostgreSQL, SQLite, Value};
//!
//! let t = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap().and_hms_opt(12, 30, 15).unwrap();
//! let text = |d: &dyn Dialect, v: Value| d.datetime_text(&v).unwrap();
//! assert_eq!(text(&SQLite, t.into()), "2024-03-01 12:30:15.000000");
//! assert_eq!(text(&PostgreSQL, t.into()), "2024-03-01 12:30:15");
//! assert_eq!(text(&MySQL, t.into()), "2024-03-01 12:30:15");
//! let aware = FixedOffset::east_opt(2 * 3600).unwrap().from_local_datetime(&t).unwrap();
//! assert_eq!(text(&SQLite, aware.into()), "2024-03-01 10:30:15.000000");
//! assert_eq!(text(&PostgreSQL, aware.into()), "2024-03-01T10:30:15+00:00");
//! // Other writers' forms read too; an offset is converted to UTC.
//! assert_eq!(parse_datetime("2024-03-01T14:30:15+02:00"), Some(t));
//! assert_eq!(parse_datetime("2024-03-01 12:30:15"), Some(t));
//! assert_eq!(parse_datetime("2024-03-01"), t.date().and_hms_opt(0, 0, 0));
//! ```

use crate::schema::SqlType;
use crate::value::{Interval, Value};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// The text SQLAlchemy's SQLite dialect stores for a date or time value meeting a column of
/// type `ty` (where known), `None` for any other value. As SQLAlchemy's bind processors do, a
/// date meeting a `DateTime` is its midnight and a timestamp meeting a `Date` its date; an
/// aware timestamp is its UTC wall clock.
pub fn storage_text(value: &Value, ty: Option<&SqlType>) -> Option<String> {
    Some(match (value, ty) {
        (Value::Date(d), Some(SqlType::DateTime { .. })) => {
            format_datetime(&d.and_time(NaiveTime::MIN))
        }
        (Value::Timestamp(t), Some(SqlType::Date)) => format_date(&t.date()),
        (Value::TimestampTz(t), Some(SqlType::Date)) => format_date(&t.date_naive()),
        (Value::Date(d), _) => format_date(d),
        (Value::Time(t), _) => format_time(t),
        (Value::Timestamp(t), _) => format_datetime(t),
        (Value::TimestampTz(t), _) => format_datetime(&t.naive_utc()),
        _ => return None,
    })
}

/// The text SQLAlchemy's SQLite dialect stores for an interval: its `Interval` type is stored
/// as the `DateTime` that far past the epoch, `1970-01-04 00:00:04.500000` for 3 days and 4.5
/// seconds. `None` for an interval with months, which has no fixed length (SQLAlchemy's value
/// is a `timedelta`, which has none either), and for one that ends outside the years 1 to 9999
/// (Python's `datetime` holds no others).
///
/// ```
/// use sqlcore_compiler::Interval;
/// use sqlcore_compiler::datetime_text::{interval_storage_text, parse_interval};
///
/// let span = Interval::new(0, 3, 4_500_000);
/// let text = interval_storage_text(&span).unwrap();
/// assert_eq!(text, "1970-01-04 00:00:04.500000");
/// assert_eq!(parse_interval(&text), Some(span));
/// assert_eq!(interval_storage_text(&Interval::new(1, 0, 0)), None);
/// ```
pub fn interval_storage_text(i: &Interval) -> Option<String> {
    if i.months != 0 {
        return None;
    }
    let span =
        Duration::try_days(i.days.into())?.checked_add(&Duration::microseconds(i.microseconds))?;
    let t = interval_epoch().checked_add_signed(span)?;
    (1..=9999).contains(&t.year()).then(|| format_datetime(&t))
}

/// An interval read from SQLAlchemy's SQLite storage text (see [`interval_storage_text`]): the
/// span from the epoch, as whole days (rounded toward zero) and the microseconds that remain.
/// `None` when the text is not a timestamp.
pub fn parse_interval(s: &str) -> Option<Interval> {
    Some(Interval::from(parse_datetime(s)? - interval_epoch()))
}

/// The instant SQLAlchemy measures a stored interval from.
fn interval_epoch() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

/// A timestamp in SQLAlchemy's SQLite storage format: `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn format_datetime(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// A date in SQLAlchemy's SQLite storage format: `YYYY-MM-DD`.
pub fn format_date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A time of day in SQLAlchemy's SQLite storage format: `HH:MM:SS.ffffff`.
pub fn format_time(t: &NaiveTime) -> String {
    t.format("%H:%M:%S%.6f").to_string()
}

/// A timestamp read from text, in UTC when the text carries an offset.
///
/// Accepts `YYYY-MM-DD`, then optionally a `T`, `t` or space and a time as [`parse_time`]
/// reads it, then optionally `Z`/`z` or an offset `±HH`, `±HHMM`, `±HH:MM`. A bare date is
/// midnight (as `datetime.fromisoformat` reads it); an offset is subtracted, giving the UTC
/// wall clock. `None` when the text is none of these.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let (date, rest) = s.split_at_checked(10)?;
    let date = parse_date(date)?;
    let Some(sep) = rest.chars().next() else {
        return Some(date.and_time(NaiveTime::MIN));
    };
    if !matches!(sep, 'T' | 't' | ' ') {
        return None;
    }
    let (time, rest) = time_prefix(&rest[1..])?;
    let local = date.and_time(time);
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => offset_seconds(rest)?,
    };
    local.checked_sub_signed(Duration::seconds(offset))
}

/// A date read from text: exactly `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(number(&b[..4])? as i32, number(&b[5..7])?, number(&b[8..])?)
}

/// A time of day read from text: `HH:MM`, `HH:MM:SS`, or `HH:MM:SS` and a fraction of any
/// number of digits after `.` or `,` (beyond nanoseconds they are truncated).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    match time_prefix(s)? {
        (t, "") => Some(t),
        _ => None,
    }
}

/// The time at the start of `s`, and what follows it.
fn time_prefix(s: &str) -> Option<(NaiveTime, &str)> {
    let b = s.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let (hour, minute) = (number(&b[..2])?, number(&b[3..5])?);
    // Bytes 3 and 4 are ASCII digits, so byte 5 starts a character.
    let mut rest = &s[5..];
    let (mut second, mut nano) = (0, 0);
    if let Some(r) = rest.strip_prefix(':') {
        second = number(r.as_bytes().get(..2)?)?;
        rest = &r[2..];
        if let Some(r) = rest.strip_prefix(['.', ',']) {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let kept = &r.as_bytes()[..digits.min(9)];
            nano = number(kept)? * 10u32.pow(9 - kept.len() as u32);
            rest = &r[digits..];
        }
    }
    // A leap second (60) is refused, as Python's `fromisoformat` refuses it.
    if second > 59 {
        return None;
    }
    Some((
        NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?,
        rest,
    ))
}

/// An offset `±HH`, `±HHMM` or `±HH:MM`, in seconds east of UTC.
fn offset_seconds(s: &str) -> Option<i64> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let b = &s.as_bytes()[1..];
    let (hours, minutes): (&[u8], &[u8]) = match b.len() {
        2 => (b, b"00"),
        4 => b.split_at(2),
        5 if b[2] == b':' => (&b[..2], &b[3..]),
        _ => return None,
    };
    let (hours, minutes) = (number(hours)?, number(minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i64::from(hours * 3600 + minutes * 60))
}

/// A run of one to nine ASCII digits, as a number.
fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn intervals_store_as_sqlalchemy_within_its_years() {
        let stored = |i: Interval| interval_storage_text(&i);
        assert_eq!(
            stored(Interval::new(0, -400, 7)).as_deref(),
            Some("1968-11-27 00:00:00.000007")
        );
        // Read back as whole days toward zero and the rest: the same span.
        assert_eq!(
            parse_interval("1968-11-27 00:00:00.000007"),
            Some(Interval::new(0, -399, -86_399_999_993))
        );
        assert_eq!(stored(Interval::new(1, 0, 0)), None, "months");
        // Past the years 1 to 9999, or beyond what chrono holds: refused, no panic.
        for out_of_range in [
            Interval::new(0, 3_000_000, 0),
            Interval::new(0, -720_000, 0),
            Interval::new(0, i32::MIN, i64::MIN),
            Interval::new(0, i32::MAX, i64::MAX),
            Interval::new(0, 0, i64::MAX),
        ] {
            assert_eq!(stored(out_of_range), None, "{out_of_range:?}");
        }
        assert_eq!(
            stored(Interval::new(0, 2_932_896, 0)).as_deref(),
            Some("9999-12-31 00:00:00.000000")
        );
        assert_eq!(parse_interval("P0M3DT4.5S"), None, "not a timestamp");
    }

    fn at(h: u32, m: u32, s: u32, micro: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_micro_opt(h, m, s, micro)
            .unwrap()
    }

    #[test]
    fn storage_format_is_sqlalchemys() {
        assert_eq!(
            format_datetime(&at(0, 0, 0, 0)),
            "2024-03-01 00:00:00.000000"
        );
        assert_eq!(
            format_datetime(&at(23, 59, 59, 999_999)),
            "2024-03-01 23:59:59.999999"
        );
        let nanos = at(1, 2, 3, 0).with_nanosecond(123_456_789).unwrap();
        assert_eq!(format_datetime(&nanos), "2024-03-01 01:02:03.123456");
        assert_eq!(
            format_date(&NaiveDate::from_ymd_opt(987, 1, 2).unwrap()),
            "0987-01-02"
        );
        assert_eq!(format_time(&at(12, 30, 15, 5).time()), "12:30:15.000005");
    }

    #[test]
    fn storage_text_follows_the_column_type() {
        let t = at(12, 30, 15, 0);
        let datetime = SqlType::DATETIME_TZ;
        let text = |v: Value, ty: Option<&SqlType>| storage_text(&v, ty);
        assert_eq!(
            text(Value::Date(t.date()), Some(&datetime)).as_deref(),
            Some("2024-03-01 00:00:00.000000")
        );
        assert_eq!(
            text(Value::TimestampTz(t.and_utc()), Some(&SqlType::Date)).as_deref(),
            Some("2024-03-01")
        );
        assert_eq!(
            text(Value::TimestampTz(t.and_utc()), None).as_deref(),
            Some("2024-03-01 12:30:15.000000")
        );
        assert_eq!(text(Value::from("2024-03-01"), Some(&datetime)), None);
    }

    #[test]
    fn iso_forms_read() {
        for (text, want) in [
            ("2024-03-01 12:30:15.000000", at(12, 30, 15, 0)),
            ("2024-03-01 12:30:15", at(12, 30, 15, 0)),
            ("2024-03-01T12:30:15", at(12, 30, 15, 0)),
            ("2024-03-01 12:30", at(12, 30, 0, 0)),
            ("2024-03-01 12:30:15.5", at(12, 30, 15, 500_000)),
            ("2024-03-01 12:30:15.123", at(12, 30, 15, 123_000)),
            ("2024-03-01T12:30:15Z", at(12, 30, 15, 0)),
            ("2024-03-01T12:30:15.25z", at(12, 30, 15, 250_000)),
            ("2024-03-01T14:30:15+02:00", at(12, 30, 15, 0)),
            ("2024-03-01 14:30:15+02", at(12, 30, 15, 0)),
            ("2024-03-01 10:00:15-0230", at(12, 30, 15, 0)),
            ("2024-03-01", at(0, 0, 0, 0)),
        ] {
            assert_eq!(parse_datetime(text), Some(want), "{text}");
        }
        assert_eq!(
            parse_datetime("2024-03-01 12:30:15.1234567891"),
            at(12, 30, 15, 0).with_nanosecond(123_456_789)
        );
        assert_eq!(
            parse_datetime("2024-03-01 01:00:00+02:00"),
            Some(at(23, 0, 0, 0) - Duration::days(1))
        );
        for bad in [
            "",
            "2024-3-1",
            "2024-03-01X12:00",
            "2024-03-01 12",
            "2024-03-01 12:30:15.",
            "2024-03-01 12:30:60",
            "2024-03-01 12:30:15+2",
            "2024-03-01 12:30:15 +02:00",
            "2024-02-30",
            "2024-03-01 24:00:00",
            "２０２４-03-01",
            "2024-03-01 12:3é",
            "2024-03-01 12:30:15+0é",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-03-01"), Some(at(0, 0, 0, 0).date()));
        assert_eq!(parse_date("2024-03-01 00:00:00"), None);
        assert_eq!(
            parse_time("12:30:15.000000"),
            Some(at(12, 30, 15, 0).time())
        );
        assert_eq!(parse_time("12:30"), Some(at(12, 30, 0, 0).time()));
        assert_eq!(parse_time("12:30:15+02:00"), None);
    }
}
