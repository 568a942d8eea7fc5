//! The header's search: a WAI-ARIA 1.2 combobox whose listbox groups the
//! records found by object (Licenses, Leads, …). Arrow keys move through
//! the results, Enter opens one, Escape closes the list (a second Escape
//! clears the text); `/` anywhere but in a field focuses it.
//!
//! The index ([`SearchIndex`](crate::services::search::SearchIndex)) is read when the search is first used, not
//! at start-up, and after a change of the data it is read again the next
//! time the search is used (at once if it is in use): a page's commit never
//! waits for a full read it doesn't need. Each keystroke then searches the
//! index in memory.
//!
//! Reading and searching the index is [`load_searcher`], split off: in split
//! builds its code (and the reads of the records only the search needs) is
//! fetched on that first use, not with the app. Until then the box takes
//! text and keys as usual and says "Preparing search…".

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use crate::app_context::use_app;
use crate::domain::group_thousands;
use crate::services::search::{load_search_index, Hit, SearchResults};
use crate::split::{ChunkMissing, InChunk};
use crate::storage::{IdbRepository, StorageError};

const INPUT_ID: &str = "global-search";
const LISTBOX_ID: &str = "global-search-results";

fn option_id(n: usize) -> String {
    format!("global-search-option-{n}")
}

/// A read index: the results of a text. Made in the search's chunk, so the
/// index's search is reached only from there.
type Searcher = Arc<dyn Fn(&str) -> SearchResults + Send + Sync>;

crate::split_off! {
    /// Reads every searchable record into an index ([`load_search_index`]).
    fn load_searcher(
        repo: IdbRepository,
    ) -> Result<InChunk<Result<Searcher, StorageError>>, ChunkMissing> {
        Ok(Box::pin(async move {
            let index = load_search_index(&repo).await?;
            Ok(Arc::new(move |text: &str| index.search(text)) as Searcher)
        }))
    }
}

#[component]
pub fn GlobalSearch() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    // Whether the list may show (set by typing, cleared by Escape, leaving).
    let open = RwSignal::new(false);
    let focused = RwSignal::new(false);
    // The option the arrow keys are on, by its place in the results.
    let active = RwSignal::new(None::<usize>);

    let index = RwSignal::new(None::<Searcher>);
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let stale = StoredValue::new(true);
    let refresh = move || {
        if !stale.get_value() || loading.get_untracked() {
            return;
        }
        loading.set(true);
        let repo = app.repo();
        spawn_local(async move {
            // A change while reading makes the index stale again: read again.
            while stale.get_value() {
                stale.set_value(false);
                let read = match load_searcher(repo.clone()).await {
                    Ok(reading) => reading.await.map_err(|e| e.to_string()),
                    Err(missing) => Err(missing.to_string()),
                };
                match read {
                    Ok(searcher) => {
                        index.set(Some(searcher));
                        failed.set(None);
                    }
                    Err(e) => {
                        failed.set(Some(e));
                        stale.set_value(true);
                        break;
                    }
                }
            }
            loading.set(false);
        });
    };
    Effect::new(move |first_run: Option<()>| {
        app.track_changes();
        if first_run.is_some() {
            stale.set_value(true);
            if focused.get_untracked() {
                refresh();
            }
        }
    });

    let results = Memo::new(move |_| {
        let text = query.get();
        index.with(|i| i.as_ref().map(|search| search(&text)).unwrap_or_default())
    });
    let count = Memo::new(move |_| results.with(SearchResults::shown));
    let popup = move || open.get() && !query.with(|q| q.trim().is_empty());
    let expanded = move || popup() && count.get() > 0;

    let navigate = use_navigate();
    let go = move |href: String| {
        query.set(String::new());
        open.set(false);
        active.set(None);
        navigate(&href, NavigateOptions::default());
    };
    let hit_at = move |n: usize| -> Option<Hit> { results.with(|r| r.hits().nth(n).cloned()) };

    let input_ref = NodeRef::<leptos::html::Input>::new();
    let listbox_ref = NodeRef::<leptos::html::Div>::new();
    let go_key = go.clone();
    let on_keydown = move |ev: ev::KeyboardEvent| {
        let n = count.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open.set(true);
                if n > 0 {
                    active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
                }
            }
            "ArrowUp" => {
                ev.prevent_default();
                open.set(true);
                if n > 0 {
                    active.update(|a| *a = Some(a.filter(|&i| i > 0).map_or(n - 1, |i| i - 1)));
                }
            }
            "Enter" => {
                // Without an option chosen, the first result (a pasted ID
                // then opens its record at once).
                let chosen = active.get_untracked().unwrap_or(0);
                if popup() {
                    if let Some(hit) = hit_at(chosen) {
                        ev.prevent_default();
                        go_key(hit.href);
                    }
                }
            }
            "Escape" => {
                if popup() {
                    ev.prevent_default();
                    open.set(false);
                    active.set(None);
                } else if !query.get_untracked().is_empty() {
                    ev.prevent_default();
                    query.set(String::new());
                }
            }
            "Tab" => {
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };

    // Keeps the active option in sight in a long list.
    Effect::new(move |_| {
        let Some(n) = active.get() else { return };
        let (Some(list), Some(option)) = (
            listbox_ref.get_untracked(),
            document()
                .get_element_by_id(&option_id(n))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
        ) else {
            return;
        };
        let (top, bottom) = (
            option.offset_top(),
            option.offset_top() + option.offset_height(),
        );
        let (view_top, height) = (list.scroll_top(), list.client_height());
        if top < view_top {
            list.set_scroll_top(top);
        } else if bottom > view_top + height {
            list.set_scroll_top(bottom - height);
        }
    });

    // `/` focuses the search, unless the user is typing in another field or
    // a dialog holds the focus.
    let slash = window_event_listener(ev::keydown, move |ev| {
        if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if ev.default_prevented() || typing_in_a_field(&ev) || modal_open() {
            return;
        }
        if let Some(input) = input_ref.get_untracked() {
            ev.prevent_default();
            let _ = input.focus();
        }
    });
    on_cleanup(move || slash.remove());

    let status = move || {
        let text = query.get();
        let text = text.trim();
        if let Some(e) = failed.get() {
            return format!("Search can't read the records: {e}");
        }
        if index.with(Option::is_none) {
            return "Preparing search…".to_string();
        }
        let shown = count.get();
        let total = results.with(SearchResults::total);
        match (shown, total) {
            (0, _) => format!("No record matches \u{201c}{text}\u{201d}."),
            (shown, total) if shown == total => results_text(total),
            (shown, total) => format!(
                "{}, {} shown: type more to narrow them.",
                results_text(total),
                group_thousands(shown as i64)
            ),
        }
    };

    view! {
        <div class="global-search" role="search">
            <input
                id=INPUT_ID
                node_ref=input_ref
                type="text"
                role="combobox"
                aria-label="Search"
                aria-autocomplete="list"
                aria-controls=LISTBOX_ID
                aria-expanded=move || if expanded() { "true" } else { "false" }
                aria-activedescendant=move || active.get().filter(|_| expanded()).map(option_id)
                aria-keyshortcuts="/"
                autocomplete="off"
                spellcheck="false"
                placeholder="Search licenses, leads, IDs…  ( / )"
                prop:value=move || query.get()
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    active.set(None);
                    open.set(true);
                    refresh();
                }
                on:focus=move |_| {
                    focused.set(true);
                    open.set(true);
                    refresh();
                }
                on:blur=move |_| {
                    focused.set(false);
                    open.set(false);
                    active.set(None);
                }
                on:keydown=on_keydown
            />
            // A click in the list must not take the focus from the input.
            <div
                class="search-popup"
                hidden=move || !popup()
                on:mousedown=|ev: ev::MouseEvent| ev.prevent_default()
            >
                <p
                    role="status"
                    class=move || if expanded() { "visually-hidden" } else { "search-message" }
                >
                    {move || if popup() { status() } else { String::new() }}
                </p>
                <div
                    id=LISTBOX_ID
                    node_ref=listbox_ref
                    role="listbox"
                    aria-label="Search results"
                    hidden=move || !expanded()
                >
                    {move || {
                        let go = go.clone();
                        let mut n = 0;
                        results
                            .get()
                            .groups
                            .into_iter()
                            .map(|g| {
                                let heading_id = format!("global-search-group-{}", g.group.key());
                                let labelled_by = heading_id.clone();
                                let more = g.more();
                                let options = g
                                    .hits
                                    .into_iter()
                                    .map(|hit| {
                                        let at = n;
                                        n += 1;
                                        let go = go.clone();
                                        let href = hit.href.clone();
                                        view! {
                                            <div
                                                id=option_id(at)
                                                role="option"
                                                class="search-option"
                                                aria-selected=move || {
                                                    if active.get() == Some(at) { "true" } else { "false" }
                                                }
                                                on:click=move |_| go(href.clone())
                                            >
                                                <span class="search-title">{hit.title}</span>
                                                <span class="search-detail">{hit.detail}</span>
                                            </div>
                                        }
                                    })
                                    .collect_view();
                                view! {
                                    <div role="group" aria-labelledby=labelled_by>
                                        <div role="presentation" id=heading_id class="search-group">
                                            {g.group.label()}
                                            {(more > 0)
                                                .then(|| {
                                                    view! {
                                                        <span class="search-more">
                                                            {format!(" · {} more", group_thousands(more as i64))}
                                                        </span>
                                                    }
                                                })}
                                        </div>
                                        {options}
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </div>
        </div>
    }
}

fn results_text(n: usize) -> String {
    if n == 1 {
        "1 result".to_string()
    } else {
        format!("{} results", group_thousands(n as i64))
    }
}

/// Whether a keystroke goes to a field that takes text (where `/` is a
/// character, not a shortcut).
fn typing_in_a_field(ev: &ev::KeyboardEvent) -> bool {
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    if target.is_content_editable() {
        return true;
    }
    match target.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => !matches!(
            target.get_attribute("type").unwrap_or_default().as_str(),
            "checkbox" | "radio" | "button" | "submit" | "reset" | "file" | "range" | "color"
        ),
        _ => false,
    }
}

/// Whether a modal dialog is open (the page behind it is out of reach).
fn modal_open() -> bool {
    document()
        .query_selector("[aria-modal=\"true\"]")
        .ok()
        .flatten()
        .is_some()
}
