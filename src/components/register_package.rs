//! Register (link) a package with the License Management App, as in the
//! seed's "Linking a Package with Your License Management Organization":
//! choose whether the default license is Free Trial or Active, its length in
//! days or "License does not expire", and its seats or "License is
//! site-wide". Only a System Administrator may; the domain refuses anyone
//! else with its message, and every error is shown by its input.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::clock::now;
use crate::components::fields::{CheckboxInput, FormNotice, SelectInput, TextInput};
use crate::components::loaded::{on_result, Loaded};
use crate::components::record::{Empty, ErrorNotice};
use crate::domain::{Field, Package, Permission, RegistrationDraft, MAX_TRIAL_LENGTH_DAYS};
use crate::services::install::{register_package, SimField, SimulatorError};
use crate::storage::Repository;

/// What a successful registration means for the next installs.
pub fn registered_message(package: &Package) -> String {
    match package.default_license() {
        Some(d) => {
            let length = match d.length() {
                crate::domain::LicenseLength::Days(n) => format!("lasting {n} days"),
                crate::domain::LicenseLength::DoesNotExpire => "that does not expire".to_string(),
            };
            let seats = match d.seats().get() {
                Some(n) => format!("{n} seats"),
                None => "a Site License".to_string(),
            };
            format!(
                "{} is registered with the License Management App. Every install now creates a lead and a {} license {length} with {seats}. Installs made before now appear after Refresh Licenses on the package's page.",
                package.name,
                d.status().license_status(),
            )
        }
        None => format!("{} is registered.", package.name),
    }
}

/// The registration form. `package_id` preselects a package (18-character
/// Package ID); otherwise the first unregistered package is chosen.
#[component]
pub fn RegisterPackageForm(
    #[prop(optional, into)] package_id: Option<String>,
    /// Runs after a successful registration.
    #[prop(optional)]
    on_registered: Option<Callback<Package>>,
) -> impl IntoView {
    let app = use_app();
    let packages = app.live_resource(|repo| async move {
        let mut all: Vec<Package> = repo.list_records::<Package>().await?;
        crate::sort::sort_by_key(&mut all, |p| p.name.as_str().to_lowercase());
        Ok::<_, crate::storage::StorageError>(all)
    });

    let chosen = RwSignal::new(package_id.unwrap_or_default());
    let status = RwSignal::new("Free Trial".to_string());
    let length = RwSignal::new("30".to_string());
    let does_not_expire = RwSignal::new(false);
    let seats = RwSignal::new("10".to_string());
    let site_wide = RwSignal::new(false);
    let error = RwSignal::new(None::<SimulatorError>);
    let notice = RwSignal::new(None::<Result<String, String>>);

    let save = Action::new_local(move |(id, draft): &(String, RegistrationDraft)| {
        let repo = app.repo();
        let actor = app.user.get_untracked();
        let (id, draft) = (id.clone(), draft.clone());
        async move { register_package(&repo, &id, &draft, &actor, now()).await }
    });
    on_result(save, move |result| match result {
        Ok(package) => {
            error.set(None);
            notice.set(Some(Ok(registered_message(&package))));
            if let Some(cb) = on_registered {
                cb.run(package);
            }
        }
        Err(e) => {
            notice.set(None);
            error.set(Some(e));
        }
    });

    let field_error = move |f: SimField| {
        Signal::derive(move || {
            error
                .get()
                .filter(|e| e.field() == f)
                .map(|e| e.to_string())
        })
    };
    let form_error = Signal::derive(move || {
        error.get().filter(|e| {
            !matches!(
                e.field(),
                SimField::Package
                    | SimField::Domain(Field::DefaultStatus)
                    | SimField::Domain(Field::LicenseLength)
                    | SimField::Domain(Field::DefaultSeats)
            )
        })
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let draft = RegistrationDraft {
            status: status.get_untracked(),
            length_days: length.get_untracked(),
            does_not_expire: does_not_expire.get_untracked(),
            seats: seats.get_untracked(),
            site_wide: site_wide.get_untracked(),
        };
        save.dispatch_local((chosen.get_untracked(), draft));
    };
    let may_register = move || app.user.get().profile.allows(Permission::RegisterPackage);

    let form = move |unregistered: Vec<Package>| {
        if chosen.get_untracked().is_empty()
            || !unregistered
                .iter()
                .any(|p| p.id.to18() == chosen.get_untracked())
        {
            if let Some(first) = unregistered.first() {
                chosen.set(first.id.to18().to_string());
            }
        }
        let options: Vec<(String, String)> = unregistered
            .iter()
            .map(|p| {
                (
                    p.id.to18().to_string(),
                    format!("{} ({})", p.name, p.id.to15()),
                )
            })
            .collect();
        view! {
            <form class="form" on:submit=on_submit novalidate>
                <Show when=move || !may_register()>
                    <div class="notice warning" role="note">
                        "Only a System Administrator can register packages; switch user in the header to do it."
                    </div>
                </Show>
                <SelectInput
                    id="register-package"
                    label="Package to register"
                    value=chosen
                    options=options
                    error=field_error(SimField::Package)
                />
                <fieldset class="form-field" style="border:0;padding:0;margin:0">
                    <legend class="label">"License Status"</legend>
                    <span class="inline">
                        {["Free Trial", "Active"]
                            .into_iter()
                            .map(|s| {
                                let id = format!("register-status-{}", s.replace(' ', "-").to_lowercase());
                                view! {
                                    <span>
                                        <input
                                            type="radio"
                                            id=id.clone()
                                            name="register-status"
                                            value=s
                                            prop:checked=move || status.get() == s
                                            on:change=move |_| status.set(s.to_string())
                                        />
                                        <label for=id>{s}</label>
                                    </span>
                                }
                            })
                            .collect_view()}
                    </span>
                    <span class="hint">"If you don't charge for a license, choose Active."</span>
                    {move || {
                        field_error(SimField::Domain(Field::DefaultStatus))
                            .get()
                            .map(|e| view! { <p class="field-error" role="alert">{e}</p> })
                    }}
                </fieldset>
                <TextInput
                    id="register-length"
                    label="Length in Days"
                    value=length
                    kind="text"
                    hint=trial_length_hint()
                    disabled=Signal::derive(move || does_not_expire.get())
                    error=field_error(SimField::Domain(Field::LicenseLength))
                />
                <CheckboxInput id="register-does-not-expire" label="License does not expire" value=does_not_expire />
                <TextInput
                    id="register-seats"
                    label="Seats"
                    value=seats
                    disabled=Signal::derive(move || site_wide.get())
                    error=field_error(SimField::Domain(Field::DefaultSeats))
                />
                <CheckboxInput
                    id="register-site-wide"
                    label="License is site-wide"
                    value=site_wide
                    hint="Every user in the installer's org may use the package."
                />
                {move || form_error.get().map(|e| view! { <ErrorNotice message=e.to_string() /> })}
                <FormNotice notice />
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get()>
                        "Save"
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    view! {
        <Loaded resource=packages what="Reading the packages…" let:all>
            {
                let unregistered: Vec<Package> =
                    all.into_iter().filter(|p| !p.is_registered()).collect();
                if unregistered.is_empty() && notice.get_untracked().is_none() {
                    view! {
                        <Empty>
                            "Every package is registered. Upload a new package in the "
                            <A href="/simulator">"Subscriber simulator"</A>
                            " to register it."
                        </Empty>
                    }
                        .into_any()
                } else if unregistered.is_empty() {
                    view! { <FormNotice notice /> }.into_any()
                } else {
                    form(unregistered)
                }
            }
        </Loaded>
    }
}

/// The Length in Days hint, from the domain's longest Free Trial.
fn trial_length_hint() -> &'static str {
    static HINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    crate::format::built_once(&HINT, || {
        format!("A Free Trial lasts 1 to {MAX_TRIAL_LENGTH_DAYS} days.")
    })
}
