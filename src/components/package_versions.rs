//! The Package Versions related list under a package (read-only for every
//! user): Package Version Name, Version, Version ID, Beta, Release Date.

use leptos::prelude::*;

use crate::components::export_button::ExportButton;
use crate::components::record::{Empty, RelatedList};
use crate::domain::PackageVersion;
use crate::exchange::package_versions_csv;
use crate::services::export::ExportFailed;

/// `versions` in the order to show them (newest first).
#[component]
pub fn PackageVersionsList(versions: Vec<PackageVersion>) -> impl IntoView {
    let count = versions.len();
    let actions = {
        let versions = versions.clone();
        Box::new(move || {
            let csv = move || {
                std::future::ready(package_versions_csv(&versions).map_err(ExportFailed::from))
            };
            view! { <ExportButton list="Package Versions" csv /> }.into_any()
        })
    };
    let body = if versions.is_empty() {
        view! { <Empty>"No package versions are registered for this package yet."</Empty> }
            .into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Package Version Name"</th>
                            <th scope="col">"Version"</th>
                            <th scope="col">"Version ID"</th>
                            <th scope="col">"Beta"</th>
                            <th scope="col">"Release Date"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {versions
                            .into_iter()
                            .map(|v| {
                                let beta = if v.beta { "Yes" } else { "No" };
                                view! {
                                    <tr>
                                        <td>{v.name}</td>
                                        <td>{v.version.to_string()}</td>
                                        <td>{v.id.to18().to_string()}</td>
                                        <td>
                                            <input
                                                type="checkbox"
                                                disabled=true
                                                checked=v.beta
                                                aria-label=format!("Beta: {beta}")
                                            />
                                        </td>
                                        <td>{v.release_date.format("%Y-%m-%d").to_string()}</td>
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
    view! {
        <RelatedList title="Package Versions" count=Signal::stored(count) actions=actions>
            {body}
        </RelatedList>
    }
}
