//! `POST /v1/events` (browser, publishable key, small JSON batches, `sendBeacon`-friendly) and
//! `POST /v1/events/bulk` (tills, ERP, shop backends: secret key, NDJSON). Every event carries
//! a client-made id; a retry stores nothing twice. A 2xx is sent only after the commit.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{BrowserEvents, EventIn, IngestResult, LineError};

use super::auth::{browser_identity, PublishableShop, SecretShop};
use super::error::{check_media_type, ApiError, ApiJson, Result};
use crate::events::{Source, ValidEvent};
use crate::identity::profiles::{self, ProfileKey};
use crate::import::ingest;
use crate::privacy::HELD_PER_PROFILE;
use crate::{unix_now, AppState};

/// Most events in one browser batch.
pub const MAX_BROWSER_EVENTS: usize = 50;
/// Most lines in one bulk request.
pub const MAX_BULK_LINES: usize = 10_000;
const BROWSER_BODY_LIMIT: usize = 64 * 1024;
const BULK_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Routes for browsers (publishable key).
pub fn browser_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(browser_events))
        .layer(DefaultBodyLimit::max(BROWSER_BODY_LIMIT))
}

/// Routes for servers (secret key).
pub fn server_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bulk_events))
        .layer(DefaultBodyLimit::max(BULK_BODY_LIMIT))
}

fn empty_result() -> IngestResult {
    IngestResult {
        stored: 0,
        duplicates: 0,
        dropped_without_consent: 0,
        outside_learning_window: 0,
        errors: Vec::new(),
    }
}

fn line_error(line: usize, code: &str, message: impl Into<String>) -> LineError {
    LineError {
        line: line as u64,
        code: code.into(),
        message: message.into(),
    }
}

#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "browser",
    summary = "Stores a batch of 1 to 50 events from one browser",
    description = "Events without the shopper's tracking consent are dropped (counted in \
        `dropped_without_consent`). Each event's `id` is made by the client: a retry stores \
        nothing twice. Events carry no `customer_id`, `card` or `visitor_id`: the batch's \
        `visitor_id` and `customer_token` say whose they are. Bad events are reported per \
        line (1-based index), the others kept. Answered after the commit.",
    request_body(
        description = "JSON; `text/plain` is read as JSON too (`sendBeacon`, no CORS preflight)",
        content(
            (vitrine_types::BrowserEvents = "application/json"),
            (vitrine_types::BrowserEvents = "text/plain"),
        ),
    ),
    responses(
        (status = 200, description = "Stored, duplicate, dropped and refused events",
            body = vitrine_types::IngestResult),
        super::openapi::BrowserWriteErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn browser_events(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiJson(batch): ApiJson<BrowserEvents>,
) -> Result<Json<IngestResult>> {
    let now = unix_now();
    if batch.events.is_empty() {
        return Err(ApiError::InvalidBody(
            "events must hold at least one event".into(),
        ));
    }
    if batch.events.len() > MAX_BROWSER_EVENTS {
        return Err(ApiError::BatchTooLarge(format!(
            "a browser batch holds at most {MAX_BROWSER_EVENTS} events, not {}",
            batch.events.len()
        )));
    }
    let browser = browser_identity(
        &state,
        &shop,
        &batch.visitor_id,
        batch.customer_token.as_deref(),
        now,
    )
    .await?;
    let mut result = empty_result();
    let mut valid = Vec::new();
    for (index, event) in batch.events.into_iter().enumerate() {
        if event.customer_id.is_some() || event.card.is_some() || event.visitor_id.is_some() {
            result.errors.push(line_error(
                index + 1,
                "invalid_event",
                "browser events carry no customer_id, card or visitor_id: the batch's visitor_id \
                 and customer_token say whose they are",
            ));
            continue;
        }
        match ValidEvent::parse(event, now) {
            Ok(event) => valid.push(event),
            Err(message) => result
                .errors
                .push(line_error(index + 1, "invalid_event", message)),
        }
    }
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    if !super::consent::browser_may_be_tracked(&mut tx, &shop.id, &browser).await? {
        // Not even the visitor id is stored: nothing about this browser is kept.
        result.dropped_without_consent = valid.len() as u64;
        return Ok(Json(result));
    }
    let profile = browser.resolve(&mut tx, &shop.id, now).await?;
    let events: Vec<(&str, &ValidEvent)> = valid
        .iter()
        .map(|event| (profile.as_str(), event))
        .collect();
    let new = ingest::store_all(&mut tx, &shop.id, Source::Browser, &events, now).await?;
    result.stored = new.len() as u64;
    result.duplicates = events.len() as u64 - result.stored;
    tx.commit().await?;
    observe(&state, &shop.id, Source::Browser, &events, &new);
    Ok(Json(result))
}

/// The ids an event from a shop's server names its profile by.
fn server_keys(event: &EventIn) -> std::result::Result<Vec<ProfileKey>, String> {
    let mut keys = Vec::new();
    if let Some(customer) = &event.customer_id {
        keys.push(ProfileKey::customer(customer)?);
    }
    if let Some(card) = &event.card {
        keys.push(ProfileKey::card(card)?);
    }
    if let Some(visitor) = &event.visitor_id {
        keys.push(ProfileKey::visitor(visitor)?);
    }
    if keys.is_empty() {
        return Err("an event needs customer_id, card or visitor_id".into());
    }
    Ok(keys)
}

#[utoipa::path(
    post,
    path = "/v1/events/bulk",
    tag = "server",
    summary = "Stores up to 10,000 events from a shop's servers, tills or ERP",
    description = "NDJSON: one `EventIn` per line, each naming its profile by `customer_id`, \
        `card` or `visitor_id`. Each event's `id` is made by the client: a retry stores \
        nothing twice. Bad lines are reported by line number, the others kept, in one \
        transaction; answered after the commit.",
    request_body(
        description = "One `EventIn` JSON object per line (at most 16 MiB)",
        content(
            (String = "application/x-ndjson"),
            (String = "application/json"),
            (String = "text/plain"),
        ),
    ),
    responses(
        (status = 200, description = "Stored, duplicate and refused lines",
            body = vitrine_types::IngestResult),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 413, response = super::openapi::PayloadTooLarge),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn bulk_events(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<IngestResult>> {
    check_media_type(
        &headers,
        &["application/x-ndjson", "application/json", "text/plain"],
    )?;
    let text = std::str::from_utf8(&body)
        .map_err(|err| ApiError::InvalidBody(format!("the body is not UTF-8: {err}")))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    if lines.len() > MAX_BULK_LINES {
        return Err(ApiError::BatchTooLarge(format!(
            "a bulk request holds at most {MAX_BULK_LINES} events, not {}",
            lines.len()
        )));
    }
    let now = unix_now();
    let mut result = empty_result();
    let mut valid = Vec::with_capacity(lines.len());
    for (number, line) in lines {
        let event: EventIn = match serde_json::from_str(line) {
            Ok(event) => event,
            Err(err) => {
                result
                    .errors
                    .push(line_error(number, "invalid_json", err.to_string()));
                continue;
            }
        };
        let checked =
            server_keys(&event).and_then(|keys| Ok((number, keys, ValidEvent::parse(event, now)?)));
        match checked {
            Ok(event) => valid.push(event),
            Err(message) => result
                .errors
                .push(line_error(number, "invalid_event", message)),
        }
    }
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    // Erasure takes the identity lock that resolve_all holds, so tombstones checked here
    // stay true until the commit.
    let mut distinct: Vec<&ProfileKey> = valid.iter().flat_map(|(_, keys, _)| keys).collect();
    distinct.sort_by(|a, b| (a.kind(), a.id()).cmp(&(b.kind(), b.id())));
    distinct.dedup();
    let erased = profiles::erased_among(&mut tx, &shop.id, &distinct).await?;
    valid.retain(
        |(number, keys, _)| match keys.iter().find(|key| erased.contains(*key)) {
            Some(key) => {
                let message = format!(
                    "{} id `{}` was erased and cannot be used again",
                    key.kind(),
                    key.id()
                );
                result.errors.push(line_error(*number, "erased", message));
                false
            }
            None => true,
        },
    );
    result.errors.sort_by_key(|error| error.line);
    let sets: Vec<&[ProfileKey]> = valid.iter().map(|(_, keys, _)| keys.as_slice()).collect();
    let owners = profiles::resolve_all(&mut tx, &shop.id, &sets, now, HELD_PER_PROFILE).await?;
    let events: Vec<(&str, &ValidEvent)> = owners
        .iter()
        .zip(&valid)
        .map(|(profile, (_, _, event))| (profile.as_str(), event))
        .collect();
    let new = ingest::store_all(&mut tx, &shop.id, Source::Server, &events, now).await?;
    result.stored = new.len() as u64;
    result.duplicates = events.len() as u64 - result.stored;
    let since = crate::recommendations::learning_since(&mut tx, &shop.id, now).await?;
    result.outside_learning_window = new
        .iter()
        .filter_map(|&index| events.get(index))
        .filter(|(_, event)| event.occurred_at() < since)
        .count() as u64;
    tx.commit().await?;
    if result.outside_learning_window > 0 {
        tracing::warn!(
            shop = %shop.id,
            events = result.outside_learning_window,
            learning_since = since,
            "imported events older than the learning window: stored, not learnt from"
        );
    }
    observe(&state, &shop.id, Source::Server, &events, &new);
    Ok(Json(result))
}

/// Counts newly stored events in the shop's recommender (popularity and trending move at
/// once; the item model learns them at its next rebuild).
fn observe(
    state: &AppState,
    shop_id: &str,
    source: Source,
    events: &[(&str, &ValidEvent)],
    new: &[usize],
) {
    let interactions: Vec<_> = new
        .iter()
        .filter_map(|&index| events.get(index))
        .filter(|(_, event)| event.counts_for_recommendations(source))
        .flat_map(|(profile, event)| {
            crate::recommendations::interactions_of(profile, event.event(), event.occurred_at())
        })
        .collect();
    state.recommendations.observe(shop_id, &interactions);
}
