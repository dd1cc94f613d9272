//! Small counts in the comparison (issue #10): in a small coalition, "1
//! dormant" or "2 below the standard, of whom 1 declared observer" can point
//! to a person. A count of people under `min_group_size` (default 3) is
//! shown as "< 3", and one more count of the same group is hidden with it,
//! so the small one cannot be recovered from the total (members − the two
//! shown classes).

use serde::Serialize;

/// A count as the comparison may show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown as it is.
    Count(u64),
    /// Under `min_group_size`: shown as "< N".
    Small,
    /// Hidden with a small count of the same group, so it cannot be
    /// recovered from the total.
    Hidden,
}

impl Cell {
    /// The shown number, if any.
    pub fn count(self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(n),
            _ => None,
        }
    }

    /// The cell as text, `min` being `min_group_size`.
    pub fn text(self, min: u32) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Small => format!("< {min}"),
            Cell::Hidden => "hidden".into(),
        }
    }

    /// A CSV or JSON cell: a number, or the text of [`Cell::text`].
    pub fn out(self, min: u32) -> Out {
        match self {
            Cell::Count(n) => Out::Int(n as i64),
            c => Out::Text(c.text(min)),
        }
    }
}

/// One cell of comparison.csv or standards.csv: numbers are written as
/// numbers (a negative change is `-3`, never guarded into text), text goes
/// through the formula guard, and an empty cell is empty.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// An integer.
    Int(i64),
    /// A decimal (shares, changes of shares).
    Num(f64),
    /// Text, guarded against formula injection.
    Text(String),
    /// Nothing.
    Empty,
}

impl Serialize for Out {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Int(n) => s.serialize_i64(*n),
            Out::Num(v) => s.serialize_f64((v * 1000.0).round() / 1000.0),
            Out::Text(t) => super::csv::Text(t).serialize(s),
            Out::Empty => s.serialize_str(""),
        }
    }
}

/// Protects one group of counts that add up to a shown total: each count
/// under `min` becomes [`Cell::Small`], and when any is, the smallest count
/// still shown becomes [`Cell::Hidden`] (the first of equals).
///
/// ```
/// use listpulse::report::privacy::{protect, Cell};
/// assert_eq!(protect(&[40, 1, 12], 3), [Cell::Count(40), Cell::Small, Cell::Hidden]);
/// assert_eq!(protect(&[40, 5, 12], 3), [Cell::Count(40), Cell::Count(5), Cell::Count(12)]);
/// ```
pub fn protect(values: &[u64], min: u32) -> Vec<Cell> {
    let min = u64::from(min);
    let mut cells: Vec<Cell> = values
        .iter()
        .map(|&v| if v < min { Cell::Small } else { Cell::Count(v) })
        .collect();
    if cells.contains(&Cell::Small)
        && let Some(i) = (0..cells.len())
            .filter(|&i| matches!(cells[i], Cell::Count(_)))
            .min_by_key(|&i| (values[i], i))
    {
        cells[i] = Cell::Hidden;
    }
    cells
}

/// Protects a count that is part of no sum: under `min` it is small.
pub fn protect_one(value: u64, min: u32) -> Cell {
    if value < u64::from(min) {
        Cell::Small
    } else {
        Cell::Count(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::none_small(&[10, 3, 4], &[Cell::Count(10), Cell::Count(3), Cell::Count(4)])]
    #[case::one_small_hides_the_next_smallest(&[10, 2, 4], &[Cell::Count(10), Cell::Small, Cell::Hidden])]
    #[case::zero_is_small(&[10, 0, 4], &[Cell::Count(10), Cell::Small, Cell::Hidden])]
    #[case::two_small_still_hide_one_more(&[10, 1, 2], &[Cell::Hidden, Cell::Small, Cell::Small])]
    #[case::all_small(&[1, 0, 2], &[Cell::Small, Cell::Small, Cell::Small])]
    #[case::ties_hide_the_first(&[5, 1, 5], &[Cell::Hidden, Cell::Small, Cell::Count(5)])]
    fn a_small_count_takes_one_more_with_it(#[case] values: &[u64], #[case] want: &[Cell]) {
        assert_eq!(protect(values, 3), want);
    }

    #[test]
    fn the_hidden_count_cannot_be_recovered_from_the_total() {
        // members = 41: shown 30 and "< 3" and "hidden" leave two unknowns.
        let cells = protect(&[30, 1, 10], 3);
        let shown: u64 = cells.iter().filter_map(|c| c.count()).sum();
        assert_eq!(shown, 30);
        assert_eq!(cells.iter().filter(|c| c.count().is_none()).count(), 2);
    }

    #[test]
    fn csv_cells_write_numbers_as_numbers() {
        let rows = [vec![
            Out::Int(-3),
            Out::Num(-0.125),
            Cell::Small.out(3),
            Out::Empty,
        ]];
        let out = super::super::csv::write_rows(&["a", "b", "c", "d"], &rows).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b,c,d\n-3,-0.125,< 3,\n");
    }
}
