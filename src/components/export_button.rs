//! "Export CSV" on a list: builds the CSV of the rows the list shows when
//! pressed (never before: most visits export nothing) and downloads it as
//! `<list>-<yyyy-mm-dd>.csv`. What is exported and how it is written are the
//! services' and `exchange::export`'s; this only runs it and says if it failed.

use std::future::Future;

use leptos::prelude::*;

use crate::clock;
use crate::components::record::ErrorNotice;
use crate::download::download_text;
use crate::exchange::export::{file_name, CSV_MIME};
use crate::services::export::ExportFailed;

#[component]
pub fn ExportButton<F, Fu>(
    /// The list as the user names it ("Licenses", "Install Log"): the
    /// button's accessible name and the file's.
    list: &'static str,
    /// The button's text, when "Export CSV" would not say what it exports.
    #[prop(optional)]
    text: Option<&'static str>,
    /// Builds the CSV of the rows the list shows.
    csv: F,
) -> impl IntoView
where
    F: Fn() -> Fu + 'static,
    Fu: Future<Output = Result<String, ExportFailed>> + 'static,
{
    let export: Action<(), Result<(), String>> = Action::new_local(move |_: &()| {
        let built = csv();
        async move {
            let csv = built.await.map_err(|e| e.to_string())?;
            download_text(&file_name(list, clock::today()), CSV_MIME, &csv)
        }
    });
    let pending = export.pending();
    let error = move || export.value().get().and_then(Result::err);
    // The visible text stays in the accessible name (voice control users
    // say what they see); the list's name is added to tell buttons apart.
    let (text, label) = match text {
        Some(text) => (text, None),
        None => ("Export CSV", Some(format!("Export CSV of {list}"))),
    };
    view! {
        <div class="export">
        <button
            type="button"
            class="export"
            aria-label=label
            disabled=move || pending.get()
            on:click=move |_| {
                export.dispatch_local(());
            }
        >
            {move || if pending.get() { "Exporting…" } else { text }}
        </button>
        {move || error().map(|message| view! { <ErrorNotice message /> })}
        </div>
    }
}
