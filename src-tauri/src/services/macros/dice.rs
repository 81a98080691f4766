//! `{{roll:...}}` formulas: `NdM`, `dM`, `NdM+K`, `NdM-K`, or a bare `M`
//! (one die of M sides, as SillyTavern reads it). Bounded so any text rolls
//! in microseconds: at most [`MAX_DICE`] dice of at most [`MAX_SIDES`]
//! sides, a modifier of at most [`MAX_SIDES`]; anything else is not a
//! formula, and the macro stays as written.

/// Most dice in one roll.
pub const MAX_DICE: u64 = 1_000;
/// Most sides of a die, and the largest modifier.
pub const MAX_SIDES: u64 = 1_000_000;

/// A parsed formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dice {
    pub count: u64,
    pub sides: u64,
    pub modifier: i64,
}

impl Dice {
    /// Reads a formula (spaces around it allowed, case ignored).
    pub fn parse(formula: &str) -> Option<Dice> {
        let f = formula.trim().to_ascii_lowercase();
        if f.is_empty() {
            return None;
        }
        if f.bytes().all(|b| b.is_ascii_digit()) {
            return Dice::checked(1, number(&f)?, 0);
        }
        let (count, rest) = f.split_once('d')?;
        let count = if count.is_empty() { 1 } else { number(count)? };
        let (sides, modifier) = match rest.find(['+', '-']) {
            Some(i) => {
                let m = number(&rest[i + 1..])?;
                let m = i64::try_from(m).ok()?;
                (&rest[..i], if rest.as_bytes()[i] == b'-' { -m } else { m })
            }
            None => (rest, 0),
        };
        Dice::checked(count, number(sides)?, modifier)
    }

    fn checked(count: u64, sides: u64, modifier: i64) -> Option<Dice> {
        let ok = (1..=MAX_DICE).contains(&count)
            && (1..=MAX_SIDES).contains(&sides)
            && modifier.unsigned_abs() <= MAX_SIDES;
        ok.then_some(Dice {
            count,
            sides,
            modifier,
        })
    }

    /// The total, each die from `next(sides)` (1..=sides).
    pub fn roll(self, mut next: impl FnMut(u64) -> u64) -> i64 {
        let sum: u64 = (0..self.count).map(|_| next(self.sides)).sum();
        // At most 1,000 x 1,000,000: far inside i64.
        i64::try_from(sum).unwrap_or(i64::MAX) + self.modifier
    }
}

/// Digits only, at most 7 of them (bigger is out of bounds anyway).
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::two_d6("2d6", Some((2, 6, 0)))]
    #[case::d20("d20", Some((1, 20, 0)))]
    #[case::bare("20", Some((1, 20, 0)))]
    #[case::plus("2d6+1", Some((2, 6, 1)))]
    #[case::minus(" 3D8-2 ", Some((3, 8, -2)))]
    #[case::huge("999999d999999", None)]
    #[case::zero("0d6", None)]
    #[case::no_sides("2d", None)]
    #[case::words("two dice", None)]
    #[case::double_sign("2d6+-1", None)]
    #[case::empty("", None)]
    fn formulas(#[case] f: &str, #[case] want: Option<(u64, u64, i64)>) {
        let got = Dice::parse(f).map(|d| (d.count, d.sides, d.modifier));
        assert_eq!(got, want);
    }

    #[test]
    fn totals_add_dice_and_modifier() {
        let d = Dice::parse("3d6+2").unwrap();
        assert_eq!(d.roll(|s| s), 20);
        assert_eq!(d.roll(|_| 1), 5);
    }
}
