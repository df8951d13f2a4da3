//! One module per widget; each renders inside the shadow root the embed gives it.

pub mod availability;
pub mod cart_recovery;
pub(crate) mod dom;
pub mod loyalty;
pub mod recommendations;
pub mod tiles;
