//! The one way a page reads and saves. It reads with
//! [`AppContext::live_resource`](crate::app_context::AppContext::live_resource)
//! (read again after every commit) and shows the result with [`Loaded`] or,
//! for a record page, [`LoadedRecord`]: a loading line the first time, the
//! storage error if the read failed, else the view. While a read runs again,
//! the previous view stays. A save is an `Action::new_local`, dispatched with
//! `dispatch_local`; its result is handled in [`on_result`].

use leptos::error::Errors;
use leptos::prelude::*;

use crate::components::record::{ErrorNotice, Loading};

/// Shows `children` with what `resource` read.
#[component]
pub fn Loaded<T, E, F, V>(
    resource: LocalResource<Result<T, E>>,
    /// The loading line, e.g. "Loading the license…".
    #[prop(into)]
    what: String,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    E: std::error::Error + Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=move || view! { <Loading what=what.clone() /> }>
            <ErrorBoundary fallback=load_errors>
                {move || {
                    let children = children.clone();
                    Suspend::new(async move { resource.await.map(children) })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// [`Loaded`] for one record by ID: `not_found` when no record has it.
#[component]
pub fn LoadedRecord<T, E, F, V>(
    resource: LocalResource<Result<Option<T>, E>>,
    #[prop(into)] what: String,
    /// Usually a [`RecordNotFound`](crate::components::record::RecordNotFound).
    #[prop(into)]
    not_found: ViewFn,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    E: std::error::Error + Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Loaded resource what let:record>
            {match record {
                Some(record) => children(record).into_any(),
                None => not_found.run(),
            }}
        </Loaded>
    }
}

fn load_errors(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .read()
            .iter()
            .map(|(_, e)| view! { <ErrorNotice message=e.to_string() /> })
            .collect_view()
    }
}

/// The latest value `resource` read, for a part of a page that must not wait
/// for it (e.g. a count that takes seconds). A resource read inside
/// [`Loaded`] holds its `Transition` until it resolves; this signal never
/// does: the part shows `None` until the first value arrives.
pub fn arriving<T>(resource: LocalResource<T>) -> ReadSignal<Option<T>>
where
    T: Clone + Send + Sync + 'static,
{
    let value = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(v) = resource.get() {
            value.set(Some(v));
        }
    });
    value.read_only()
}

/// How long someone stays on a page before it starts a read that only adds
/// to what it shows and holds the database for seconds (an index count over
/// 241,282 install events): someone passing through never starts it, so the
/// next page's reads don't queue behind it.
pub const STAYED_MS: i32 = 1_500;

/// Waits [`STAYED_MS`]; false if the page was left meanwhile (`page` is a
/// signal the page owns: disposed with it).
pub async fn stayed_on_page<T: Send + Sync + 'static>(page: Memo<T>) -> bool {
    crate::browser_turn::sleep(STAYED_MS).await;
    page.try_with_untracked(|_| ()).is_some()
}

/// Runs `handle` with the result of each finished dispatch of `action`.
pub fn on_result<I, O>(action: Action<I, O>, handle: impl Fn(O) + 'static)
where
    I: 'static,
    O: Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            handle(result);
        }
    });
}
