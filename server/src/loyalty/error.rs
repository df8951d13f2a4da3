//! Why a change to an account was refused.

/// Why a change to an account was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    /// The shop has no programme.
    #[error("the shop has no loyalty programme")]
    NoProgramme,
    /// The balance is smaller than what was asked.
    #[error("the balance is {balance} points, {asked} were asked for")]
    InsufficientPoints {
        /// The balance.
        balance: i64,
        /// What was asked.
        asked: i64,
    },
    /// A client id used before for something else.
    #[error("id `{0}` was used before for a different request")]
    IdConflict(String),
    /// The points do not fit the programme's rules.
    #[error("{0}")]
    InvalidPoints(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
