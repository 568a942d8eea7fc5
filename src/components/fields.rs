//! The form inputs every form uses (Modify License, Settings, the simulator,
//! package registration): a label, the input, an optional hint, and the
//! error of that input (from the domain or the simulator) right below it,
//! announced and linked with `aria-describedby`.

use leptos::prelude::*;

/// The error text of one input, when the last attempt failed there.
pub type FieldError = Signal<Option<String>>;

fn described_by(id: &str, has_hint: bool) -> String {
    let mut ids = format!("{id}-error");
    if has_hint {
        ids.push_str(&format!(" {id}-hint"));
    }
    ids
}

#[component]
fn FieldMessages(id: String, hint: Option<String>, error: FieldError) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        {hint.map(|h| view! { <span class="hint" id=format!("{id}-hint")>{h}</span> })}
        {move || {
            error
                .get()
                .map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })
        }}
    }
}

/// A text input bound to `value`.
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into, optional)] error: FieldError,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    /// Disables the input (its value is then ignored by the form).
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    view! {
        <div class="form-field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type=kind
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
                required=required
                disabled=move || disabled.get()
            />
            <FieldMessages id=id hint error />
        </div>
    }
}

/// A select bound to `value`; `options` are (value, label) pairs.
#[component]
pub fn SelectInput(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into, optional)] error: FieldError,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let described = described_by(&id, hint.is_some());
    view! {
        <div class="form-field">
            <label for=id.clone()>{label}</label>
            <select
                id=id.clone()
                on:change=move |ev| value.set(event_target_value(&ev))
                prop:value=move || value.get()
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            >
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
            <FieldMessages id=id hint error />
        </div>
    }
}

/// A checkbox bound to `value`.
#[component]
pub fn CheckboxInput(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<bool>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="form-field">
            <span class="inline">
                <input
                    id=id.clone()
                    type="checkbox"
                    prop:checked=move || value.get()
                    on:change=move |ev| value.set(event_target_checked(&ev))
                />
                <label for=id.clone()>{label}</label>
            </span>
            {hint.map(|h| view! { <span class="hint">{h}</span> })}
        </div>
    }
}

/// A form-level outcome: an error (role alert) or a success (role status).
#[component]
pub fn FormNotice(notice: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        notice.get().map(|n| match n {
            Ok(text) => view! { <div class="notice success" role="status">{text}</div> }.into_any(),
            Err(text) => view! { <div class="notice error" role="alert">{text}</div> }.into_any(),
        })
    }
}
