//! The License Management App's rules, as pure functions and types.
//!
//! Nothing here touches the browser, async code or the clock: today and now are
//! always arguments, so every rule can be tested natively at its boundaries.
