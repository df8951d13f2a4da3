//! CSV records read one at a time, none longer than a limit: a record is first split off the
//! input by its line ends outside quotes (as csv-core reads quotes), up to the limit, and only
//! then parsed, so an unterminated quote is skipped to the end of the input with flat memory
//! instead of being gathered whole.

use std::collections::VecDeque;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What the input holds next.
pub(super) enum CsvRecord {
    /// A record's fields and the line it starts on (1-based).
    Fields { line: u64, record: csv::ByteRecord },
    /// A record longer than the limit, skipped to its end, and the line it starts on.
    TooLong { line: u64 },
}

/// Where the splitter is within a record, following csv-core's default dialect: a quote opens
/// a quoted field only at the start of a field, `""` in it is one quote, `\r` and `\n` end a
/// record outside quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl Quoting {
    fn after(self, byte: u8) -> Self {
        match (self, byte) {
            (Self::Quoted, b'"') => Self::QuoteInQuoted,
            (Self::Quoted, _) => Self::Quoted,
            (Self::FieldStart | Self::QuoteInQuoted, b'"') => Self::Quoted,
            (_, b',' | b'\r' | b'\n') => Self::FieldStart,
            _ => Self::Unquoted,
        }
    }
}

/// How a piece of input split off by [`CsvRecords::split`] ended.
enum Piece {
    /// The input ended before any byte.
    End,
    /// A record ending in a line end outside quotes, or at the end of the input (`true`).
    Record { at_end: bool },
    /// A record over the limit, skipped to its end.
    TooLong,
}

/// Reads bounded CSV records from a stream.
pub(super) struct CsvRecords<R> {
    input: R,
    max_bytes: usize,
    /// The line the next byte of input is on.
    line: u64,
    parser: csv_core::Reader,
    piece: Vec<u8>,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes and field ends of a record the parser has begun (only at the end of the input).
    partial: (usize, usize),
    ready: VecDeque<CsvRecord>,
    done: bool,
}

impl<R: AsyncBufRead + Unpin> CsvRecords<R> {
    /// Records of `input`, each at most `max_bytes` long (its line end included).
    pub(super) fn new(input: R, max_bytes: usize) -> Self {
        Self {
            input,
            max_bytes,
            line: 1,
            parser: csv_core::Reader::new(),
            piece: Vec::new(),
            fields: vec![0; 1024],
            ends: vec![0; 64],
            partial: (0, 0),
            ready: VecDeque::new(),
            done: false,
        }
    }

    /// The next record; `None` at the end of the input.
    pub(super) async fn next(&mut self) -> std::io::Result<Option<CsvRecord>> {
        loop {
            if let Some(record) = self.ready.pop_front() {
                return Ok(Some(record));
            }
            if self.done {
                return Ok(None);
            }
            let line = self.line;
            match self.split().await? {
                Piece::End => {
                    self.parse(&[], line);
                    self.done = true;
                }
                Piece::Record { at_end } => {
                    let piece = std::mem::take(&mut self.piece);
                    self.parse(&piece, line);
                    self.piece = piece;
                    if at_end {
                        self.parse(&[], line);
                        self.done = true;
                    }
                }
                Piece::TooLong => self.ready.push_back(CsvRecord::TooLong { line }),
            }
        }
    }

    /// Reads the input up to the end of one record into `piece`, or past it without keeping
    /// it when it is longer than the limit.
    async fn split(&mut self) -> std::io::Result<Piece> {
        self.piece.clear();
        let mut quoting = Quoting::FieldStart;
        let mut read_any = false;
        let mut too_long = false;
        loop {
            let available = self.input.fill_buf().await?;
            if available.is_empty() {
                return Ok(match (read_any, too_long) {
                    (false, _) => Piece::End,
                    (true, true) => Piece::TooLong,
                    (true, false) => Piece::Record { at_end: true },
                });
            }
            read_any = true;
            let mut used = available.len();
            let mut ended = false;
            for (at, &byte) in available.iter().enumerate() {
                let before = quoting;
                quoting = quoting.after(byte);
                if byte == b'\n' {
                    self.line += 1;
                    if before != Quoting::Quoted {
                        used = at + 1;
                        ended = true;
                        break;
                    }
                }
            }
            let chunk = &available[..used];
            if !too_long && self.piece.len() + chunk.len() <= self.max_bytes {
                self.piece.extend_from_slice(chunk);
            } else {
                too_long = true;
                self.piece.clear();
            }
            self.input.consume(used);
            if ended {
                return Ok(if too_long {
                    Piece::TooLong
                } else {
                    Piece::Record { at_end: false }
                });
            }
        }
    }

    /// Feeds `input` (empty: the end of the input) to the parser and queues the records it
    /// completes, each on `line`.
    fn parse(&mut self, mut input: &[u8], line: u64) {
        use csv_core::ReadRecordResult;
        loop {
            let (out, end) = self.partial;
            let (result, read, written, ended) =
                self.parser
                    .read_record(input, &mut self.fields[out..], &mut self.ends[end..]);
            input = &input[read..];
            self.partial = (out + written, end + ended);
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return,
                ReadRecordResult::OutputFull => {
                    let grown = self.fields.len() * 2;
                    self.fields.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    let (_, count) = self.partial;
                    let mut record = csv::ByteRecord::with_capacity(self.partial.0, count);
                    let mut start = 0;
                    for &end in &self.ends[..count] {
                        record.push_field(&self.fields[start..end]);
                        start = end;
                    }
                    self.partial = (0, 0);
                    self.ready.push_back(CsvRecord::Fields { line, record });
                    if input.is_empty() {
                        return;
                    }
                }
            }
        }
    }
}
