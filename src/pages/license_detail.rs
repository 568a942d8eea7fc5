//! The license record page: header with the key fields, every field by its
//! LMA label, the License History related list, and Modify License.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app_context::{use_app, AppContext};
use crate::clock;
use crate::components::license_parts::{
    date_text, date_time_text, stamp_text, user_name, LicenseNotFound, LICENSE_MANAGEMENT_APP,
};
use crate::components::record::{
    Details, Empty, ErrorNotice, Field as FieldView, Loading, PageHeader, RelatedList,
};
use crate::domain::{
    group_thousands, modify_license_errors, Field, HistoryEntry, License, ModifyLicenseDraft,
    Permission,
};
use crate::services::licenses::{load_license_detail, seats_text, LicenseDetail, RecordLink};

#[component]
pub fn LicenseDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = LocalResource::new(move || {
        app.track_changes();
        let repo = app.repo();
        let id = id();
        async move { load_license_detail(&repo, &id).await }
    });
    view! {
        {move || match detail.get() {
            None => view! { <Loading what="Loading the license…" /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
            Some(Ok(None)) => view! { <LicenseNotFound id=id() /> }.into_any(),
            Some(Ok(Some(detail))) => view! { <LicenseRecord detail /> }.into_any(),
        }}
    }
}

fn link(base: &str, link: &RecordLink) -> impl IntoView {
    let href = format!("/{base}/{}", link.id);
    let name = link.name.clone();
    view! { <A href=href>{name}</A> }
}

/// "Saved: 2 fields changed." after Modify License sent the user here.
fn saved_notice(changes: &str) -> Option<String> {
    match changes.parse::<usize>().ok()? {
        0 => Some("Nothing changed: the values were already the license's values.".into()),
        1 => Some("Saved: 1 field changed, recorded in the License History.".into()),
        n => Some(format!(
            "Saved: {n} fields changed, recorded in the License History."
        )),
    }
}

#[component]
fn LicenseRecord(detail: LicenseDetail) -> impl IntoView {
    let app = use_app();
    let today = clock::today();
    let query = use_query_map();
    let LicenseDetail {
        license,
        history,
        package,
        lead,
        account,
        contact,
    } = detail;
    let l: License = license.record;
    let id18 = l.id.to18().to_string();
    let modify_href = format!("/licenses/{id18}/modify");

    let may_modify = move || {
        app.user
            .with(|u| u.profile.allows(Permission::ModifyLicense))
    };
    // What the domain says before any change is typed: an Uninstalled
    // license or a locked org can't be modified, whatever the values.
    let refusal = {
        let l = l.clone();
        move || {
            let user = app.user.get();
            if !user.profile.allows(Permission::ModifyLicense) {
                return None;
            }
            let draft = ModifyLicenseDraft::from_license(&l);
            modify_license_errors(&l, &draft, &user, today)
                .into_iter()
                .find(|e| e.field() == Field::Form)
                .map(|e| e.to_string())
        }
    };
    let saved = move || query.read().get("saved").and_then(|c| saved_notice(&c));

    let expired = l.is_expired(today);
    let status = l.status.label();
    let seats = seats_text(l.seats);
    let used = l
        .used_licenses
        .map(|n| group_thousands(i64::from(n)))
        .unwrap_or_default();
    let expiration = l.expiration.to_string();
    let available = l.available_seats();
    let warnings: Vec<String> = l.warnings().iter().map(ToString::to_string).collect();
    let title = Signal::stored(l.name.to_string());
    let history_count = history.len();

    let expiration_view = {
        let expiration = expiration.clone();
        move || {
            view! {
                {expiration.clone()}
                {expired.then(|| view! { " " <span class="badge expired">"Expired"</span> })}
            }
        }
    };

    view! {
        <PageHeader
            object_label="License"
            title=title
            actions=Box::new({
                let modify_href = modify_href.clone();
                move || {
                    let modify_href = modify_href.clone();
                    view! {
                        <Show when=may_modify>
                            <A href=modify_href.clone() attr:class="button primary">"Modify License"</A>
                        </Show>
                    }
                    .into_any()
                }
            })
            highlights=Box::new({
                let seats = seats.clone();
                let used = used.clone();
                let expiration_view = expiration_view.clone();
                move || {
                    view! {
                        <FieldView label="License Status">
                            <span class=format!("badge {status}")>{status}</span>
                        </FieldView>
                        <FieldView label="Licensed Seats">{seats.clone()}</FieldView>
                        <FieldView label="Used Licenses">{used.clone()}</FieldView>
                        <FieldView label="Expiration Date">{expiration_view.clone()}</FieldView>
                    }
                    .into_any()
                }
            })
        />
        {move || saved().map(|text| view! { <div class="notice success" role="status">{text}</div> })}
        {warnings
            .into_iter()
            .map(|w| view! { <div class="notice warning" role="status">{w}</div> })
            .collect_view()}
        {move || {
            refusal()
                .map(|text| {
                    view! {
                        <div class="notice warning" role="status">
                            <strong>"This license can't be modified. "</strong>
                            {text}
                        </div>
                    }
                })
        }}
        <Details title="License Detail">
            <FieldView label="License Name">{l.name.to_string()}</FieldView>
            <FieldView label="Owner">{LICENSE_MANAGEMENT_APP}</FieldView>
            <FieldView label="Package">
                {match &package {
                    Some(p) => link("packages", p).into_any(),
                    None => l.package_id.to15().to_string().into_any(),
                }}
            </FieldView>
            <FieldView label="Package Version Number">{l.version_number.to_string()}</FieldView>
            <FieldView label="Package Version">{l.package_version_id.to15().to_string()}</FieldView>
            <FieldView label="License Status">{status}</FieldView>
            <FieldView label="Licensed Seats">{seats}</FieldView>
            <FieldView label="Used Licenses">{used}</FieldView>
            <FieldView label="Available Seats">
                {match available {
                    Some(n) if n < 0 => {
                        view! { <span class="negative">{group_thousands(n)}</span> }.into_any()
                    }
                    Some(n) => group_thousands(n).into_any(),
                    None => ().into_any(),
                }}
            </FieldView>
            <FieldView label="Expiration Date">{expiration_view}</FieldView>
            <FieldView label="Install Date">{date_text(l.install_date)}</FieldView>
            <FieldView label="Information Current As Of">
                {date_time_text(l.information_current_as_of)}
            </FieldView>
            <FieldView label="Subscriber Org ID">
                <span title=l.subscriber_org_id.to18().to_string()>
                    {l.subscriber_org_id.to15().to_string()}
                </span>
            </FieldView>
            <FieldView label="Org Edition">{l.org_edition.clone()}</FieldView>
            <FieldView label="Org Status">{l.org_status.label()}</FieldView>
            <FieldView label="Org Expiration Date">
                {l.org_expiration_date.map(date_text).unwrap_or_default()}
            </FieldView>
            <FieldView label="Instance">{l.instance.clone()}</FieldView>
            <FieldView label="Sandbox">{if l.sandbox { "Yes" } else { "No" }}</FieldView>
            <FieldView label="Lead">
                {match &lead {
                    Some(lead) => link("leads", lead).into_any(),
                    None => l.lead_name.clone().into_any(),
                }}
            </FieldView>
            <FieldView label="Account">
                {account.as_ref().map(|a| link("accounts", a))}
            </FieldView>
            <FieldView label="Contact">
                {contact.as_ref().map(|c| link("contacts", c))}
            </FieldView>
            <FieldView label="License Type">{l.license_type.label()}</FieldView>
            <FieldView label="Created By">{stamp_text(&app, &l.created)}</FieldView>
            <FieldView label="Last Modified By">{stamp_text(&app, &l.last_modified)}</FieldView>
        </Details>
        <RelatedList title="License History" count=Signal::stored(history_count)>
            <HistoryTable history app />
        </RelatedList>
    }
}

#[component]
fn HistoryTable(history: Vec<HistoryEntry>, app: AppContext) -> impl IntoView {
    if history.is_empty() {
        return view! {
            <Empty>"No changes yet. Every change made with Modify License is recorded here."</Empty>
        }
        .into_any();
    }
    view! {
        <div class="table-scroll">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Field"</th>
                        <th scope="col">"User"</th>
                        <th scope="col">"Original Value"</th>
                        <th scope="col">"New Value"</th>
                    </tr>
                </thead>
                <tbody>
                    {history
                        .into_iter()
                        .map(|h| {
                            view! {
                                <tr>
                                    <td>{date_time_text(h.at)}</td>
                                    <td>{h.field.label()}</td>
                                    <td>{user_name(&app, &h.by)}</td>
                                    <td>{h.old_value}</td>
                                    <td>{h.new_value}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
