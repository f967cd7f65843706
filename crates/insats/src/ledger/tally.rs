//! The sums an import keeps while it reads: exact, in öre, and per budget
//! line and day.
//!
//! Every amount an import books has at most two decimals (the readers
//! reject more), so it is a whole number of öre, and sums of öre in an
//! `i128` are exact and cannot overflow: rows are limited to
//! [`MAX_ROW_AMOUNT`], and 2^127 öre is more than 10^20 such rows. Adding
//! integers is also several times faster than adding [`Decimal`]s, which
//! matters at ten million rows. The sums become [`Decimal`]s again when
//! the import finishes, at the scale adding the amounts as [`Decimal`]s
//! would have given (see [`OreSum`]).

use rust_decimal::Decimal;

use crate::hash::IdMap;
use crate::model::{Date, DayTotal};

/// The largest amount, in kronor either way, a ledger row may have: the
/// limit of every number insats reads ([`crate::money::MAX_NUMBER`]).
/// Larger is a misread column, and keeping amounts below it keeps every
/// sum exact (see the module).
pub const MAX_ROW_AMOUNT: i64 = crate::money::MAX_NUMBER;

/// An exact sum of amounts with at most two decimals, in öre, and the
/// largest scale (number of decimals written) among them: the sum is given
/// back at that scale, as adding the [`Decimal`]s would give it (`300` for
/// `100` + `200`, `0` for no rows, `150.50` for `100` + `50.50`), so that
/// reports read the same whichever way the sum was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct OreSum {
    ore: i128,
    scale: u8,
}

impl OreSum {
    /// The amount in öre. `amount` has at most two decimals (trailing
    /// zeros aside), as the readers guarantee.
    pub(super) fn ore(amount: Decimal) -> i128 {
        let scale = amount.scale();
        let mantissa = amount.mantissa();
        match scale {
            0 => mantissa * 100,
            1 => mantissa * 10,
            2 => mantissa,
            // Trailing zeros only: exact.
            s => mantissa / 10i128.pow(s - 2),
        }
    }

    /// The scale of `amount`, as kept.
    fn scale(amount: Decimal) -> u8 {
        // At most 28.
        amount.scale() as u8
    }

    pub(super) fn add(&mut self, amount: Decimal) {
        self.ore += Self::ore(amount);
        self.scale = self.scale.max(Self::scale(amount));
    }

    pub(super) fn sub(&mut self, amount: Decimal) {
        self.ore -= Self::ore(amount);
        self.scale = self.scale.max(Self::scale(amount));
    }

    pub(super) fn add_sum(&mut self, other: OreSum) {
        self.ore += other.ore;
        self.scale = self.scale.max(other.scale);
    }

    /// The sum in kronor, at the largest scale of its amounts. Exact: a
    /// sum of fewer than 2^96 / 10^17 rows of at most [`MAX_ROW_AMOUNT`]
    /// fits a [`Decimal`], and a sum of amounts with fewer than two
    /// decimals is a whole multiple of what the smaller scale can write.
    pub(super) fn to_decimal(self) -> Decimal {
        // The fallback is unreachable with the row limit: 7.9 * 10^11
        // rows of the largest amount would be needed.
        let nearest = if self.ore < 0 {
            Decimal::MIN
        } else {
            Decimal::MAX
        };
        let mut sum = Decimal::try_from_i128_with_scale(self.ore, 2).unwrap_or(nearest);
        sum.rescale(u32::from(self.scale));
        sum
    }
}

/// The sum and row count of one line on one day, in 16 bytes: the table
/// of cells is the import's largest. A sum that outgrows 64 bits (some
/// 92 billion kronor on one line and day) moves to a [`WideCell`] and the
/// cell is marked `wide`.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    sum: i64,
    rows: u32,
    wide: bool,
    /// See [`OreSum`]: the largest scale of the rows in the cell.
    scale: u8,
}

/// A cell with an `i128` sum, for the rare days that need it.
#[derive(Debug, Clone, Copy, Default)]
struct WideCell {
    sum: i128,
    rows: i64,
    scale: u8,
}

impl WideCell {
    fn total(&self) -> OreSum {
        OreSum {
            ore: self.sum,
            scale: self.scale,
        }
    }

    fn add(&mut self, ore: i128, scale: u8, rows: i64) {
        self.sum += ore;
        self.rows += rows;
        // A day whose rows were all taken back starts again, as a day
        // never booked would.
        self.scale = if self.rows == 0 {
            0
        } else {
            self.scale.max(scale)
        };
    }
}

/// Days a line's dense table may span; rows outside it (a stray date
/// decades off) go to a hash table, so one odd row cannot make every
/// line's table huge.
const MAX_SPAN: usize = 4 * DAYS_PER_YEAR;
/// Slots per year in a day number: 12 months of 31 days, so that a day
/// number turns back into a date without a calendar (a few slots a year
/// stay empty).
const DAYS_PER_YEAR: usize = 12 * 31;

fn day_number(date: Date) -> i64 {
    i64::from(date.year()) * DAYS_PER_YEAR as i64
        + (i64::from(date.month()) - 1) * 31
        + (i64::from(date.day()) - 1)
}

fn date_of(day: i64) -> Option<Date> {
    let year = day.div_euclid(DAYS_PER_YEAR as i64);
    let rest = day.rem_euclid(DAYS_PER_YEAR as i64);
    Date::new(
        i16::try_from(year).ok()?,
        (rest / 31 + 1) as i8,
        (rest % 31 + 1) as i8,
    )
    .ok()
}

/// One line's days: first a small table of the days met, then, once the
/// line has more than [`SPARSE_DAYS`] of them, a window of consecutive day
/// numbers. A small export books a few rows on each of many lines, and an
/// array spanning each line's first to last day would cost more than the
/// rows (15 MB for the 1 301 lines of the generated export at 10^4 rows).
#[derive(Debug, Default)]
struct LineDays {
    first: i64,
    cells: Vec<Cell>,
    sparse: IdMap<i64, WideCell>,
}

/// Days a line may have before it gets a window.
const SPARSE_DAYS: usize = 64;

/// Sums and rows per budget line (by index) and day.
///
/// Rows of an export come in no order, so every row updates a cell
/// anywhere in a table of tens of megabytes: a cache miss, which took a
/// fifth of an import's time when it came between the parsing of one row
/// and the next. So a line's days are an array indexed by day (one memory
/// access a row, no hashing), and additions wait in a short queue and are
/// made together, in a loop small enough for the processor to have many
/// of the misses under way at once.
#[derive(Debug, Default)]
pub(super) struct DayTotals {
    lines: Vec<LineDays>,
    /// Cells outside their line's window, and cells grown wide.
    outliers: IdMap<(u32, i64), WideCell>,
    /// Additions not made yet: line, day number, öre, scale, rows.
    queued: Vec<(u32, i64, i128, u8, i64)>,
}

impl DayTotals {
    pub(super) fn new(lines: usize) -> Self {
        DayTotals {
            lines: (0..lines).map(|_| LineDays::default()).collect(),
            outliers: IdMap::default(),
            queued: Vec::with_capacity(Self::QUEUED),
        }
    }

    /// Additions made together: enough to overlap many cache misses, few
    /// enough to stay in the first-level cache.
    const QUEUED: usize = 64;

    /// Adds `amount` and `rows` (a negative amount and rows take a row
    /// back).
    pub(super) fn add(&mut self, line: usize, date: Date, amount: Decimal, rows: i64) {
        let (ore, scale) = (OreSum::ore(amount), OreSum::scale(amount));
        self.add_day(line, day_number(date), ore, scale, rows);
    }

    /// Adds öre at two decimals (tests give sums in öre).
    #[cfg(test)]
    fn add_ore(&mut self, line: usize, date: Date, ore: i128, rows: i64) {
        self.add_day(line, day_number(date), ore, 2, rows);
    }

    fn add_day(&mut self, line: usize, day: i64, ore: i128, scale: u8, rows: i64) {
        self.queued.push((line as u32, day, ore, scale, rows));
        if self.queued.len() >= Self::QUEUED {
            self.flush();
        }
    }

    /// Makes the queued additions.
    fn flush(&mut self) {
        // Read each queued cell first, in a loop of independent loads that
        // the processor runs many at a time; the additions below then find
        // their cells in cache.
        let mut touched = 0u32;
        for &(line, day, ..) in &self.queued {
            let days = &self.lines[line as usize];
            if let Some(cell) = usize::try_from(day - days.first)
                .ok()
                .and_then(|i| days.cells.get(i))
            {
                touched ^= cell.rows;
            }
        }
        std::hint::black_box(touched);
        for (line, day, ore, scale, rows) in self.queued.drain(..) {
            let days = &mut self.lines[line as usize];
            if days.cells.is_empty() {
                days.sparse.entry(day).or_default().add(ore, scale, rows);
                if days.sparse.len() > SPARSE_DAYS {
                    // Into a window, in day order, so that it starts at the
                    // first day; days beyond its span go to `outliers`.
                    let mut sparse: Vec<(i64, WideCell)> = days.sparse.drain().collect();
                    days.sparse = IdMap::default();
                    sparse.sort_unstable_by_key(|&(day, _)| day);
                    for (day, cell) in sparse {
                        let (sum, scale, rows) = (cell.sum, cell.scale, cell.rows);
                        Self::put(days, &mut self.outliers, line, day, sum, scale, rows);
                    }
                }
                continue;
            }
            Self::put(days, &mut self.outliers, line, day, ore, scale, rows);
        }
    }

    /// Adds to the window's cell of `day`, or to `outliers` when the day
    /// is outside the window or the sum outgrows the cell.
    #[allow(clippy::too_many_arguments)]
    fn put(
        days: &mut LineDays,
        outliers: &mut IdMap<(u32, i64), WideCell>,
        line: u32,
        day: i64,
        ore: i128,
        scale: u8,
        rows: i64,
    ) {
        let (ore, scale, rows) = match Self::cell(days, day) {
            Some(cell) if !cell.wide => {
                let sum = i64::try_from(ore)
                    .ok()
                    .and_then(|ore| cell.sum.checked_add(ore));
                if let Some(sum) = sum {
                    cell.sum = sum;
                    // A cell counts at most the rows of one export,
                    // and a decrement only follows an increment.
                    cell.rows = (i64::from(cell.rows) + rows) as u32;
                    // As for a wide cell: a day emptied starts again.
                    cell.scale = if cell.rows == 0 {
                        0
                    } else {
                        cell.scale.max(scale)
                    };
                    return;
                }
                // Too large for 64 bits: the cell moves to the wide table.
                let moved = (
                    i128::from(cell.sum) + ore,
                    cell.scale.max(scale),
                    i64::from(cell.rows) + rows,
                );
                *cell = Cell {
                    wide: true,
                    ..Cell::default()
                };
                moved
            }
            _ => (ore, scale, rows),
        };
        outliers
            .entry((line, day))
            .or_default()
            .add(ore, scale, rows);
    }

    /// The cell of `day`, growing the window to reach it unless that
    /// would make it span more than [`MAX_SPAN`].
    fn cell(days: &mut LineDays, day: i64) -> Option<&mut Cell> {
        if days.cells.is_empty() {
            days.first = day;
            days.cells.push(Cell::default());
        }
        let first = days.first.min(day);
        let end = (days.first + days.cells.len() as i64).max(day + 1);
        if end - first > MAX_SPAN as i64 {
            return None;
        }
        if first < days.first {
            let grow = (days.first - first) as usize;
            days.cells
                .splice(0..0, std::iter::repeat_n(Cell::default(), grow));
            days.first = first;
        }
        let len = (end - first) as usize;
        if len > days.cells.len() {
            days.cells.resize(len, Cell::default());
        }
        days.cells.get_mut((day - days.first) as usize)
    }

    /// Adds another table's cells to this one.
    pub(super) fn absorb(&mut self, mut other: DayTotals) {
        other.flush();
        for (line, days) in other.lines.into_iter().enumerate() {
            for (i, cell) in days.cells.iter().enumerate() {
                if cell.rows > 0 {
                    let day = days.first + i as i64;
                    let (sum, rows) = (i128::from(cell.sum), i64::from(cell.rows));
                    self.merge(line, day, sum, cell.scale, rows);
                }
            }
            for (day, cell) in days.sparse {
                self.merge(line, day, cell.sum, cell.scale, cell.rows);
            }
        }
        for ((line, day), cell) in other.outliers {
            self.merge(line as usize, day, cell.sum, cell.scale, cell.rows);
        }
        self.flush();
    }

    /// Adds a merged cell: straight into the line's array when it has one
    /// (the cells come in day order, so this runs through the array; going
    /// through the queue was a tenth of a report over 10^5 rows), else as
    /// a row would be added.
    fn merge(&mut self, line: usize, day: i64, ore: i128, scale: u8, rows: i64) {
        let days = &mut self.lines[line];
        if days.cells.is_empty() {
            self.add_day(line, day, ore, scale, rows);
        } else {
            Self::put(days, &mut self.outliers, line as u32, day, ore, scale, rows);
        }
    }

    /// Each line's days with rows, in date order, and the line's sum.
    pub(super) fn into_lines(mut self) -> Vec<(Vec<DayTotal>, OreSum)> {
        self.flush();
        let mut out: Vec<(Vec<DayTotal>, OreSum)> = Vec::with_capacity(self.lines.len());
        for days in &self.lines {
            let mut line_sum = OreSum::default();
            let totals = days
                .cells
                .iter()
                .enumerate()
                .filter(|(_, cell)| cell.rows > 0)
                .filter_map(|(i, cell)| {
                    let sum = OreSum {
                        ore: i128::from(cell.sum),
                        scale: cell.scale,
                    };
                    line_sum.add_sum(sum);
                    let date = date_of(days.first + i as i64)?;
                    Some(day_total(date, sum, i64::from(cell.rows)))
                })
                .collect();
            out.push((totals, line_sum));
        }
        // Days outside the arrays: lines still in their small tables, and
        // the side table; pushed after the array's days, so sorted after.
        let sparse = self.lines.iter().enumerate().flat_map(|(line, days)| {
            days.sparse
                .iter()
                .map(move |(day, cell)| (line, *day, cell))
        });
        let outliers = self
            .outliers
            .iter()
            .map(|((line, day), cell)| (*line as usize, *day, cell));
        let mut sorted = false;
        for (line, day, cell) in sparse.chain(outliers) {
            if cell.rows == 0 {
                continue;
            }
            if let Some(date) = date_of(day) {
                let (totals, line_sum) = &mut out[line];
                line_sum.add_sum(cell.total());
                totals.push(day_total(date, cell.total(), cell.rows));
                sorted = true;
            }
        }
        if sorted {
            for (totals, _) in &mut out {
                totals.sort_unstable_by_key(|d| d.date);
            }
        }
        out
    }
}

fn day_total(date: Date, sum: OreSum, rows: i64) -> DayTotal {
    DayTotal {
        date,
        amount: sum.to_decimal(),
        rows: u32::try_from(rows).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn date(y: i16, m: i8, d: i8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn amounts_become_ore_whatever_their_scale() {
        assert_eq!(OreSum::ore(dec("12")), 1200);
        assert_eq!(OreSum::ore(dec("12.5")), 1250);
        assert_eq!(OreSum::ore(dec("-12.05")), -1205);
        assert_eq!(OreSum::ore(dec("12.0500")), 1205);
        let mut sum = OreSum::default();
        sum.add(dec("0.10"));
        sum.add(dec("0.20"));
        sum.sub(dec("0.05"));
        assert_eq!(sum.to_decimal(), dec("0.25"));
        assert_eq!(sum.to_decimal().scale(), 2);
    }

    /// Regression: sums came back at two decimals whatever their amounts
    /// (`300.00`, `0.00`), where adding the `Decimal`s gives `300` and `0`;
    /// reports in JSON and HTML then changed with the way sums were made.
    #[test]
    fn sums_keep_the_largest_scale_of_their_amounts() {
        let sum_of = |amounts: &[&str]| {
            let mut sum = OreSum::default();
            amounts.iter().for_each(|a| sum.add(dec(a)));
            sum.to_decimal().to_string()
        };
        assert_eq!(sum_of(&[]), "0");
        assert_eq!(sum_of(&["100", "200"]), "300");
        assert_eq!(sum_of(&["100", "50.5"]), "150.5");
        assert_eq!(sum_of(&["100", "50.50"]), "150.50");
        assert_eq!(sum_of(&["1.500", "1"]), "2.500");
        for (amounts, sum) in [
            (&["100", "200"][..], "300"),
            (&["0.10", "0.90"][..], "1.00"),
        ] {
            let expected: Decimal = amounts.iter().map(|a| dec(a)).sum();
            assert_eq!(expected.to_string(), sum, "as Decimal addition gives");
        }
        // A day emptied (its row taken back) starts again at scale 0.
        let mut totals = DayTotals::new(1);
        let day = date(2024, 5, 2);
        totals.add(0, day, dec("1.50"), 1);
        totals.add(0, day, dec("-1.50"), -1);
        totals.add(0, day, dec("2"), 1);
        let lines = totals.into_lines();
        assert_eq!(lines[0].0[0].amount.to_string(), "2");
        assert_eq!(lines[0].1.to_decimal().to_string(), "2");
    }

    #[test]
    fn sums_beyond_sixty_four_bits_stay_exact() {
        let mut totals = DayTotals::new(1);
        let big = i128::from(i64::MAX);
        for _ in 0..4 {
            totals.add_ore(0, date(2024, 2, 29), big, 1);
        }
        let lines = totals.into_lines();
        let (days, sum) = &lines[0];
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].rows, 4);
        assert_eq!(
            days[0].amount,
            Decimal::try_from_i128_with_scale(4 * big, 2).unwrap()
        );
        assert_eq!(sum.ore, 4 * big);
    }

    #[test]
    fn days_come_back_in_order_with_their_dates_and_far_outliers_kept() {
        let mut totals = DayTotals::new(2);
        totals.add_ore(1, date(2025, 3, 1), 500, 1);
        totals.add_ore(1, date(2024, 12, 31), 100, 1);
        totals.add_ore(1, date(1901, 1, 1), 7, 1);
        totals.add_ore(1, date(2025, 3, 1), -500, -1);
        totals.add_ore(1, date(2024, 12, 31), 100, 1);
        let lines = totals.into_lines();
        assert!(lines[0].0.is_empty());
        let days: Vec<(Date, i128, u32)> = lines[1]
            .0
            .iter()
            .map(|d| (d.date, OreSum::ore(d.amount), d.rows))
            .collect();
        assert_eq!(
            days,
            vec![(date(1901, 1, 1), 7, 1), (date(2024, 12, 31), 200, 2)]
        );
        assert_eq!(lines[1].1.ore, 207);
    }

    #[test]
    fn two_tables_absorbed_equal_one_table_of_all_rows() {
        let rows = [
            (0, date(2024, 1, 31), 10),
            (1, date(2024, 2, 1), 20),
            (0, date(2030, 6, 15), 30),
            (0, date(2024, 1, 31), 40),
            (1, date(1999, 12, 31), 50),
        ];
        let mut all = DayTotals::new(2);
        let mut first = DayTotals::new(2);
        let mut second = DayTotals::new(2);
        for (i, &(line, day, ore)) in rows.iter().enumerate() {
            all.add_ore(line, day, ore, 1);
            if i % 2 == 0 { &mut first } else { &mut second }.add_ore(line, day, ore, 1);
        }
        first.absorb(second);
        let show = |t: DayTotals| format!("{:?}", t.into_lines());
        assert_eq!(show(first), show(all));
    }

    proptest::proptest! {
        /// The table gives what a plain map of (line, day) gives, with
        /// days outside a line's window, sums beyond 64 bits, and rows
        /// taken back (each at most once, as duplicates are).
        #[test]
        fn the_table_sums_as_a_plain_map_does(
            additions in proptest::collection::vec(
                (0usize..3, 0i64..2500, -1_000_000i128..1_000_000, proptest::bool::weighted(0.02)),
                0..1200,
            ),
            take_back in proptest::collection::btree_set(0usize..1200, 0..40),
            split in 0usize..1200,
        ) {
            let base = day_number(date(2024, 1, 1));
            let mut table = DayTotals::new(3);
            // The same additions in two parts, merged before the take-backs,
            // as an import in parts does.
            let (mut first, mut second) = (DayTotals::new(3), DayTotals::new(3));
            for (i, &(line, day, ore, huge)) in additions.iter().enumerate() {
                let ore = if huge { ore * i128::from(i64::MAX) } else { ore };
                if let Some(d) = date_of(base + day) {
                    if i < split { &mut first } else { &mut second }.add_ore(line, d, ore, 1);
                }
            }
            first.absorb(second);
            for &i in &take_back {
                if let Some(&(line, day, ore, huge)) = additions.get(i) {
                    let ore = if huge { ore * i128::from(i64::MAX) } else { ore };
                    if let Some(d) = date_of(base + day) {
                        first.add_ore(line, d, -ore, -1);
                    }
                }
            }
            let mut plain: std::collections::BTreeMap<(usize, i64), (i128, i64)> = Default::default();
            let mut add = |line: usize, day: i64, ore: i128, rows: i64| {
                let Some(d) = date_of(base + day) else { return };
                table.add_ore(line, d, ore, rows);
                let entry = plain.entry((line, day_number(d))).or_default();
                entry.0 += ore;
                entry.1 += rows;
            };
            for &(line, day, ore, huge) in &additions {
                let ore = if huge { ore * i128::from(i64::MAX) } else { ore };
                add(line, day, ore, 1);
            }
            for &i in &take_back {
                if let Some(&(line, day, ore, huge)) = additions.get(i) {
                    let ore = if huge { ore * i128::from(i64::MAX) } else { ore };
                    add(line, day, -ore, -1);
                }
            }
            let shown = |table: DayTotals| -> Vec<Vec<(Date, i128, u32)>> {
                table
                    .into_lines()
                    .into_iter()
                    .map(|(days, _)| days.iter().map(|d| (d.date, OreSum::ore(d.amount), d.rows)).collect())
                    .collect()
            };
            let got = shown(table);
            let merged = shown(first);
            let mut want: Vec<Vec<(Date, i128, u32)>> = vec![Vec::new(); 3];
            for (&(line, day), &(ore, rows)) in &plain {
                if rows > 0 {
                    want[line].push((date_of(day).unwrap(), ore, rows as u32));
                }
            }
            proptest::prop_assert_eq!(&got, &want);
            proptest::prop_assert_eq!(merged, want);
        }
    }
}
