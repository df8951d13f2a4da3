//! The Vitrine widget bundle. The loader (`loader/vitrine.js`) instantiates this module and
//! calls [`start`], which mounts every `[data-vitrine]` placeholder of the page into its own
//! shadow root.

pub mod embed;
pub mod i18n;
pub mod intl;
pub mod widgets;
pub mod wire;

pub use embed::start;
