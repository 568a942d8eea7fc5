//! A turn of the browser between two steps of long work on the main thread,
//! so it paints and handles input meanwhile.

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Resolves after a zero-delay timeout: the browser has run what was queued
/// before it (input, a paint).
pub async fn browser_turn() {
    sleep(0).await;
}

/// Resolves after `ms` milliseconds (a timeout), or at once without a window.
pub async fn sleep(ms: i32) {
    let _ = JsFuture::from(timeout(ms)).await;
}

/// Resolves once the browser has painted a frame: before synchronous work
/// (building the demo), so the bar is on screen while it runs.
pub async fn after_paint() {
    let _ = JsFuture::from(painted()).await;
}

/// Like [`after_paint`], or after `ms` milliseconds if no frame came first
/// (a hidden tab paints none): for work that only has to wait for a paint.
pub async fn after_paint_within(ms: i32) {
    let race = js_sys::Promise::race(&js_sys::Array::of2(&painted(), &timeout(ms)));
    let _ = JsFuture::from(race).await;
}

/// A promise resolved by a timeout of `ms`, or at once without a window.
fn timeout(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    })
}

/// A promise resolved after the next animation frame (a zero-delay timeout
/// after it: the frame is painted by then), or at once without a window.
fn painted() -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        let then_timeout = wasm_bindgen::closure::Closure::once_into_js(move || {
            let scheduled = web_sys::window().is_some_and(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                    .is_ok()
            });
            if !scheduled {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        let requested = web_sys::window().is_some_and(|w| {
            w.request_animation_frame(then_timeout.unchecked_ref())
                .is_ok()
        });
        if !requested {
            let _ = then_timeout
                .unchecked_ref::<js_sys::Function>()
                .call0(&JsValue::NULL);
        }
    })
}

/// Resolves in the browser's next idle period (`requestIdleCallback`, at most `timeout_ms`
/// later), or after a turn where it has none: for background work that must not hold up
/// what the user does.
pub async fn idle_period(timeout_ms: u32) {
    let mut asked = false;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        asked = request_idle(&resolve, timeout_ms).is_some();
    });
    if asked {
        let _ = JsFuture::from(promise).await;
    } else {
        browser_turn().await;
    }
}

fn request_idle(callback: &js_sys::Function, timeout_ms: u32) -> Option<()> {
    let window = web_sys::window()?;
    let request = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(
        &options,
        &JsValue::from_str("timeout"),
        &JsValue::from(timeout_ms),
    )
    .ok()?;
    request.call2(&window, callback, &options).ok().map(|_| ())
}
