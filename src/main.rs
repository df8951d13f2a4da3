//! The Vitrine widget bundle. The loader (`loader/vitrine.js`) instantiates this module and
//! calls [`start`]; `main` does nothing so that a bare instantiation has no effect.

mod embed;
mod i18n;
mod intl;
mod widgets;

pub use embed::start;

fn main() {}
