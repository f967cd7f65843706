//! Outcome targets against their indicators.
//!
//! * `INS501` the target moves against the indicator's direction (warning);
//! * `INS502` a target value or a measured value of a percentage indicator
//!   lies outside 0-100;
//! * `INS505` a target is measured twice for the same year or day
//!   (warning).

use crate::hash::IdMap;

use super::Checker;
use crate::model::{Direction, Indicator, IndicatorUnit, Measurement, Portfolio, When};
use crate::rules::Code;

pub(super) fn check(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    measured_twice(ctx, portfolio);
    let indicators: IdMap<&str, &Indicator> = portfolio
        .indicators
        .iter()
        .map(|i| (i.id.value.as_str(), i))
        .collect();
    let targets = portfolio.initiatives.iter().flat_map(|i| &i.targets);
    let mut target_indicator: IdMap<&str, &str> =
        IdMap::with_capacity_and_hasher(targets.clone().count(), Default::default());
    target_indicator.extend(targets.map(|t| (t.id.value.as_str(), t.indicator.value.as_str())));
    for m in &portfolio.measurements {
        let Some(value) = &m.value else {
            continue;
        };
        let indicator = target_indicator
            .get(m.target.value.as_str())
            .and_then(|i| indicators.get(i));
        let v = value.value;
        if indicator.is_some_and(|i| i.unit == IndicatorUnit::Percent)
            && (v.is_sign_negative() && !v.is_zero() || v > rust_decimal::Decimal::ONE_HUNDRED)
        {
            let d = ctx
                .diag(
                    Code::PercentOutOfRange,
                    format!(
                        "measured value {} is outside 0-100 for a percentage",
                        crate::money::format_number(v)
                    ),
                    &value.span,
                    format!("{}.value", m.key_path),
                )
                .label("outside 0-100")
                .help("write the share in percent, from 0 to 100 (89.1 for 89,1 %)");
            ctx.push(d);
        }
    }
    for target in portfolio.initiatives.iter().flat_map(|i| &i.targets) {
        let Some(indicator) = indicators.get(target.indicator.value.as_str()) else {
            continue;
        };
        if indicator.unit == IndicatorUnit::Percent {
            for (name, obs) in [("baseline", &target.baseline), ("target", &target.target)] {
                let v = obs.value.value;
                if v < rust_decimal::Decimal::ZERO || v > rust_decimal::Decimal::ONE_HUNDRED {
                    let d = ctx
                        .diag(
                            Code::PercentOutOfRange,
                            format!(
                                "{name} {} is outside 0-100 for the percentage indicator `{}`",
                                crate::money::format_number(v),
                                indicator.id.value
                            ),
                            &obs.value.span,
                            format!("{}.{name}.value", target.key_path),
                        )
                        .label("outside 0-100")
                        .help("write the share in percent, from 0 to 100 (89.1 for 89,1 %)");
                    ctx.push(d);
                }
            }
        }
        let (b, t) = (target.baseline.value.value, target.target.value.value);
        let against = match indicator.direction {
            Direction::HigherIsBetter => t < b,
            Direction::LowerIsBetter => t > b,
        };
        if against {
            let way = if indicator.direction == Direction::HigherIsBetter {
                "higher"
            } else {
                "lower"
            };
            let d = ctx
                .diag(Code::TargetAgainstDirection, format!("target `{}` goes from {} to {}, but {way} is better for `{}`", target.id.value, crate::money::format_number(b), crate::money::format_number(t), indicator.id.value), &target.target.value.span, format!("{}.target.value", target.key_path))
                .label(format!("{way} is better"))
                .help("check whether baseline and target are swapped; if the aim is to limit a decline, say so in `note`");
            ctx.push(d);
        }
    }
}

/// Two values of one target for one period: typed in by hand and fetched
/// from Kolada, say. The report takes the one read last, which depends on
/// the order of the files, so the reader is told.
fn measured_twice(ctx: &mut Checker<'_>, portfolio: &Portfolio) {
    let mut first: IdMap<(&str, When), &Measurement> = IdMap::default();
    for m in portfolio.measurements.iter().filter(|m| m.counts()) {
        let Some(earlier) = first.insert((m.target.value.as_str(), m.when), m) else {
            continue;
        };
        let shown = |m: &Measurement| {
            m.value
                .as_ref()
                .map_or_else(String::new, |v| crate::money::format_number(v.value))
        };
        let d = ctx
            .diag(
                Code::DuplicateMeasurement,
                format!(
                    "target `{}` is measured twice for {}: {} and {}",
                    m.target.value,
                    m.when,
                    shown(earlier),
                    shown(m)
                ),
                &m.target.span,
                format!("{}.target", m.key_path),
            )
            .label("measured again here")
            .related(ctx.locate(&earlier.target.span), "first measured here")
            .help(format!(
                "keep one of them; the report uses {}, the one read last, which depends on the order of the files",
                shown(m)
            ));
        ctx.push(d);
    }
}
