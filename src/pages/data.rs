//! Import and export (`/data`): CSV files from a License Management Org in,
//! and the whole desk out and back as a backup. (Each list page exports its
//! own rows as CSV.)

use leptos::prelude::*;

use crate::components::backup_restore::BackupRestore;
use crate::components::import_files::ImportFiles;
use crate::components::record::{title, PageHeader};

#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <PageHeader object_label="Your data" title=title("Import and export") />
        <section class="card" aria-labelledby="import-title">
            <header>
                <h2 id="import-title">"Import CSV files"</h2>
            </header>
            <ImportFiles />
        </section>
        <section class="card" aria-labelledby="backup-title">
            <header>
                <h2 id="backup-title">"Backup and restore"</h2>
            </header>
            <BackupRestore />
        </section>
    }
}
