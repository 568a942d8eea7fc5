//! The pieces of a Lightning-style record page: a header with the key fields,
//! details as label/value pairs in two columns, and related-list cards.

use leptos::prelude::*;
use leptos_router::components::A;

/// The page header: object label ("License"), record title, actions, and the
/// highlight fields below.
#[component]
pub fn PageHeader(
    /// What kind of record or list this is, e.g. "License".
    #[prop(into)]
    object_label: String,
    #[prop(into)] title: Signal<String>,
    /// Buttons or links at the right.
    #[prop(optional)]
    actions: Option<Children>,
    /// `<Highlight>`s shown under the title.
    #[prop(optional)]
    highlights: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <div class="titles">
                <p class="object-label">{object_label}</p>
                <h1>{move || title.get()}</h1>
            </div>
            {actions.map(|a| view! { <div class="actions">{a()}</div> })}
            {highlights.map(|h| view! { <dl class="highlights">{h()}</dl> })}
        </div>
    }
}

/// One label/value pair, in the header's highlights or in a `<Details>` grid.
#[component]
pub fn Field(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div>
            <dt>{label}</dt>
            <dd>{children()}</dd>
        </div>
    }
}

/// A card holding `<Field>`s in two columns.
#[component]
pub fn Details(
    #[prop(into, default = "Details".to_string())] title: String,
    children: Children,
) -> impl IntoView {
    let label = title.clone();
    view! {
        <section class="card" aria-label=label>
            <h2>{title}</h2>
            <div class="card-body">
                <dl class="details">{children()}</dl>
            </div>
        </section>
    }
}

/// A related list: a titled card with a count, holding a table or an empty state.
#[component]
pub fn RelatedList(
    #[prop(into)] title: String,
    #[prop(into)] count: Signal<usize>,
    /// True while there are more than `count` and how many is still being
    /// read: the count shows as "50+".
    #[prop(optional)]
    more: Option<Signal<bool>>,
    /// Buttons at the right of the title, e.g. Export CSV.
    #[prop(optional)]
    actions: Option<Children>,
    children: Children,
) -> impl IntoView {
    let label = title.clone();
    view! {
        <section class="card" aria-label=label>
            <header>
                <h2>
                    {title} " (" {move || count.get()}
                    {move || more.is_some_and(|m| m.get()).then_some("+")} ")"
                </h2>
                {actions.map(|a| a())}
            </header>
            {children()}
        </section>
    }
}

/// A readable error, announced to screen readers.
#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    view! { <div class="notice error" role="alert">{message}</div> }
}

/// What a page shows while it reads its records.
#[component]
pub fn Loading(#[prop(into, default = "Loading…".to_string())] what: String) -> impl IntoView {
    view! { <p class="loading" role="status">{what}</p> }
}

/// An empty list that says what to do next.
#[component]
pub fn Empty(children: Children) -> impl IntoView {
    view! { <p class="empty">{children()}</p> }
}

/// A fixed page title, for headers whose title never changes.
pub fn title(text: &str) -> Signal<String> {
    Signal::stored(text.to_string())
}

/// A record page whose ID matches no record: says so and links back to the list.
#[component]
pub fn RecordNotFound(
    /// e.g. "Account"; the title reads "Account not found".
    object_label: &'static str,
    /// Why there may be no such record.
    #[prop(into)]
    explanation: String,
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    view! {
        <PageHeader object_label=object_label title=title(&format!("{object_label} not found")) />
        <section class="card">
            <div class="card-body">
                <p>{explanation}</p>
                <A href=back_href>{back_label}</A>
            </div>
        </section>
    }
}
