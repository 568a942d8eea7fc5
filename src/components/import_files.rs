//! Importing CSV files: the user picks or drops them, the [`ImportJob`] reads
//! them a chunk of rows at a time (the browser gets a turn between chunks,
//! so the page stays responsive and shows a progress bar), and the preview
//! follows. Cancel stops the reading; nothing is written until Import, which
//! commits every accepted row in one atomic batch or nothing.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app_context::use_app;
use crate::browser_turn::browser_turn;
use crate::clock::now;
use crate::components::fields::FormNotice;
use crate::components::file_drop::FileDrop;
use crate::components::import_preview::ImportPreview;
use crate::components::loaded::on_result;
use crate::components::progress_bar::ProgressBar;
use crate::domain::group_thousands;
use crate::exchange::{ImportJob, ImportPlan, Progress};
use crate::file_read::{read_buffer, JsBytes};
use crate::services::import::{
    commit_import, may_import, preview_import, ImportDone, ImportFailure,
};
use crate::storage::persistence::request_persistence;
use crate::storage::Progress as SaveProgress;
use crate::storage::{ReadStop, StorageError};

/// An import cancelled while the files are read, at the preview, or while
/// it is written.
const CANCELLED: &str = "Import cancelled: nothing was written; the desk is as it was.";

/// Rows read between two turns of the browser.
const ROWS_PER_STEP: usize = 2_000;

fn n(x: u64) -> String {
    group_thousands(i64::try_from(x).unwrap_or(i64::MAX))
}

/// What an Import wrote, per object.
pub fn imported_message(plan: &ImportPlan, done: &ImportDone) -> String {
    let per_object: Vec<String> = plan
        .counts
        .iter()
        .filter(|(_, c)| c.new + c.changed > 0)
        .map(|(kind, c)| {
            format!(
                "{} {} ({} new, {} changed)",
                n(c.new as u64 + c.changed as u64),
                kind.label(),
                n(c.new as u64),
                n(c.changed as u64)
            )
        })
        .collect();
    let mut text = format!(
        "Imported {} record(s): {}.",
        n(done.records as u64),
        per_object.join(", ")
    );
    if done.history > 0 {
        text.push_str(&format!(
            " {} License History {} the changed fields.",
            n(done.history as u64),
            if done.history == 1 {
                "entry records"
            } else {
                "entries record"
            }
        ));
    }
    text
}

#[component]
pub fn ImportFiles() -> impl IntoView {
    let app = use_app();
    let reading = RwSignal::new(None::<Progress>);
    let comparing = RwSignal::new(false);
    let plan = RwSignal::new(None::<Arc<ImportPlan>>);
    let notice = RwSignal::new(None::<Result<String, String>>);
    // Each pick starts a new run; Cancel and a newer pick end the older one.
    let run = StoredValue::new(0u64);
    let denied = Signal::derive(move || may_import(&app.user.get()).err().map(|e| e.to_string()));

    let on_files = Callback::new(move |files: Vec<web_sys::File>| {
        let generation = run.get_value().wrapping_add(1);
        run.set_value(generation);
        let current = move || run.try_get_value() == Some(generation);
        plan.set(None);
        notice.set(None);
        reading.set(Some(Progress::default()));
        let actor = app.user.get_untracked().id;
        let repo = app.repo();
        spawn_local(async move {
            let mut job = ImportJob::new(&actor, now());
            // One file at a time: each is read into the browser's memory, then
            // parsed from there a piece at a time (the wasm memory never holds
            // a whole file) and let go before the next is read. The bar counts
            // every file's bytes.
            let bytes_total: u64 = files.iter().map(|f| f.size() as u64).sum();
            for file in files {
                let bytes = read_buffer(&file).await;
                if !current() {
                    return;
                }
                match bytes {
                    Ok(bytes) => {
                        job.add_source(&file.name(), Box::new(JsBytes::new(bytes)));
                    }
                    Err(e) => {
                        reading.set(None);
                        notice.set(Some(Err(format!("{e} Nothing was imported."))));
                        return;
                    }
                }
                while !job.is_done() {
                    let progress = job.step(ROWS_PER_STEP);
                    reading.set(Some(Progress {
                        bytes_total: bytes_total.max(progress.bytes_total),
                        ..progress
                    }));
                    browser_turn().await;
                    if !current() {
                        return;
                    }
                }
            }
            comparing.set(true);
            browser_turn().await;
            let result = preview_import(&repo, job).await;
            if !current() {
                return;
            }
            comparing.set(false);
            reading.set(None);
            match result {
                Ok(p) => plan.set(Some(Arc::new(p))),
                Err(e) => notice.set(Some(Err(format!(
                    "The files were read, but the desk's records could not be read to compare them: {e} Nothing was imported."
                )))),
            }
        });
    });

    let cancel = move || {
        run.update_value(|g| *g = g.wrapping_add(1));
        reading.set(None);
        comparing.set(false);
        plan.set(None);
        notice.set(Some(Ok(CANCELLED.to_string())));
    };

    let saving = RwSignal::new(None::<SaveProgress>);
    // The running import's Cancel (each commit has its own).
    let stop_commit = StoredValue::new(ReadStop::new());
    let commit = Action::new_local(move |plan: &Arc<ImportPlan>| {
        let repo = app.bulk_repo(saving, stop_commit);
        let user = app.user.get_untracked();
        let plan = plan.clone();
        async move {
            match commit_import(&repo, &user, &plan).await {
                Ok(done) => Ok(imported_message(&plan, &done)),
                // Its one transaction was stopped: nothing of it is written.
                Err(ImportFailure::Storage(StorageError::WriteCancelled)) => {
                    Ok(CANCELLED.to_string())
                }
                Err(e) => Err(e.to_string()),
            }
        }
    });
    on_result(commit, move |result| {
        plan.set(None);
        if result.is_ok() {
            // Real data arrived: ask the browser to keep it (issue 12).
            spawn_local(async {
                request_persistence().await;
            });
        }
        notice.set(Some(result));
    });

    let busy = Signal::derive(move || reading.get().is_some() || commit.pending().get());
    let progress_view = move || {
        reading.get().map(|p| {
            let max = p.bytes_total.max(1);
            let value = p.bytes_read.min(max);
            let rows = format!("{} rows read", n(p.rows_read));
            let status = if comparing.get() {
                format!("{rows}; comparing with the desk…")
            } else {
                rows.clone()
            };
            view! {
                <div class="import-progress">
                    <label for="import-progress">"Reading the files"</label>
                    <progress
                        id="import-progress"
                        max=max.to_string()
                        value=value.to_string()
                        aria-valuemin="0"
                        aria-valuemax=max.to_string()
                        aria-valuenow=value.to_string()
                        aria-valuetext=rows
                    ></progress>
                    <p role="status">{status}</p>
                    <button type="button" on:click=move |_| cancel()>"Cancel"</button>
                </div>
            }
        })
    };
    let preview = move || {
        plan.get().map(|p| {
            view! {
                <ImportPreview
                    plan=p.clone()
                    denied=denied
                    busy=Signal::derive(move || commit.pending().get())
                    on_import=Callback::new(move |()| {
                        if let Some(p) = plan.get_untracked() {
                            commit.dispatch_local(p);
                        }
                    })
                    on_cancel=Callback::new(move |()| {
                        if commit.pending().get_untracked() {
                            stop_commit.with_value(ReadStop::stop);
                        } else {
                            cancel();
                        }
                    })
                />
            }
        })
    };

    view! {
        <div class="card-body">
            <p>
                "Bring in the records of your License Management Org: export Packages, Package Versions, Licenses, Leads, Accounts and Contacts as CSV (Data Loader, Workbench or a report; the header row holds API names) and choose the files here, in any order. Nothing is written before you see a preview and press Import."
            </p>
            {move || denied.get().map(|why| view! {
                <p class="notice warning">{format!("You can preview files, but not import them: {why}")}</p>
            })}
            <FileDrop
                id="import-files"
                label="CSV files"
                accept=".csv,text/csv"
                multiple=true
                hint="Choose one or more .csv files, or drop them here."
                disabled=busy
                on_files=on_files
            />
            {progress_view}
            <Show when=move || commit.pending().get()>
                <ProgressBar label="Importing".to_string() progress=saving />
            </Show>
            <FormNotice notice />
            {preview}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use futures::executor::block_on;

    use super::*;
    use crate::domain::{seed_users, Profile};
    use crate::exchange::fixtures;
    use crate::storage::{Expect, MemoryRepository, Repository};

    fn import(repo: &MemoryRepository, files: &[(&str, &str)]) -> String {
        let admin = seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == Profile::SystemAdministrator)
            .unwrap();
        let now = NaiveDate::from_ymd_opt(2025, 6, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let mut job = ImportJob::new(&admin.id, now);
        for (name, text) in files {
            job.add_file(name, text.as_bytes().to_vec());
        }
        let plan = block_on(preview_import(repo, job)).unwrap();
        let done = block_on(commit_import(repo, &admin, &plan)).unwrap();
        imported_message(&plan, &done)
    }

    #[test]
    fn the_outcome_names_what_each_object_got() {
        let repo = MemoryRepository::new();
        block_on(repo.put_all(seed_users(), Expect::Absent)).unwrap();
        assert_eq!(
            import(&repo, &fixtures::all()),
            "Imported 10 record(s): 1 Packages (1 new, 0 changed), 2 Package Versions (2 new, 0 changed), 1 Accounts (1 new, 0 changed), 1 Contacts (1 new, 0 changed), 2 Leads (2 new, 0 changed), 3 Licenses (3 new, 0 changed)."
        );

        // L-00042 again with 40 seats instead of 25: one changed field.
        let changed = fixtures::LICENSES.replacen(",active,25,", ",active,40,", 1);
        let mut files = fixtures::all();
        files[0] = ("licenses.csv", &changed);
        assert_eq!(
            import(&repo, &files),
            "Imported 1 record(s): 1 Licenses (0 new, 1 changed). 1 License History entry records the changed fields."
        );
    }
}
