//! Edit on a package: the Lead Manager select, with the domain's refusal
//! shown by the field.
//!
//! Every user is offered (labelled with profile and, if so, "inactive"), as
//! the LMA's user lookup does: choosing one who can't be Lead Manager is
//! refused by the domain, whose message says why and whom to choose.

use leptos::prelude::*;

use crate::domain::{Field, User};

/// A failed save: which input the message belongs by, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// What the edit form submits: package ID, the revision shown, and the chosen
/// user's ID ("" for none).
pub type LeadManagerInput = (String, u64, String);

/// What a save of the Lead Manager gives back.
pub type LeadManagerResult = Result<(), FieldError>;

/// A user as an option of the select.
pub fn user_option_label(user: &User) -> String {
    if user.active {
        format!("{} ({})", user.name, user.profile.label())
    } else {
        format!("{} ({}, inactive)", user.name, user.profile.label())
    }
}

#[component]
pub fn LeadManagerEditor(
    package_id: String,
    /// The package revision the page shows.
    rev: u64,
    /// The current Lead Manager's 18-character ID.
    current: Option<String>,
    /// Every user, active or not.
    users: Vec<User>,
    editing: RwSignal<bool>,
    error: RwSignal<Option<FieldError>>,
    save: Action<LeadManagerInput, LeadManagerResult>,
) -> impl IntoView {
    let choice = RwSignal::new(current.clone().unwrap_or_default());
    let mut users = users;
    crate::sort::sort_by_key(&mut users, |u| u.name.to_lowercase());
    let options = users
        .into_iter()
        .map(|u| {
            let id = u.id.to18().to_string();
            let label = user_option_label(&u);
            let selected = current.as_deref() == Some(id.as_str());
            view! { <option value=id selected=selected>{label}</option> }
        })
        .collect_view();
    let field_error = move || {
        error
            .get()
            .filter(|e| e.field == Field::LeadManager)
            .map(|e| e.message)
    };
    let form_error = move || {
        error
            .get()
            .filter(|e| e.field != Field::LeadManager)
            .map(|e| e.message)
    };
    let pending = save.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch_local((package_id.clone(), rev, choice.get_untracked()));
    };
    let cancel = move |_| {
        error.set(None);
        editing.set(false);
    };
    view! {
        <section class="card" aria-label="Edit Package">
            <h2>"Edit Package"</h2>
            <form class="card-body form" on:submit=on_submit>
                {move || {
                    form_error()
                        .map(|m| view! { <div class="notice error" role="alert">{m}</div> })
                }}
                <div class="form-field">
                    <label for="lead-manager">"Lead Manager"</label>
                    <select
                        id="lead-manager"
                        aria-invalid=move || field_error().is_some().to_string()
                        aria-describedby="lead-manager-hint lead-manager-error"
                        on:change=move |ev| choice.set(event_target_value(&ev))
                    >
                        <option value="" selected=current.is_none()>
                            "None (the License Management App owns new leads)"
                        </option>
                        {options}
                    </select>
                    <p class="hint" id="lead-manager-hint">
                        "The owner of the leads created when customers install this package. Choose an active user who can read and edit licenses."
                    </p>
                    {move || {
                        field_error()
                            .map(|m| {
                                view! {
                                    <p class="field-error" id="lead-manager-error" role="alert">
                                        {m}
                                    </p>
                                }
                            })
                    }}
                </div>
                <div class="form-actions">
                    <button type="button" on:click=cancel>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        "Save"
                    </button>
                </div>
            </form>
        </section>
    }
}
