//! A file input with a drop zone around it: the files a user picks or drops
//! go to `on_files`. The input is labelled, so it works by keyboard and for
//! tests (`setInputFiles`); dropping is a shortcut for the same thing.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::file_read::files_of;

// The stylesheet has no drop-zone rules; these keep the zone visible on its own.
const ZONE_STYLE: &str =
    "border:2px dashed #939393;border-radius:0.25rem;padding:0.75rem 1rem;margin:0 0 1rem;";
const DRAGGING_STYLE: &str = "border-color:#0176d3;background:#eef4ff;";

#[component]
pub fn FileDrop(
    #[prop(into)] id: String,
    /// The input's label, e.g. "CSV files".
    label: &'static str,
    /// The input's `accept`, e.g. ".csv,text/csv".
    accept: &'static str,
    #[prop(optional)] multiple: bool,
    /// What the zone says below the input, e.g. "…or drop CSV files here."
    #[prop(into)]
    hint: String,
    #[prop(into, optional)] disabled: Signal<bool>,
    on_files: Callback<Vec<web_sys::File>>,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let hint_id = format!("{id}-hint");
    let zone_label = format!("{label}: drop zone");
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files = files_of(input.files());
        // Cleared, so choosing the same file again reads it again.
        input.set_value("");
        if !files.is_empty() {
            on_files.run(files);
        }
    };
    let on_dragover = move |ev: leptos::ev::DragEvent| {
        // Without this the browser opens the dropped file instead.
        ev.prevent_default();
        dragging.set(!disabled.get_untracked());
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if disabled.get_untracked() {
            return;
        }
        let files = files_of(ev.data_transfer().and_then(|d| d.files()));
        let files = if multiple {
            files
        } else {
            files.into_iter().take(1).collect()
        };
        if !files.is_empty() {
            on_files.run(files);
        }
    };
    view! {
        <div
            class="drop-zone form-field"
            style=move || {
                if dragging.get() {
                    format!("{ZONE_STYLE}{DRAGGING_STYLE}")
                } else {
                    ZONE_STYLE.to_string()
                }
            }
            role="group"
            aria-label=zone_label
            on:dragover=on_dragover
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="file"
                accept=accept
                multiple=multiple
                aria-describedby=hint_id.clone()
                disabled=move || disabled.get()
                on:change=on_change
            />
            <span class="hint" id=hint_id>{hint}</span>
        </div>
    }
}
