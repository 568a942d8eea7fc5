//! Modify License: the one way a user changes a license. The form sends what
//! was typed to the licenses service; the domain's rules decide, and their
//! messages appear next to the input to fix (or at the top for the whole
//! form). Nothing is saved unless every rule passes.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use crate::app_context::use_app;
use crate::clock;
use crate::components::fields::{CheckboxInput, FieldError, SelectInput, TextInput};
use crate::components::loaded::{on_result, LoadedRecord};
use crate::components::record::PageHeader;
use crate::domain::{
    check_modifiable, group_thousands, Field, LicenseStatus, ModifyLicenseDraft, Seats, MAX_SEATS,
    MAX_TRIAL_DAYS,
};
use crate::pages::license_detail::{hand_over, LicenseNotFound};
use crate::services::licenses::{
    load_modify_start, modify_from, modify_license, LicenseDetail, ModifyStart,
};
use crate::storage::{Repository, Stored};

#[component]
pub fn ModifyLicensePage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Change notices heard since the form began reading (its own save's
    // included), counted before the read starts so none falls between.
    let heard = StoredValue::new(0u64);
    let subscription = app.repo().subscribe(move |notice| {
        if !notice.only_sync_stores() {
            heard.try_update_value(|n| *n += 1);
        }
    });
    let _subscription = StoredValue::new_local(subscription);
    // Read once (not after every commit): the form keeps what the user
    // types, and a save over a license changed meanwhile is a conflict.
    let start = LocalResource::new(move || {
        let repo = app.repo();
        let id = id();
        async move { load_modify_start(&repo, &id).await }
    });
    view! {
        <LoadedRecord
            resource=start
            what="Loading the license…"
            not_found=move || view! { <LicenseNotFound id=id() /> }
            let:start
        >
            <ModifyLicenseForm start heard />
        </LoadedRecord>
    }
}

/// The inputs in form order, by the field their errors name.
const INPUTS: [(Field, &str); 3] = [
    (Field::Expiration, "modify-expiration"),
    (Field::Seats, "modify-seats"),
    (Field::Status, "modify-status"),
];

/// A refused save's messages, each with the input it belongs by.
type Messages = Vec<(Field, String)>;

/// A save's number of changed fields, and the license page as it left it.
type Saved = (usize, Option<LicenseDetail>);

/// `heard` counts the change notices since `start` was read.
#[component]
fn ModifyLicenseForm(start: ModifyStart, heard: StoredValue<u64>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Stored {
        rev,
        record: license,
    } = start.license.clone();
    // What the form read saves without reading again while no commit was
    // heard since (the commit still refuses a license saved elsewhere).
    let opened = StoredValue::new(start);
    let id18 = license.id.to18().to_string();
    let detail_href = format!("/licenses/{id18}");
    let name = license.name.to_string();

    let start = ModifyLicenseDraft::from_license(&license);
    let expiration_date = RwSignal::new(start.expiration_date);
    let does_not_expire = RwSignal::new(start.does_not_expire);
    let seats = RwSignal::new(start.seats);
    let site_license = RwSignal::new(start.site_license);
    let status = RwSignal::new(start.status);
    let errors = RwSignal::new(Messages::new());

    let draft = move || ModifyLicenseDraft {
        expiration_date: expiration_date.get_untracked(),
        does_not_expire: does_not_expire.get_untracked(),
        seats: seats.get_untracked(),
        site_license: site_license.get_untracked(),
        status: status.get_untracked(),
    };

    // Refusals that no typed value can fix (the user's profile, an
    // Uninstalled license, a locked org), as the domain words them. They
    // follow the "Acting as" user.
    let refusal = {
        let license = license.clone();
        Memo::new(move |_| {
            check_modifiable(&license, &app.user.get())
                .err()
                .map(|e| e.to_string())
        })
    };
    let locked = move || refusal.with(Option::is_some);

    // The domain's warning for the seats being typed, before any save.
    let seats_warning = {
        let license = license.clone();
        move || {
            if site_license.get() {
                return None;
            }
            let typed = seats.with(|s| Seats::parse(s).ok())?;
            let text: Vec<String> = license
                .warnings_with_seats(typed)
                .iter()
                .map(ToString::to_string)
                .collect();
            (!text.is_empty()).then(|| text.join(" "))
        }
    };

    let save = Action::new_local({
        let id18 = id18.clone();
        move |draft: &ModifyLicenseDraft| {
            let repo = app.repo();
            let user = app.user.get_untracked();
            let draft = draft.clone();
            let id18 = id18.clone();
            let before = heard.get_value();
            let from = (before == 0).then(|| opened.get_value());
            let (today, now) = (clock::today(), clock::now());
            async move {
                let saved = match from {
                    Some(start) => modify_from(&repo, start, &draft, &user, today, now).await,
                    None => {
                        modify_license(&repo, &id18, Some(rev), &draft, &user, today, now).await
                    }
                }
                .map_err(|failure| failure.messages())?;
                let changed = saved.outcome.history.len();
                // The license page is handed what the save read only if no
                // other commit came between (it may have changed a linked
                // record).
                let own = u64::from(saved.wrote);
                let detail = saved
                    .detail
                    .filter(|_| heard.try_get_value() == Some(before + own));
                Ok((changed, detail))
            }
        }
    });
    on_result(save, {
        let id18 = id18.clone();
        move |result: Result<Saved, Messages>| match result {
            Ok((changed, detail)) => {
                // Where a save's time goes (bench/run.mjs `modify` prints it).
                crate::bench::mark("ld:save-done");
                errors.set(Messages::new());
                if let Some(detail) = detail {
                    hand_over(detail);
                }
                navigate(
                    &format!("/licenses/{id18}?saved={changed}"),
                    NavigateOptions::default(),
                );
            }
            Err(shown) => {
                let first = INPUTS
                    .iter()
                    .find(|(field, _)| shown.iter().any(|(f, _)| f == field));
                errors.set(shown);
                if let Some((_, id)) = first {
                    focus(id);
                }
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            save.dispatch_local(draft());
        }
    };

    let error_for = move |field: Field| -> FieldError {
        Signal::derive(move || {
            errors.with(|all| {
                all.iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, m)| m.clone())
            })
        })
    };
    // A refusal, or a message no input owns (a conflict, a storage failure).
    let top_message = move || {
        refusal.get().or_else(|| {
            errors.with(|all| {
                all.iter()
                    .find(|(f, _)| INPUTS.iter().all(|(input, _)| input != f))
                    .map(|(_, m)| m.clone())
            })
        })
    };
    // Uninstalled can't be chosen, but an Uninstalled license shows it (its
    // form is locked anyway).
    let mut choices = vec![
        LicenseStatus::Trial,
        LicenseStatus::Active,
        LicenseStatus::Suspended,
    ];
    if !choices.contains(&license.status) {
        choices.insert(0, license.status);
    }
    let status_options = Signal::stored(
        choices
            .into_iter()
            .map(|s| (s.label().to_string(), s.label().to_string()))
            .collect::<Vec<_>>(),
    );
    let seats_hint = format!(
        "1 to {} seats, or Site License for every user in the customer's org.",
        group_thousands(i64::from(MAX_SEATS))
    );
    let status_hint = format!(
        "Trial lasts at most {MAX_TRIAL_DAYS} days; a license that has been Active can't return to Trial."
    );

    view! {
        <PageHeader object_label=format!("License {name}") title=Signal::stored("Modify License".to_string()) />
        <section class="card" aria-label="Modify License">
            <div class="card-body">
                {move || {
                    top_message()
                        .map(|message| {
                            view! {
                                <div class="notice error" role="alert" id="modify-form-error">
                                    {message}
                                </div>
                            }
                        })
                }}
                <form class="form" novalidate on:submit=on_submit aria-describedby="modify-form-error">
                    <fieldset disabled=locked style="border:0;padding:0;margin:0;min-width:0;display:grid;gap:1rem">
                        <legend class="hint" style="padding:0;margin-bottom:0.25rem">
                            "Change the customer's access to the package: how long, how many seats, and the License Status."
                        </legend>
                        <TextInput
                            id="modify-expiration"
                            label="Expiration"
                            kind="date"
                            value=expiration_date
                            disabled=does_not_expire
                            hint="The last day the customer can use the package: today or later."
                            error=error_for(Field::Expiration)
                        />
                        <CheckboxInput id="modify-does-not-expire" label="Does not expire" value=does_not_expire />
                        <TextInput
                            id="modify-seats"
                            label="Seats"
                            kind="number"
                            value=seats
                            disabled=site_license
                            hint=seats_hint
                            error=error_for(Field::Seats)
                        />
                        <CheckboxInput id="modify-site-license" label="Site License" value=site_license />
                        {move || {
                            seats_warning()
                                .map(|w| {
                                    view! {
                                        <div class="notice warning" role="status" id="modify-seats-warning">
                                            {w}
                                        </div>
                                    }
                                })
                        }}
                        <SelectInput
                            id="modify-status"
                            label="Status"
                            value=status
                            options=status_options
                            hint=status_hint
                            error=error_for(Field::Status)
                        />
                    </fieldset>
                    <div class="form-actions">
                        <A href=detail_href.clone() attr:class="button">"Cancel"</A>
                        <button type="submit" class="primary" disabled=move || locked() || pending.get()>
                            {move || if pending.get() { "Saving…" } else { "Save" }}
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

/// Moves the keyboard to the input whose error to fix first.
fn focus(id: &str) {
    if let Some(input) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = input.focus();
    }
}
