//! Catalogue imports: products, stores and stock per store, as NDJSON or CSV of any size.
//!
//! The input is read line by line (memory does not grow with its size). Each line is parsed
//! and checked at the edge; good rows are upserted in transactions of at most
//! [`BATCH_ROWS`] rows, bad lines are reported with their line number (1-based as in the file;
//! in CSV the header is line 1) and a stable code. A row is written whole or not at all; an
//! input that breaks off keeps the batches committed before, and as every write is an upsert,
//! sending the same input again is safe. Used by `POST /v1/{products,stores,stock}` and by
//! `vitrine-server import` (see [`cli`]).

pub mod ingest;

pub mod cli;
mod csv_records;
mod validate;

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use vitrine_types::{ImportResult, LineError, OpeningHours, ProductRow, StockRow, StoreRow};

use crate::storage::db::Db;
use csv_records::{CsvRecord, CsvRecords};

pub use cli::{run, ImportArgs};
pub use validate::{check_product, check_stock, check_store};

/// Most rows written in one transaction.
pub const BATCH_ROWS: usize = 500;
/// Most line errors listed in an [`ImportResult`]; the rest are only counted.
pub const MAX_LISTED_ERRORS: usize = 1_000;
/// Longest NDJSON line or CSV record read; a longer one is refused (`line_too_long`,
/// `record_too_long`) without being buffered.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// What an import holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// [`ProductRow`]s, keyed by `sku`.
    Products,
    /// [`StoreRow`]s, keyed by `store_id`.
    Stores,
    /// [`StockRow`]s, keyed by `store_id` and `sku`; both must exist already.
    Stock,
}

/// How an import is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header line naming the columns.
    Csv,
}

/// Why an import stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be read (a broken connection, a file error).
    #[error("the input could not be read: {0}")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A line's refusal: a stable code and a message for the developer.
type Refusal = (&'static str, String);

/// A checked row, ready to be written.
enum Row {
    Product(ProductRow),
    Store(StoreRow),
    Stock(StockRow),
}

/// Reads `input` to its end and upserts its good rows into `shop_id`'s catalogue.
pub async fn import<R>(
    db: &Db,
    shop_id: &str,
    kind: Kind,
    format: Format,
    input: R,
) -> Result<ImportResult, ImportError>
where
    R: AsyncBufRead + Unpin + Send,
{
    let mut importer = Importer {
        db,
        shop_id,
        result: ImportResult::default(),
        rows: Vec::with_capacity(BATCH_ROWS),
        errors: Vec::new(),
    };
    match format {
        Format::Ndjson => read_ndjson(&mut importer, kind, input).await?,
        Format::Csv => read_csv(&mut importer, kind, input).await?,
    }
    importer.flush().await?;
    Ok(importer.result)
}

/// The state of one import: the batch being gathered and the result so far.
struct Importer<'a> {
    db: &'a Db,
    shop_id: &'a str,
    result: ImportResult,
    /// Good rows not written yet, with their line numbers.
    rows: Vec<(u64, Row)>,
    /// Refused lines of the current batch, not yet in `result` (kept so that errors are
    /// listed in line order even though unknown stores and SKUs are found when writing).
    errors: Vec<LineError>,
}

impl Importer<'_> {
    async fn accept(&mut self, line: u64, parsed: Result<Row, Refusal>) -> sqlx::Result<()> {
        match parsed {
            Ok(row) => self.rows.push((line, row)),
            Err((code, message)) => self.errors.push(LineError {
                line,
                code: code.into(),
                message,
            }),
        }
        if self.rows.len() + self.errors.len() >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the gathered rows in one transaction and moves the batch's errors, in line
    /// order, into the result.
    async fn flush(&mut self) -> sqlx::Result<()> {
        if !self.rows.is_empty() {
            let mut tx = crate::storage::db::begin_write(self.db).await?;
            let mut stock = Vec::new();
            for (line, row) in self.rows.drain(..) {
                match row {
                    Row::Stock(row) => stock.push((line, row)),
                    Row::Product(_) | Row::Store(_) => {
                        write_row(&mut tx, self.shop_id, &row).await?;
                        self.result.upserted += 1;
                    }
                }
            }
            let (written, refused) = write_stock(&mut tx, self.shop_id, stock).await?;
            tx.commit().await?;
            self.result.upserted += written;
            self.errors.extend(refused);
        }
        self.errors.sort_by_key(|error| error.line);
        for error in self.errors.drain(..) {
            if self.result.errors.len() < MAX_LISTED_ERRORS {
                self.result.errors.push(error);
            } else {
                self.result.errors_truncated += 1;
            }
        }
        Ok(())
    }
}

async fn read_ndjson<R>(
    importer: &mut Importer<'_>,
    kind: Kind,
    mut input: R,
) -> Result<(), ImportError>
where
    R: AsyncBufRead + Unpin + Send,
{
    let mut buffer = Vec::new();
    let mut line = 0;
    while let Some(complete) = read_line(&mut input, &mut buffer).await? {
        line += 1;
        if !complete {
            let refusal = (
                "line_too_long",
                format!("a line holds at most {MAX_LINE_BYTES} bytes"),
            );
            importer.accept(line, Err(refusal)).await?;
            continue;
        }
        let bytes = match buffer.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if line == 1 => rest,
            _ => &buffer[..],
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim(),
            Err(err) => {
                let refusal = ("invalid_utf8", format!("the line is not UTF-8: {err}"));
                importer.accept(line, Err(refusal)).await?;
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        importer.accept(line, parse_json(kind, text)).await?;
    }
    Ok(())
}

/// Reads one line (without its `\n`) into `buffer`. `None` at the end of the input;
/// `Some(false)` when the line was longer than [`MAX_LINE_BYTES`] (its rest is skipped).
async fn read_line<R>(input: &mut R, buffer: &mut Vec<u8>) -> std::io::Result<Option<bool>>
where
    R: AsyncBufRead + Unpin,
{
    buffer.clear();
    let mut read_any = false;
    let mut complete = true;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(read_any.then_some(complete));
        }
        read_any = true;
        let (chunk, used, end) = match available.iter().position(|&byte| byte == b'\n') {
            Some(at) => (&available[..at], at + 1, true),
            None => (available, available.len(), false),
        };
        if complete && buffer.len() + chunk.len() <= MAX_LINE_BYTES {
            buffer.extend_from_slice(chunk);
        } else {
            complete = false;
            buffer.clear();
        }
        input.consume(used);
        if end {
            return Ok(Some(complete));
        }
    }
}

fn parse_json(kind: Kind, text: &str) -> Result<Row, Refusal> {
    fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Refusal> {
        serde_json::from_str(text).map_err(|err| ("invalid_json", err.to_string()))
    }
    match kind {
        Kind::Products => checked_product(json(text)?),
        Kind::Stores => checked_store(json(text)?),
        Kind::Stock => checked_stock(json(text)?),
    }
}

fn checked_product(row: ProductRow) -> Result<Row, Refusal> {
    check_product(&row).map_err(|message| ("invalid_product", message))?;
    Ok(Row::Product(row))
}

fn checked_store(row: StoreRow) -> Result<Row, Refusal> {
    check_store(&row).map_err(|message| ("invalid_store", message))?;
    Ok(Row::Store(row))
}

fn checked_stock(row: StockRow) -> Result<Row, Refusal> {
    check_stock(&row).map_err(|message| ("invalid_stock", message))?;
    Ok(Row::Stock(row))
}

/// A product as a CSV line holds it: `attributes` is a JSON object in one column.
#[derive(Deserialize)]
struct CsvProduct {
    sku: String,
    title: String,
    price_minor: i64,
    currency: String,
    url: String,
    image_url: String,
    category: String,
    #[serde(default)]
    attributes: Option<String>,
}

/// A store as a CSV line holds it: `opening_hours` is a JSON object in one column.
#[derive(Deserialize)]
struct CsvStore {
    store_id: String,
    name: String,
    street: String,
    postcode: String,
    city: String,
    country: String,
    lat: f64,
    lon: f64,
    timezone: String,
    opening_hours: String,
    pickup_preparation_minutes: Option<u32>,
}

const PRODUCT_COLUMNS: &[&str] = &[
    "sku",
    "title",
    "price_minor",
    "currency",
    "url",
    "image_url",
    "category",
];
const STORE_COLUMNS: &[&str] = &[
    "store_id",
    "name",
    "street",
    "postcode",
    "city",
    "country",
    "lat",
    "lon",
    "timezone",
    "opening_hours",
];
const STOCK_COLUMNS: &[&str] = &["store_id", "sku", "quantity"];

async fn read_csv<R>(importer: &mut Importer<'_>, kind: Kind, input: R) -> Result<(), ImportError>
where
    R: AsyncBufRead + Unpin + Send,
{
    let mut records = CsvRecords::new(input, MAX_LINE_BYTES);
    let too_long = || {
        (
            "record_too_long",
            format!(
                "a CSV record holds at most {MAX_LINE_BYTES} bytes; this one is longer \
                 (an unterminated quote runs to the end of the input)"
            ),
        )
    };
    let headers = match records.next().await? {
        None => return Ok(()),
        Some(CsvRecord::TooLong { line }) => {
            return Ok(importer.accept(line, Err(too_long())).await?)
        }
        Some(CsvRecord::Fields { record, .. }) => record,
    };
    let mut headers: csv::ByteRecord = headers
        .iter()
        .enumerate()
        .map(|(index, name)| match name.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if index == 0 => rest,
            _ => name,
        })
        .collect();
    headers.trim();
    if headers.is_empty() {
        return Ok(());
    }
    let required = match kind {
        Kind::Products => PRODUCT_COLUMNS,
        Kind::Stores => STORE_COLUMNS,
        Kind::Stock => STOCK_COLUMNS,
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|column| !headers.iter().any(|name| name == column.as_bytes()))
        .collect();
    if !missing.is_empty() {
        // Every line would fail the same way: one error on the header says it once.
        let refusal = (
            "invalid_csv",
            format!(
                "the header lacks the column(s) {}; it needs {}",
                missing.join(", "),
                required.join(", ")
            ),
        );
        return Ok(importer.accept(1, Err(refusal)).await?);
    }
    while let Some(record) = records.next().await? {
        match record {
            CsvRecord::Fields { line, record } => {
                importer
                    .accept(line, parse_csv(kind, &record, &headers))
                    .await?
            }
            CsvRecord::TooLong { line } => importer.accept(line, Err(too_long())).await?,
        }
    }
    Ok(())
}

fn parse_csv(
    kind: Kind,
    record: &csv::ByteRecord,
    headers: &csv::ByteRecord,
) -> Result<Row, Refusal> {
    if record.len() != headers.len() {
        return Err((
            "invalid_csv",
            format!(
                "the line has {} fields, the header {}",
                record.len(),
                headers.len()
            ),
        ));
    }
    if let Some(field) = record
        .iter()
        .position(|field| std::str::from_utf8(field).is_err())
    {
        return Err(("invalid_utf8", format!("field {} is not UTF-8", field + 1)));
    }
    fn fields<'a, T: Deserialize<'a>>(
        record: &'a csv::ByteRecord,
        headers: &'a csv::ByteRecord,
    ) -> Result<T, Refusal> {
        record
            .deserialize(Some(headers))
            .map_err(|err| ("invalid_csv", csv_message(&err)))
    }
    fn json_column<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> Result<T, Refusal> {
        serde_json::from_str(text).map_err(|err| {
            (
                "invalid_csv",
                format!("column `{column}` is not a JSON object of the right shape: {err}"),
            )
        })
    }
    match kind {
        Kind::Products => {
            let csv: CsvProduct = fields(record, headers)?;
            let attributes = match csv.attributes.as_deref().map(str::trim) {
                None | Some("") => Default::default(),
                Some(text) => json_column("attributes", text)?,
            };
            checked_product(ProductRow {
                sku: csv.sku,
                title: csv.title,
                price_minor: csv.price_minor,
                currency: csv.currency,
                url: csv.url,
                image_url: csv.image_url,
                category: csv.category,
                attributes,
            })
        }
        Kind::Stores => {
            let csv: CsvStore = fields(record, headers)?;
            let opening_hours: OpeningHours = json_column("opening_hours", &csv.opening_hours)?;
            checked_store(StoreRow {
                store_id: csv.store_id,
                name: csv.name,
                street: csv.street,
                postcode: csv.postcode,
                city: csv.city,
                country: csv.country,
                lat: csv.lat,
                lon: csv.lon,
                timezone: csv.timezone,
                opening_hours,
                pickup_preparation_minutes: csv
                    .pickup_preparation_minutes
                    .unwrap_or(vitrine_types::catalogue::DEFAULT_PICKUP_PREPARATION_MINUTES),
            })
        }
        Kind::Stock => checked_stock(fields(record, headers)?),
    }
}

/// A deserialisation error without the position (the line number says where).
fn csv_message(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(field) => format!("field {}: {}", field + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => err.to_string(),
    }
}

/// Upserts a batch of checked stock rows with a few statements (two per row took 5,000,000
/// rows 8 minutes): which stores and SKUs exist is read for the whole batch, the known rows go
/// in as multi-row upserts. A later line for the same store and SKU wins, as line by line.
/// Returns the rows written and the refused lines.
async fn write_stock(
    tx: &mut sqlx::AnyConnection,
    shop_id: &str,
    rows: Vec<(u64, StockRow)>,
) -> sqlx::Result<(u64, Vec<LineError>)> {
    let stores = existing(
        tx,
        "stores",
        "store_id",
        shop_id,
        rows.iter().map(|(_, r)| &r.store_id),
    )
    .await?;
    let skus = existing(
        tx,
        "products",
        "sku",
        shop_id,
        rows.iter().map(|(_, r)| &r.sku),
    )
    .await?;
    let mut refused = Vec::new();
    let mut latest: HashMap<(&str, &str), i64> = HashMap::new();
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut written = 0;
    for (line, row) in &rows {
        let refusal = if !stores.contains(&row.store_id) {
            Some((
                "unknown_store",
                format!("the shop has no store `{}`", row.store_id),
            ))
        } else if !skus.contains(&row.sku) {
            Some((
                "unknown_sku",
                format!("the shop has no product `{}`", row.sku),
            ))
        } else {
            None
        };
        match refusal {
            Some((code, message)) => refused.push(LineError {
                line: *line,
                code: code.into(),
                message,
            }),
            None => {
                written += 1;
                let key = (row.store_id.as_str(), row.sku.as_str());
                if latest.insert(key, row.quantity).is_none() {
                    order.push(key);
                }
            }
        }
    }
    // 4 parameters a row: well below SQLite's and PostgreSQL's limits.
    for chunk in order.chunks(250) {
        let sql = format!(
            "INSERT INTO stock (shop_id, store_id, sku, quantity) VALUES {}
             ON CONFLICT (shop_id, store_id, sku) DO UPDATE SET quantity = excluded.quantity",
            crate::storage::db::Params::of(tx).rows(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for (store_id, sku) in chunk {
            query = query
                .bind(shop_id)
                .bind(*store_id)
                .bind(*sku)
                .bind(latest[&(*store_id, *sku)]);
        }
        query.execute(&mut *tx).await?;
    }
    Ok((written, refused))
}

/// Which of `ids` are in `table`'s `column` for the shop.
async fn existing<'a>(
    tx: &mut sqlx::AnyConnection,
    table: &str,
    column: &str,
    shop_id: &str,
    ids: impl Iterator<Item = &'a String>,
) -> sqlx::Result<HashSet<String>> {
    let wanted: Vec<&String> = ids.collect::<HashSet<_>>().into_iter().collect();
    let mut found = HashSet::new();
    for chunk in wanted.chunks(500) {
        let params = crate::storage::db::Params::of(tx);
        let sql = format!(
            "SELECT {column} FROM {table} WHERE shop_id = {} AND {column} IN ({})",
            params.one(1),
            params.list(2, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(shop_id);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        found.extend(query.fetch_all(&mut *tx).await?.into_iter().map(|(id,)| id));
    }
    Ok(found)
}

/// Upserts one checked product or store row.
async fn write_row(tx: &mut sqlx::AnyConnection, shop_id: &str, row: &Row) -> sqlx::Result<()> {
    match row {
        Row::Product(product) => {
            let attributes = serde_json::to_string(&product.attributes)
                .expect("a map of strings is always JSON");
            sqlx::query(
                "INSERT INTO products (shop_id, sku, title, price_minor, currency, url, image_url,
                                       category, attributes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (shop_id, sku) DO UPDATE SET title = excluded.title,
                     price_minor = excluded.price_minor, currency = excluded.currency,
                     url = excluded.url, image_url = excluded.image_url,
                     category = excluded.category, attributes = excluded.attributes",
            )
            .bind(shop_id)
            .bind(&product.sku)
            .bind(&product.title)
            .bind(product.price_minor)
            .bind(&product.currency)
            .bind(&product.url)
            .bind(&product.image_url)
            .bind(&product.category)
            .bind(attributes)
            .execute(&mut *tx)
            .await?;
        }
        Row::Store(store) => {
            let opening_hours =
                serde_json::to_string(&store.opening_hours).expect("opening hours are always JSON");
            sqlx::query(
                "INSERT INTO stores (shop_id, store_id, name, street, postcode, city, country,
                                     lat, lon, timezone, opening_hours,
                                     pickup_preparation_minutes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (shop_id, store_id) DO UPDATE SET name = excluded.name,
                     street = excluded.street, postcode = excluded.postcode,
                     city = excluded.city, country = excluded.country, lat = excluded.lat,
                     lon = excluded.lon, timezone = excluded.timezone,
                     opening_hours = excluded.opening_hours,
                     pickup_preparation_minutes = excluded.pickup_preparation_minutes",
            )
            .bind(shop_id)
            .bind(&store.store_id)
            .bind(&store.name)
            .bind(&store.street)
            .bind(&store.postcode)
            .bind(&store.city)
            .bind(&store.country)
            .bind(store.lat)
            .bind(store.lon)
            .bind(&store.timezone)
            .bind(opening_hours)
            .bind(i64::from(store.pickup_preparation_minutes))
            .execute(&mut *tx)
            .await?;
        }
        Row::Stock(_) => unreachable!("stock rows are written in batches by write_stock"),
    }
    Ok(())
}
