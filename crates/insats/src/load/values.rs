//! The values every item is made of, read from the TOML tree at their
//! spans: ids and references, exact decimals and amounts, dates and
//! periods.

use super::*;

impl Ctx<'_> {
    pub(super) fn id(&mut self, node: &Node<'_>, path: &KeyPath, id: &str) -> Located<String> {
        let range = field_range(node, "id");
        if !is_valid_id(id) {
            let suggestion = suggest_id(id);
            let mut d = self
                .diag(
                    Code::InvalidId,
                    format!("`{id}` is not a valid id"),
                    range.clone(),
                    &path.key("id"),
                )
                .label("ids use a-z, 0-9, `-` and `_`, starting with a letter");
            if is_valid_id(&suggestion) {
                d = d.help(format!("write it as `{suggestion}`"));
            } else {
                d = d.help("start with a lower-case letter; use a-z, 0-9, `-` and `_`, at most 64 characters");
            }
            self.push(d);
        }
        Located::new(id.to_owned(), self.span(range))
    }

    pub(super) fn reference(&self, node: &Node<'_>, key: &str, value: &str) -> Located<String> {
        Located::new(value.to_owned(), self.span(field_range(node, key)))
    }

    pub(super) fn provenance(
        &self,
        node: &Node<'_>,
        source: Option<String>,
        illustrative: Option<bool>,
        note: Option<String>,
    ) -> Provenance {
        Provenance {
            source: source.map(|s| self.reference(node, "source", &s)),
            illustrative: illustrative.unwrap_or(false),
            note,
        }
    }

    /// The source text at `range` (of this item), as the user wrote it.
    pub(super) fn written(&self, range: Range<usize>) -> &str {
        let text = &self.sources.get(self.file).text;
        text.get(range.start + self.base..range.end + self.base)
            .unwrap_or_default()
    }

    /// Reads an exact decimal at `key` of `node`.
    pub(super) fn decimal(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
    ) -> Option<Located<Decimal>> {
        let (_, value) = table_get(node, key)?;
        let text: std::borrow::Cow<'_, str> = match value.get_ref() {
            DeValue::Integer(i) if i.radix() != 10 => {
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        format!("`{}` is not a decimal number", self.written(value.span())),
                        value.span(),
                        &path.key(key),
                    )
                    .label("hexadecimal, octal and binary are not accepted")
                    .help(ACCEPTED_NUMBER_FORMS);
                self.push(d);
                return None;
            }
            DeValue::Integer(i) => i.as_str().into(),
            DeValue::Float(f) => f.as_str().into(),
            DeValue::String(s) => s.clone(),
            // The schema step already reported other types.
            _ => return None,
        };
        match money::parse_decimal_text(&text) {
            Ok(d) if !money::within_limit(d) => {
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        format!(
                            "`{text}` is larger than insats accepts (at most {} either way)",
                            money::format_amount(Decimal::from(money::MAX_NUMBER))
                        ),
                        value.span(),
                        &path.key(key),
                    )
                    .label("too large")
                    .help("numbers in a plan are at most a thousand trillion (10^15); look for a misplaced digit group");
                self.push(d);
                None
            }
            Ok(d) => Some(Located::new(d, self.span(value.span()))),
            Err(e) => {
                let label = match e {
                    DecimalTextError::DecimalComma(_) => "decimal comma",
                    DecimalTextError::Exponent(_) => "exponent",
                    DecimalTextError::OutOfRange(_) => "too large to hold exactly",
                    _ => "not an exact decimal",
                };
                // The number as written (`1_0.5e3`), not as TOML read it.
                let e = match value.get_ref() {
                    DeValue::String(_) => e,
                    _ => e.quoting(self.written(value.span())),
                };
                let d = self
                    .diag(
                        Code::InvalidAmount,
                        e.to_string(),
                        value.span(),
                        &path.key(key),
                    )
                    .label(label)
                    .help(ACCEPTED_NUMBER_FORMS);
                self.push(d);
                None
            }
        }
    }

    /// Reads an amount of money: an exact decimal, not negative, whole öre.
    pub(super) fn amount(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
    ) -> Option<Located<Decimal>> {
        let value = self.signed_amount(node, key, path)?;
        self.non_negative(&value, path, key, "amounts")?;
        Some(value)
    }

    /// `path` is the table's; the key is added only if there is something
    /// to report, since building key paths for every value costs.
    pub(super) fn non_negative(
        &mut self,
        value: &Located<Decimal>,
        path: &KeyPath,
        key: &str,
        what: &str,
    ) -> Option<()> {
        if value.value.is_sign_negative() && !value.value.is_zero() {
            let d = self
                .diag(
                    Code::NegativeAmount,
                    format!("{} is negative", value.value),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("must be zero or more")
                .help(format!(
                    "{what} cannot be negative; record repayments and corrections as follow-up data"
                ));
            self.push(d);
            return None;
        }
        Some(())
    }

    pub(super) fn range_of(&self, span: &Span) -> Range<usize> {
        span.range.start - self.base..span.range.end - self.base
    }

    /// Reads the date at `key` of `node`.
    pub(super) fn date(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: &toml::value::Datetime,
    ) -> Option<Located<Date>> {
        let range = field_range(node, key);
        match parse_date(raw) {
            Ok(date) => Some(Located::new(date, self.span(range))),
            Err(_) => self.date_at(range, &path.key(key), raw),
        }
    }

    /// Makes a calendar date of a TOML datetime written at `range`.
    pub(super) fn date_at(
        &mut self,
        range: Range<usize>,
        path: &KeyPath,
        raw: &toml::value::Datetime,
    ) -> Option<Located<Date>> {
        let bad = |ctx: &mut Self, message: String, help: &str| {
            let d = ctx
                .diag(Code::InvalidDate, message, range.clone(), path)
                .label("not a usable date")
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        let Some(date) = raw.date else {
            return bad(
                self,
                format!("`{raw}` is a time of day, not a date"),
                "write a date: `2019-05-01`",
            );
        };
        if raw.time.is_some() || raw.offset.is_some() {
            return bad(
                self,
                format!("`{raw}` has a time of day; a day is expected"),
                "write only the date: `2019-05-01`",
            );
        }
        if !(1900..=2200).contains(&date.year) {
            return bad(
                self,
                format!("year {} is outside 1900-2200", date.year),
                "check the year; plans are dated within 1900-2200",
            );
        }
        match jiff::civil::Date::new(date.year as i16, date.month as i8, date.day as i8) {
            Ok(d) => Some(Located::new(d, self.span(range))),
            Err(_) => bad(
                self,
                format!("{raw} is not a date in the calendar"),
                "check the day of the month",
            ),
        }
    }

    pub(super) fn period(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: &TomlPeriod,
    ) -> Option<Located<Period>> {
        let (_, pnode) = table_get(node, key)?;
        let ppath = path.key(key);
        let start = self.date(pnode, "start", &ppath, &raw.start);
        let end = self.date(pnode, "end", &ppath, &raw.end);
        let (start, end) = (start?, end?);
        if start.value > end.value {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("the period starts {} but ends {}", start.value, end.value),
                    pnode.span(),
                    &ppath,
                )
                .label("ends before it starts")
                .help("swap `start` and `end`, or correct the year");
            self.push(d);
            return None;
        }
        Some(Located::new(
            Period {
                start: start.value,
                end: end.value,
            },
            self.span(pnode.span()),
        ))
    }
}
