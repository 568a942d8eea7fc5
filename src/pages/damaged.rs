//! Settings > Damaged records: every stored value the desk can't read as a
//! record, with its store, key, the reason and its content as text, each
//! downloadable as raw JSON. Nothing here is ever interpreted as markup.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::record::{Empty, ErrorNotice, Loading, PageHeader};
use crate::download::download_text;
use crate::storage::{DamagedRecord, Repository};

/// A file name for the raw content: store and key, with only safe characters.
pub fn damaged_file_name(record: &DamagedRecord) -> String {
    let key: String = record
        .key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    format!("damaged-{}-{key}.json", record.store.as_str())
}

#[component]
fn DamagedCard(record: DamagedRecord) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let title = format!("{} {}", record.store.label(), record.key);
    let label = title.clone();
    let download_label = format!("Download {title} (raw JSON)");
    let file = damaged_file_name(&record);
    let raw = record.raw.clone();
    view! {
        <section class="card" aria-label=label>
            <header>
                <h2>{title}</h2>
                <button
                    type="button"
                    aria-label=download_label
                    on:click=move |_| error.set(download_text(&file, "application/json", &raw).err())
                >
                    "Download"
                </button>
            </header>
            <div class="card-body">
                <dl class="details">
                    <div><dt>"Store"</dt><dd>{record.store.as_str()}</dd></div>
                    <div><dt>"Key"</dt><dd>{record.key.clone()}</dd></div>
                    <div><dt>"Reason"</dt><dd>{record.reason.clone()}</dd></div>
                </dl>
                <h3>"Stored content"</h3>
                <pre class="raw">{record.raw.clone()}</pre>
                {move || error.get().map(|e| view! { <ErrorNotice message=e /> })}
            </div>
        </section>
    }
}

#[component]
pub fn DamagedRecordsPage() -> impl IntoView {
    let app = use_app();
    let damaged = app.live_resource(|repo| async move { repo.scan_damaged().await });
    let list = move |records: Vec<DamagedRecord>| {
        if records.is_empty() {
            return view! {
                <section class="card"><div class="card-body">
                    <Empty>"Every stored record can be read: nothing is damaged."</Empty>
                </div></section>
            }
            .into_any();
        }
        let count = records.len();
        let cards = records
            .into_iter()
            .map(|record| view! { <DamagedCard record /> })
            .collect_view();
        view! {
            <p role="status">
                {format!("{count} stored record{} can't be read.", if count == 1 { "" } else { "s" })}
            </p>
            <p>
                "Lists and pages show every other record as usual; a change that needs a damaged record is refused and changes nothing. Download each one to keep its content, then restore a backup or ask for help to repair it. Backups include damaged records as they are."
            </p>
            {cards}
        }
        .into_any()
    };
    view! {
        <PageHeader object_label="Settings" title=Signal::stored("Damaged records".to_string()) />
        <p><A href="/settings">"Back to Settings"</A></p>
        {move || match damaged.get() {
            None => view! { <Loading what="Checking every stored record…" /> }.into_any(),
            Some(Err(e)) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
            Some(Ok(records)) => list(records),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::StoreName;

    #[test]
    fn file_names_keep_only_safe_characters() {
        let record = DamagedRecord {
            store: StoreName::Licenses,
            key: "a0R/../<x>".into(),
            reason: String::new(),
            raw: String::new(),
        };
        assert_eq!(
            damaged_file_name(&record),
            "damaged-licenses-a0R_____x_.json"
        );
    }
}
