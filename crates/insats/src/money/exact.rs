//! Exact fractions, for the figures that are rounded.
//!
//! A [`Decimal`] holds 28 significant digits, so a quotient such as a third
//! of a year's staffing cost is already rounded once when it is computed.
//! Added to other such quotients and rounded again to the öre, it can fall
//! on the wrong side of a half öre: three months of 2 400,10 kr a year is
//! exactly 600,025, but three twelfths computed in `Decimal` add up to
//! 600,024999… and round down. Every figure insats rounds is therefore
//! computed as an [`Exact`] fraction of arbitrary-precision integers and
//! rounded once, at the end, by [`Exact::round_ore`].

use std::cmp::Ordering;
use std::ops::{Add, Mul, Neg, Sub};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

/// An exact rational number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exact(BigRational);

impl Exact {
    /// Zero.
    pub fn zero() -> Self {
        Exact(BigRational::zero())
    }

    /// `numerator / denominator`, or `None` when the denominator is zero.
    pub fn ratio(numerator: impl Into<Exact>, denominator: impl Into<Exact>) -> Option<Self> {
        numerator.into().checked_div(&denominator.into())
    }

    /// `self / divisor`, or `None` when the divisor is zero.
    pub fn checked_div(&self, divisor: &Exact) -> Option<Self> {
        (!divisor.0.is_zero()).then(|| Exact(&self.0 / &divisor.0))
    }

    /// Rounded to whole öre, half away from zero: the one rounding insats
    /// does (`money::round_ore` for a value that is already a `Decimal`).
    /// `None` only when the result is too large for a `Decimal`.
    pub fn round_ore(&self) -> Option<Decimal> {
        self.round_dp(2)
    }

    /// Rounded to `decimals` places, half away from zero: how a share or an
    /// indicator value insats computes is rounded, once. `None` when the
    /// result is too large for a `Decimal`.
    pub fn round_dp(&self, decimals: u32) -> Option<Decimal> {
        let unit = BigInt::from(10u8).pow(decimals);
        let numerator: BigInt = self.0.numer().abs() * unit * 2 + self.0.denom();
        let units = numerator.div_floor(&(self.0.denom() * BigInt::from(2)));
        let units = if self.0.is_negative() { -units } else { units };
        Decimal::try_from_i128_with_scale(units.to_i128()?, decimals).ok()
    }

    /// Rounded down to whole öre (towards minus infinity), and what was cut
    /// off: the first step of a largest-remainder split.
    pub fn floor_ore(&self) -> Option<(Decimal, Exact)> {
        let ore: BigInt = (self.0.numer() * BigInt::from(100)).div_floor(self.0.denom());
        let floored = Decimal::try_from_i128_with_scale(ore.to_i128()?, 2).ok()?;
        let remainder = self - &Exact::from(floored);
        Some((floored, remainder))
    }

    /// The nearest `Decimal` (28 significant digits), for a ratio that is
    /// shown rather than rounded to the öre. `None` when out of range.
    pub fn to_decimal(&self) -> Option<Decimal> {
        let numerator = Decimal::from_i128_with_scale(self.0.numer().to_i128()?, 0);
        let denominator = Decimal::from_i128_with_scale(self.0.denom().to_i128()?, 0);
        numerator.checked_div(denominator)
    }
}

impl From<Decimal> for Exact {
    fn from(value: Decimal) -> Self {
        let denominator = BigInt::from(10u8).pow(value.scale());
        Exact(BigRational::new(
            BigInt::from(value.mantissa()),
            denominator,
        ))
    }
}

impl From<i64> for Exact {
    fn from(value: i64) -> Self {
        Exact(BigRational::from_integer(BigInt::from(value)))
    }
}

impl From<i32> for Exact {
    fn from(value: i32) -> Self {
        Exact::from(i64::from(value))
    }
}

impl PartialEq<Decimal> for Exact {
    fn eq(&self, other: &Decimal) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd<Decimal> for Exact {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(&Exact::from(*other)))
    }
}

impl Add for &Exact {
    type Output = Exact;
    fn add(self, other: &Exact) -> Exact {
        Exact(&self.0 + &other.0)
    }
}

impl Sub for &Exact {
    type Output = Exact;
    fn sub(self, other: &Exact) -> Exact {
        Exact(&self.0 - &other.0)
    }
}

impl Mul for &Exact {
    type Output = Exact;
    fn mul(self, other: &Exact) -> Exact {
        Exact(&self.0 * &other.0)
    }
}

impl Neg for Exact {
    type Output = Exact;
    fn neg(self) -> Exact {
        Exact(-self.0)
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::zero(), |acc, x| &acc + &x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn e(text: &str) -> Exact {
        Exact::from(d(text))
    }

    #[test]
    fn an_exact_half_ore_is_rounded_away_from_zero() {
        // Three twelfths of 2 400,10: exactly 600,025.
        let month = Exact::ratio(d("2400.10"), 12).unwrap();
        let three = &(&month + &month) + &month;
        assert_eq!(three.round_ore(), Some(d("600.03")));
        assert_eq!((-three).round_ore(), Some(d("-600.03")));
        // The same in Decimal falls just below the half and rounds down:
        // the bug this type exists for.
        let decimal_month = d("2400.10") / d("12");
        assert_eq!(crate::money::round_ore(decimal_month * d("3")), d("600.02"));
    }

    #[test]
    fn rounding_goes_to_the_nearest_ore() {
        assert_eq!(e("0.004999").round_ore(), Some(d("0")));
        assert_eq!(e("0.005").round_ore(), Some(d("0.01")));
        assert_eq!(e("-0.005").round_ore(), Some(d("-0.01")));
        assert_eq!(e("-0.0049").round_ore(), Some(d("0")));
        assert_eq!(e("12.345").round_ore(), Some(d("12.35")));
        assert_eq!(Exact::ratio(2, 3).unwrap().round_ore(), Some(d("0.67")));
        assert_eq!(Exact::ratio(-2, 3).unwrap().round_ore(), Some(d("-0.67")));
        assert_eq!(Exact::ratio(1, 3).unwrap().round_ore(), Some(d("0.33")));
    }

    #[test]
    fn flooring_keeps_what_was_cut_off() {
        let (floor, rest) = Exact::ratio(d("30.20"), 6).unwrap().floor_ore().unwrap();
        assert_eq!(floor, d("5.03"));
        assert_eq!(rest, Exact::ratio(d("0.02"), 6).unwrap());
        let (floor, rest) = e("-0.001").floor_ore().unwrap();
        assert_eq!(floor, d("-0.01"));
        assert_eq!(rest, e("0.009"));
    }

    #[test]
    fn division_by_zero_is_none() {
        assert_eq!(Exact::ratio(1, 0), None);
        assert_eq!(
            Exact::ratio(1, 8).and_then(|x| x.to_decimal()),
            Some(d("0.125"))
        );
    }

    #[test]
    fn compares_with_decimals() {
        let third = Exact::ratio(1, 3).unwrap();
        assert!(third < d("0.3334"));
        assert!(third > d("0.3333"));
        assert!(e("1.50") == d("1.5"));
        assert!(third != d("0.3333"));
        assert!(e("-1") != d("1"));
    }
}
