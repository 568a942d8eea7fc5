//! The licenses list's table: sortable headers, and windowed rendering so a
//! list of 100,000 licenses keeps only the rows in view (plus a few either
//! side) in the DOM. Rows have one fixed height; spacer rows above and below
//! the window stand in for the rest, so the scrollbar stays true.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::ev;
use leptos::prelude::*;

use crate::components::bulk_modify::{SelectAllHeader, SelectCell, Selection};
use crate::components::license_status::LicenseStatusBadge;
use crate::components::table_window::visible_window;
use crate::services::licenses::{Columns, LicenseList, LicenseRow, Sort, SortColumn};

/// Every row's height, in CSS pixels. The cells are styled to exactly this
/// height (see `ROW_STYLE`) so the spacers match the rows they replace.
pub const ROW_PX: f64 = 36.0;
/// Rows rendered beyond each edge of the viewport, so fast scrolling shows
/// no gap.
const OVERSCAN: usize = 8;
/// Never more rows than this in the DOM, whatever the window's height.
const MAX_ROWS: usize = 150;

pub const ROW_STYLE: &str = "height:36px";
pub const CELL_STYLE: &str = "height:36px;box-sizing:border-box;padding-top:0;padding-bottom:0;\
     line-height:20px;overflow:hidden;text-overflow:ellipsis;max-width:16rem;";

/// The loaded licenses, tagged with the build they came from so the rows
/// shown are rebuilt after every reload (a license saved in another tab).
#[derive(Clone, Debug)]
pub struct LoadedLicenses {
    pub generation: u64,
    pub list: Arc<LicenseList>,
    /// Whether the companies and emails (search keys only) are in.
    pub complete: bool,
}

impl PartialEq for LoadedLicenses {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

#[component]
pub fn LicenseTable(
    /// The licenses (`None` while nothing is loaded).
    #[prop(into)]
    licenses: Signal<Option<LoadedLicenses>>,
    /// Indexes into the list of the rows to show, in order.
    #[prop(into)]
    shown: Signal<Vec<u32>>,
    sort: RwSignal<Sort>,
    /// The columns shown (the list view's choice).
    #[prop(into)]
    columns: Signal<Columns>,
    /// Scrolls the window back to the top (set when the search changes).
    scroll_top: RwSignal<f64>,
    window_ref: NodeRef<leptos::html::Div>,
    today: NaiveDate,
    /// A checkbox per row and in the header, ticking licenses here.
    #[prop(optional)]
    selection: Option<Selection>,
) -> impl IntoView {
    let viewport = RwSignal::new(window_height());
    let resize = window_event_listener(ev::resize, move |_| viewport.set(window_height()));
    on_cleanup(move || resize.remove());

    let total = Memo::new(move |_| shown.with(Vec::len));
    let slice = Memo::new(move |_| {
        visible_window(
            scroll_top.get(),
            viewport.get(),
            total.get(),
            ROW_PX,
            OVERSCAN,
            MAX_ROWS,
        )
    });

    let on_scroll = move |ev: ev::Event| {
        let top = event_target::<web_sys::Element>(&ev).scroll_top();
        scroll_top.set(f64::from(top));
    };

    let rows = move || {
        let w = slice.get();
        let generation = licenses.with(|l| l.as_ref().map_or(0, |l| l.generation));
        // Another choice of columns draws the rows again.
        let columns = columns.get();
        shown.with(|shown| {
            shown
                .get(w.start..w.end)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(offset, &index)| (generation, columns, index, w.start + offset))
                .collect::<Vec<_>>()
        })
    };
    let span = move || columns.with(|c| c.shown().len()) + usize::from(selection.is_some());

    let header = move |column: SortColumn| {
        let aria = move || sort.get().aria_for(column);
        let arrow = move || match sort.get().aria_for(column) {
            "ascending" => " ▲",
            "descending" => " ▼",
            _ => "",
        };
        let class = if column.is_numeric() { "num" } else { "" };
        view! {
            <th scope="col" aria-sort=aria class=class>
                <button class="sort" type="button" on:click=move |_| sort.update(|s| *s = s.toggled(column))>
                    {column.label()}
                    <span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    view! {
        <div
            class="list-window"
            node_ref=window_ref
            on:scroll=on_scroll
            tabindex="0"
            role="region"
            aria-label="Licenses list"
        >
            <table aria-rowcount=move || total.get() + 1>
                <thead>
                    <tr aria-rowindex="1">
                        {selection.map(|selection| view! { <SelectAllHeader selection licenses shown /> })}
                        {move || columns.get().shown().into_iter().map(header).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr aria-hidden="true" class="spacer" style=move || format!("height:{}px", slice.get().top_px)>
                        <td colspan=span style="padding:0;border:0"></td>
                    </tr>
                    <For
                        each=rows
                        key=|(generation, columns, index, _)| (*generation, *columns, *index)
                        children=move |(_, columns, index, position)| {
                            licenses
                                .with_untracked(|l| {
                                    l.as_ref().and_then(|l| l.list.row(index).cloned())
                                })
                                .map(|row| license_row(row, position, today, columns, selection))
                        }
                    />
                    <tr aria-hidden="true" class="spacer" style=move || format!("height:{}px", slice.get().bottom_px)>
                        <td colspan=span style="padding:0;border:0"></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

fn license_row(
    row: LicenseRow,
    position: usize,
    today: NaiveDate,
    columns: Columns,
    selection: Option<Selection>,
) -> impl IntoView {
    let select = selection.map(|selection| {
        view! { <SelectCell selection id=row.id.clone() name=row.name.clone() /> }
    });
    let cells = columns
        .shown()
        .into_iter()
        .map(|column| license_cell(&row, column, today))
        .collect_view();
    view! {
        // +2: aria-rowindex counts from 1, and the header row is row 1.
        <tr style=ROW_STYLE aria-rowindex=position + 2>{select}{cells}</tr>
    }
}

fn license_cell(row: &LicenseRow, column: SortColumn, today: NaiveDate) -> AnyView {
    let text = |text: String| view! { <td style=CELL_STYLE>{text}</td> }.into_any();
    let number = |text: String| view! { <td style=CELL_STYLE class="num">{text}</td> }.into_any();
    match column {
        SortColumn::Name => {
            let href = format!("/licenses/{}", row.id);
            view! {
                <td style=CELL_STYLE>
                    <a href=href>{row.name.clone()}</a>
                </td>
            }
            .into_any()
        }
        SortColumn::SubscriberOrgId => {
            let (id15, id18) = (row.org_id.to15().to_string(), row.org_id.to18().to_string());
            view! { <td style=CELL_STYLE title=id18>{id15}</td> }.into_any()
        }
        SortColumn::Package => text(row.package_name.to_string()),
        SortColumn::Version => text(row.version.to_string()),
        SortColumn::Status => {
            let status = row.effective_status(today);
            view! {
                <td style=CELL_STYLE>
                    <LicenseStatusBadge status />
                </td>
            }
            .into_any()
        }
        SortColumn::Seats => number(row.seats_text()),
        SortColumn::UsedLicenses => number(row.used_text()),
        SortColumn::Expiration => text(row.expiration_text()),
        SortColumn::InstallDate => text(row.install_date.format("%Y-%m-%d").to_string()),
    }
}

fn window_height() -> f64 {
    window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(900.0)
}
