//! Consent per profile: `tracking` (may events be stored) and `personalisation` (may answers
//! use the profile). Until the shopper decides, the shop's default applies: `opt_in` (EU)
//! means neither, `opt_out` means both.

use sqlx::AnyConnection;
use vitrine_types::ConsentState;

/// A profile's stored decision: tracking, personalisation (0/1), when, where.
type Decision = (Option<i64>, Option<i64>, Option<i64>, Option<String>);

/// The consent that applies to `profile` (or to a visitor without a profile yet).
pub async fn effective(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: Option<&str>,
) -> sqlx::Result<ConsentState> {
    let decision: Option<Decision> = match profile {
        Some(profile) => {
            sqlx::query_as(
                "SELECT consent_tracking, consent_personalisation, consent_at, consent_source
                 FROM profiles WHERE shop_id = $1 AND profile_id = $2",
            )
            .bind(shop_id)
            .bind(profile)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    };
    if let Some((Some(tracking), Some(personalisation), decided_at, source)) = decision {
        return Ok(ConsentState {
            tracking: tracking != 0,
            personalisation: personalisation != 0,
            basis: "shopper".into(),
            decided_at,
            source,
        });
    }
    let (default,): (String,) = sqlx::query_as("SELECT consent_default FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_one(&mut *conn)
        .await?;
    let granted = default == "opt_out";
    Ok(ConsentState {
        tracking: granted,
        personalisation: granted,
        basis: "shop_default".into(),
        decided_at: None,
        source: None,
    })
}

/// Records the shopper's decision on `profile`.
pub async fn record(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    tracking: bool,
    personalisation: bool,
    source: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE profiles SET consent_tracking = $1, consent_personalisation = $2,
             consent_at = $3, consent_source = $4
         WHERE shop_id = $5 AND profile_id = $6",
    )
    .bind(i64::from(tracking))
    .bind(i64::from(personalisation))
    .bind(now)
    .bind(source)
    .bind(shop_id)
    .bind(profile)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
