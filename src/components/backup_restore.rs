//! Backup and restore of the whole desk: "Download backup" writes one JSON
//! file of every record, the settings and the versions; "Restore from
//! backup" checks a whole file first, shows what it holds, and after a
//! confirmation replaces every record in one atomic commit (then saves the
//! backup's settings). A refused file changes nothing.

use std::io::BufReader;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app_context::{use_app, AppContext};
use crate::clock::now;
use crate::components::alert_dialog::ConfirmDialog;
use crate::components::fields::FormNotice;
use crate::components::file_drop::FileDrop;
use crate::components::loaded::on_result;
use crate::components::progress_bar::ProgressBar;
use crate::domain::{group_thousands, User};
use crate::download::download_parts;
use crate::file_read::{read_buffer, JsBytes};
use crate::storage::backup::{
    make_backup, read_backup_from, restore, BackupError, RecordProblem, RestorePlan, StoreCount,
};
use crate::storage::persistence::request_persistence;
use crate::storage::schema::SCHEMA_VERSION;
use crate::storage::{settings, Progress, ReadStop, Repository, StorageError};

/// A restore cancelled before or while it runs.
const CANCELLED: &str = "Restore cancelled: nothing changed, the desk is as it was.";

fn n(x: usize) -> String {
    group_thousands(i64::try_from(x).unwrap_or(i64::MAX))
}

/// What a checked backup holds, to show before confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub file: String,
    pub app_version: String,
    pub created_at: String,
    pub schema_version: u32,
    pub upgraded: bool,
    pub stores: Vec<StoreCount>,
    pub skipped: Vec<RecordProblem>,
    pub records: usize,
}

impl BackupSummary {
    pub fn of(file: &str, plan: &RestorePlan) -> BackupSummary {
        BackupSummary {
            file: file.to_string(),
            app_version: plan.app_version.clone(),
            created_at: plan
                .created_at
                .clone()
                .map_or_else(|| "not recorded".to_string(), |t| t.replace('T', " ")),
            schema_version: plan.schema_version,
            upgraded: plan.upgraded(),
            stores: plan.stores.clone(),
            skipped: plan.skipped.clone(),
            records: plan.record_count(),
        }
    }

    /// The confirmation's text: what goes, what comes.
    pub fn confirmation(&self) -> String {
        let skipped = if self.skipped.is_empty() {
            String::new()
        } else {
            format!(
                " {} damaged record(s) of the backup are left out.",
                n(self.skipped.len())
            )
        };
        format!(
            "Every record on this desk is deleted and replaced by the {} record(s) of {}.{skipped} This can't be undone: download a backup of the desk first if you may need it.",
            n(self.records),
            self.file
        )
    }
}

/// The users after a restore, and who the app acts as: the backup's user
/// when it is there and active, else the first active one.
async fn reload_users(app: AppContext, wanted: Option<String>) {
    let Ok(users) = app.repo().all_records::<User>().await else {
        return;
    };
    let current = wanted
        .and_then(|id| {
            users
                .iter()
                .find(|u| u.active && u.id.to18() == id)
                .cloned()
        })
        .or_else(|| {
            let now = app.user.get_untracked();
            users.iter().find(|u| u.active && u.id == now.id).cloned()
        })
        .or_else(|| users.iter().find(|u| u.active).cloned());
    app.users.set(users);
    if let Some(user) = current {
        app.switch_user(user);
    }
}

#[component]
fn DownloadBackup() -> impl IntoView {
    let app = use_app();
    let notice = RwSignal::new(None::<Result<String, String>>);
    let download = Action::new_local(move |_: &()| {
        let repo = app.repo();
        async move {
            let backup = make_backup(&repo, &settings::load(), now())
                .await
                .map_err(|e| format!("The backup could not be made: {e}"))?;
            let name = backup.file_name();
            download_parts(&name, "application/json", backup.parts())?;
            let damaged = if backup.damaged.is_empty() {
                String::new()
            } else {
                format!(
                    " {} damaged record(s) are in it as they are stored (see Settings → Damaged records).",
                    n(backup.damaged.len())
                )
            };
            Ok(format!(
                "Backup downloaded: {} ({} records).{damaged}",
                name,
                n(backup.record_count())
            ))
        }
    });
    on_result(download, move |result| notice.set(Some(result)));
    view! {
        <p>
            "One JSON file with every record of every store, their revisions, the settings, the schema version and the app version. Keep it somewhere safe: restoring it gives this desk back."
        </p>
        <div class="form-actions">
            <button
                type="button"
                class="primary"
                disabled=move || download.pending().get()
                on:click=move |_| {
                    notice.set(None);
                    download.dispatch_local(());
                }
            >
                "Download backup"
            </button>
        </div>
        <FormNotice notice />
    }
}

#[component]
fn SummaryView(summary: BackupSummary) -> impl IntoView {
    let rows = summary
        .stores
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.store.label()}</th>
                    <td class="num">{n(c.records)}</td>
                    <td class="num">{n(c.damaged)}</td>
                </tr>
            }
        })
        .collect_view();
    let upgraded = if summary.upgraded {
        format!(
            "Yes: written in schema {}, upgraded to schema {SCHEMA_VERSION}.",
            summary.schema_version
        )
    } else {
        "No".to_string()
    };
    let skipped = (!summary.skipped.is_empty()).then(|| {
        let items = summary
            .skipped
            .iter()
            .map(|p| view! { <li>{p.to_string()}</li> })
            .collect_view();
        view! {
            <div class="notice warning">
                <p>
                    {format!(
                        "{} damaged record(s) in this backup can't be restored and are left out:",
                        n(summary.skipped.len())
                    )}
                </p>
                <ul aria-label="Damaged records left out">{items}</ul>
            </div>
        }
    });
    view! {
        <h3>{format!("What {} holds", summary.file)}</h3>
        <dl class="backup-facts">
            <dt>"Records"</dt>
            <dd>{n(summary.records)}</dd>
            <dt>"Created at"</dt>
            <dd>{summary.created_at.clone()}</dd>
            <dt>"App version"</dt>
            <dd>{summary.app_version.clone()}</dd>
            <dt>"Schema version"</dt>
            <dd>{summary.schema_version}</dd>
            <dt>"Upgraded"</dt>
            <dd>{upgraded}</dd>
        </dl>
        <table aria-label="Records per store">
            <thead>
                <tr>
                    <th scope="col">"Store"</th>
                    <th scope="col">"Records"</th>
                    <th scope="col">"Damaged"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {skipped}
    }
}

#[component]
fn RestoreBackup() -> impl IntoView {
    let app = use_app();
    let checked = StoredValue::new_local(None::<RestorePlan>);
    let summary = RwSignal::new(None::<BackupSummary>);
    let reading = RwSignal::new(false);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let confirm_open = RwSignal::new(false);

    let on_files = Callback::new(move |files: Vec<web_sys::File>| {
        let Some(file) = files.into_iter().next() else {
            return;
        };
        checked.set_value(None);
        summary.set(None);
        notice.set(None);
        reading.set(true);
        spawn_local(async move {
            let name = file.name();
            let outcome = match read_buffer(&file).await {
                Ok(bytes) => {
                    read_backup_from(BufReader::with_capacity(1 << 20, JsBytes::new(bytes)))
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(format!("{e} Nothing was restored.")),
            };
            reading.set(false);
            match outcome {
                Ok(plan) => {
                    summary.set(Some(BackupSummary::of(&name, &plan)));
                    checked.set_value(Some(plan));
                }
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    });

    let saving = RwSignal::new(None::<Progress>);
    // The running restore's Cancel (each run has its own).
    let cancel = StoredValue::new(ReadStop::new());
    let cancelling = RwSignal::new(false);
    let run = Action::new_local(move |_: &()| {
        cancelling.set(false);
        let repo = app.bulk_repo(saving, cancel);
        let plan = checked.try_update_value(Option::take).flatten();
        async move {
            let Some(plan) = plan else {
                return Err("Choose the backup file again: nothing was restored.".to_string());
            };
            let records = plan.record_count();
            let wanted = plan.settings.current_user_id.clone();
            let saved_settings = plan.settings.clone();
            match restore(&repo, plan).await {
                Ok(_) => {}
                Err(BackupError::Storage(StorageError::WriteCancelled)) => {
                    return Ok(CANCELLED.to_string());
                }
                Err(e) => return Err(e.to_string()),
            }
            let settings_note = match settings::save(&saved_settings) {
                Ok(()) => String::new(),
                Err(e) => format!(
                    " The backup's settings could not be saved ({e}); the records are restored."
                ),
            };
            reload_users(app, wanted).await;
            // Real data arrived: ask the browser to keep it (issue 12).
            request_persistence().await;
            Ok(format!(
                "Backup restored: {} record(s) replace the desk's data.{settings_note}",
                n(records)
            ))
        }
    });
    on_result(run, move |result| {
        summary.set(None);
        notice.set(Some(result));
    });

    let busy = Signal::derive(move || reading.get() || run.pending().get());
    view! {
        <p>
            "Choose a file made by \"Download backup\". The whole file is checked first and what it holds is shown; nothing changes until you confirm."
        </p>
        <FileDrop
            id="backup-file"
            label="Backup file"
            accept=".json,application/json"
            hint="A .json backup of License Desk, or drop it here."
            disabled=busy
            on_files=on_files
        />
        {move || reading.get().then(|| view! { <p role="status">"Checking the backup…"</p> })}
        <Show when=move || run.pending().get()>
            <ProgressBar label="Restoring the backup".to_string() progress=saving />
        </Show>
        <FormNotice notice />
        {move || summary.get().map(|s| view! {
            <SummaryView summary=s />
            <div class="form-actions">
                <button
                    type="button"
                    class="danger"
                    disabled=move || run.pending().get()
                    on:click=move |_| confirm_open.set(true)
                >
                    "Restore this backup"
                </button>
                // Before the confirmation it drops the file; while the
                // restore runs it stops its one transaction, which leaves
                // the desk as it was.
                <button
                    type="button"
                    disabled=move || cancelling.get()
                    on:click=move |_| {
                        if run.pending().get_untracked() {
                            cancelling.set(true);
                            cancel.with_value(ReadStop::stop);
                        } else {
                            checked.set_value(None);
                            summary.set(None);
                            notice.set(Some(Ok(CANCELLED.to_string())));
                        }
                    }
                >
                    "Cancel"
                </button>
            </div>
        })}
        <ConfirmDialog
            open=confirm_open
            title="Replace every record on this desk?"
            message=Signal::derive(move || summary.get().map(|s| s.confirmation()).unwrap_or_default())
            confirm_label="Replace with the backup"
            danger=true
            on_confirm=Callback::new(move |()| {
                notice.set(None);
                run.dispatch_local(());
            })
        />
    }
}

/// Both halves, in one card body.
#[component]
pub fn BackupRestore() -> impl IntoView {
    view! {
        <div class="card-body">
            <h3>"Download backup"</h3>
            <DownloadBackup />
            <h3>"Restore from backup"</h3>
            <RestoreBackup />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use futures::executor::block_on;

    use super::*;
    use crate::demo::{build_demo_data, save_demo_data, DemoSize};
    use crate::storage::settings::Settings;
    use crate::storage::{MemoryRepository, StoreName};

    #[test]
    fn a_checked_backup_shows_what_it_holds_and_what_a_restore_replaces() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let now = today.and_hms_opt(9, 30, 0).unwrap();
        let repo = MemoryRepository::new();
        block_on(save_demo_data(
            &repo,
            build_demo_data(today, now, DemoSize::Normal),
        ))
        .unwrap();
        let backup = block_on(make_backup(&repo, &Settings::default(), now)).unwrap();
        let plan = crate::storage::backup::read_backup(&backup.to_text()).unwrap();
        let summary = BackupSummary::of(&backup.file_name(), &plan);

        assert_eq!(summary.file, "license-desk-backup-2026-11-23-0930.json");
        assert_eq!(summary.created_at, "2026-11-23 09:30:00");
        assert_eq!(summary.records, backup.record_count());
        assert!(!summary.upgraded);
        let licenses = summary
            .stores
            .iter()
            .find(|c| c.store == StoreName::Licenses)
            .unwrap();
        assert_eq!(licenses.records, 190);
        assert!(summary.skipped.is_empty());
        assert_eq!(
            summary.confirmation(),
            format!(
                "Every record on this desk is deleted and replaced by the {} record(s) of license-desk-backup-2026-11-23-0930.json. This can't be undone: download a backup of the desk first if you may need it.",
                n(summary.records)
            )
        );
    }
}
