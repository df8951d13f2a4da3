//! The Vitrine widget bundle. The loader (`loader/vitrine.js`) instantiates this module and
//! calls [`start`], which mounts every `[data-vitrine]` placeholder of the page into its own
//! shadow root.

pub mod embed;
pub mod i18n;
pub mod intl;
pub mod widgets;
pub mod wire;

pub use embed::start;

/// The heap: lol_alloc's first-fit free list (adjacent free blocks merged) instead of the
/// standard library's dlmalloc, ~2.5 KB brotli smaller. The widgets allocate little (a few
/// strings and views per answer), so a list walk per allocation costs nothing noticeable.
/// Here rather than in `main.rs` so the wasm-bindgen tests run on it too.
// SAFETY: the bundle is single-threaded wasm (built without atomics, no worker shares its
// memory), which is what `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[allow(
    unsafe_code,
    reason = "`AssumeSingleThreaded::new` is unsafe; sound in this single-threaded bundle (SAFETY above)"
)]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
