//! `resource.Quantity`: parsing, canonical text and comparison by value.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// Above this many decimal digits of scaling the input is refused rather than expanded
/// (upstream would build a number of that many digits; no real object carries one).
const MAX_SCALE_DIGITS: i64 = 20_000;

/// Why a quantity string did not parse (apimachinery's `ErrFormatWrong`, `ErrSuffix` and
/// `ErrNumeric`, plus kauthz's bound on the size of the number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The text does not have a quantity's shape.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    Format,
    /// The suffix is unknown.
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// The number part does not parse.
    #[error("unable to parse numeric part of quantity")]
    Numeric,
    /// The amount needs more than kauthz's bound of decimal digits (upstream would expand it).
    #[error("quantity is too large: its amount needs more than 20000 decimal digits")]
    TooLarge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    DecimalExponent,
    BinarySI,
    DecimalSI,
    /// The zero value's empty format.
    None,
}

/// The two representations upstream keeps.
#[derive(Clone, Debug)]
enum Amount {
    /// `value * 10^scale`.
    Int { value: i64, scale: i32 },
    /// `unscaled * 10^-scale` (inf.Dec's upside-down scale).
    Dec { unscaled: BigInt, scale: i64 },
}

/// A parsed quantity.
#[derive(Clone, Debug)]
pub(crate) struct Quantity {
    amount: Amount,
    format: Format,
    /// The text upstream keeps when the input was already canonical.
    cached: String,
}

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

/// `a * 10^-scale` as an exact rational with a common denominator, for comparing.
fn as_scaled(a: &Amount) -> (BigInt, i64) {
    match a {
        Amount::Int { value, scale } => (BigInt::from(*value), -i64::from(*scale)),
        Amount::Dec { unscaled, scale } => (unscaled.clone(), *scale),
    }
}

/// inf.Dec rounding with RoundUp (away from zero) to `target` fractional digits.
fn round_up(unscaled: &BigInt, scale: i64, target: i64) -> (BigInt, bool) {
    if scale <= target {
        let shift = target - scale;
        if shift > MAX_SCALE_DIGITS {
            // Only reachable for zero here (callers cap magnitudes).
            return (BigInt::zero(), unscaled.is_zero());
        }
        return (unscaled * pow10(shift as u32), true);
    }
    let shift = scale - target;
    let digits = unscaled.magnitude().to_string().len() as i64;
    if shift > digits + 1 {
        // The magnitude is below one unit of the target scale.
        if unscaled.is_zero() {
            return (BigInt::zero(), true);
        }
        let one = if unscaled.is_negative() { -BigInt::one() } else { BigInt::one() };
        return (one, false);
    }
    let d = pow10(shift as u32);
    let (q, r) = unscaled.magnitude().div_rem(d.magnitude());
    let exact = r.is_zero();
    let mut q = BigInt::from_biguint(Sign::Plus, q);
    if !exact {
        q += 1;
    }
    if unscaled.is_negative() {
        q = -q;
    }
    (q, exact)
}

fn int64_multiply(a: i64, b: i64) -> Option<i64> {
    a.checked_mul(b)
}

fn positive_scale_int64(base: i64, scale: i32) -> Option<i64> {
    if base == 0 {
        return Some(0);
    }
    let mut v = base;
    for _ in 0..scale.max(0) {
        v = v.checked_mul(10)?;
    }
    Some(v)
}

fn negative_scale_int64(base: i64, scale: i32) -> (i64, bool) {
    if scale == 0 {
        return (base, true);
    }
    let mut value = base;
    let mut fraction = false;
    for _ in 0..scale {
        if !fraction && value % 10 != 0 {
            fraction = true;
        }
        value /= 10;
        if value == 0 {
            if fraction {
                return (if base > 0 { 1 } else { -1 }, false);
            }
            return (0, true);
        }
    }
    if fraction {
        if base > 0 {
            value += 1;
        } else {
            value -= 1;
        }
    }
    (value, !fraction)
}

fn remove_int64_factors(value: i64, base: i64) -> (i64, i64) {
    let mut times = 0;
    let negative = value < 0;
    let mut result = value.wrapping_neg();
    if !negative {
        result = value;
    }
    while result >= base && result % base == 0 {
        times += 1;
        result /= base;
    }
    if negative {
        result = result.wrapping_neg();
    }
    (result, times)
}

fn remove_big_factors(mut d: BigInt, factor: u32) -> (BigInt, i64) {
    let f = BigInt::from(factor);
    let mut times = 0;
    while !d.is_zero() {
        let (q, r) = d.div_mod_floor(&f);
        if !r.is_zero() {
            break;
        }
        times += 1;
        d = q;
    }
    (d, times)
}

/// Splits a quantity string into sign, numeric text, integer digits, fraction digits and
/// suffix, as upstream's hand-written scanner does.
/// Sign, numeric text, integer digits, fraction digits, suffix.
type Parts<'a> = (bool, &'a [u8], &'a [u8], &'a [u8], &'a [u8]);

fn split(s: &[u8]) -> Option<Parts<'_>> {
    let end = s.len();
    let mut positive = true;
    let mut pos = 0;
    match s.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Some((positive, b"0", b"0", b"", b""));
    }
    let num_start = pos;
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        return Some((positive, s, &s[num_start..], b"", b""));
    }
    let mut num = &s[num_start..pos];
    if num.is_empty() {
        num = b"0";
    }
    let mut denom: &[u8] = b"";
    if s[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && s[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos >= end {
            return Some((positive, s, num, &s[denom_start..], b""));
        }
        denom = &s[denom_start..pos];
    }
    let value = &s[..pos];
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&s[pos]) {
        pos += 1;
    }
    if pos < end && matches!(s[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return None;
    }
    Some((positive, value, num, denom, &s[suffix_start..]))
}

/// The suffix's base, exponent and format.
fn interpret(suffix: &[u8]) -> Option<(u32, i32, Format)> {
    let dec = |e| Some((10, e, Format::DecimalSI));
    let bin = |e| Some((2, e, Format::BinarySI));
    match suffix {
        b"" => dec(0),
        b"n" => dec(-9),
        b"u" => dec(-6),
        b"m" => dec(-3),
        b"k" => dec(3),
        b"M" => dec(6),
        b"G" => dec(9),
        b"T" => dec(12),
        b"P" => dec(15),
        b"E" => dec(18),
        b"Ki" => bin(10),
        b"Mi" => bin(20),
        b"Gi" => bin(30),
        b"Ti" => bin(40),
        b"Pi" => bin(50),
        b"Ei" => bin(60),
        [b'e' | b'E', rest @ ..] if !rest.is_empty() => {
            let text = std::str::from_utf8(rest).ok()?;
            let parsed: i64 = text.parse().ok()?;
            // Upstream truncates the 64-bit exponent to 32 bits.
            Some((10, parsed as i32, Format::DecimalExponent))
        }
        _ => None,
    }
}

fn decimal_suffix(exponent: i32) -> &'static str {
    match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => "",
    }
}

fn binary_suffix(exponent: i32) -> &'static str {
    match exponent {
        10 => "Ki",
        20 => "Mi",
        30 => "Gi",
        40 => "Ti",
        50 => "Pi",
        60 => "Ei",
        _ => "",
    }
}

impl Quantity {
    /// The zero value (what `null` decodes to).
    pub(crate) fn zero() -> Self {
        Quantity { amount: Amount::Int { value: 0, scale: 0 }, format: Format::None, cached: String::new() }
    }

    /// `resource.ParseQuantity`, with upstream's errors.
    pub(crate) fn parse(s: &str) -> Result<Self, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Format);
        }
        if s == "0" {
            return Ok(Quantity { amount: Amount::Int { value: 0, scale: 0 }, format: Format::DecimalSI, cached: s.to_owned() });
        }
        let (positive, value, num, denom, suffix) = split(s.as_bytes()).ok_or(QuantityError::Format)?;
        let (base, exponent, format) = interpret(suffix).ok_or(QuantityError::Suffix)?;
        let (nl, dl) = (num.len() as i64, denom.len() as i64);
        let mut mantissa: i64 = 1;
        let (precision, mut scale): (i64, i64) = match format {
            Format::BinarySI => {
                if exponent >= 0 && denom.is_empty() {
                    mantissa = 1i64.checked_shl(exponent as u32).unwrap_or(0);
                    (15 - nl - i64::from(exponent) * 3 / 10 - 1, 0)
                } else {
                    (-1, 0)
                }
            }
            _ => (18 - (nl + dl), i64::from(exponent)),
        };
        if precision >= 0 {
            scale -= dl;
            if scale >= -9 {
                let mut shifted = Vec::with_capacity(num.len() + denom.len());
                shifted.extend_from_slice(num);
                shifted.extend_from_slice(denom);
                let text = std::str::from_utf8(&shifted).map_err(|_| QuantityError::Numeric)?;
                let v: i64 = text.parse().map_err(|_| QuantityError::Numeric)?;
                if let Some(mut result) = int64_multiply(v, mantissa) {
                    if !positive {
                        result = -result;
                    }
                    let scale32 = scale as i32;
                    let keep = match format {
                        Format::BinarySI => exponent % 10 == 0 && (v & 0x07) != 0,
                        _ => scale % 3 == 0 && !shifted.ends_with(b"000") && shifted[0] != b'0',
                    };
                    return Ok(Quantity {
                        amount: Amount::Int { value: result, scale: scale32 },
                        format,
                        cached: if keep { s.to_owned() } else { String::new() },
                    });
                }
            }
        }
        // The arbitrary-precision path.
        let value = std::str::from_utf8(value).map_err(|_| QuantityError::Numeric)?;
        let (negative, body) = match value.as_bytes().first() {
            Some(b'-') => (true, &value[1..]),
            Some(b'+') => (false, &value[1..]),
            _ => (false, value),
        };
        let (int_part, frac_part) = match body.find('.') {
            Some(i) => (&body[..i], &body[i + 1..]),
            None => (body, ""),
        };
        let digits: String = format!("{int_part}{frac_part}");
        if digits.is_empty() {
            return Err(QuantityError::Numeric);
        }
        let mut unscaled = BigInt::parse_bytes(digits.as_bytes(), 10).ok_or(QuantityError::Numeric)?;
        let mut dscale = frac_part.len() as i64;
        match base {
            10 => dscale -= i64::from(exponent),
            _ => unscaled <<= exponent.max(0) as usize,
        }
        if negative {
            unscaled = -unscaled;
        }
        let sign_negative = unscaled.is_negative();
        let mut magnitude = unscaled.abs();
        let mut format = format;
        if !magnitude.is_zero() {
            if 9 - dscale > MAX_SCALE_DIGITS {
                return Err(QuantityError::TooLarge);
            }
            magnitude = round_up(&magnitude, dscale, 9).0;
            dscale = 9;
        }
        // Non-zero magnitudes are now at scale 9.
        if format == Format::BinarySI && !magnitude.is_zero() {
            let max = BigInt::from(i64::MAX) * pow10(9);
            if magnitude > max {
                magnitude = max;
            }
            if magnitude < pow10(9) {
                format = Format::DecimalSI;
            }
        }
        if sign_negative {
            magnitude = -magnitude;
        }
        Ok(Quantity { amount: Amount::Dec { unscaled: magnitude, scale: dscale }, format, cached: String::new() })
    }

    fn is_zero(&self) -> bool {
        match &self.amount {
            Amount::Int { value, .. } => *value == 0,
            Amount::Dec { unscaled, .. } => unscaled.is_zero(),
        }
    }

    /// Comparison by value (`Quantity.Cmp`).
    pub(crate) fn cmp_value(&self, other: &Quantity) -> Ordering {
        let (a, sa) = as_scaled(&self.amount);
        let (b, sb) = as_scaled(&other.amount);
        if a.is_zero() || b.is_zero() || a.sign() != b.sign() {
            return a.sign().cmp(&b.sign());
        }
        let s = sa.max(sb);
        let (sa_shift, sb_shift) = (s - sa, s - sb);
        if sa_shift > MAX_SCALE_DIGITS * 4 || sb_shift > MAX_SCALE_DIGITS * 4 {
            // Magnitudes this far apart cannot be equal; compare by order of magnitude.
            let da = a.magnitude().to_string().len() as i64 - sa;
            let db = b.magnitude().to_string().len() as i64 - sb;
            let o = da.cmp(&db);
            return if a.is_negative() { o.reverse() } else { o };
        }
        (a * pow10(sa_shift as u32)).cmp(&(b * pow10(sb_shift as u32)))
    }

    /// The text `MarshalJSON` writes between the quotes.
    pub(crate) fn to_json_text(&self) -> String {
        if !self.cached.is_empty() {
            return self.cached.clone();
        }
        self.canonicalize()
    }

    /// `CanonicalizeBytes`: the number followed by its suffix.
    fn canonicalize(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut format = self.format;
        let mut rounded = None;
        match format {
            Format::DecimalExponent | Format::DecimalSI => {}
            Format::BinarySI => {
                let lo = Quantity { amount: Amount::Int { value: -1024, scale: 0 }, ..Quantity::zero() };
                let hi = Quantity { amount: Amount::Int { value: 1024, scale: 0 }, ..Quantity::zero() };
                if self.cmp_value(&lo) == Ordering::Greater && self.cmp_value(&hi) == Ordering::Less {
                    format = Format::DecimalSI;
                } else {
                    let (r, exact) = self.as_scale_zero();
                    if exact {
                        rounded = Some(r);
                    } else {
                        format = Format::DecimalSI;
                    }
                }
            }
            Format::None => format = Format::DecimalExponent,
        }
        match (format, rounded) {
            (Format::BinarySI, Some(r)) => {
                let (number, exponent) = base1024(&r);
                format!("{number}{}", binary_suffix(exponent.wrapping_mul(10)))
            }
            (Format::DecimalExponent, _) => {
                let (number, exponent) = canonical_decimal(&self.amount);
                if exponent == 0 { number } else { format!("{number}e{exponent}") }
            }
            _ => {
                let (number, exponent) = canonical_decimal(&self.amount);
                format!("{number}{}", decimal_suffix(exponent))
            }
        }
    }

    /// `AsScale(0)`: the amount rounded away from zero to an integer, and whether exact.
    fn as_scale_zero(&self) -> (Amount, bool) {
        match &self.amount {
            Amount::Int { value, scale } if *scale >= 0 => (Amount::Int { value: *value, scale: *scale }, true),
            Amount::Int { value, scale } => {
                let (v, exact) = negative_scale_int64(*value, -*scale);
                (Amount::Int { value: v, scale: 0 }, exact)
            }
            Amount::Dec { unscaled, scale } => {
                let (v, exact) = round_up(unscaled, *scale, 0);
                (Amount::Dec { unscaled: v, scale: 0 }, exact)
            }
        }
    }
}

/// `AsCanonicalBytes`: mantissa without trailing zeros, exponent a multiple of three.
fn canonical_decimal(amount: &Amount) -> (String, i32) {
    if let Amount::Int { value, scale } = amount {
        let (mut m, times) = remove_int64_factors(*value, 10);
        let mut exponent = scale.wrapping_add(times as i32);
        let ok = match exponent % 3 {
            1 | -2 => m.checked_mul(10).map(|v| {
                m = v;
                exponent -= 1;
            }),
            2 | -1 => m.checked_mul(100).map(|v| {
                m = v;
                exponent -= 2;
            }),
            _ => Some(()),
        };
        if ok.is_some() {
            return (m.to_string(), exponent);
        }
    }
    let (unscaled, scale) = as_scaled(amount);
    let (mut m, times) = remove_big_factors(unscaled, 10);
    let mut exponent = (scale as i32).wrapping_neg().wrapping_add(times as i32);
    while exponent % 3 != 0 {
        m *= 10;
        exponent -= 1;
    }
    (m.to_string(), exponent)
}

/// `AsCanonicalBase1024Bytes` of an integral amount: mantissa and power of 1024.
fn base1024(amount: &Amount) -> (String, i32) {
    if let Amount::Int { value, scale } = amount
        && let Some(v) = positive_scale_int64(*value, *scale)
    {
        let (m, e) = remove_int64_factors(v, 1024);
        return (m.to_string(), e as i32);
    }
    let (unscaled, scale) = as_scaled(amount);
    let (v, _) = round_up(&unscaled, scale, 0);
    let (m, e) = remove_big_factors(v, 1024);
    (m.to_string(), e as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).map(|q| q.to_json_text()).unwrap_or_else(|_| "ERR".into())
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("1.5Gi"), "1536Mi");
        assert_eq!(canon("1000m"), "1");
        assert_eq!(canon("0.5"), "500m");
        assert_eq!(canon("1Ki"), "1Ki");
        assert_eq!(canon("+1"), "+1");
        assert_eq!(canon("1024"), "1024");
        assert_eq!(canon("2048Ki"), "2Mi");
        assert_eq!(canon("1e3"), "1e3");
        assert_eq!(canon("1000E"), "1");
        assert_eq!(canon("12e"), "ERR");
        assert_eq!(canon("0.0000000001"), "1n");
        assert_eq!(canon("abc"), "ERR");
    }

    #[test]
    fn compare_by_value() {
        let a = Quantity::parse("1Gi").unwrap();
        let b = Quantity::parse("1073741824").unwrap();
        assert_eq!(a.cmp_value(&b), Ordering::Equal);
        let c = Quantity::parse("1G").unwrap();
        assert_eq!(a.cmp_value(&c), Ordering::Greater);
    }
}
