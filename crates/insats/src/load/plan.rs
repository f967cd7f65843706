//! The items of a plan: its initiative, funding sources, budget lines
//! (staffing, phasing, who pays), indicators and outcome targets.

use super::*;

impl Ctx<'_> {
    pub(super) fn source_document(
        &mut self,
        raw: TomlSourceDocument,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<SourceDocument> {
        let id = self.id(node, path, &raw.id);
        let published = match &raw.published {
            Some(p) => Some(self.date(node, "published", path, p)?.value),
            None => None,
        };
        Some(SourceDocument {
            key_path: path.to_string(),
            id,
            publisher: raw.publisher,
            title: raw.title,
            published,
            url: raw.url,
            note: raw.note,
        })
    }

    pub(super) fn indicator(
        &mut self,
        raw: TomlIndicator,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<Indicator> {
        if let Some(kpi) = raw.external_id.as_deref().filter(|k| {
            crate::kolada::is_kolada_provider(raw.provider.as_deref())
                && !crate::kolada::is_kpi_id(k)
        }) {
            let d = self
                .diag(
                    Code::InvalidKoladaId,
                    format!("`{kpi}` is not a Kolada KPI id"),
                    field_range(node, "external_id"),
                    &path.key("external_id"),
                )
                .label("a KPI id is a capital letter and five digits")
                .help("write the KPI's id as Kolada gives it, e.g. `N15428`");
            self.push(d);
        }
        Some(Indicator {
            key_path: path.to_string(),
            id: self.id(node, path, &raw.id),
            name: raw.name,
            unit: raw.unit,
            direction: raw.direction,
            external_id: raw.external_id,
            provider: raw.provider,
            note: raw.note,
        })
    }

    pub(super) fn funding(
        &mut self,
        raw: TomlFundingSource,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<FundingSource> {
        let id = self.id(node, path, &raw.id);
        let amount = self.amount(node, "amount", path);
        let window = match &raw.window {
            Some(w) => Some(self.period(node, "window", path, w)?),
            None => None,
        };
        let max_share_percent = match table_get(node, "max_share_percent") {
            Some(_) => Some(self.percent(node, "max_share_percent", path)?),
            None => None,
        };
        let mut reporting = Vec::new();
        if let Some((_, rnode)) = table_get(node, "reporting") {
            for (i, raw_date) in raw.reporting.iter().enumerate() {
                let range = rnode
                    .get_ref()
                    .as_array()
                    .and_then(|a| a.get(i))
                    .map_or(rnode.span(), |n| n.span());
                if let Some(d) = self.date_at(range, &path.key("reporting").index(i), raw_date) {
                    reporting.push(d.value);
                }
            }
        }
        let currency = match &raw.currency {
            Some(c) => self.reference(node, "currency", c),
            None => Located::new("SEK".to_owned(), self.span(field_range(node, "id"))),
        };
        let eligible_categories = raw
            .eligible_categories
            .map(|c| Located::new(c, self.span(field_range(node, "eligible_categories"))));
        Some(FundingSource {
            key_path: path.to_string(),
            provenance: self.provenance(node, raw.source, raw.illustrative, raw.note),
            id,
            name: raw.name,
            kind: raw.kind,
            funder: raw.funder,
            amount: amount?,
            currency,
            window,
            max_share_percent,
            eligible_categories,
            reporting,
            statement_categories: raw
                .statement_categories
                .map(|m| m.into_iter().collect())
                .unwrap_or_default(),
            regulation: raw.regulation,
            amount_history: self.budget_history(node, "amount_history", path, raw.amount_history),
            span: self.span(node.span()),
        })
    }

    /// The decisions at `key` (`budget_history`, `amount_history`): each
    /// read like any date and amount; their order and last amount are
    /// checked with the whole portfolio (`check/history.rs`).
    pub(super) fn budget_history(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: Option<Vec<crate::schema::TomlBudgetDecision>>,
    ) -> Vec<crate::model::BudgetDecision> {
        let (Some(raw), Some((_, list))) = (raw, table_get(node, key)) else {
            return Vec::new();
        };
        let Some(items) = list.get_ref().as_array() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, decision) in raw.into_iter().enumerate() {
            let Some(item) = items.get(i) else { break };
            let ipath = path.key(key).index(i);
            let date = self.date(item, "date", &ipath, &decision.date);
            let amount = self.amount(item, "amount", &ipath);
            if let (Some(date), Some(amount)) = (date, amount) {
                out.push(crate::model::BudgetDecision {
                    date,
                    decision: decision.decision,
                    amount,
                });
            }
        }
        out
    }

    /// A percentage: an exact decimal from 0 to 100.
    pub(super) fn percent(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
    ) -> Option<Located<Decimal>> {
        let value = self.decimal(node, key, path)?;
        self.non_negative(&value, path, key, "percentages")?;
        if value.value > Decimal::ONE_HUNDRED {
            let d = self
                .diag(
                    Code::PercentOutOfRange,
                    format!("{} % is more than 100 %", money::format_number(value.value)),
                    self.range_of(&value.span),
                    &path.key(key),
                )
                .label("outside 0-100")
                .help("write the share in percent, from 0 to 100 (90 for 90 %)");
            self.push(d);
            return None;
        }
        Some(value)
    }

    pub(super) fn initiative(
        &mut self,
        raw: TomlInitiative,
        node: &Node<'_>,
        lines: Vec<BudgetLine>,
        targets: Vec<OutcomeTarget>,
    ) -> Result<Initiative, (Vec<BudgetLine>, Vec<OutcomeTarget>)> {
        let path = KeyPath::default().key("initiative");
        let id = self.id(node, &path, &raw.id);
        let period = self.period(node, "period", &path, &raw.period);
        let decision = match raw.decision {
            Some(d) => {
                let dnode = table_get(node, "decision").map(|(_, n)| n);
                let date = match (&d.date, dnode) {
                    (Some(date), Some(dnode)) => self
                        .date(dnode, "date", &path.key("decision"), date)
                        .map(|d| d.value),
                    _ => None,
                };
                Some(Decision {
                    body: d.body,
                    date,
                    reference: d.reference,
                    note: d.note,
                })
            }
            None => None,
        };
        let sources = match table_get(node, "sources") {
            Some((_, snode)) => raw
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let range = snode
                        .get_ref()
                        .as_array()
                        .and_then(|a| a.get(i))
                        .map_or(snode.span(), |n| n.span());
                    Located::new(s.clone(), self.span(range))
                })
                .collect(),
            None => Vec::new(),
        };

        let Some(period) = period else {
            return Err((lines, targets));
        };
        Ok(Initiative {
            id,
            name: raw.name,
            organisation: raw.organisation,
            unit: raw.unit,
            period,
            status: raw.status.unwrap_or_default(),
            description: raw.description,
            decision,
            sources,
            lines,
            targets,
            file: self.file,
        })
    }

    /// Interprets the budget lines and targets of a plan file. Flat-rate
    /// lines are computed after the others, since they are a rate of them.
    pub(super) fn lines_and_targets(
        &mut self,
        raw_lines: Vec<(TomlBudgetLine, &Node<'_>, KeyPath)>,
        raw_targets: Vec<(TomlOutcomeTarget, &Node<'_>, KeyPath)>,
    ) -> (Vec<BudgetLine>, Vec<OutcomeTarget>) {
        // Lists of the model are made at their final size: at national
        // scale the spare room of grown vectors was a fifth of the memory
        // of `insats validate` (dhat), and memory costs time in page faults.
        let mut lines: Vec<BudgetLine> = Vec::with_capacity(raw_lines.len());
        let mut flat_rate_lines = Vec::new();
        for (raw_line, lnode, lpath) in raw_lines {
            if raw_line.flat_rate.is_some() {
                flat_rate_lines.push((raw_line, lnode, lpath));
            } else {
                match self.budget_line(raw_line, lnode, &lpath, None) {
                    Some(line) => lines.push(line),
                    None => self.unloaded("line", lnode),
                }
            }
        }
        for (raw_line, lnode, lpath) in flat_rate_lines {
            match self.budget_line(raw_line, lnode, &lpath, Some(&lines)) {
                Some(line) => lines.push(line),
                None => self.unloaded("line", lnode),
            }
        }
        // Keep file order for output: flat-rate lines were computed last.
        lines.sort_by_key(|l| l.span.range.start);

        let mut targets = Vec::with_capacity(raw_targets.len());
        for (t, tnode, tpath) in raw_targets {
            match self.outcome_target(t, tnode, &tpath) {
                Some(target) => targets.push(target),
                None => self.unloaded("target", tnode),
            }
        }
        (lines, targets)
    }

    /// Interprets a budget line. `others` is given for flat-rate lines: the
    /// already computed lines of the same initiative.
    pub(super) fn budget_line(
        &mut self,
        raw: TomlBudgetLine,
        node: &Node<'_>,
        path: &KeyPath,
        others: Option<&[BudgetLine]>,
    ) -> Option<BudgetLine> {
        let id = self.id(node, path, &raw.id);
        let stated = match table_get(node, "amount") {
            Some(_) => Some(self.amount(node, "amount", path)?),
            None => None,
        };

        let staffing = match &raw.staffing {
            Some(s) => Some(self.staffing(node, path, s)?),
            None => None,
        };
        let phasing = match &raw.phasing {
            Some(p) => Some(self.phasing(node, path, p)?),
            None => None,
        };

        let (cost, amount, years, cost_period) = if let Some(flat) = &raw.flat_rate {
            let fpath = path.key("flat_rate");
            let (frange, fnode) = table_get(node, "flat_rate")?;
            let percent = self.percent(fnode, "percent", &fpath)?;
            if flat.of == CostCategory::Indirect {
                let d = self
                    .diag(
                        Code::FlatRateMismatch,
                        "a flat rate cannot be a rate of indirect costs",
                        field_range(fnode, "of"),
                        &fpath.key("of"),
                    )
                    .label("a rate of indirect costs")
                    .help("base the rate on a direct category, usually `of = \"personnel\"`");
                self.push(d);
                return None;
            }
            if raw.staffing.is_some() {
                let d = self
                    .diag(
                        Code::FlatRateMismatch,
                        "a line cannot be both staffing and a flat rate",
                        frange,
                        &fpath,
                    )
                    .label("a flat rate on a staffing line")
                    .help("put the staffing and the flat rate on two lines");
                self.push(d);
                return None;
            }
            let base = money::checked_sum(
                others
                    .unwrap_or_default()
                    .iter()
                    .filter(|l| l.category == flat.of)
                    .map(|l| l.amount),
            );
            let computed = base
                .and_then(|b| b.checked_mul(percent.value))
                .map(|x| money::round_ore(x / Decimal::ONE_HUNDRED));
            let Some(computed) = computed else {
                self.overflow(frange, &fpath);
                return None;
            };
            // The rate is of the base's plan within the days the line's
            // payers may pay it, and their windows may be declared in other
            // files: the whole portfolio rates it again, and checks a stated
            // amount then ([`crate::report`]'s rating of flat rates).
            (
                LineCost::FlatRate {
                    percent: percent.value,
                    of: flat.of,
                    stated: stated.as_ref().map(|s| s.span.clone()),
                },
                stated.as_ref().map_or(computed, |s| s.value),
                Vec::new(),
                None,
            )
        } else if let Some((staffing, years)) = staffing {
            let total = money::checked_sum(years.iter().map(|y| y.amount))?;
            if let Some(s) = &stated
                && s.value != total
            {
                let d = self
                        .diag(Code::StaffingMismatch, format!("stated amount {} but the staffing gives {}", kr(s.value), kr(total)), self.range_of(&s.span), &path.key("amount"))
                        .label(format!(
                            "{} FTE x {} a month x {} months = {}",
                            money::format_number(staffing.fte), kr(staffing.monthly_cost), staffing.months, kr(total)
                        ))
                        .help(format!("set `amount = {}`, or drop `amount` and let insats compute it, or correct the staffing", total.normalize()));
                self.push(d);
                return None;
            }
            if let Some((phased, prange)) = &phasing {
                let phased_total = money::checked_sum(phased.iter().map(|y| y.amount))?;
                if phased_total != total {
                    let d = self
                        .diag(Code::PhasingMismatch, format!("the phasing adds up to {} but the staffing gives {}", kr(phased_total), kr(total)), prange.clone(), &path.key("phasing"))
                        .label(format!("adds up to {}", kr(phased_total)))
                        .help("drop `phasing` (insats phases staffing by its months) or make the years agree");
                    self.push(d);
                    return None;
                }
                // Equal totals can still hide years that disagree, and the
                // report plans staffing by its months, not by the phasing.
                if let Some((year, phased_year, staffed_year)) =
                    first_disagreeing_year(phased, &years)
                {
                    let range = table_get(node, "phasing")
                        .and_then(|(_, pnode)| key_places(pnode))
                        .and_then(|places| places.get(year.to_string().as_str()).cloned())
                        .unwrap_or_else(|| prange.clone());
                    let d = self
                        .diag(Code::PhasingMismatch, format!("the phasing gives {} for {year} but the staffing gives {}", kr(phased_year), kr(staffed_year)), range, &path.key("phasing").key(&year.to_string()))
                        .label(format!("the staffing's months in {year} cost {}", kr(staffed_year)))
                        .help(format!("drop `phasing` (insats phases staffing by its months) or set `{year} = {}`", staffed_year.normalize()));
                    self.push(d);
                    return None;
                }
            }
            let period = staffing.period;
            (LineCost::Staffing(staffing), total, years, Some(period))
        } else if let Some((phased, prange)) = phasing {
            let Some(total) = money::checked_sum(phased.iter().map(|y| y.amount)) else {
                self.overflow(prange, &path.key("phasing"));
                return None;
            };
            if let Some(s) = &stated
                && s.value != total
            {
                let d = self
                        .diag(Code::PhasingMismatch, format!("stated amount {} but the phasing adds up to {}", kr(s.value), kr(total)), self.range_of(&s.span), &path.key("amount"))
                        .label(format!("phasing adds up to {}", kr(total)))
                        .help("make the years add up to the amount, or drop `amount` and let insats add them up");
                self.push(d);
                return None;
            }
            let period = match (phased.first(), phased.last()) {
                (Some(first), Some(last)) => Some(Period {
                    start: jiff::civil::date(first.year, 1, 1),
                    end: jiff::civil::date(last.year, 12, 31),
                }),
                _ => None,
            };
            (LineCost::Phased, total, phased, period)
        } else if let Some(s) = &stated {
            (LineCost::Total, s.value, Vec::new(), None)
        } else {
            let d = self
                .diag(Code::LineWithoutCost, format!("budget line `{}` has no cost", raw.id), table_head(node), path)
                .label("no `amount`, `phasing`, `staffing` or `flat_rate`")
                .help("give the line an `amount = ...`, a `phasing = { 2024 = ... }`, a `staffing = { ... }` or a `flat_rate = { ... }`");
            self.push(d);
            return None;
        };

        let payers = self.payers(node, path, &raw.funded_by, amount)?;
        let serves = self.serves(node, path, &raw.serves, &raw.id)?;
        Some(BudgetLine {
            key_path: path.to_string(),
            provenance: self.provenance(node, raw.source, raw.illustrative, raw.note),
            id,
            name: raw.name,
            category: raw.category,
            unit: raw.unit,
            payers,
            cost,
            amount,
            phasing: years,
            cost_period,
            serves,
            not_co_financing_of: {
                let range = field_range(node, "not_co_financing_of");
                raw.not_co_financing_of
                    .iter()
                    .map(|id| Located::new(id.clone(), self.span(range.clone())))
                    .collect()
            },
            budget_history: self.budget_history(node, "budget_history", path, raw.budget_history),
            span: self.span(node.span()),
        })
    }

    pub(super) fn overflow(&mut self, range: Range<usize>, path: &KeyPath) {
        let d = self
            .diag(
                Code::AmountOverflow,
                "the sum is too large to compute exactly",
                range,
                path,
            )
            .label("overflows")
            .help("look for a misplaced digit group");
        self.push(d);
    }

    pub(super) fn staffing(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &crate::schema::TomlStaffing,
    ) -> Option<(Staffing, Vec<YearAmount>)> {
        let spath = path.key("staffing");
        let (_, snode) = table_get(node, "staffing")?;
        let fte = self.decimal(snode, "fte", &spath);
        if let Some(f) = &fte {
            self.non_negative(f, &spath, "fte", "FTEs")?;
        }
        let monthly = self.amount(snode, "monthly_cost", &spath);
        let from = self.date(snode, "from", &spath, &raw.from);
        let until = self.date(snode, "until", &spath, &raw.until);
        let (fte, monthly, from, until) = (fte?, monthly?, from?, until?);
        if from.value > until.value {
            let d = self
                .diag(
                    Code::PeriodReversed,
                    format!("staffing runs from {} until {}", from.value, until.value),
                    snode.span(),
                    &spath,
                )
                .label("ends before it starts")
                .help("swap `from` and `until`, or correct the year");
            self.push(d);
            return None;
        }
        if from.value.day() != 1 {
            let first = from.value.first_of_month();
            let next = first
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(first);
            let d = self
                .diag(
                    Code::StaffingPartialMonth,
                    format!(
                        "staffing starts {}, not on the first of a month",
                        from.value
                    ),
                    self.range_of(&from.span),
                    &spath.key("from"),
                )
                .label("not the first of a month")
                .help(format!(
                    "staffing is costed in whole months: use `from = {first}` or `from = {next}`"
                ));
            self.push(d);
            return None;
        }
        if until.value != until.value.last_of_month() {
            let d = self
                .diag(
                    Code::StaffingPartialMonth,
                    format!(
                        "staffing ends {}, not on the last day of a month",
                        until.value
                    ),
                    self.range_of(&until.span),
                    &spath.key("until"),
                )
                .label("not the last day of a month")
                .help(format!(
                    "staffing is costed in whole months: use `until = {}`",
                    until.value.last_of_month()
                ));
            self.push(d);
            return None;
        }
        // Whole months, which the checks above have made sure of.
        let period = Period {
            start: from.value,
            end: until.value,
        };
        let months_in = |year: i16| period.months_in(year).len() as u32;
        let mut years = Vec::new();
        let mut months = 0;
        for year in from.value.year()..=until.value.year() {
            let m = months_in(year);
            months += m;
            let cost = fte
                .value
                .checked_mul(monthly.value)
                .and_then(|c| c.checked_mul(Decimal::from(m)))
                // Written as amounts are (48000, not the 48000.0 that
                // 0.5 FTE leaves).
                .map(|c| money::round_ore(c).normalize())
                .filter(|c| money::within_limit(*c));
            let Some(cost) = cost else {
                let d = self
                    .diag(
                        Code::AmountOverflow,
                        format!(
                            "the staffing costs more in {year} than insats accepts (at most {} a year)",
                            money::format_kr(Decimal::from(money::MAX_NUMBER))
                        ),
                        snode.span(),
                        &spath,
                    )
                    .label("FTE x monthly cost x months")
                    .help("look for a misplaced digit group in `fte` or `monthly_cost`");
                self.push(d);
                return None;
            };
            years.push(YearAmount { year, amount: cost });
        }
        Some((
            Staffing {
                fte: fte.value,
                monthly_cost: monthly.value,
                months,
                period: Period {
                    start: from.value,
                    end: until.value,
                },
            },
            years,
        ))
    }

    pub(super) fn phasing(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &BTreeMap<String, crate::schema::TomlDecimal>,
    ) -> Option<(Vec<YearAmount>, Range<usize>)> {
        let ppath = path.key("phasing");
        let (_, pnode) = table_get(node, "phasing")?;
        let mut years = Vec::new();
        let mut ok = true;
        // Each key's place, found once: a phasing of thousands of keys is
        // not searched once per key.
        let places = key_places(pnode)?;
        for key in raw.keys() {
            let krange = places.get(key.as_str())?.clone();
            let year = key
                .parse::<i16>()
                .ok()
                .filter(|y| (1900..=2200).contains(y));
            let Some(year) = year else {
                let d = self
                    .diag(Code::InvalidDate, format!("`{key}` is not a year"), krange, &ppath.key(key))
                    .label("expected a year such as 2024")
                    .help("key each amount by its calendar year: `phasing = { 2019 = 1_000_000, 2020 = 500_000 }`");
                self.push(d);
                ok = false;
                continue;
            };
            match self.amount(pnode, key, &ppath) {
                Some(a) => years.push(YearAmount {
                    year,
                    amount: a.value,
                }),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        years.sort_by_key(|y| y.year);
        Some((years, pnode.span()))
    }

    pub(super) fn payers(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &TomlFundedBy,
        amount: Decimal,
    ) -> Option<Vec<Payer>> {
        let fpath = path.key("funded_by");
        let (_, fnode) = table_get(node, "funded_by")?;
        let split = match raw {
            TomlFundedBy::One(id) => {
                return Some(vec![Payer {
                    source: Located::new(id.clone(), self.span(fnode.span())),
                    amount,
                    dated: None,
                }]);
            }
            TomlFundedBy::Split(split) => split,
        };
        let items = fnode.get_ref().as_array()?;
        if split.is_empty() {
            let d = self
                .diag(
                    Code::SplitMismatch,
                    "`funded_by` is an empty list",
                    fnode.span(),
                    &fpath,
                )
                .label("no payer")
                .help("name the funding source that pays the line: `funded_by = \"id\"`");
            self.push(d);
            return None;
        }
        if split.iter().any(|p| p.from.is_some() || p.until.is_some()) {
            return self.payers_by_period(fnode, &fpath, split);
        }
        let mut shares = Vec::new();
        let mut amounts = Vec::new();
        let mut sources = Vec::new();
        for (i, payer) in split.iter().enumerate() {
            let pnode = items.get(i)?;
            let ppath = fpath.index(i);
            sources.push(self.reference(pnode, "source", &payer.source));
            if payer.share_percent.is_some() {
                shares.push(self.percent(pnode, "share_percent", &ppath)?.value);
            }
            if payer.amount.is_some() {
                amounts.push(self.amount(pnode, "amount", &ppath)?.value);
            }
        }
        let fail = |ctx: &mut Self, message: String, label: String, help: &str| {
            let d = ctx
                .diag(Code::SplitMismatch, message, fnode.span(), &fpath)
                .label(label)
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        if shares.len() == split.len() && amounts.is_empty() {
            let total = money::checked_sum(shares.iter().copied())?;
            if total != Decimal::ONE_HUNDRED {
                return fail(
                    self,
                    format!(
                        "the shares add up to {} %, not 100 %",
                        money::format_number(total)
                    ),
                    format!("{} %", money::format_number(total)),
                    "make the `share_percent` values add up to exactly 100",
                );
            }
            let parts = money::split_exact(amount, &shares)?;
            Some(
                sources
                    .into_iter()
                    .zip(parts)
                    .map(|(source, amount)| Payer {
                        source,
                        amount,
                        dated: None,
                    })
                    .collect(),
            )
        } else if amounts.len() == split.len() && shares.is_empty() {
            let total = money::checked_sum(amounts.iter().copied())?;
            if total != amount {
                return fail(
                    self,
                    format!(
                        "the payers' amounts add up to {}, but the line costs {}",
                        kr(total),
                        kr(amount)
                    ),
                    format!("{} of {}", kr(total), kr(amount)),
                    "make the payers' `amount` values add up to the line's amount",
                );
            }
            Some(
                sources
                    .into_iter()
                    .zip(amounts)
                    .map(|(source, amount)| Payer {
                        source,
                        amount,
                        dated: None,
                    })
                    .collect(),
            )
        } else {
            fail(
                self,
                "every payer in a split needs either `share_percent` or `amount`, all the same"
                    .to_owned(),
                "mixed or missing shares".to_owned(),
                "give every payer a `share_percent` (adding up to 100), or every payer an `amount` (adding up to the line's amount)",
            )
        }
    }

    /// A split by period (`from`, `until`): each period's payers share the
    /// line's costs in it. Their amounts follow from the line's plan, which
    /// may depend on funding windows in other files, so they are worked
    /// out once the portfolio is whole ([`crate::report`]'s
    /// apportioning); here the form is checked.
    pub(super) fn payers_by_period(
        &mut self,
        fnode: &Node<'_>,
        fpath: &KeyPath,
        split: &[crate::schema::TomlPayer],
    ) -> Option<Vec<Payer>> {
        let items = fnode.get_ref().as_array()?;
        let fail = |ctx: &mut Self, message: String, label: &str, help: &str| {
            let d = ctx
                .diag(Code::SplitMismatch, message, fnode.span(), fpath)
                .label(label.to_owned())
                .help(help.to_owned());
            ctx.push(d);
            None
        };
        let mut entries = Vec::with_capacity(split.len());
        for (i, payer) in split.iter().enumerate() {
            let pnode = items.get(i)?;
            let ppath = fpath.index(i);
            let source = self.reference(pnode, "source", &payer.source);
            if payer.amount.is_some() {
                return fail(
                    self,
                    format!(
                        "`{}` is given an `amount` in a split by period",
                        payer.source
                    ),
                    "an amount in a split by period",
                    "a payer by period pays a share of the line's costs in its period: give `share_percent` (or nothing, when it pays the period alone)",
                );
            }
            if payer.from.is_none() && payer.until.is_none() {
                return fail(
                    self,
                    format!(
                        "`{}` has no `from` or `until`, but other payers of the line do",
                        payer.source
                    ),
                    "a payer without a period",
                    "in a split by period every payer says which days it pays for: `from`, `until` or both",
                );
            }
            let day = |ctx: &mut Self, key: &str, raw: &Option<crate::schema::TomlDate>| match raw {
                Some(raw) => ctx.date(pnode, key, &ppath, raw).map(|d| Some(d.value)),
                None => Some(None),
            };
            let (from, until) = (
                day(self, "from", &payer.from)?,
                day(self, "until", &payer.until)?,
            );
            let period = Period {
                start: from.unwrap_or(Date::MIN),
                end: until.unwrap_or(Date::MAX),
            };
            if period.start > period.end {
                let d = self
                    .diag(
                        Code::PeriodReversed,
                        format!(
                            "`{}` pays from {} until {}",
                            payer.source, period.start, period.end
                        ),
                        pnode.span(),
                        &ppath,
                    )
                    .label("ends before it starts")
                    .help("swap `from` and `until`, or correct the year");
                self.push(d);
                return None;
            }
            let share = match payer.share_percent {
                Some(_) => Some(self.percent(pnode, "share_percent", &ppath)?.value),
                None => None,
            };
            entries.push((source, period, share));
        }
        // Payers of the same days share them; different days must not meet.
        let mut periods: Vec<Period> = entries.iter().map(|e| e.1).collect();
        periods.sort_by_key(|p| (p.start, p.end));
        periods.dedup();
        for pair in periods.windows(2) {
            if pair[1].start <= pair[0].end {
                return fail(
                    self,
                    "two payers' periods overlap, but are not the same".to_owned(),
                    "overlapping periods",
                    "give the payers of the same days the same `from` and `until` (and shares adding up to 100), and other payers days of their own",
                );
            }
        }
        let mut shares: Vec<Decimal> = Vec::with_capacity(entries.len());
        for period in &periods {
            let group: Vec<&(Located<String>, Period, Option<Decimal>)> =
                entries.iter().filter(|e| e.1 == *period).collect();
            if let [(_, _, None)] = group.as_slice() {
                continue;
            }
            let given: Option<Vec<Decimal>> = group.iter().map(|e| e.2).collect();
            let total = given
                .as_ref()
                .and_then(|g| money::checked_sum(g.iter().copied()));
            if total != Some(Decimal::ONE_HUNDRED) {
                return fail(
                    self,
                    "the shares of payers of the same period do not add up to 100 %".to_owned(),
                    "shares of one period",
                    "give every payer of a period a `share_percent`, adding up to exactly 100 (a lone payer of a period needs none)",
                );
            }
        }
        for entry in &entries {
            shares.push(entry.2.unwrap_or(Decimal::ONE_HUNDRED));
        }
        Some(
            entries
                .into_iter()
                .zip(shares)
                .map(|((source, period, _), share_percent)| Payer {
                    source,
                    // Worked out from the plan when the portfolio is whole.
                    amount: Decimal::ZERO,
                    dated: Some(crate::model::DatedShare {
                        period,
                        share_percent,
                    }),
                })
                .collect(),
        )
    }

    pub(super) fn serves(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        raw: &[TomlServes],
        line_id: &str,
    ) -> Option<Vec<Serves>> {
        let spath = path.key("serves");
        let (_, snode) = table_get(node, "serves")?;
        if raw.is_empty() {
            let d = self
                .diag(Code::LineServesNothing, format!("budget line `{line_id}` serves no outcome target"), snode.span(), &spath)
                .label("empty")
                .help("every line must serve at least one target: add the ids of the `[[target]]`s it is meant to move");
            self.push(d);
            return None;
        }
        let items = snode.get_ref().as_array()?;
        let mut out = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let item = items.get(i)?;
            match s {
                TomlServes::Target(id) => out.push(Serves {
                    target: Located::new(id.clone(), self.span(item.span())),
                    weight: Decimal::ONE,
                }),
                TomlServes::Weighted { target, .. } => {
                    let ipath = spath.index(i);
                    let weight = self.decimal(item, "weight", &ipath)?;
                    if weight.value <= Decimal::ZERO {
                        let d = self
                            .diag(Code::NegativeAmount, format!("weight {} is not positive", weight.value), self.range_of(&weight.span), &ipath.key("weight"))
                            .label("must be more than zero")
                            .help("weights split the line's cost between its targets; give each a positive weight, or drop the target");
                        self.push(d);
                        return None;
                    }
                    out.push(Serves {
                        target: self.reference(item, "target", target),
                        weight: weight.value,
                    });
                }
            }
        }
        Some(out)
    }

    pub(super) fn outcome_target(
        &mut self,
        raw: TomlOutcomeTarget,
        node: &Node<'_>,
        path: &KeyPath,
    ) -> Option<OutcomeTarget> {
        let id = self.id(node, path, &raw.id);
        let baseline = self.observation(node, "baseline", path, raw.baseline);
        let target = self.observation(node, "target", path, raw.target);
        let kolada_id = raw
            .scope
            .kolada_id
            .map(|k| self.kolada_scope_id(node, path, raw.scope.level, k));
        Some(OutcomeTarget {
            key_path: path.to_string(),
            id,
            indicator: self.reference(node, "indicator", &raw.indicator),
            scope_level: raw.scope.level,
            scope: raw.scope.name,
            kolada_id,
            baseline: baseline?,
            target: target?,
            cohort: raw.cohort,
            note: raw.note,
            span: self.span(node.span()),
        })
    }

    /// A scope's Kolada id, checked against the shape Kolada gives its ids
    /// at the scope's level: a bad one would only fail later, at Kolada.
    pub(super) fn kolada_scope_id(
        &mut self,
        node: &Node<'_>,
        path: &KeyPath,
        level: crate::model::ScopeLevel,
        id: String,
    ) -> Located<String> {
        let range = table_get(node, "scope").map_or_else(
            || table_head(node),
            |(_, scope)| field_range(scope, "kolada_id"),
        );
        let problem = match level {
            crate::model::ScopeLevel::Municipality if !crate::kolada::is_municipality_id(&id) => {
                Some((
                    "a municipality's Kolada id is its four-digit code",
                    "write the municipality code, e.g. `2081` for Borlänge; a leading zero is part of it (`0127`)",
                ))
            }
            crate::model::ScopeLevel::School if !crate::kolada::is_unit_id(&id) => Some((
                "a school unit's Kolada id is an organisational-unit id",
                "write the id Kolada gives the school unit, e.g. `V15E208100101`: `V`, two digits, `E`, digits",
            )),
            crate::model::ScopeLevel::Area => Some((
                "Kolada has no values for an area",
                "remove `kolada_id`, or give each school its own target",
            )),
            _ => None,
        };
        if let Some((label, help)) = problem {
            let d = self
                .diag(
                    Code::InvalidKoladaId,
                    format!(
                        "`{id}` is not a Kolada id for a scope at the level `{}`",
                        level.as_str()
                    ),
                    range.clone(),
                    &path.key("scope").key("kolada_id"),
                )
                .label(label)
                .help(help);
            self.push(d);
        }
        Located::new(id, self.span(range))
    }

    pub(super) fn observation(
        &mut self,
        node: &Node<'_>,
        key: &str,
        path: &KeyPath,
        raw: TomlObservation,
    ) -> Option<Observation> {
        let (_, onode) = table_get(node, key)?;
        let opath = path.key(key);
        let value = self.decimal(onode, "value", &opath);
        let when = self.when(onode, &opath, raw.year, raw.date.as_ref());
        Some(Observation {
            provenance: self.provenance(onode, raw.source, raw.illustrative, raw.note),
            value: value?,
            when: when?,
        })
    }
}
