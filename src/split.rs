//! Code the first visit doesn't need, fetched when first used.
//!
//! With the `split` feature (release builds, scripts/build.sh) a function marked with
//! [`split_off!`](crate::split_off) goes, with all it alone reaches, to a wasm chunk of its own
//! (scripts/split.sh cuts it out after the build), fetched by the first call. Without the
//! feature it is a plain async function: one wasm, as in dev builds and the tests.
//!
//! Leptos' own `#[lazy]` panics when a chunk can't be fetched, and a panic aborts the whole
//! app. Here the chunk is loaded `fallible`: a failed fetch is a [`ChunkMissing`] the caller
//! shows, the app goes on, and the next call fetches again.

use thiserror::Error;

/// A part of the app that could not be downloaded: the network is off and the browser has
/// not stored it yet, or the server no longer holds this release's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error(
    "This part of License Desk could not be downloaded: the network is off, or the app was \
     updated since this page was loaded. Reconnect, then reload the page. Nothing was changed."
)]
pub struct ChunkMissing;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkMissing
    }
}

/// What a split point hands back when its work is async: a split point can't be an async
/// fn, so it returns the future, whose code is in the chunk.
pub type InChunk<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

/// Marks a synchronous `fn name(args) -> Result<T, ChunkMissing>` as split off: callers
/// `name(args).await`, which fetches its chunk first (split builds) and returns
/// `Err(ChunkMissing)` when the fetch fails. The chunk is named after the function.
#[macro_export]
macro_rules! split_off {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$attr])*
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible)]
        $vis fn $name($($arg: $ty),*) -> $ret $body

        $(#[$attr])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> $ret $body
    };
    // The same, with `$preload()`: fetches and starts the chunk without calling `$name`.
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty, preload $preload:ident $body:block) => {
        $(#[$attr])*
        #[cfg(feature = "split")]
        #[::leptos::wasm_split::wasm_split($name, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))]
        $vis fn $name($($arg: $ty),*) -> $ret $body

        $(#[$attr])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(not(feature = "split"))]
        $vis async fn $preload() -> Result<(), ::leptos::wasm_split::SplitLoaderError> {
            Ok(())
        }
    };
}
