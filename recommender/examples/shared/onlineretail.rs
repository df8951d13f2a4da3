//! Reads onlineretail's purchases in place (shared by the evaluation harness and the benches).

use std::error::Error;
use std::fs::File;
use std::path::Path;

use vitrine_recommender::{Channel, Interaction, Kind};

/// Every purchase line of `onlineretail_purchases_clean.csv.gz` as a web purchase.
pub fn purchases(data: &Path) -> Result<Vec<Interaction>, Box<dyn Error>> {
    let path = data.join("onlineretail/onlineretail_purchases_clean.csv.gz");
    let file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut reader = csv::Reader::from_reader(flate2::read::GzDecoder::new(file));
    let mut out = Vec::with_capacity(400_000);
    for row in reader.records() {
        let row = row?;
        let at = parse_datetime(&row[2]).ok_or_else(|| format!("bad date {:?}", &row[2]))?;
        out.push(Interaction {
            profile: row[0].to_owned(),
            sku: row[3].to_owned(),
            kind: Kind::Purchase,
            channel: Channel::Web,
            store: None,
            at,
            quantity: row[4].parse::<f64>().map_or(1, |q| q.max(1.0) as u32),
        });
    }
    Ok(out)
}

/// "YYYY-MM-DD HH:MM:SS" (UTC) to unix seconds.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let (date, time) = s.split_once(' ').unwrap_or((s, "00:00:00"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm) = (t.next()??, t.next()??);
    let ss = t.next().flatten().unwrap_or(0);
    Some(days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
