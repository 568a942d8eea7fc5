//! The Licenses related list, as it appears under a package, a lead, an
//! account and a contact: License Name (link), Subscriber Org ID, Status,
//! Seats and Expiration.
//!
//! A package may hold tens of thousands of licenses, so the list shows the
//! first ones by License Name and more on request, as the LMA's related
//! lists do ("View More"), instead of rendering every row at once.

use leptos::prelude::*;
use leptos_router::components::A;

use chrono::NaiveDate;

use crate::clock;
use crate::components::export_button::ExportButton;
use crate::components::license_status::LicenseStatusBadge;
use crate::components::record::{Empty, RelatedList};
use crate::domain::{EffectiveStatus, License};
use crate::exchange::licenses_csv;
use crate::services::export::ExportFailed;

/// Rows shown at first, and added by each "Show more".
pub const RELATED_PAGE: usize = 50;

/// One row, as shown (computed once, outside the view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseLine {
    pub id: String,
    pub name: String,
    pub org_id: String,
    /// The License Status, with "Expired" beside it when in effect.
    pub status: EffectiveStatus,
    pub seats: String,
    pub expiration: String,
}

impl LicenseLine {
    pub fn new(l: &License, today: NaiveDate) -> Self {
        LicenseLine {
            id: l.id.to18().to_string(),
            name: l.name.to_string(),
            org_id: l.subscriber_org_id_15().to_string(),
            status: l.effective_status(today),
            seats: l.seats.to_string(),
            expiration: l.expiration.to_string(),
        }
    }
}

fn row(l: &LicenseLine) -> impl IntoView {
    let href = format!("/licenses/{}", l.id);
    let status = l.status;
    let name = l.name.clone();
    view! {
        <tr>
            <td>
                <A href=href>{name}</A>
            </td>
            <td>{l.org_id.clone()}</td>
            <td>
                <LicenseStatusBadge status />
            </td>
            <td class="num">{l.seats.clone()}</td>
            <td>{l.expiration.clone()}</td>
        </tr>
    }
}

/// The Licenses related list; `empty` says why there are none.
#[component]
pub fn LicensesRelatedList(
    licenses: Vec<License>,
    #[prop(into, default = "No licenses yet.".to_string())] empty: String,
) -> impl IntoView {
    let today = clock::today();
    let lines: Vec<LicenseLine> = licenses
        .iter()
        .map(|l| LicenseLine::new(l, today))
        .collect();
    // Every license of the list, not only the rows shown so far.
    let actions = Box::new(move || {
        let csv = move || std::future::ready(licenses_csv(&licenses).map_err(ExportFailed::from));
        view! { <ExportButton list="Licenses" csv /> }.into_any()
    });
    let total = lines.len();
    let body = if lines.is_empty() {
        view! { <Empty>{empty}</Empty> }.into_any()
    } else {
        let lines = StoredValue::new(lines);
        let limit = RwSignal::new(RELATED_PAGE);
        let rows = move || {
            let limit = limit.get();
            lines.with_value(|ls| ls.iter().take(limit).map(row).collect_view())
        };
        view! {
            {lines_table(rows)}
            <ShowMore total=Some(total) limit />
        }
        .into_any()
    };
    view! {
        <RelatedList title="Licenses" count=Signal::stored(total) actions=actions>
            {body}
        </RelatedList>
    }
}

/// The Licenses related list of a record with many licenses (a package):
/// `licenses` are the first `limit` by License Name, read through an index,
/// of `total` (`None` while it is counted: there are more than shown then);
/// "Show more" raises `limit`, and the page reads that many. Export CSV
/// reads every license with `csv` when pressed.
#[component]
pub fn PagedLicensesList<F, Fu>(
    licenses: Vec<License>,
    #[prop(into)] total: Signal<Option<usize>>,
    limit: RwSignal<usize>,
    #[prop(into)] empty: String,
    csv: F,
) -> impl IntoView
where
    F: Fn() -> Fu + Clone + Send + Sync + 'static,
    Fu: std::future::Future<Output = Result<String, ExportFailed>> + 'static,
{
    let today = clock::today();
    let lines: Vec<LicenseLine> = licenses
        .iter()
        .map(|l| LicenseLine::new(l, today))
        .collect();
    let actions = Box::new(move || {
        let csv = csv.clone();
        view! { <ExportButton list="Licenses" csv /> }.into_any()
    });
    let shown = lines.len();
    let body = if lines.is_empty() {
        view! { <Empty>{empty}</Empty> }.into_any()
    } else {
        let rows = lines.iter().map(row).collect_view();
        view! {
            {lines_table(rows)}
            <ShowMore total limit />
        }
        .into_any()
    };
    let count = Signal::derive(move || total.get().unwrap_or(shown));
    let more = Signal::derive(move || total.get().is_none());
    view! {
        <RelatedList title="Licenses" count more actions=actions>
            {body}
        </RelatedList>
    }
}

/// "Showing 50 of 1,234" and a button that shows more, while rows are hidden;
/// while `total` is still counted (`None`: more than shown), "of more than 50".
#[component]
pub fn ShowMore(
    #[prop(into)] total: Signal<Option<usize>>,
    limit: RwSignal<usize>,
) -> impl IntoView {
    move || {
        let (shown, of, more) = match total.get() {
            Some(total) => {
                let shown = limit.get().min(total);
                if shown >= total {
                    return None;
                }
                let more = (total - shown).min(RELATED_PAGE.max(shown));
                (shown, crate::domain::group_thousands(total as i64), more)
            }
            None => {
                let shown = limit.get();
                let of = format!("more than {}", crate::domain::group_thousands(shown as i64));
                (shown, of, RELATED_PAGE.max(shown))
            }
        };
        Some(view! {
            <p class="list-count">
                {format!("Showing {} of {of}. ", crate::domain::group_thousands(shown as i64))}
                <button type="button" on:click=move |_| limit.update(|l| *l = l.saturating_add(more))>
                    {format!("Show {} more", crate::domain::group_thousands(more as i64))}
                </button>
            </p>
        })
    }
}

/// The licenses table of both related lists, with `rows` in its body.
fn lines_table(rows: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"License Name"</th>
                        <th scope="col">"Subscriber Org ID"</th>
                        <th scope="col">"License Status"</th>
                        <th scope="col" class="num">"Licensed Seats"</th>
                        <th scope="col">"Expiration Date"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
