//! "Opening the page…" while a page's code is still being fetched.
//!
//! A split-off page (`pages/lazy.rs`) is fetched on its first open, and until it arrives the
//! router keeps the previous page on screen: over a slow network a click would seem
//! ignored. The line shows only once the wait is long enough to notice, so the usual
//! open (its chunk already stored by the service worker) doesn't flicker.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser_turn::sleep;

/// How long a page may take to open before the line shows.
const SHOW_AFTER_MS: i32 = 150;

thread_local! {
    /// Pages being opened (a second click can start another before the first arrives).
    static OPENING: ArcRwSignal<u32> = ArcRwSignal::new(0);
}

fn opening() -> ArcRwSignal<u32> {
    OPENING.with(Clone::clone)
}

/// Held while a page's code is fetched; dropping it (the page arrived, failed, or the
/// navigation was abandoned) ends the wait.
#[must_use]
pub struct Opening(ArcRwSignal<u32>);

impl Opening {
    pub fn begin() -> Opening {
        let count = opening();
        count.update(|n| *n += 1);
        Opening(count)
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        self.0.update(|n| *n = n.saturating_sub(1));
    }
}

#[component]
pub fn PageOpening() -> impl IntoView {
    let count = opening();
    let shown = RwSignal::new(false);
    Effect::new({
        let count = count.clone();
        move |_| {
            if count.get() == 0 {
                shown.set(false);
                return;
            }
            let count = count.clone();
            spawn_local(async move {
                sleep(SHOW_AFTER_MS).await;
                if count.try_get_untracked().is_some_and(|n| n > 0) {
                    shown.try_set(true);
                }
            });
        }
    });
    view! {
        <Show when=move || shown.get()>
            <div class="page-opening" role="status">
                <div class="progress-track indeterminate" role="progressbar" aria-label="Opening the page">
                    <div class="progress-fill"></div>
                </div>
                <p>"Opening the page…"</p>
            </div>
        </Show>
    }
}
