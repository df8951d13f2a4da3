//! What a 2xx promises: the events are committed. A crash (`kill -9`) right after cannot lose
//! them, and a stop (SIGTERM) lets requests already being served finish.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::http::{self, Exchange};
use crate::support::{eventually, Batch, Installation};

/// Clients streaming bulk requests at once, as several tills or an ERP export would.
const CLIENTS: usize = 3;
/// Events per bulk request.
const BATCH_SIZE: usize = 250;
/// Acknowledged requests to wait for before the crash, so that there is something to lose.
const ACKNOWLEDGED_BEFORE_CRASH: usize = 10;

/// What the clients saw before and during the crash.
#[derive(Default)]
struct Outcomes {
    /// Answered 2xx: these must survive.
    acknowledged: Vec<Batch>,
    /// Sent but never answered (the server died): either stored whole or not at all.
    unanswered: Vec<Batch>,
    /// Answered with anything but 2xx: the server refused work it should have taken.
    refused: Vec<String>,
}

#[test]
fn acknowledged_events_survive_kill_9() {
    let installation = Installation::new();
    let shop = installation.create_shop("crash", "Crash");
    let mut server = installation.start_server();
    let addr = server.addr();

    let outcomes = Mutex::new(Outcomes::default());
    let in_flight = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let crashed_in_time = std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (outcomes, in_flight, stop, shop) = (&outcomes, &in_flight, &stop, &shop);
            scope.spawn(move || {
                for sequence in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let batch = Batch::new(&format!("{client}-{sequence}"), BATCH_SIZE);
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let answer = http::post_bulk(addr, &shop.secret_key, &batch.ndjson());
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    let mut outcomes = outcomes.lock().unwrap();
                    match answer {
                        Ok(answer) if answer.is_success() => outcomes.acknowledged.push(batch),
                        Ok(answer) => {
                            outcomes
                                .refused
                                .push(format!("{}: {}", answer.status, answer.text()));
                            break;
                        }
                        // The server is gone: this client stops, as a real one would until
                        // the server is back.
                        Err(_) => {
                            outcomes.unanswered.push(batch);
                            break;
                        }
                    }
                }
            });
        }
        // Crash only once some requests were acknowledged and while others are under way.
        // On failure to get there, still kill the server: the clients stop only when it dies.
        let ready = eventually(|| {
            outcomes.lock().unwrap().acknowledged.len() >= ACKNOWLEDGED_BEFORE_CRASH
                && in_flight.load(Ordering::SeqCst) > 0
        });
        stop.store(true, Ordering::SeqCst);
        server.kill_9();
        ready
    });
    let Outcomes {
        acknowledged,
        unanswered,
        refused,
    } = outcomes.into_inner().unwrap();
    assert!(
        refused.is_empty(),
        "the server refused bulk requests: {refused:?}; log:\n{}",
        server.transcript()
    );
    assert!(
        crashed_in_time,
        "fewer than {ACKNOWLEDGED_BEFORE_CRASH} bulk requests were acknowledged \
         ({} were); log:\n{}",
        acknowledged.len(),
        server.transcript()
    );

    let restarted = installation.start_server();
    let stored = installation.event_ids(&shop.id);
    let lost: Vec<&String> = acknowledged
        .iter()
        .flat_map(|batch| &batch.ids)
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged events are gone after kill -9, e.g. {:?}",
        lost.len(),
        acknowledged.len() * BATCH_SIZE,
        &lost[..lost.len().min(5)]
    );
    // One transaction per request: a request cut off by the crash left all or nothing.
    for batch in &unanswered {
        let present = batch.ids.iter().filter(|id| stored.contains(*id)).count();
        assert!(
            present == 0 || present == batch.len(),
            "a request cut off by the crash left {present} of its {} events",
            batch.len()
        );
    }

    // Clients send again what was never answered; afterwards every event is stored once.
    for batch in &unanswered {
        let answer = http::post_bulk(restarted.addr(), &shop.secret_key, &batch.ndjson())
            .expect("retry after the restart");
        assert_eq!(answer.status, 200, "{}", answer.text());
        let result = answer.json();
        assert_eq!(
            result["stored"].as_u64().unwrap() + result["duplicates"].as_u64().unwrap(),
            batch.len() as u64,
            "{result}"
        );
    }
    let everything: usize = acknowledged.iter().chain(&unanswered).map(Batch::len).sum();
    assert_eq!(installation.event_ids(&shop.id).len(), everything);
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_and_exits_0() {
    let installation = Installation::new();
    let shop = installation.create_shop("stopping", "Stopping");
    let mut server = installation.start_server();
    let batch = Batch::new("in-flight", 200);
    let body = batch.ndjson();
    let authorization = format!("Bearer {}", shop.secret_key);
    let mut headers = http::bulk_headers(&authorization).to_vec();
    // The server answers `100 Continue` when the handler starts reading the body: from then
    // on, the request is certainly being served, not just waiting in a socket buffer.
    headers.push(("Expect", "100-continue"));
    let mut request = Exchange::start(
        server.addr(),
        "POST",
        "/v1/events/bulk",
        &headers,
        body.len(),
    )
    .expect("send the request head");
    assert_eq!(request.read_interim().expect("interim answer"), 100);

    server.terminate();
    server.wait_for_log("shutting down");
    // The server is stopping; the rest of the request arrives only now.
    request
        .send_body(body.as_bytes())
        .expect("send the body to a stopping server");
    let answer = request.finish().expect("an answer from a stopping server");
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.json()["stored"], batch.len(), "{}", answer.text());

    let status = server.wait_for_exit();
    assert!(
        status.success(),
        "a stop by SIGTERM exits 0, not {status}; log:\n{}",
        server.transcript()
    );
    let stored = installation.event_ids(&shop.id);
    assert!(
        batch.ids.iter().all(|id| stored.contains(id)),
        "events acknowledged during the shutdown are missing"
    );
}
