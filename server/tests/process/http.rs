//! A minimal HTTP/1.1 client over `std::net::TcpStream`: one connection per request
//! (`Connection: close`), answers read by `Content-Length` (or to the end of the stream when
//! there is none). Small enough to trust, and it can stop half-way through a request, which
//! the graceful-shutdown test needs.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// How long any connect, read or write may block: generous, for a busy 2-core machine.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A final (non-1xx) answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("body is not JSON ({err}): {}", self.text()))
    }
}

/// One request on its own connection, sent in steps: head, then body, then the answer.
pub struct Exchange {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Exchange {
    /// Connects and sends the request head. `Host`, `Content-Length` and `Connection: close`
    /// are added; `headers` are the others.
    pub fn start(
        addr: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        content_length: usize,
    ) -> io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Length: {content_length}\r\n"
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut writer = stream.try_clone()?;
        writer.write_all(head.as_bytes())?;
        Ok(Self {
            reader: BufReader::new(stream),
            writer,
        })
    }

    /// Sends (more of) the body.
    pub fn send_body(&mut self, body: &[u8]) -> io::Result<()> {
        self.writer.write_all(body)?;
        self.writer.flush()
    }

    /// Reads one answer head and returns its status, for an interim `100 Continue`.
    pub fn read_interim(&mut self) -> io::Result<u16> {
        Ok(self.read_head()?.0)
    }

    /// Reads the final answer, skipping interim (1xx) ones.
    pub fn finish(mut self) -> io::Result<Response> {
        loop {
            let (status, content_length) = self.read_head()?;
            if (100..200).contains(&status) {
                continue;
            }
            let mut body = Vec::new();
            match content_length {
                Some(length) => {
                    body.resize(length, 0);
                    self.reader.read_exact(&mut body)?;
                }
                // No length and `Connection: close`: the body ends with the stream.
                None => {
                    self.reader.read_to_end(&mut body)?;
                }
            }
            return Ok(Response { status, body });
        }
    }

    /// Reads a status line and headers; returns the status and the `Content-Length`.
    fn read_head(&mut self) -> io::Result<(u16, Option<usize>)> {
        let status_line = self.read_line()?;
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| invalid(format!("not an HTTP/1.1 status line: {status_line:?}")))?;
        let mut content_length = None;
        loop {
            let line = self.read_line()?;
            if line.is_empty() {
                return Ok((status, content_length));
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| invalid(format!("not a header line: {line:?}")))?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length =
                    Some(value.parse().map_err(|_| {
                        invalid(format!("Content-Length is not a number: {value:?}"))
                    })?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(invalid(format!(
                    "Transfer-Encoding: {value} is not supported by this test client"
                )));
            }
        }
    }

    /// One line without its CRLF; an error when the connection ends first.
    fn read_line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the answer was complete",
            ));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Sends a whole request and reads its answer.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Response> {
    let mut exchange = Exchange::start(addr, method, path, headers, body.len())?;
    exchange.send_body(body)?;
    exchange.finish()
}

/// `GET path`.
pub fn get(addr: SocketAddr, path: &str) -> io::Result<Response> {
    request(addr, "GET", path, &[], b"")
}

/// `POST path` with a JSON body.
pub fn post_json(addr: SocketAddr, path: &str, body: &Value) -> io::Result<Response> {
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

/// The headers of a bulk (NDJSON, secret key) request.
pub fn bulk_headers(authorization: &str) -> [(&str, &str); 2] {
    [
        ("Authorization", authorization),
        ("Content-Type", "application/x-ndjson"),
    ]
}

/// `POST /v1/events/bulk` with the shop's secret key.
pub fn post_bulk(addr: SocketAddr, secret_key: &str, ndjson: &str) -> io::Result<Response> {
    let authorization = format!("Bearer {secret_key}");
    request(
        addr,
        "POST",
        "/v1/events/bulk",
        &bulk_headers(&authorization),
        ndjson.as_bytes(),
    )
}
