//! `vitrine-server import products|stores|stock --shop ID --file PATH|- [--format ndjson|csv]`:
//! the same importer as the API, reading a file or standard input; prints the
//! [`ImportResult`](vitrine_types::ImportResult) as JSON and fails when any line was refused.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use bytes::Bytes;
use tokio::io::AsyncBufRead;
use tokio_util::io::StreamReader;

use super::{import, Format, Kind};

/// Options of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The shop the rows belong to.
    #[arg(long)]
    pub shop: String,
    /// The file to read; `-` reads standard input.
    #[arg(long)]
    pub file: PathBuf,
    /// The file's format; by default from its extension (`.ndjson`, `.jsonl`, `.json`, `.csv`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Database URL.
    #[arg(
        long,
        env = "VITRINE_DATABASE_URL",
        default_value = "sqlite://vitrine.db"
    )]
    pub database_url: String,
}

/// Runs an import; an error (exit code 1) when the shop is unknown or any line was refused.
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let stdin = args.file == Path::new("-");
    let format = match args.format {
        Some(format) => format,
        None => format_of(&args.file).with_context(|| {
            format!(
                "cannot tell the format of `{}` from its extension: give --format ndjson|csv",
                args.file.display()
            )
        })?,
    };
    let db = crate::storage::db::connect(&args.database_url).await?;
    let shop: Option<(String,)> = sqlx::query_as("SELECT id FROM shops WHERE id = $1")
        .bind(&args.shop)
        .fetch_optional(&db)
        .await?;
    if shop.is_none() {
        bail!("no shop with id `{}`", args.shop);
    }
    let result = if stdin {
        import(&db, &args.shop, args.kind, format, stdin_reader()).await?
    } else {
        let file = tokio::fs::File::open(&args.file)
            .await
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        let input = tokio::io::BufReader::with_capacity(64 * 1024, file);
        import(&db, &args.shop, args.kind, format, input).await?
    };
    println!("{}", serde_json::to_string_pretty(&result)?);
    let refused = result.errors.len() as u64 + result.errors_truncated;
    if refused > 0 {
        bail!(
            "{refused} line(s) refused, {} row(s) written",
            result.upserted
        );
    }
    Ok(())
}

/// The format a file's extension names, if any (`-` has none).
fn format_of(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "ndjson" | "jsonl" | "json" => Some(Format::Ndjson),
        "csv" => Some(Format::Csv),
        _ => None,
    }
}

/// Standard input as an async reader: a thread reads it in blocks and hands them over a
/// small channel, so at most a few blocks are held at once.
fn stdin_reader() -> impl AsyncBufRead + Unpin + Send {
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        loop {
            let mut block = vec![0; 64 * 1024];
            let item = match stdin.read(&mut block) {
                Ok(0) => break,
                Ok(read) => {
                    block.truncate(read);
                    Ok(Bytes::from(block))
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => Err(err),
            };
            let failed = item.is_err();
            if sender.blocking_send(item).is_err() || failed {
                break;
            }
        }
    });
    let blocks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    StreamReader::new(Box::pin(blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_told_by_the_extension() {
        assert_eq!(format_of(Path::new("a/products.CSV")), Some(Format::Csv));
        assert_eq!(format_of(Path::new("stock.ndjson")), Some(Format::Ndjson));
        assert_eq!(format_of(Path::new("stores.jsonl")), Some(Format::Ndjson));
        assert_eq!(format_of(Path::new("-")), None);
        assert_eq!(format_of(Path::new("export.txt")), None);
    }
}
