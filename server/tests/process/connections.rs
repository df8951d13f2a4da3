//! Slow and silent clients: the header read timeout closes their connections, the cap on
//! connections keeps the server's file descriptors in bounds, and the API keeps answering.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::http;
use crate::support::{Installation, PATIENCE};

/// Opens `count` connections that send the start of a request line and then nothing.
fn slow_clients(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|n| {
            let mut stream = TcpStream::connect_timeout(&addr, PATIENCE)
                .unwrap_or_else(|err| panic!("connection {n}: {err}"));
            stream
                .write_all(b"GET /healthz HT")
                .unwrap_or_else(|err| panic!("connection {n}: {err}"));
            stream
        })
        .collect()
}

/// Whether the server closed `stream`: reads to its end (a 408 answer may come first).
fn closed_by_server(mut stream: TcpStream) -> bool {
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    let mut buffer = [0; 512];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(err) if err.kind() == ErrorKind::ConnectionReset => return true,
            // Still open after PATIENCE: the server kept it.
            Err(_) => return false,
        }
    }
}

#[test]
fn slow_clients_neither_keep_healthz_from_answering_nor_keep_their_sockets() {
    // The test holds thousands of sockets itself.
    vitrine_server::app::serve::raise_open_files_limit();
    let installation = Installation::new();
    let server = installation.start_server_with(&["--header-read-timeout-secs", "2"]);
    let slow = slow_clients(server.addr(), 3_000);
    let health = http::get(server.addr(), "/healthz").expect("/healthz answers");
    assert_eq!(health.status, 200, "{}", health.text());
    let kept = slow
        .into_iter()
        .map(closed_by_server)
        .filter(|closed| !closed)
        .count();
    assert_eq!(kept, 0, "connections the server kept open");
    let transcript = server.transcript();
    assert!(!transcript.contains("accept error"), "{transcript}");
}

#[test]
fn over_the_connection_cap_clients_wait_and_the_server_holds_no_more_sockets() {
    let installation = Installation::new();
    let server = installation.start_server_with(&[
        "--max-connections",
        "100",
        "--header-read-timeout-secs",
        "2",
    ]);
    let before = server.open_files();
    let slow = slow_clients(server.addr(), 300);
    // Three times the cap are connected (queued by the kernel), but the server holds at
    // most the cap of them at any time.
    let during = server.open_files();
    // (The slack is for database connections the pool may open meanwhile.)
    assert!(
        during < before + 200,
        "{during} files open with 300 slow clients, {before} before"
    );
    // The queue drains as the header timeout closes the slow ones: /healthz gets its turn.
    let health = http::get(server.addr(), "/healthz").expect("/healthz answers");
    assert_eq!(health.status, 200, "{}", health.text());
    for stream in slow {
        assert!(closed_by_server(stream));
    }
}
