//! A store's opening hours as real moments: open now, next opening or closing, and when a
//! click & collect order is ready. Everything is computed in the store's own time zone, so
//! a Salzburg store is judged by Salzburg's clock whatever the server's is, across midnight
//! and on the days clocks change.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use chrono_tz::Tz;
use vitrine_types::OpeningHours;

/// How far ahead opening hours are looked at: a store closed longer has no pickup time.
const HORIZON_DAYS: u64 = 14;
/// Pickup times are rounded up to the next quarter hour, as shops promise them.
const PICKUP_ROUNDING_S: i64 = 15 * 60;

/// One store's week, in its time zone. Built from imported (already validated) hours.
#[derive(Debug, Clone)]
pub struct StoreHours {
    tz: Tz,
    /// Per weekday (Monday first): intervals as minutes after local midnight, `close` may be
    /// 1440 (`24:00`).
    week: [Vec<(u32, u32)>; 7],
}

/// An opening interval as real moments, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Open {
    start: i64,
    end: i64,
}

impl StoreHours {
    /// The hours of a store in time zone `tz`; times that do not parse are left out (the
    /// importer refuses them, so none reach here).
    pub fn new(tz: Tz, hours: &OpeningHours) -> Self {
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for (day, intervals) in hours {
            let index = day.days_from_monday();
            week[index] = intervals
                .iter()
                .filter_map(|[open, close]| Some((minutes(open)?, minutes(close)?)))
                .filter(|(open, close)| open < close)
                .collect();
            week[index].sort_unstable();
        }
        StoreHours { tz, week }
    }

    /// The store's time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// Whether the store is open at `now` (Unix seconds).
    pub fn is_open(&self, now: i64) -> bool {
        self.intervals(now)
            .any(|open| open.start <= now && now < open.end)
    }

    /// When the store next closes (open at `now`) or opens (closed), within two weeks.
    /// A store open round the clock has none.
    pub fn next_change(&self, now: i64) -> Option<DateTime<Tz>> {
        let horizon = self.date(now) + Days::new(HORIZON_DAYS);
        let at = self.intervals(now).find_map(|open| {
            if open.start <= now && now < open.end {
                // Open to the end of the horizon: no closing in sight.
                (self.local(open.end).date_naive() <= horizon).then_some(open.end)
            } else if open.start > now {
                Some(open.start)
            } else {
                None
            }
        })?;
        Some(self.local(at))
    }

    /// When an order placed at `now` is ready: `preparation_minutes` of the store's opening
    /// time after `now` (work stops while it is closed), rounded up to the quarter hour when
    /// that stays within the opening; `None` when the store does not open enough in two weeks.
    pub fn pickup_ready(&self, now: i64, preparation_minutes: u32) -> Option<DateTime<Tz>> {
        let mut remaining = i64::from(preparation_minutes) * 60;
        for open in self.intervals(now).filter(|open| open.end > now) {
            let start = open.start.max(now);
            if start + remaining < open.end || (remaining == 0 && start < open.end) {
                let ready = start + remaining;
                let rounded = ready
                    + (PICKUP_ROUNDING_S - ready.rem_euclid(PICKUP_ROUNDING_S)) % PICKUP_ROUNDING_S;
                return Some(self.local(if rounded < open.end { rounded } else { ready }));
            }
            remaining -= open.end - start;
        }
        None
    }

    /// The store's calendar day of `at`.
    pub fn date(&self, at: i64) -> NaiveDate {
        self.local(at).date_naive()
    }

    /// `at` on the store's clock.
    pub fn local(&self, at: i64) -> DateTime<Tz> {
        self.tz
            .timestamp_opt(at, 0)
            .single()
            .expect("every Unix second maps to one local time")
    }

    /// The opening intervals from the day before `now` (a night opening may run past
    /// midnight) to the horizon, in order, touching intervals merged: Sunday 22:00–24:00 and
    /// Monday 00:00–02:00 are one opening that closes at 02:00.
    fn intervals(&self, now: i64) -> impl Iterator<Item = Open> {
        let today = self.date(now);
        let mut merged: Vec<Open> = Vec::new();
        for offset in 0..=HORIZON_DAYS + 1 {
            let Some(date) = today
                .checked_sub_days(Days::new(1))
                .and_then(|d| d.checked_add_days(Days::new(offset)))
            else {
                continue;
            };
            let index = date.weekday().num_days_from_monday() as usize;
            for &(open, close) in &self.week[index] {
                let start = self.moment(date, open);
                let end = self.moment(date, close);
                if end <= start {
                    continue;
                }
                match merged.last_mut() {
                    Some(last) if start <= last.end => last.end = last.end.max(end),
                    _ => merged.push(Open { start, end }),
                }
            }
        }
        merged.into_iter()
    }

    /// The moment of `minutes` after midnight on `date`, local time. A time the clocks skip
    /// (02:30 on the spring change) is the moment the clocks land on; a time that happens
    /// twice (02:30 in autumn) is its first occurrence.
    fn moment(&self, date: NaiveDate, minutes: u32) -> i64 {
        let midnight = NaiveDateTime::new(date, NaiveTime::MIN);
        let wanted = midnight + chrono::Duration::minutes(i64::from(minutes));
        match self.tz.from_local_datetime(&wanted) {
            LocalResult::Single(at) => at.timestamp(),
            LocalResult::Ambiguous(first, _) => first.timestamp(),
            LocalResult::None => {
                // In a gap: the first quarter hour that exists (gaps are whole quarter hours
                // and at most a few hours long in the IANA data).
                (1..=24 * 4)
                    .map(|quarter| wanted + chrono::Duration::minutes(15 * quarter))
                    .find_map(|later| self.tz.from_local_datetime(&later).earliest())
                    .map_or_else(|| wanted.and_utc().timestamp(), |at| at.timestamp())
            }
        }
    }
}

/// Minutes since midnight of `HH:MM`, 00:00 to 24:00: how imports check opening hours and how
/// availability reads them.
pub fn minutes(time: &str) -> Option<u32> {
    let bytes = time.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digits = |pair: &[u8]| -> Option<u32> {
        pair.iter().try_fold(0, |value, &b| {
            b.is_ascii_digit().then(|| value * 10 + u32::from(b - b'0'))
        })
    };
    let (hours, mins) = (digits(&bytes[..2])?, digits(&bytes[3..])?);
    match (hours, mins) {
        (0..=23, 0..=59) | (24, 0) => Some(hours * 60 + mins),
        _ => None,
    }
}

/// Checks a store's opening hours as a shop sends them (imports refuse the row otherwise):
/// times `HH:MM` from 00:00 to 24:00, each interval opening before it closes, none
/// overlapping another of the same day.
pub fn check(hours: &OpeningHours) -> Result<(), String> {
    for (day, intervals) in hours {
        let day = serde_json::to_value(day).unwrap_or_default();
        let day = day.as_str().unwrap_or_default();
        let mut spans = Vec::with_capacity(intervals.len());
        for [open, close] in intervals {
            let (Some(from), Some(to)) = (minutes(open), minutes(close)) else {
                return Err(format!(
                    "opening_hours.{day}: times are HH:MM from 00:00 to 24:00, not `{open}`–`{close}`"
                ));
            };
            if from >= to {
                return Err(format!(
                    "opening_hours.{day}: {open}–{close} must open before it closes"
                ));
            }
            spans.push((from, to, open, close));
        }
        spans.sort();
        for pair in spans.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(format!(
                    "opening_hours.{day}: {}–{} overlaps {}–{}",
                    pair[0].2, pair[0].3, pair[1].2, pair[1].3
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine_types::Weekday;

    /// Mon–Fri 10:00–20:00, Sat 09:30–18:00, Sunday closed.
    fn city_store(tz: &str) -> StoreHours {
        let mut hours = OpeningHours::new();
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            hours.insert(day, vec![["10:00".into(), "20:00".into()]]);
        }
        hours.insert(Weekday::Sat, vec![["09:30".into(), "18:00".into()]]);
        hours.insert(Weekday::Sun, vec![]);
        StoreHours::new(tz.parse().unwrap(), &hours)
    }

    /// Unix seconds of a local wall-clock time in `tz`.
    fn at(tz: &str, local: &str) -> i64 {
        let tz: Tz = tz.parse().unwrap();
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        tz.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .timestamp()
    }

    fn shown(moment: Option<DateTime<Tz>>) -> String {
        moment.map(|m| m.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn open_now_is_judged_by_the_stores_own_clock() {
        let berlin = city_store("Europe/Berlin");
        let london = city_store("Europe/London");
        // 09:30 in Berlin is 08:30 in London: the same moment, one store open, one not.
        let moment = at("Europe/Berlin", "2026-11-24 10:30");
        assert!(berlin.is_open(moment));
        assert!(!london.is_open(moment));
        assert_eq!(
            shown(london.next_change(moment)),
            "2026-11-24T10:00:00+00:00"
        );
        assert_eq!(
            shown(berlin.next_change(moment)),
            "2026-11-24T20:00:00+01:00"
        );
        // Closing time itself is closed.
        assert!(!berlin.is_open(at("Europe/Berlin", "2026-11-24 20:00")));
    }

    #[test]
    fn a_night_opening_runs_across_midnight_and_closes_once() {
        let mut hours = OpeningHours::new();
        hours.insert(Weekday::Fri, vec![["18:00".into(), "24:00".into()]]);
        hours.insert(
            Weekday::Sat,
            vec![
                ["00:00".into(), "02:00".into()],
                ["10:00".into(), "14:00".into()],
            ],
        );
        let store = StoreHours::new("Europe/Zurich".parse().unwrap(), &hours);
        let before_midnight = at("Europe/Zurich", "2026-11-27 23:30");
        assert!(store.is_open(before_midnight));
        assert_eq!(
            shown(store.next_change(before_midnight)),
            "2026-11-28T02:00:00+01:00"
        );
        let after_midnight = at("Europe/Zurich", "2026-11-28 00:30");
        assert!(store.is_open(after_midnight));
        assert_eq!(
            shown(store.next_change(after_midnight)),
            "2026-11-28T02:00:00+01:00"
        );
        let night = at("Europe/Zurich", "2026-11-28 03:00");
        assert!(!store.is_open(night));
        assert_eq!(shown(store.next_change(night)), "2026-11-28T10:00:00+01:00");
        // An order at 23:30 with one hour to prepare: 00:30, the same opening.
        assert_eq!(
            shown(store.pickup_ready(before_midnight, 60)),
            "2026-11-28T00:30:00+01:00"
        );
    }

    #[test]
    fn on_the_spring_clock_change_the_day_is_an_hour_shorter() {
        // 29 March 2026: clocks go from 02:00 to 03:00 in Berlin.
        let mut hours = OpeningHours::new();
        hours.insert(Weekday::Sun, vec![["00:00".into(), "12:00".into()]]);
        let store = StoreHours::new("Europe/Berlin".parse().unwrap(), &hours);
        let one_am = at("Europe/Berlin", "2026-03-29 01:00");
        assert!(store.is_open(one_am));
        assert_eq!(
            shown(store.next_change(one_am)),
            "2026-03-29T12:00:00+02:00"
        );
        // Two hours of work from 01:00 end at 04:00 on the clock: 02:00–03:00 does not exist.
        assert_eq!(
            shown(store.pickup_ready(one_am, 120)),
            "2026-03-29T04:00:00+02:00"
        );
        // Opening at 02:30, a time that does not exist that day, opens when clocks land at 03:00.
        let mut gap = OpeningHours::new();
        gap.insert(Weekday::Sun, vec![["02:30".into(), "06:00".into()]]);
        let store = StoreHours::new("Europe/Berlin".parse().unwrap(), &gap);
        assert_eq!(
            shown(store.next_change(at("Europe/Berlin", "2026-03-29 01:00"))),
            "2026-03-29T03:00:00+02:00"
        );
    }

    #[test]
    fn on_the_autumn_clock_change_the_day_is_an_hour_longer() {
        // 25 October 2026: clocks go from 03:00 back to 02:00 in Vienna.
        let mut hours = OpeningHours::new();
        hours.insert(Weekday::Sun, vec![["01:00".into(), "05:00".into()]]);
        let store = StoreHours::new("Europe/Vienna".parse().unwrap(), &hours);
        let opening = at("Europe/Vienna", "2026-10-25 01:00");
        // Five real hours between 01:00 and 05:00 that day: four hours of work end at 04:00.
        assert_eq!(
            shown(store.pickup_ready(opening, 4 * 60)),
            "2026-10-25T04:00:00+01:00"
        );
        assert_eq!(
            shown(store.next_change(opening)),
            "2026-10-25T05:00:00+01:00"
        );
    }

    #[test]
    fn pickup_rolls_over_a_closed_sunday_to_monday_morning() {
        let store = city_store("Europe/Berlin");
        // Saturday 17:00, two hours to prepare, closes at 18:00: one hour Saturday, one
        // Monday from 10:00.
        let saturday = at("Europe/Berlin", "2026-11-28 17:00");
        let ready = store.pickup_ready(saturday, 120).unwrap();
        assert_eq!(ready.to_rfc3339(), "2026-11-30T11:00:00+01:00");
        assert_eq!((ready.date_naive() - store.date(saturday)).num_days(), 2);
        // Ordered on Sunday: work starts at Monday's opening.
        let sunday = at("Europe/Berlin", "2026-11-29 12:00");
        assert_eq!(
            shown(store.pickup_ready(sunday, 120)),
            "2026-11-30T12:00:00+01:00"
        );
        assert!(!store.is_open(sunday));
        assert_eq!(
            shown(store.next_change(sunday)),
            "2026-11-30T10:00:00+01:00"
        );
    }

    #[test]
    fn pickup_today_is_rounded_up_to_the_quarter_hour() {
        let store = city_store("Europe/Berlin");
        let tuesday = at("Europe/Berlin", "2026-11-24 13:07");
        assert_eq!(
            shown(store.pickup_ready(tuesday, 120)),
            "2026-11-24T15:15:00+01:00"
        );
        assert_eq!(
            shown(store.pickup_ready(tuesday, 0)),
            "2026-11-24T13:15:00+01:00"
        );
        // Ready at 19:55: rounding to 20:00 would be closing time, so 19:55 it is.
        let late = at("Europe/Berlin", "2026-11-24 17:55");
        assert_eq!(
            shown(store.pickup_ready(late, 120)),
            "2026-11-24T19:55:00+01:00"
        );
        // Ready exactly at closing time is too late: the next morning.
        let closing = at("Europe/Berlin", "2026-11-24 18:00");
        assert_eq!(
            shown(store.pickup_ready(closing, 120)),
            "2026-11-25T10:00:00+01:00"
        );
    }

    #[test]
    fn a_store_open_round_the_clock_never_closes() {
        let mut hours = OpeningHours::new();
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ] {
            hours.insert(day, vec![["00:00".into(), "24:00".into()]]);
        }
        let store = StoreHours::new("Europe/Berlin".parse().unwrap(), &hours);
        let now = at("Europe/Berlin", "2026-11-24 03:10");
        assert!(store.is_open(now));
        assert_eq!(store.next_change(now), None);
        assert_eq!(
            shown(store.pickup_ready(now, 30)),
            "2026-11-24T03:45:00+01:00"
        );
    }

    #[test]
    fn a_store_without_hours_never_opens() {
        let store = StoreHours::new("Europe/Berlin".parse().unwrap(), &OpeningHours::new());
        let now = at("Europe/Berlin", "2026-11-24 12:00");
        assert!(!store.is_open(now));
        assert_eq!(store.next_change(now), None);
        assert_eq!(store.pickup_ready(now, 0), None);
    }
}
