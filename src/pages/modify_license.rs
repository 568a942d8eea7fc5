//! Modify License: the one way a user changes a license. The form sends what
//! was typed to the licenses service; the domain's rules decide, and their
//! messages appear next to the input to fix (or at the top for the whole
//! form). Nothing is saved unless every rule passes.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::app_context::use_app;
use crate::clock;
use crate::components::license_parts::LicenseNotFound;
use crate::components::record::{ErrorNotice, Loading, PageHeader};
use crate::domain::{modify_license_errors, Field, License, LicenseStatus, ModifyLicenseDraft};
use crate::services::licenses::{load_license, modify_license, ModifyFailure};
use crate::storage::Stored;

#[component]
pub fn ModifyLicensePage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Read once (not after every commit): the form keeps what the user
    // types, and a save over a license changed meanwhile is a conflict.
    let license = LocalResource::new(move || {
        let repo = app.repo();
        let id = id();
        async move { load_license(&repo, &id).await }
    });
    view! {
        {move || match license.get() {
            None => view! { <Loading what="Loading the license…" /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
            Some(Ok(None)) => view! { <LicenseNotFound id=id() /> }.into_any(),
            Some(Ok(Some(stored))) => view! { <ModifyLicenseForm stored /> }.into_any(),
        }}
    }
}

/// The errors on screen: each by the input it belongs to.
#[derive(Debug, Clone, Default, PartialEq)]
struct Errors {
    form: Option<String>,
    expiration: Option<String>,
    seats: Option<String>,
    status: Option<String>,
}

impl Errors {
    fn from_messages(messages: impl IntoIterator<Item = (Field, String)>) -> Errors {
        let mut errors = Errors::default();
        for (field, message) in messages {
            let slot = match field {
                Field::Expiration => &mut errors.expiration,
                Field::Seats => &mut errors.seats,
                Field::Status => &mut errors.status,
                _ => &mut errors.form,
            };
            slot.get_or_insert(message);
        }
        errors
    }

    fn first_field(&self) -> Option<Field> {
        if self.expiration.is_some() {
            Some(Field::Expiration)
        } else if self.seats.is_some() {
            Some(Field::Seats)
        } else if self.status.is_some() {
            Some(Field::Status)
        } else {
            None
        }
    }
}

#[component]
fn ModifyLicenseForm(stored: Stored<License>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let today = clock::today();
    let Stored {
        rev,
        record: license,
    } = stored;
    let id18 = license.id.to18().to_string();
    let detail_href = format!("/licenses/{id18}");
    let name = license.name.to_string();

    let start = ModifyLicenseDraft::from_license(&license);
    let expiration_date = RwSignal::new(start.expiration_date.clone());
    let does_not_expire = RwSignal::new(start.does_not_expire);
    let seats = RwSignal::new(start.seats.clone());
    let site_license = RwSignal::new(start.site_license);
    let status = RwSignal::new(start.status.clone());
    let errors = RwSignal::new(Errors::default());

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
        let start = start.clone();
        Memo::new(move |_| {
            let user = app.user.get();
            modify_license_errors(&license, &start, &user, today)
                .into_iter()
                .find(|e| e.field() == Field::Form)
                .map(|e| e.to_string())
        })
    };
    let locked = move || refusal.with(Option::is_some);

    let expiration_ref = NodeRef::<leptos::html::Input>::new();
    let seats_ref = NodeRef::<leptos::html::Input>::new();
    let status_ref = NodeRef::<leptos::html::Select>::new();
    let focus = move |field: Field| {
        let _ = match field {
            Field::Expiration => expiration_ref.get_untracked().map(|e| e.focus()),
            Field::Seats => seats_ref.get_untracked().map(|e| e.focus()),
            Field::Status => status_ref.get_untracked().map(|e| e.focus()),
            _ => None,
        };
    };

    let save = Action::new_local({
        let id18 = id18.clone();
        let navigate = navigate.clone();
        move |draft: &ModifyLicenseDraft| {
            let repo = app.repo();
            let user = app.user.get_untracked();
            let draft = draft.clone();
            let id18 = id18.clone();
            let navigate = navigate.clone();
            async move {
                let result = modify_license(
                    &repo,
                    &id18,
                    Some(rev),
                    &draft,
                    &user,
                    clock::today(),
                    clock::now(),
                )
                .await;
                match result {
                    Ok(outcome) => {
                        errors.set(Errors::default());
                        navigate(
                            &format!("/licenses/{id18}?saved={}", outcome.history.len()),
                            NavigateOptions::default(),
                        );
                    }
                    Err(failure) => {
                        let shown = field_errors(&failure);
                        let first = shown.first_field();
                        errors.set(shown);
                        if let Some(field) = first {
                            focus(field);
                        }
                    }
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

    let error_of = move |pick: fn(&Errors) -> Option<String>| move || errors.with(pick);
    let expiration_error = error_of(|e| e.expiration.clone());
    let seats_error = error_of(|e| e.seats.clone());
    let status_error = error_of(|e| e.status.clone());
    let top_message = move || refusal.get().or_else(|| errors.with(|e| e.form.clone()));
    let current_is_choosable = license.status != LicenseStatus::Uninstalled;
    let current_status = license.status.label();

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
                        <div class="form-field">
                            <label for="modify-expiration">"Expiration"</label>
                            <div class="inline">
                                <input
                                    id="modify-expiration"
                                    type="date"
                                    node_ref=expiration_ref
                                    prop:value=move || expiration_date.get()
                                    on:input=move |ev| expiration_date.set(event_target_value(&ev))
                                    on:change=move |ev| expiration_date.set(event_target_value(&ev))
                                    disabled=move || does_not_expire.get()
                                    aria-invalid=move || expiration_error().is_some().then_some("true")
                                    aria-describedby=move || {
                                        if expiration_error().is_some() {
                                            "modify-expiration-error modify-expiration-hint"
                                        } else {
                                            "modify-expiration-hint"
                                        }
                                    }
                                />
                                <span>
                                    <input
                                        id="modify-does-not-expire"
                                        type="checkbox"
                                        prop:checked=move || does_not_expire.get()
                                        on:change=move |ev| does_not_expire.set(event_target_checked(&ev))
                                    />
                                    " "
                                    <label for="modify-does-not-expire">"Does not expire"</label>
                                </span>
                            </div>
                            <span class="hint" id="modify-expiration-hint">
                                "The last day the customer can use the package: today or later."
                            </span>
                            {move || {
                                expiration_error()
                                    .map(|m| {
                                        view! {
                                            <p class="field-error" role="alert" id="modify-expiration-error">{m}</p>
                                        }
                                    })
                            }}
                        </div>
                        <div class="form-field">
                            <label for="modify-seats">"Seats"</label>
                            <div class="inline">
                                <input
                                    id="modify-seats"
                                    type="number"
                                    inputmode="numeric"
                                    min="1"
                                    max="99000000"
                                    step="1"
                                    node_ref=seats_ref
                                    prop:value=move || seats.get()
                                    on:input=move |ev| seats.set(event_target_value(&ev))
                                    disabled=move || site_license.get()
                                    aria-invalid=move || seats_error().is_some().then_some("true")
                                    aria-describedby=move || {
                                        if seats_error().is_some() {
                                            "modify-seats-error modify-seats-hint"
                                        } else {
                                            "modify-seats-hint"
                                        }
                                    }
                                />
                                <span>
                                    <input
                                        id="modify-site-license"
                                        type="checkbox"
                                        prop:checked=move || site_license.get()
                                        on:change=move |ev| site_license.set(event_target_checked(&ev))
                                    />
                                    " "
                                    <label for="modify-site-license">"Site License"</label>
                                </span>
                            </div>
                            <span class="hint" id="modify-seats-hint">
                                "1 to 99,000,000 seats, or Site License for every user in the customer's org."
                            </span>
                            {move || {
                                seats_error()
                                    .map(|m| {
                                        view! { <p class="field-error" role="alert" id="modify-seats-error">{m}</p> }
                                    })
                            }}
                        </div>
                        <div class="form-field">
                            <label for="modify-status">"Status"</label>
                            <select
                                id="modify-status"
                                style="max-width:16rem"
                                node_ref=status_ref
                                on:change=move |ev| status.set(event_target_value(&ev))
                                aria-invalid=move || status_error().is_some().then_some("true")
                                aria-describedby=move || {
                                    if status_error().is_some() {
                                        "modify-status-error modify-status-hint"
                                    } else {
                                        "modify-status-hint"
                                    }
                                }
                            >
                                {(!current_is_choosable)
                                    .then(|| {
                                        view! {
                                            <option value=current_status disabled selected>
                                                {current_status}
                                            </option>
                                        }
                                    })}
                                {[LicenseStatus::Trial, LicenseStatus::Active, LicenseStatus::Suspended]
                                    .into_iter()
                                    .map(|s| {
                                        view! {
                                            <option value=s.label() selected=move || status.with(|v| v == s.label())>
                                                {s.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <span class="hint" id="modify-status-hint">
                                "Trial lasts at most 90 days; a license that has been Active can't return to Trial."
                            </span>
                            {move || {
                                status_error()
                                    .map(|m| {
                                        view! { <p class="field-error" role="alert" id="modify-status-error">{m}</p> }
                                    })
                            }}
                        </div>
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

/// The messages to show after a refused save: the service reports every
/// field's error at once, each by its input.
fn field_errors(failure: &ModifyFailure) -> Errors {
    Errors::from_messages(failure.messages())
}
