//! The wasm that Trunk builds: the library's [`vitrine_widgets::start`], which the loader
//! calls, is exported from here. `main` does nothing, so a bare instantiation has no effect.
//!
//! A binary rather than a `cdylib` library: Cargo skips LTO for a library that is also an
//! rlib (which the wasm-bindgen tests need), and the bundle is ~15% bigger without it.

pub use vitrine_widgets::start;

fn main() {}
