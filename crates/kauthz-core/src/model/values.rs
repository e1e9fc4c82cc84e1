//! Value types Kubernetes compares semantically: resource quantities (by amount) and
//! timestamps (by instant), as apimachinery's `equality.Semantic` does.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::quantity::{self, QuantityError};

/// A resource quantity (`1.5Gi`, `500m`, `1e3`), kept as written and compared by amount.
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    amount: quantity::Quantity,
}

impl Quantity {
    /// Parses a quantity as `resource.ParseQuantity` does (values below nano precision are
    /// rounded away from zero and binary-suffixed ones capped at the largest int64, as
    /// upstream does).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let amount = quantity::Quantity::parse(text)?;
        Ok(Quantity { text: text.to_string(), amount })
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Compares amounts (`Quantity.Cmp`).
    pub fn cmp_amount(&self, other: &Quantity) -> Ordering {
        self.amount.cmp_value(&other.amount)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_amount(other) == Ordering::Equal
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Upstream accepts a JSON string or a bare number.
        let v = serde_json::Value::deserialize(d)?;
        let text = match &v {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(serde::de::Error::custom("a quantity must be a string or a number")),
        };
        Quantity::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A timestamp (`metav1.Time`), kept as written and compared by instant.
#[derive(Debug, Clone)]
pub struct Time {
    text: String,
    seconds: i64,
    nanos: u32,
}

/// Why a timestamp did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parsing time {0:?} as RFC 3339")]
pub struct TimeError(String);

impl Time {
    /// Parses an RFC 3339 timestamp as Go's `time.Parse(time.RFC3339, …)` accepts it
    /// (fractional seconds allowed, `Z` or a numeric offset).
    pub fn parse(text: &str) -> Result<Time, TimeError> {
        let err = || TimeError(text.to_string());
        let b = text.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Result<i64, TimeError> {
            let s = text.get(r).ok_or_else(err)?;
            if s.bytes().all(|c| c.is_ascii_digit()) { s.parse().map_err(|_| err()) } else { Err(err()) }
        };
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(err());
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59 {
            return Err(err());
        }
        let mut i = 19;
        let mut nanos: u32 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i - start > 9 {
                return Err(err());
            }
            let frac = &text[start..i];
            nanos = frac.parse::<u32>().map_err(|_| err())? * 10u32.pow(9 - frac.len() as u32);
        }
        let offset = match &text[i..] {
            "Z" => 0,
            rest if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && rest.as_bytes()[3] == b':' => {
                let h = num(i + 1..i + 3)?;
                let m = num(i + 4..i + 6)?;
                if h > 23 || m > 59 {
                    return Err(err());
                }
                let o = h * 3600 + m * 60;
                if rest.starts_with('-') { -o } else { o }
            }
            _ => return Err(err()),
        };
        let seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
        Ok(Time { text: text.to_string(), seconds, nanos })
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.seconds == other.seconds && self.nanos == other.nanos
    }
}

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Time::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn quantities_compare_by_amount() {
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("1000m"), q("1"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1000"));
        assert_eq!(q("0"), q("-0"));
        assert_eq!(q("+2"), q("2"));
        assert_ne!(q("1Ki"), q("1k"));
        assert_eq!(q("1Ki").cmp_amount(&q("1k")), Ordering::Greater);
        assert_eq!(q("-1").cmp_amount(&q("1")), Ordering::Less);
        assert_eq!(q("-2").cmp_amount(&q("-1")), Ordering::Less);
        // Below nano precision upstream rounds away from zero.
        assert_eq!(q("1.0000000001"), q("1.000000001"));
        assert_eq!(q("0.0000000001"), q("1n"));
    }

    #[test]
    fn bad_quantities() {
        for s in ["", "abc", "1x", "1e", "1e+", "1Kib"] {
            assert!(Quantity::parse(s).is_err(), "{s}");
        }
    }

    /// Corner cases read from v1.37.2's `resource.ParseQuantity`.
    #[test]
    fn upstream_corner_cases() {
        // A sign or a dot alone is zero.
        for s in ["+", "-", "."] {
            assert_eq!(q(s), q("0"), "{s}");
        }
        // Binary-suffixed amounts are capped at the largest int64.
        assert_eq!(q("9Ei"), q("9223372036854775807"));
        assert_eq!(q("9223372036854775807Ki"), q("9Ei"));
        // The exponent is truncated to 32 bits; extreme ones parse (this was a fuzz crash:
        // the i64::MIN exponent).
        assert_eq!(q("1e4294967297"), q("10"));
        assert_eq!(q("1e-9223372036854775808"), q("1"));
        assert!(q("1e9999").cmp_amount(&q("1e9998")) == Ordering::Greater);
    }

    #[test]
    fn times_compare_by_instant() {
        let a = Time::parse("2024-01-01T00:00:00Z").unwrap();
        let b = Time::parse("2024-01-01T02:00:00+02:00").unwrap();
        let c = Time::parse("2024-01-01T00:00:00.5Z").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(Time::parse("2024-02-29T00:00:00Z").unwrap().seconds, 1_709_164_800);
        for s in ["2023-02-29T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "x"] {
            assert!(Time::parse(s).is_err(), "{s}");
        }
    }
}
