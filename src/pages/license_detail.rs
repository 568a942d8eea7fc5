//! The license record page: header with the key fields, every field by its
//! LMA label, the License History related list, and Modify License.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::app_context::{use_app, AppContext};
use crate::clock;
use crate::components::export_button::ExportButton;
use crate::components::license_parts::{
    date_text, date_time_text, stamp_text, user_name, LICENSE_MANAGEMENT_APP,
};
use crate::components::license_status::LicenseStatusBadge;
use crate::components::loaded::LoadedRecord;
use crate::components::record::{
    Details, Empty, Field as FieldView, PageHeader, RecordNotFound, RelatedList,
};
use crate::domain::{
    check_modifiable, group_thousands, HistoryEntry, License, ModifyLicenseError, SfId,
};
use crate::exchange::history_csv;
use crate::services::export::ExportFailed;
use crate::services::licenses::{load_license_detail, seats_text, LicenseDetail, RecordLink};

#[component]
pub fn LicenseDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = app.live_resource(move |repo| {
        let id = id();
        let saved = take_handed_over(&id);
        async move {
            match saved {
                Some(detail) => Ok(Some(detail)),
                None => load_license_detail(&repo, &id).await,
            }
        }
    });
    view! {
        <LoadedRecord
            resource=detail
            what="Loading the license…"
            not_found=move || view! { <LicenseNotFound id=id() /> }
            let:detail
        >
            <LicenseRecord detail />
        </LoadedRecord>
    }
}

thread_local! {
    /// The license page a save just made, handed over by Modify License.
    static HANDED_OVER: RefCell<Option<LicenseDetail>> = const { RefCell::new(None) };
}

/// Shows `detail` (the license page as a save left it, from
/// `modify_license`) on the license page opened next, instead of reading it
/// all again. Only until the browser's next turn: the page the save
/// navigates to takes it before that; any later page reads the database.
pub fn hand_over(detail: LicenseDetail) {
    HANDED_OVER.with(|h| *h.borrow_mut() = Some(detail));
    leptos::task::spawn_local(async {
        crate::browser_turn::browser_turn().await;
        HANDED_OVER.with(|h| h.borrow_mut().take());
    });
}

/// The handed-over page, if it is this license's (taken either way).
fn take_handed_over(id: &str) -> Option<LicenseDetail> {
    let detail = HANDED_OVER.with(|h| h.borrow_mut().take())?;
    let id = SfId::parse(id).ok()?;
    (detail.license.record.id == id).then_some(detail)
}

/// No license has this ID (the license page and Modify License say the same).
#[component]
pub fn LicenseNotFound(#[prop(into)] id: String) -> impl IntoView {
    view! {
        <RecordNotFound
            object_label="License"
            explanation=format!(
                "There is no license with the ID \"{id}\". It may have been mistyped, or the license was removed when demo data was cleared.",
            )
            back_href="/licenses"
            back_label="Back to Licenses"
        />
    }
}

/// The installed version by its name, linked to its package's page (where
/// the Package Versions related list shows it); its ID when it is not stored.
fn version_link(name: Option<String>, version_id: &SfId, package_id: &SfId) -> AnyView {
    match name {
        Some(name) => {
            let href = format!("/packages/{}", package_id.to18());
            view! { <A href=href>{name}</A> }.into_any()
        }
        None => version_id.to15().to_string().into_any(),
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
    crate::bench::mark("ld:detail-view");
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
        version,
    } = detail;
    let l: License = license.record;
    let id18 = l.id.to18().to_string();
    let modify_href = format!("/licenses/{id18}/modify");

    // Where a save would surely be refused, Modify License is not offered.
    // A profile that may not modify is simply not offered it (as every
    // action a profile can't use); a license or org that can't be modified
    // says why.
    let refusal = {
        let l = l.clone();
        Memo::new(move |_| check_modifiable(&l, &app.user.get()).err())
    };
    let may_modify = move || refusal.with(Option::is_none);
    let refusal_text = move || {
        refusal
            .get()
            .filter(|e| !matches!(e, ModifyLicenseError::Permission(_)))
            .map(|e| e.to_string())
    };
    let saved = move || query.read().get("saved").and_then(|c| saved_notice(&c));

    let status = l.effective_status(today);
    let seats = seats_text(l.seats);
    let used = l
        .used_licenses
        .map(|n| group_thousands(i64::from(n)))
        .unwrap_or_default();
    let expiration = l.expiration.to_string();
    let available = l.available_seats();
    let warnings: Vec<String> = l.warnings().iter().map(ToString::to_string).collect();
    let title = Signal::stored(l.name.to_string());
    let version_view = version_link(version, &l.package_version_id, &l.package_id);
    let history_count = history.len();
    let history_export = {
        let history = history.clone();
        Box::new(move || {
            let csv = move || std::future::ready(history_csv(&history).map_err(ExportFailed::from));
            view! { <ExportButton list="License History" csv /> }.into_any()
        })
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
                let expiration = expiration.clone();
                move || {
                    view! {
                        <FieldView label="License Status">
                            <LicenseStatusBadge status />
                        </FieldView>
                        <FieldView label="Licensed Seats">{seats.clone()}</FieldView>
                        <FieldView label="Used Licenses">{used.clone()}</FieldView>
                        <FieldView label="Expiration Date">{expiration.clone()}</FieldView>
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
            refusal_text()
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
            <FieldView label="Package Version">
                {version_view}
            </FieldView>
            <FieldView label="License Status">
                <LicenseStatusBadge status />
            </FieldView>
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
            <FieldView label="Expiration Date">{expiration}</FieldView>
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
        <RelatedList title="License History" count=Signal::stored(history_count) actions=history_export>
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
