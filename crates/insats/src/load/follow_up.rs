//! The items of a follow-up file: ledger declarations with their rules,
//! spending, submissions, receipts and measurements.

use super::*;

impl Ctx<'_> {
    pub(super) fn ledger(
        &mut self,
        raw: TomlLedger,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<crate::ledger::Ledger> {
        use crate::ledger::{CodePattern, CodePatterns, ExclusionRule, Ledger, MappingRule};
        use crate::vocabulary::{DecimalMark, LedgerFormat, ThousandsSeparator};
        let id = self.id(node, path, &raw.id);
        let delimiter = match raw.delimiter.as_deref() {
            None => b';',
            Some(d) if d.len() == 1 => d.as_bytes()[0],
            Some("\\t") | Some("tab") => b'\t',
            Some(d) => {
                let diag = self
                    .diag(
                        Code::WrongType,
                        format!("`{d}` is not a single-character separator"),
                        field_range(node, "delimiter"),
                        &path.key("delimiter"),
                    )
                    .label("one character expected")
                    .help("write the separator as one character: `\";\"`, `\",\"` or `\"\\t\"`");
                self.push(diag);
                return None;
            }
        };
        let columns = match (raw.format, raw.columns) {
            (LedgerFormat::Csv, None) => {
                let d = self
                    .diag(Code::MissingKey, "a CSV ledger needs `columns`", table_head(node), &path.key("columns"))
                    .label("which column is which?")
                    .help("add `columns = { date = \"Datum\", amount = \"Belopp\", project = \"Projekt\", ... }` with this file's header names");
                self.push(d);
                return None;
            }
            (LedgerFormat::Csv, Some(c)) => {
                let has_amount = c.amount.is_some() || c.debit.is_some() || c.credit.is_some();
                if !has_amount {
                    let d = self
                        .diag(Code::MissingKey, "the ledger's columns name no amount", field_range(node, "columns"), &path.key("columns"))
                        .label("no `amount`, `debit` or `credit`")
                        .help("name the amount column (`amount = \"Belopp\"`), or the `debit` and `credit` columns");
                    self.push(d);
                    return None;
                }
                Some(crate::ledger::ColumnNames {
                    date: c.date,
                    amount: c.amount,
                    debit: c.debit,
                    credit: c.credit,
                    account: c.account,
                    responsibility: c.responsibility,
                    activity: c.activity,
                    project: c.project,
                    text: c.text,
                    voucher: c.voucher,
                })
            }
            (LedgerFormat::Sie, _) => None,
        };
        let codes = |account: &Option<String>,
                     responsibility: &Option<String>,
                     activity: &Option<String>,
                     project: &Option<String>| {
            let pattern = |p: &Option<String>| p.as_ref().map(|p| CodePattern(p.trim().to_owned()));
            CodePatterns {
                account: pattern(account),
                responsibility: pattern(responsibility),
                activity: pattern(activity),
                project: pattern(project),
            }
        };
        let mut rules = Vec::new();
        if let Some((_, mnode)) = table_get(node, "map") {
            let items = mnode.get_ref().as_array()?;
            for (i, rule) in raw.map.iter().enumerate() {
                let item = items.get(i)?;
                let rpath = path.key("map").index(i);
                let Some((from, until)) = self.rule_dates(item, &rpath, &rule.from, &rule.until)
                else {
                    continue;
                };
                rules.push(MappingRule {
                    line: self.reference(item, "line", &rule.line),
                    codes: codes(
                        &rule.account,
                        &rule.responsibility,
                        &rule.activity,
                        &rule.project,
                    ),
                    from,
                    until,
                });
            }
        }
        let mut receipt_rules = Vec::new();
        if let Some((_, rnode)) = table_get(node, "receipt") {
            let items = rnode.get_ref().as_array()?;
            for (i, rule) in raw.receipt.iter().enumerate() {
                let item = items.get(i)?;
                let rpath = path.key("receipt").index(i);
                let Some((from, until)) = self.rule_dates(item, &rpath, &rule.from, &rule.until)
                else {
                    continue;
                };
                receipt_rules.push(crate::ledger::ReceiptRule {
                    funding: self.reference(item, "funding", &rule.funding),
                    codes: codes(
                        &rule.account,
                        &rule.responsibility,
                        &rule.activity,
                        &rule.project,
                    ),
                    from,
                    until,
                });
            }
        }
        let exclusions = raw
            .exclude
            .iter()
            .map(|rule| ExclusionRule {
                reason: rule.reason.clone(),
                codes: codes(
                    &rule.account,
                    &rule.responsibility,
                    &rule.activity,
                    &rule.project,
                ),
            })
            .collect();
        let declaring = &self.sources.get(self.file).path;
        let path_buf = declaring
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(&raw.file);
        Some(Ledger {
            id,
            file: self.reference(node, "file", &raw.file),
            path: path_buf,
            format: raw.format,
            encoding: raw.encoding,
            delimiter,
            decimal: raw.decimal.unwrap_or(DecimalMark::Comma),
            thousands: raw.thousands.unwrap_or(ThousandsSeparator::Space),
            date_format: raw.date_format.unwrap_or_default(),
            title_lines: raw
                .header_row
                .map_or(0, |row| row.saturating_sub(1) as usize),
            columns,
            rules,
            exclusions,
            receipt_rules,
            skip_rules: raw
                .skip
                .iter()
                .map(|rule| crate::ledger::SkipRule {
                    column: rule.column.clone(),
                    value: CodePattern(rule.value.trim().to_owned()),
                    reason: rule.reason.clone(),
                })
                .collect(),
            key_path: path.to_string(),
        })
    }

    /// The `from` and `until` of a ledger rule, each optional; `None` when
    /// one is not a date or they are reversed (both reported).
    pub(super) fn rule_dates(
        &mut self,
        item: &Node<'_>,
        path: &KeyPath,
        from: &Option<crate::schema::TomlDate>,
        until: &Option<crate::schema::TomlDate>,
    ) -> Option<(Option<Date>, Option<Date>)> {
        let mut day = |key: &str, raw: &Option<crate::schema::TomlDate>| match raw {
            Some(raw) => self.date(item, key, path, raw).map(|d| Some(d.value)),
            None => Some(None),
        };
        let (from, until) = (day("from", from), day("until", until));
        let (from, until) = (from?, until?);
        if let (Some(f), Some(u)) = (from, until)
            && f > u
        {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("the rule takes rows from {f} until {u}"),
                    {
                        let (a, b) = (field_range(item, "from"), field_range(item, "until"));
                        a.start.min(b.start)..a.end.max(b.end)
                    },
                    path,
                )
                .label("ends before it starts")
                .help("swap `from` and `until`, or correct the year");
            self.push(d);
            return None;
        }
        Some((from, until))
    }

    /// Reads "when" a value refers to: exactly one of `year` and `date`.
    pub(super) fn when(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        year: Option<i64>,
        date: Option<&crate::schema::TomlDate>,
    ) -> Option<Located<When>> {
        match (year, date) {
            (Some(year), None) => {
                let range = field_range(node, "year");
                match i16::try_from(year)
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                {
                    Some(y) => Some(Located::new(When::Year(y), self.span(range))),
                    None => {
                        let d = self
                            .diag(
                                Code::InvalidDate,
                                format!("year {year} is outside 1900-2200"),
                                range,
                                &path.key("year"),
                            )
                            .label("not a usable year")
                            .help("check the year");
                        self.push(d);
                        None
                    }
                }
            }
            (None, Some(date)) => self
                .date(node, "date", path, date)
                .map(|d| Located::new(When::Date(d.value), d.span)),
            (y, _) => {
                let d = self
                    .diag(
                        Code::InvalidDate,
                        if y.is_some() { "both `year` and `date` given" } else { "neither `year` nor `date` given" },
                        node.span(),
                        path,
                    )
                    .label("when is this value from?")
                    .help("give exactly one of `year = 2018` (yearly statistics) or `date = 2018-06-30`");
                self.push(d);
                None
            }
        }
    }

    pub(super) fn spending(
        &mut self,
        raw: TomlSpending,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Spending> {
        let date = self.date(node, "date", path, &raw.date);
        let amount = self.signed_amount(node, "amount", path);
        Some(Spending {
            line: self.reference(node, "line", &raw.line),
            date: date?,
            amount: amount?.value,
            text: raw.text,
            voucher: raw.voucher,
            key_path: path.to_string(),
        })
    }

    pub(super) fn submission(
        &mut self,
        raw: crate::schema::TomlSubmission,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<crate::model::Submission> {
        let date = self.date(node, "date", path, &raw.date);
        Some(crate::model::Submission {
            source: self.reference(node, "source", &raw.source),
            date: date?,
            reference: raw.reference,
            note: raw.note,
            key_path: path.to_string(),
        })
    }

    pub(super) fn receipt(
        &mut self,
        raw: TomlReceipt,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Receipt> {
        let date = self.date(node, "date", path, &raw.date);
        let amount = self.signed_amount(node, "amount", path);
        Some(Receipt {
            source: self.reference(node, "source", &raw.source),
            date: date?,
            amount: amount?.value,
            reference: raw.reference,
            note: raw.note,
            ledger: None,
            key_path: path.to_string(),
        })
    }

    /// An amount that may be negative (a repayment or correction), in whole öre.
    pub(super) fn signed_amount(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
    ) -> Option<Located<Decimal>> {
        let value = self.decimal(node, key, path)?;
        if money::decimals(value.value) > 2 {
            let d = self
                .diag(
                    Code::SubOrePrecision,
                    format!("{} has more than two decimals", value.value),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("finer than one öre")
                .help("round it to whole öre (two decimals) yourself; insats will not guess how");
            self.push(d);
            return None;
        }
        Some(value)
    }

    pub(super) fn measurement(
        &mut self,
        raw: TomlMeasurement,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Measurement> {
        let when = self.when(node, path, raw.year, raw.date.as_ref());
        let stated = match table_get(node, "value") {
            Some(_) => Some(self.decimal(node, "value", path)?),
            None => None,
        };
        // Numerators and denominators: of the whole, or summed over parts.
        let mut pairs: Vec<(Decimal, Decimal, Range<usize>, KeyPath)> = Vec::new();
        if raw.numerator.is_some() || raw.denominator.is_some() {
            let n = self.decimal(node, "numerator", path);
            let d = self.decimal(node, "denominator", path);
            match (n, d) {
                (Some(n), Some(d)) => pairs.push((n.value, d.value, node.span(), path.clone())),
                _ => {
                    let d = self
                        .diag(
                            Code::ImpossibleMeasurement,
                            "`numerator` and `denominator` go together",
                            table_head(node),
                            path,
                        )
                        .label("only one of them")
                        .help("give both the number counted and the number it is a share of");
                    self.push(d);
                    return None;
                }
            }
        }
        if let (Some(parts), Some((_, pnode))) = (&raw.parts, table_get(node, "parts")) {
            let items = pnode.get_ref().as_array()?;
            for (i, _) in parts.iter().enumerate() {
                let item = items.get(i)?;
                let ppath = path.key("parts").index(i);
                let n = self.decimal(item, "numerator", &ppath)?;
                let d = self.decimal(item, "denominator", &ppath)?;
                pairs.push((n.value, d.value, item.span(), ppath));
            }
        }
        for (n, d, range, p) in &pairs {
            if d.is_sign_negative() || d.is_zero() || n.is_sign_negative() || n > d {
                let diag = self
                    .diag(Code::ImpossibleMeasurement, format!("{n} of {d} is not a possible share"), range.clone(), p)
                    .label("impossible numerator and denominator")
                    .help("the number counted must be between 0 and the number it is a share of, which must be more than 0");
                self.push(diag);
                return None;
            }
        }
        let (numerator, denominator) = if pairs.is_empty() {
            (None, None)
        } else {
            (
                money::checked_sum(pairs.iter().map(|p| p.0)),
                money::checked_sum(pairs.iter().map(|p| p.1)),
            )
        };
        let value = match (stated, numerator, denominator) {
            (Some(v), _, _) => Some(v),
            (None, Some(n), Some(d)) => Some(Located::new(
                n * Decimal::ONE_HUNDRED / d,
                self.span(node.span()),
            )),
            // The publisher has no value for the period, and says why.
            (None, _, _) if raw.status.is_some() => None,
            _ => {
                let d = self
                    .diag(Code::MissingKey, "a measurement needs a `value`, or `numerator` and `denominator`, or `parts`", table_head(node), &path.key("value"))
                    .label("no value")
                    .help("add `value = ...`, or the numbers it is computed from; a value the publisher does not have is recorded with `status`");
                self.push(d);
                return None;
            }
        };
        let retrieved = match &raw.retrieved {
            Some(raw_date) => Some(self.date(node, "retrieved", path, raw_date)?.value),
            None => None,
        };
        Some(Measurement {
            target: self.reference(node, "target", &raw.target),
            value,
            when: when?.value,
            numerator,
            denominator,
            source: raw.source,
            gender: raw.gender.unwrap_or_default(),
            status: raw.status,
            retrieved,
            note: raw.note,
            key_path: path.to_string(),
        })
    }
}
