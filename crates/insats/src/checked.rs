//! A portfolio that validated without errors, and the reports made from
//! it. Reports are only meaningful on such a portfolio: this type makes
//! "validate before you report" a rule the compiler keeps, and it checks
//! the report's filters, so that a misspelt id is an error rather than an
//! empty report.

use crate::Validation;
use crate::keys::did_you_mean;
use crate::model::{Period, Portfolio};
use crate::report::{GrantStatement, Report, ReportOptions};

/// A portfolio with no errors, from [`Validation::into_checked`].
#[derive(Debug, Clone)]
pub struct CheckedPortfolio {
    portfolio: Portfolio,
}

/// Why a report could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A filter names something the portfolio does not have.
    #[error("no {what} `{id}` in the portfolio{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    Unknown {
        /// `initiative`, `funding source` or `unit`.
        what: &'static str,
        /// The id given.
        id: String,
        /// A known id close to it.
        suggestion: Option<String>,
    },
    /// Each filter names something that exists, but no budget line matches
    /// them together.
    #[error("no budget line matches {}: each exists, but not together", filters.join(" and "))]
    NothingMatches {
        /// The filters, as `--funding ID`.
        filters: Vec<String>,
    },
}

impl Validation {
    /// The portfolio, if validate found no error in it; otherwise the
    /// validation back, to show its diagnostics.
    pub fn into_checked(self) -> Result<CheckedPortfolio, Box<Validation>> {
        if self.is_ok() {
            Ok(CheckedPortfolio {
                portfolio: self.portfolio,
            })
        } else {
            Err(Box::new(self))
        }
    }
}

impl CheckedPortfolio {
    /// The portfolio.
    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The report as of `options.as_of`, after checking that each filter
    /// names something that exists and that together they leave a line
    /// (an initiative asked for alone is reported even without lines).
    pub fn report(&self, options: &ReportOptions) -> Result<Report, ReportError> {
        let p = &self.portfolio;
        let mut units: Vec<&str> = p
            .initiatives
            .iter()
            .flat_map(|i| &i.lines)
            .filter_map(|l| l.unit.as_deref())
            .collect();
        units.sort_unstable();
        units.dedup();
        let filters: [(&'static str, &'static str, &Option<String>, Vec<&str>); 3] = [
            (
                "initiative",
                "--initiative",
                &options.initiative,
                p.initiatives.iter().map(|i| i.id.value.as_str()).collect(),
            ),
            (
                "funding source",
                "--funding",
                &options.funding,
                p.funding.iter().map(|f| f.id.value.as_str()).collect(),
            ),
            ("unit", "--unit", &options.unit, units),
        ];
        for (what, _, id, known) in &filters {
            if let Some(id) = id
                && !known.contains(&id.as_str())
            {
                return Err(ReportError::Unknown {
                    what,
                    id: id.clone(),
                    suggestion: did_you_mean(id, known.iter().copied()).map(str::to_owned),
                });
            }
        }
        let report = crate::report::report(p, options);
        let narrows_lines = options.funding.is_some() || options.unit.is_some();
        if narrows_lines && report.initiatives.iter().all(|i| i.lines.is_empty()) {
            return Err(ReportError::NothingMatches {
                filters: filters
                    .iter()
                    .filter_map(|(_, flag, value, _)| value.as_ref().map(|v| format!("{flag} {v}")))
                    .collect(),
            });
        }
        Ok(report)
    }

    /// The grant statement of `funding` over `period`.
    pub fn grant_statement(
        &self,
        funding: &str,
        period: Period,
    ) -> Result<GrantStatement, ReportError> {
        crate::report::grant_statement(&self.portfolio, funding, period).ok_or_else(|| {
            ReportError::Unknown {
                what: "funding source",
                id: funding.to_owned(),
                suggestion: did_you_mean(
                    funding,
                    self.portfolio.funding.iter().map(|f| f.id.value.as_str()),
                )
                .map(str::to_owned),
            }
        })
    }
}
