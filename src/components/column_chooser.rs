//! The Licenses list's "Columns" chooser: a checkbox per column, in a
//! disclosure so it takes no room until asked for. License Name always
//! shows (it links to each license), so its box is checked and disabled.

use leptos::prelude::*;

use crate::services::licenses::{Columns, SortColumn};

#[component]
pub fn ColumnChooser(columns: RwSignal<Columns>) -> impl IntoView {
    let boxes = SortColumn::ALL
        .into_iter()
        .map(|column| {
            let id = format!("list-column-{}", column.key());
            let fixed = column == SortColumn::Name;
            view! {
                <label for=id.clone() class="checkbox">
                    <input
                        id=id.clone()
                        type="checkbox"
                        disabled=fixed
                        prop:checked=move || columns.get().contains(column)
                        on:change=move |ev| {
                            let shown = event_target_checked(&ev);
                            columns.update(|c| *c = c.with(column, shown));
                        }
                    />
                    " "
                    {column.label()}
                    // The filters are labelled with the same field names.
                    <span class="visually-hidden">" column"</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="column-chooser">
            <summary>"Columns"</summary>
            <fieldset>
                <legend>"Columns shown"</legend>
                {boxes}
            </fieldset>
        </details>
    }
}
