//! The Licenses related list, as it appears under a package, a lead, an
//! account and a contact: License Name (link), Subscriber Org ID, Status,
//! Seats and Expiration.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::record::{Empty, RelatedList};
use crate::domain::License;

/// One row, as shown (computed once, outside the view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseLine {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub status: &'static str,
    pub seats: String,
    pub expiration: String,
}

impl From<&License> for LicenseLine {
    fn from(l: &License) -> Self {
        LicenseLine {
            id: l.id.to18().to_string(),
            name: l.name.to_string(),
            org_id: l.subscriber_org_id_15().to_string(),
            status: l.status.label(),
            seats: l.seats.to_string(),
            expiration: l.expiration.to_string(),
        }
    }
}

/// The Licenses related list; `empty` says why there are none.
#[component]
pub fn LicensesRelatedList(
    licenses: Vec<License>,
    #[prop(into, default = "No licenses yet.".to_string())] empty: String,
) -> impl IntoView {
    let lines: Vec<LicenseLine> = licenses.iter().map(LicenseLine::from).collect();
    let count = lines.len();
    let body = if lines.is_empty() {
        view! { <Empty>{empty}</Empty> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"License Name"</th>
                            <th scope="col">"Subscriber Org ID"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col" class="num">"Seats"</th>
                            <th scope="col">"Expiration"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {lines
                            .into_iter()
                            .map(|l| {
                                let href = format!("/licenses/{}", l.id);
                                let badge = format!("badge {}", l.status);
                                view! {
                                    <tr>
                                        <td>
                                            <A href=href>{l.name}</A>
                                        </td>
                                        <td>{l.org_id}</td>
                                        <td>
                                            <span class=badge>{l.status}</span>
                                        </td>
                                        <td class="num">{l.seats}</td>
                                        <td>{l.expiration}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! { <RelatedList title="Licenses" count=Signal::stored(count)>{body}</RelatedList> }
}
