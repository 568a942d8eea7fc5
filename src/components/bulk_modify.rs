//! Bulk Modify License in the UI: the selection (a set of License IDs kept
//! in app memory, so it survives the windowed table and the move to the
//! bulk page), the list's checkboxes and selection bar, the bulk form's
//! fields and the table of per-license outcomes (windowed too).

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::fields::{FieldError, SelectInput, TextInput};
use crate::components::license_table::{LoadedLicenses, CELL_STYLE, ROW_PX, ROW_STYLE};
use crate::components::table_window::visible_window;
use crate::domain::{
    authorize, group_thousands, BulkItem, ExpirationChange, LicenseStatus, Permission, SeatsChange,
    MAX_SEATS, MAX_TRIAL_DAYS,
};
use crate::services::licenses::{count_text, LicenseSelection, Ticked};

/// The licenses ticked in the list, shared by the list and the bulk page.
#[derive(Clone, Copy)]
pub struct Selection(RwSignal<LicenseSelection>);

impl Selection {
    pub fn new() -> Selection {
        Selection(RwSignal::new(LicenseSelection::default()))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.with(|s| s.contains(id))
    }

    pub fn set(&self, id: &str, ticked: bool) {
        self.0.update(|s| s.set(id, ticked));
    }

    pub fn len(&self) -> usize {
        self.0.with(LicenseSelection::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        self.0.update(LicenseSelection::clear);
    }

    /// The ticked License IDs, sorted, as they are now.
    pub fn ids_untracked(&self) -> Vec<String> {
        self.0.with_untracked(LicenseSelection::ids)
    }
}

impl Default for Selection {
    fn default() -> Self {
        Selection::new()
    }
}

/// The app's selection (provided once by the app's shell).
pub fn use_selection() -> Selection {
    use_context::<Selection>().unwrap_or_else(|| {
        let selection = Selection::new();
        provide_context(selection);
        selection
    })
}

/// How many of the licenses the list shows (all matching ones, not only
/// the rows drawn) are ticked.
fn ticked_memo(
    selection: Selection,
    licenses: Signal<Option<LoadedLicenses>>,
    shown: Signal<Vec<u32>>,
) -> Memo<Ticked> {
    Memo::new(move |_| {
        licenses.with(|l| {
            shown.with(|shown| {
                selection.0.with(|s| match l {
                    Some(l) => s.ticked(
                        shown
                            .iter()
                            .filter_map(|&i| l.list.row(i))
                            .map(|r| r.id.as_str()),
                    ),
                    None => Ticked::None,
                })
            })
        })
    })
}

/// Ticks (or, when all are ticked, unticks) every license the list shows.
fn tick_all_shown(
    selection: Selection,
    licenses: Signal<Option<LoadedLicenses>>,
    shown: Signal<Vec<u32>>,
    tick: bool,
) {
    licenses.with_untracked(|l| {
        shown.with_untracked(|shown| {
            if let Some(l) = l {
                let ids = shown
                    .iter()
                    .filter_map(|&i| l.list.row(i))
                    .map(|r| r.id.as_str());
                selection.0.update(|s| {
                    if tick {
                        s.select_all(ids);
                    } else {
                        s.deselect_all(ids);
                    }
                });
            }
        })
    });
}

/// The list's header checkbox: every matching license, not only the rows drawn.
#[component]
pub fn SelectAllHeader(
    selection: Selection,
    #[prop(into)] licenses: Signal<Option<LoadedLicenses>>,
    #[prop(into)] shown: Signal<Vec<u32>>,
) -> impl IntoView {
    let ticked = ticked_memo(selection, licenses, shown);
    let on_change = move |_| {
        let tick = ticked.get_untracked() != Ticked::All;
        tick_all_shown(selection, licenses, shown, tick);
    };
    view! {
        <th scope="col" style="width:2.5rem">
            <input
                type="checkbox"
                aria-label="Select all matching licenses"
                prop:checked=move || ticked.get() == Ticked::All
                prop:indeterminate=move || ticked.get() == Ticked::Some
                on:change=on_change
            />
        </th>
    }
}

/// A row's checkbox cell.
#[component]
pub fn SelectCell(selection: Selection, id: String, name: String) -> impl IntoView {
    let key = id.clone();
    view! {
        <td style=CELL_STYLE>
            <input
                type="checkbox"
                aria-label=format!("Select {name}")
                prop:checked=move || selection.contains(&key)
                on:change=move |ev| selection.set(&id, event_target_checked(&ev))
            />
        </td>
    }
}

/// "3 licenses selected", "Select all N matching", "Clear selection" and,
/// for a profile that may modify licenses, "Modify N licenses".
#[component]
pub fn SelectionBar(
    #[prop(into)] licenses: Signal<Option<LoadedLicenses>>,
    #[prop(into)] shown: Signal<Vec<u32>>,
) -> impl IntoView {
    let app = use_app();
    let selection = use_selection();
    let ticked = ticked_memo(selection, licenses, shown);
    let matching = Memo::new(move |_| shown.with(Vec::len));
    let count = Memo::new(move |_| selection.len());
    // The domain decides who may modify licenses; others are not offered it.
    let may_modify =
        move || authorize(&app.user.get(), Permission::ModifyLicense).is_ok() && count.get() > 0;
    let selected_text = move || match count.get() {
        0 => "No licenses selected".to_string(),
        n => format!("{} selected", count_text(n)),
    };
    view! {
        <div class="list-actions bulk-bar" role="group" aria-label="Selected licenses">
            <div class="list-count">
                <span role="status">{selected_text}</span>
            </div>
            <div class="export">
                <Show when=move || { ticked.get() != Ticked::All && matching.get() != 0 }>
                    <button type="button" on:click=move |_| tick_all_shown(selection, licenses, shown, true)>
                        {move || format!("Select all {} matching", group(matching.get()))}
                    </button>
                </Show>
                <Show when=move || { count.get() != 0 }>
                    <button type="button" on:click=move |_| selection.clear()>"Clear selection"</button>
                </Show>
                <Show when=may_modify>
                    <A href="/licenses/bulk" attr:class="button primary">
                        {move || format!("Modify {}", count_text(count.get()))}
                    </A>
                </Show>
            </div>
        </div>
    }
}

fn group(n: usize) -> String {
    group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The bulk form's values, as typed: each field starts at "Leave unchanged".
#[derive(Clone, Copy)]
pub struct BulkInputs {
    pub expiration: RwSignal<String>,
    pub expiration_date: RwSignal<String>,
    pub seats: RwSignal<String>,
    pub seats_count: RwSignal<String>,
    pub status: RwSignal<String>,
}

const UNCHANGED: &str = "";
const SET_DATE: &str = "date";
const SET_COUNT: &str = "count";
const DOES_NOT_EXPIRE: &str = "never";
const SITE_LICENSE: &str = "site";

impl BulkInputs {
    pub fn new() -> BulkInputs {
        BulkInputs {
            expiration: RwSignal::new(UNCHANGED.to_string()),
            expiration_date: RwSignal::new(String::new()),
            seats: RwSignal::new(UNCHANGED.to_string()),
            seats_count: RwSignal::new(String::new()),
            status: RwSignal::new(UNCHANGED.to_string()),
        }
    }

    /// The draft the inputs hold (read without tracking).
    pub fn draft(&self) -> crate::domain::BulkModifyDraft {
        let expiration = match self.expiration.get_untracked().as_str() {
            SET_DATE => ExpirationChange::Date(self.expiration_date.get_untracked()),
            DOES_NOT_EXPIRE => ExpirationChange::DoesNotExpire,
            _ => ExpirationChange::Unchanged,
        };
        let seats = match self.seats.get_untracked().as_str() {
            SET_COUNT => SeatsChange::Count(self.seats_count.get_untracked()),
            SITE_LICENSE => SeatsChange::SiteLicense,
            _ => SeatsChange::Unchanged,
        };
        let status = self.status.get_untracked();
        crate::domain::BulkModifyDraft {
            expiration,
            seats,
            status: (!status.is_empty()).then_some(status),
        }
    }

    /// Tracks every input (a preview is stale once any of them changes).
    pub fn track(&self) {
        self.expiration.track();
        self.expiration_date.track();
        self.seats.track();
        self.seats_count.track();
        self.status.track();
    }
}

impl Default for BulkInputs {
    fn default() -> Self {
        BulkInputs::new()
    }
}

fn options(pairs: &[(&str, &str)]) -> Signal<Vec<(String, String)>> {
    Signal::stored(
        pairs
            .iter()
            .map(|(v, l)| (v.to_string(), l.to_string()))
            .collect(),
    )
}

/// The three fields of Modify License, each starting at "Leave unchanged".
#[component]
pub fn BulkFields(
    inputs: BulkInputs,
    expiration_error: FieldError,
    seats_error: FieldError,
    status_error: FieldError,
) -> impl IntoView {
    let mut statuses = vec![(UNCHANGED, "Leave unchanged")];
    statuses.extend(
        [
            LicenseStatus::Trial,
            LicenseStatus::Active,
            LicenseStatus::Suspended,
        ]
        .map(|s| (s.label(), s.label())),
    );
    let seats_hint = format!(
        "1 to {} seats. Seats below a license's Used Licenses are allowed, with a warning.",
        group_thousands(i64::from(MAX_SEATS))
    );
    let status_hint = format!(
        "Trial lasts at most {MAX_TRIAL_DAYS} days; a license that has been Active can't return to Trial."
    );
    view! {
        <SelectInput
            id="bulk-expiration"
            label="Expiration"
            value=inputs.expiration
            options=options(&[(UNCHANGED, "Leave unchanged"), (SET_DATE, "Set a date"), (DOES_NOT_EXPIRE, "Does not expire")])
        />
        <TextInput
            id="bulk-expiration-date"
            label="Expiration Date"
            kind="date"
            value=inputs.expiration_date
            disabled=Signal::derive(move || inputs.expiration.get() != SET_DATE)
            hint="The last day the customers can use the package: today or later."
            error=expiration_error
        />
        <SelectInput
            id="bulk-seats"
            label="Seats"
            value=inputs.seats
            options=options(&[(UNCHANGED, "Leave unchanged"), (SET_COUNT, "Set a number of seats"), (SITE_LICENSE, "Site License")])
        />
        <TextInput
            id="bulk-seats-count"
            label="Licensed Seats"
            kind="number"
            value=inputs.seats_count
            disabled=Signal::derive(move || inputs.seats.get() != SET_COUNT)
            hint=seats_hint
            error=seats_error
        />
        <SelectInput
            id="bulk-status"
            label="License Status"
            value=inputs.status
            options=options(&statuses)
            hint=status_hint
            error=status_error
        />
    }
}

/// Rows drawn beyond each edge of the table's viewport.
const OVERSCAN: usize = 8;
const MAX_ROWS: usize = 150;
/// The outcome table's height: at most this many rows in view.
const ROWS_IN_VIEW: usize = 12;

/// Each license's outcome: refusals and conflicts first, then changes.
/// Windowed: a preview of 10,000 licenses keeps a few dozen rows in the DOM.
#[component]
pub fn BulkItemsTable(
    items: Arc<Vec<BulkItem>>,
    /// After the commit (the words say "Changed").
    applied: bool,
    #[prop(into)] label: String,
) -> impl IntoView {
    // "Show": every license, or those of one outcome.
    let mut outcomes: Vec<&'static str> = Vec::new();
    for item in items.iter() {
        let label = item.outcome.label(applied);
        if !outcomes.contains(&label) {
            outcomes.push(label);
        }
    }
    crate::sort::sort_by_key(&mut outcomes, |label| {
        items
            .iter()
            .find(|i| i.outcome.label(applied) == *label)
            .map_or(u8::MAX, |i| i.outcome.rank())
    });
    let show = RwSignal::new(String::new());
    let order = {
        let items = items.clone();
        Memo::new(move |_| {
            show.with(|show| {
                let mut order: Vec<usize> = (0..items.len())
                    .filter(|&i| {
                        show.is_empty()
                            || items
                                .get(i)
                                .is_some_and(|item| item.outcome.label(applied) == show.as_str())
                    })
                    .collect();
                crate::sort::sort_by_key(&mut order, |&i| {
                    items.get(i).map_or(u8::MAX, |item| item.outcome.rank())
                });
                order
            })
        })
    };
    let total = Memo::new(move |_| order.with(Vec::len));
    let viewport = ROW_PX * ROWS_IN_VIEW.min(items.len().max(1)) as f64;
    let scroll_top = RwSignal::new(0.0);
    let window_ref = NodeRef::<leptos::html::Div>::new();
    let slice = Memo::new(move |_| {
        visible_window(
            scroll_top.get(),
            viewport,
            total.get(),
            ROW_PX,
            OVERSCAN,
            MAX_ROWS,
        )
    });
    let rows = move || {
        let w = slice.get();
        order.with(|order| {
            order
                .get(w.start..w.end)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(offset, &index)| (index, w.start + offset))
                .collect::<Vec<_>>()
        })
    };
    let on_show = move |ev: ev::Event| {
        show.set(event_target_value(&ev));
        if let Some(el) = window_ref.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    };
    let select_id = format!("{}-show", label.to_lowercase().replace(' ', "-"));
    let all_text = format!("All ({})", group(items.len()));
    let counts: Vec<(&'static str, usize)> = outcomes
        .iter()
        .map(|label| {
            let n = items
                .iter()
                .filter(|i| i.outcome.label(applied) == *label)
                .count();
            (*label, n)
        })
        .collect();
    let on_scroll = move |ev: ev::Event| {
        let top = event_target::<web_sys::Element>(&ev).scroll_top();
        scroll_top.set(f64::from(top));
    };
    // The header row plus the rows in view.
    let height = format!("max-height:{}px", viewport + ROW_PX + 4.0);
    view! {
        <div class="form-field" style="max-width:20rem">
            <label for=select_id.clone()>"Show"</label>
            <select id=select_id on:change=on_show>
                <option value="">{all_text}</option>
                {counts
                    .into_iter()
                    .map(|(label, n)| view! { <option value=label>{format!("{label} ({})", group(n))}</option> })
                    .collect_view()}
            </select>
        </div>
        <div class="list-window" style=height node_ref=window_ref on:scroll=on_scroll tabindex="0" role="region" aria-label=label>
            <table aria-rowcount=move || total.get() + 1>
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col">"License Name"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"New values or reason"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr aria-hidden="true" class="spacer" style=move || format!("height:{}px", slice.get().top_px)>
                        <td colspan="3" style="padding:0;border:0"></td>
                    </tr>
                    <For
                        each=rows
                        key=|(index, _)| *index
                        children=move |(index, position)| {
                            items.get(index).map(|item| item_row(item, position, applied))
                        }
                    />
                    <tr aria-hidden="true" class="spacer" style=move || format!("height:{}px", slice.get().bottom_px)>
                        <td colspan="3" style="padding:0;border:0"></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

fn item_row(item: &BulkItem, position: usize, applied: bool) -> impl IntoView {
    let href = format!("/licenses/{}", item.license_id.to18());
    let mut details = item.description();
    for warning in item.warnings() {
        details.push(' ');
        details.push_str(&warning);
    }
    let label = item.outcome.label(applied);
    let name = item.name.to_string();
    let title = details.clone();
    view! {
        <tr style=ROW_STYLE aria-rowindex=position + 2>
            <td style=CELL_STYLE>
                <A href=href>{name}</A>
            </td>
            <td style=CELL_STYLE>{label}</td>
            <td style=format!("{CELL_STYLE}max-width:40rem") title=title>{details}</td>
        </tr>
    }
}
