//! A length of time in words, as SillyTavern's `{{idle_duration}}` says it
//! (moment.js `humanize`): "a few seconds", "a minute", "5 minutes", "an
//! hour", "3 hours", "a day", "4 days", "a month", "2 months", "a year",
//! "3 years", with moment's thresholds.

/// `secs` (not negative) in words.
pub fn humanize(secs: i64) -> String {
    let s = secs.max(0);
    let minutes = (s as f64 / 60.0).round() as i64;
    let hours = (s as f64 / 3600.0).round() as i64;
    let days = (s as f64 / 86_400.0).round() as i64;
    let months = (s as f64 / (86_400.0 * 30.44)).round() as i64;
    let years = (s as f64 / (86_400.0 * 365.25)).round() as i64;
    match s {
        s if s < 45 => "a few seconds".into(),
        s if s < 90 => "a minute".into(),
        s if s < 45 * 60 => format!("{minutes} minutes"),
        s if s < 90 * 60 => "an hour".into(),
        s if s < 22 * 3600 => format!("{hours} hours"),
        s if s < 36 * 3600 => "a day".into(),
        s if s < 26 * 86_400 => format!("{days} days"),
        s if s < 45 * 86_400 => "a month".into(),
        s if s < 320 * 86_400 => format!("{} months", months.max(2)),
        s if s < 548 * 86_400 => "a year".into(),
        _ => format!("{} years", years.max(2)),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::humanize;

    #[rstest]
    #[case::seconds(10, "a few seconds")]
    #[case::minute(60, "a minute")]
    #[case::minutes(600, "10 minutes")]
    #[case::hour(3_600, "an hour")]
    #[case::hours(3 * 3_600, "3 hours")]
    #[case::day(30 * 3_600, "a day")]
    #[case::days(5 * 86_400, "5 days")]
    #[case::month(30 * 86_400, "a month")]
    #[case::months(90 * 86_400, "3 months")]
    #[case::year(400 * 86_400, "a year")]
    #[case::years(3 * 366 * 86_400, "3 years")]
    fn words(#[case] secs: i64, #[case] want: &str) {
        assert_eq!(humanize(secs), want);
    }
}
