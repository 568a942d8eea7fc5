//! Modify N licenses: the licenses ticked in the list, Modify License's
//! three fields (each starting at "Leave unchanged"), a preview of what
//! happens to each license before anything is written, and one atomic
//! apply. Every rule and message is the domain's.

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::clock;
use crate::components::bulk_modify::{use_selection, BulkFields, BulkInputs, BulkItemsTable};
use crate::components::fields::FieldError;
use crate::components::loaded::on_result;
use crate::components::progress_bar::ProgressBar;
use crate::components::record::{Empty, PageHeader};
use crate::domain::{
    authorize, group_thousands, BulkItem, BulkModifyDraft, Field, Permission, RefusalReason,
};
use crate::services::licenses::{
    apply_bulk_modify, count_text, preview_bulk_modify, BulkApplied, BulkFailure, BulkPreview,
};
use crate::storage::{Progress, ReadStop, StorageError};

/// A refused preview or apply's messages, each with the input it belongs by.
type Messages = Vec<(Field, String)>;

/// A preview and the draft it was made for.
type Previewed = (BulkModifyDraft, Arc<BulkPreview>);

#[component]
pub fn BulkModifyPage() -> impl IntoView {
    // The selection as it is when the page opens: the page works on these.
    let ids = use_selection().ids_untracked();
    let title = format!("Modify {}", count_text(ids.len()));
    view! {
        <PageHeader object_label="Licenses" title=Signal::stored(title) />
        {if ids.is_empty() {
            view! {
                <section class="card" aria-label="Modify licenses">
                    <Empty>
                        "No licenses are selected. Tick licenses in the "
                        <A href="/licenses">"Licenses"</A>
                        " list (or Select all matching), then choose Modify."
                    </Empty>
                </section>
            }
                .into_any()
        } else {
            view! { <BulkModifyForm ids=Arc::new(ids) /> }.into_any()
        }}
    }
}

#[component]
fn BulkModifyForm(ids: Arc<Vec<String>>) -> impl IntoView {
    let app = use_app();
    let inputs = BulkInputs::new();
    let errors = RwSignal::new(Messages::new());
    let preview = RwSignal::new(None::<Previewed>);
    let applied = RwSignal::new(None::<Arc<BulkApplied>>);

    // Not offered to a profile that may not modify licenses (the domain
    // refuses each license anyway); the domain's words say why.
    let refusal = Memo::new(move |_| {
        authorize(&app.user.get(), Permission::ModifyLicense)
            .err()
            .map(|e| e.to_string())
    });
    let locked = move || refusal.with(Option::is_some);

    // A preview shows what these values do: once one changes, it is gone.
    Effect::new(move |_| {
        inputs.track();
        preview.set(None);
    });

    let run_preview = Action::new_local({
        let ids = ids.clone();
        move |draft: &BulkModifyDraft| {
            let repo = app.repo();
            let user = app.user.get_untracked();
            let draft = draft.clone();
            let ids = ids.clone();
            async move {
                preview_bulk_modify(&repo, &ids, &draft, &user, clock::today(), clock::now())
                    .await
                    .map(|p| (draft, Arc::new(p)))
                    .map_err(|failure| failure.messages())
            }
        }
    });
    on_result(
        run_preview,
        move |result: Result<Previewed, Messages>| match result {
            Ok(p) => {
                errors.set(Messages::new());
                applied.set(None);
                preview.set(Some(p));
            }
            Err(shown) => {
                preview.set(None);
                errors.set(shown);
            }
        },
    );
    let applying = RwSignal::new(None::<Progress>);
    // The running apply's Cancel (each apply has its own).
    let stop_apply = StoredValue::new(ReadStop::new());
    let cancelled = RwSignal::new(false);
    let run_apply = Action::new_local(move |(draft, p): &Previewed| {
        cancelled.set(false);
        let repo = app.bulk_repo(applying, stop_apply);
        let user = app.user.get_untracked();
        let (draft, p) = (draft.clone(), p.clone());
        async move {
            match apply_bulk_modify(&repo, &p, &draft, &user, clock::today(), clock::now()).await {
                Ok(done) => Ok(Some(Arc::new(done))),
                // Its one transaction was stopped: no license changed.
                Err(BulkFailure::Storage(StorageError::WriteCancelled)) => Ok(None),
                Err(failure) => Err(failure.messages()),
            }
        }
    });
    on_result(
        run_apply,
        move |result: Result<Option<Arc<BulkApplied>>, Messages>| match result {
            Ok(Some(done)) => {
                errors.set(Messages::new());
                preview.set(None);
                applied.set(Some(done));
            }
            Ok(None) => cancelled.set(true),
            Err(shown) => errors.set(shown),
        },
    );
    let busy = move || run_preview.pending().get() || run_apply.pending().get();

    let on_submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if !busy() {
            run_preview.dispatch_local(inputs.draft());
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
    let top_message = move || {
        refusal.get().or_else(|| {
            errors.with(|all| {
                all.iter()
                    .find(|(f, _)| *f == Field::Form)
                    .map(|(_, m)| m.clone())
            })
        })
    };

    view! {
        <section class="card" aria-label="Modify licenses">
            <div class="card-body">
                {move || {
                    top_message()
                        .map(|message| {
                            view! { <div class="notice error" role="alert">{message}</div> }
                        })
                }}
                <form class="form" novalidate on:submit=on_submit>
                    <fieldset disabled=locked style="border:0;padding:0;margin:0;min-width:0;display:grid;gap:1rem">
                        <legend class="hint" style="padding:0;margin-bottom:0.25rem">
                            {format!(
                                "Change {} at once. Each field starts at Leave unchanged; each license keeps its own value for those. Preview shows what happens to each license before anything is saved.",
                                count_text(ids.len()),
                            )}
                        </legend>
                        <BulkFields
                            inputs
                            expiration_error=error_for(Field::Expiration)
                            seats_error=error_for(Field::Seats)
                            status_error=error_for(Field::Status)
                        />
                    </fieldset>
                    <div class="form-actions">
                        <A href="/licenses" attr:class="button">"Back to Licenses"</A>
                        <button type="submit" disabled=move || locked() || busy()>
                            {move || if run_preview.pending().get() { "Previewing…" } else { "Preview changes" }}
                        </button>
                    </div>
                </form>
            </div>
        </section>
        {move || {
            preview
                .get()
                .map(|previewed| {
                    let changing = previewed.1.summary.changing;
                    let items = Arc::new(previewed.1.items.clone());
                    let on_apply = {
                        let previewed = previewed.clone();
                        move |_| {
                            if !busy() {
                                run_apply.dispatch_local(previewed.clone());
                            }
                        }
                    };
                    view! {
                        <section class="card" aria-labelledby="bulk-preview-title">
                            <div class="card-body">
                                <h2 id="bulk-preview-title">"Preview"</h2>
                                <p role="status">{previewed.1.summary.preview_text()}</p>
                                <Reasons items=items.clone() summary=previewed.1.summary.refused.clone() />
                                <BulkItemsTable items applied=false label="Preview by license" />
                                <Show when=move || run_apply.pending().get()>
                                    <ProgressBar label="Applying the changes".to_string() progress=applying />
                                </Show>
                                <div class="form-actions">
                                    <button
                                        type="button"
                                        class="primary"
                                        disabled=move || changing == 0 || locked() || busy()
                                        on:click=on_apply
                                    >
                                        {move || {
                                            if run_apply.pending().get() {
                                                "Applying…".to_string()
                                            } else {
                                                format!("Apply to {}", count_text(changing))
                                            }
                                        }}
                                    </button>
                                    <Show when=move || run_apply.pending().get()>
                                        <button
                                            type="button"
                                            on:click=move |_| stop_apply.with_value(ReadStop::stop)
                                        >
                                            "Cancel"
                                        </button>
                                    </Show>
                                </div>
                                <Show when=move || cancelled.get()>
                                    <p role="status">
                                        "Apply cancelled: no license was changed. The preview still stands; Apply again when you are ready."
                                    </p>
                                </Show>
                            </div>
                        </section>
                    }
                })
        }}
        {move || {
            applied
                .get()
                .map(|done| {
                    let items = Arc::new(done.items.clone());
                    view! {
                        <section class="card" aria-labelledby="bulk-result-title">
                            <div class="card-body">
                                <h2 id="bulk-result-title">"Result"</h2>
                                <div class="notice success" role="status">{done.summary.applied_text()}</div>
                                <Reasons items=items.clone() summary=done.summary.refused.clone() />
                                <BulkItemsTable items applied=true label="Result by license" />
                            </div>
                        </section>
                    }
                })
        }}
    }
}

/// Each refusal reason with its count and the domain's full message (as
/// the first license refused for it got it).
#[component]
fn Reasons(items: Arc<Vec<BulkItem>>, summary: Vec<(RefusalReason, usize)>) -> impl IntoView {
    let lines: Vec<(String, String)> = summary
        .into_iter()
        .map(|(reason, count)| {
            let example = items
                .iter()
                .find(|i| RefusalReason::of(&i.outcome) == Some(reason))
                .map(BulkItem::description)
                .unwrap_or_default();
            (
                format!(
                    "{} {}",
                    group_thousands(i64::try_from(count).unwrap_or(i64::MAX)),
                    reason.label()
                ),
                example,
            )
        })
        .collect();
    (!lines.is_empty()).then(|| {
        view! {
            <ul class="notice warning" aria-label="Refused licenses">
                {lines
                    .into_iter()
                    .map(|(head, message)| view! { <li><strong>{head}</strong>": "{message}</li> })
                    .collect_view()}
            </ul>
        }
    })
}
