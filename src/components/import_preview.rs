//! The preview of an import, before anything is written: per object how many
//! rows are new, changed, unchanged and refused; each refused row with its
//! file, line, column and the domain's message; the files refused whole; the
//! unknown columns ignored; a sample of the changes. Then the explicit choice:
//! Import, or (when some rows are refused) import the valid rows or cancel.

use std::sync::Arc;

use leptos::prelude::*;

use crate::domain::group_thousands;
use crate::exchange::{ImportPlan, ObjectKind};

/// Refused rows listed one by one; the rest are counted.
pub const REFUSED_SHOWN: usize = 200;

fn n(x: usize) -> String {
    group_thousands(i64::try_from(x).unwrap_or(i64::MAX))
}

/// What the preview offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Every row can be imported: "Import".
    Import,
    /// Some rows or files are refused: "Import the N valid rows" or Cancel.
    ImportValid(usize),
    /// Nothing would be written.
    Nothing,
}

pub fn choice(plan: &ImportPlan) -> Choice {
    if !plan.has_writes() {
        Choice::Nothing
    } else if plan.refused_rows() > 0 || !plan.refused_files.is_empty() {
        Choice::ImportValid(plan.accepted_rows())
    } else {
        Choice::Import
    }
}

pub fn import_valid_label(rows: usize) -> String {
    if rows == 1 {
        "Import the 1 valid row".to_string()
    } else {
        format!("Import the {} valid rows", n(rows))
    }
}

/// The one-line summary above the tables.
pub fn summary(plan: &ImportPlan) -> String {
    let refused = plan.refused_rows();
    let files = plan.refused_files.len();
    let mut text = format!(
        "Nothing is written yet. {} row(s) would be imported",
        n(plan.accepted_rows())
    );
    if refused > 0 {
        text.push_str(&format!(", {} row(s) are refused", n(refused)));
    }
    if files > 0 {
        text.push_str(&format!(", {} file(s) are refused", n(files)));
    }
    text.push('.');
    text
}

/// The message of a nothing-to-import preview.
pub fn nothing_message(plan: &ImportPlan) -> &'static str {
    if plan.counts.iter().any(|(_, c)| c.unchanged > 0) {
        "Nothing to import: every row is either unchanged or refused. Fix the refused rows or files and choose them again."
    } else {
        "Nothing to import: no row can be imported. Fix the refused rows or files below and choose them again."
    }
}

#[component]
fn CountsTable(plan: Arc<ImportPlan>) -> impl IntoView {
    let rows = ObjectKind::ALL
        .into_iter()
        .filter(|k| plan.counts.iter().any(|(c, _)| c == k))
        .map(|k| {
            let c = plan.counts_of(k);
            view! {
                <tr>
                    <th scope="row">{k.label()}</th>
                    <td class="num">{n(c.new)}</td>
                    <td class="num">{n(c.changed)}</td>
                    <td class="num">{n(c.unchanged)}</td>
                    <td class="num">{n(c.refused)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table aria-label="Rows per object">
            <thead>
                <tr>
                    <th scope="col">"Object"</th>
                    <th scope="col">"New"</th>
                    <th scope="col">"Changed"</th>
                    <th scope="col">"Unchanged"</th>
                    <th scope="col">"Refused"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn RefusedRows(plan: Arc<ImportPlan>) -> impl IntoView {
    let total = plan.refused.len();
    let rows = plan
        .refused
        .iter()
        .take(REFUSED_SHOWN)
        .map(|r| {
            view! {
                <tr>
                    <td>{r.file.clone()}</td>
                    <td class="num">{r.line}</td>
                    <td>{r.column.clone()}</td>
                    <td>{r.message.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (total > REFUSED_SHOWN).then(|| {
        view! {
            <p class="hint">
                {format!("The first {} of {} refused rows are listed.", n(REFUSED_SHOWN), n(total))}
            </p>
        }
    });
    view! {
        <h3>"Refused rows"</h3>
        <div class="table-scroll">
            <table aria-label="Refused rows">
                <thead>
                    <tr>
                        <th scope="col">"File"</th>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Why"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {more}
    }
}

#[component]
fn Changes(plan: Arc<ImportPlan>) -> impl IntoView {
    let rows = plan
        .changes
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td>{c.kind.label()}</td>
                    <td>{c.record.clone()}</td>
                    <td>{c.field.clone()}</td>
                    <td>{format!("{} → {}", c.old, c.new)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3>"A sample of the changes"</h3>
        <div class="table-scroll">
            <table aria-label="A sample of the changes">
                <thead>
                    <tr>
                        <th scope="col">"Object"</th>
                        <th scope="col">"Record"</th>
                        <th scope="col">"Field"</th>
                        <th scope="col">"Old → New"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The files read, their object and the columns ignored.
#[component]
fn Files(plan: Arc<ImportPlan>) -> impl IntoView {
    let read = plan
        .files
        .iter()
        .map(|f| {
            let unknown = if f.unknown_columns.is_empty() {
                String::new()
            } else {
                format!(
                    " Unknown columns, ignored: {}.",
                    f.unknown_columns.join(", ")
                )
            };
            let text = format!(
                "{}: {} ({}), {} row(s).{unknown}",
                f.file,
                f.kind.label(),
                f.kind.api_name(),
                n(usize::try_from(f.rows).unwrap_or(usize::MAX)),
            );
            view! { <li>{text}</li> }
        })
        .collect_view();
    let refused = plan
        .refused_files
        .iter()
        .map(|f| view! { <li>{format!("{}: {}", f.file, f.message)}</li> })
        .collect_view();
    view! {
        {(!plan.files.is_empty()).then(|| view! {
            <h3>"Files read"</h3>
            <ul>{read}</ul>
        })}
        {(!plan.refused_files.is_empty()).then(|| view! {
            <h3>"Refused files"</h3>
            <ul role="list" aria-label="Refused files">{refused}</ul>
        })}
    }
}

/// The preview and its buttons; `denied` is why this user may not import.
#[component]
pub fn ImportPreview(
    plan: Arc<ImportPlan>,
    #[prop(into)] denied: Signal<Option<String>>,
    #[prop(into)] busy: Signal<bool>,
    on_import: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let choice = choice(&plan);
    let below_used = (plan.seats_below_used > 0).then(|| {
        view! {
            <p class="notice warning">
                {format!(
                    "{} license(s) come in with fewer Licensed Seats than Used Licenses: they are imported as the License Management Org holds them, and show the usual warning.",
                    n(plan.seats_below_used),
                )}
            </p>
        }
    });
    let import_label = match &choice {
        Choice::Import => "Import".to_string(),
        Choice::ImportValid(rows) => import_valid_label(*rows),
        Choice::Nothing => String::new(),
    };
    let buttons = move || {
        if let Some(why) = denied.get() {
            return view! {
                <div class="notice error" role="alert">{why}</div>
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            }
            .into_any();
        }
        if choice == Choice::Nothing {
            return view! {
                <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            }
            .into_any();
        }
        let label = import_label.clone();
        view! {
            <button
                type="button"
                class="primary"
                disabled=move || busy.get()
                on:click=move |_| on_import.run(())
            >
                {label}
            </button>
            // Also while the import is written: `on_cancel` stops it then.
            <button type="button" on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
        }
        .into_any()
    };
    let nothing = (!plan.has_writes()).then(|| {
        view! { <div class="notice error" role="alert">{nothing_message(&plan)}</div> }
    });
    view! {
        <section aria-labelledby="preview-title">
            <h3 id="preview-title">"Preview"</h3>
            <p role="status">{summary(&plan)}</p>
            {nothing}
            {(!plan.counts.is_empty()).then(|| view! { <CountsTable plan=plan.clone() /> })}
            {below_used}
            <Files plan=plan.clone() />
            {(!plan.refused.is_empty()).then(|| view! { <RefusedRows plan=plan.clone() /> })}
            {(!plan.changes.is_empty()).then(|| view! { <Changes plan=plan.clone() /> })}
            <div class="form-actions">{buttons}</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{seed_users, Account};
    use crate::exchange::fixtures;
    use crate::exchange::{Desk, ImportJob, KeptRecord};
    use crate::storage::Stored;
    use chrono::NaiveDate;

    fn plan_of(files: &[(&str, &str)], desk: &Desk) -> ImportPlan {
        let now = NaiveDate::from_ymd_opt(2025, 6, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let mut job = ImportJob::new(&seed_users()[0].id, now);
        for (name, text) in files {
            job.add_file(name, text.as_bytes().to_vec());
        }
        job.finish(desk)
    }

    fn empty_desk() -> Desk {
        Desk {
            users: seed_users(),
            ..Desk::default()
        }
    }

    #[test]
    fn import_is_offered_plainly_only_when_nothing_is_refused() {
        let clean = plan_of(&fixtures::all(), &empty_desk());
        assert_eq!(choice(&clean), Choice::Import);
        assert_eq!(
            summary(&clean),
            "Nothing is written yet. 10 row(s) would be imported."
        );

        // An 18-character Id with a wrong checksum suffix: one refused row.
        let accounts = format!("{}001M000000qfPyTAAA,Bad Co\n", fixtures::ACCOUNTS);
        let mut files = fixtures::all();
        files.retain(|(name, _)| *name != "accounts.csv");
        files.push(("accounts.csv", &accounts));
        let some_refused = plan_of(&files, &empty_desk());
        assert_eq!(some_refused.refused_rows(), 1, "{:?}", some_refused.refused);
        assert_eq!(choice(&some_refused), Choice::ImportValid(10));
        assert_eq!(import_valid_label(10), "Import the 10 valid rows");
        assert_eq!(import_valid_label(1), "Import the 1 valid row");

        let png = "\u{89}PNG\r\n\u{1a}\n\0\0";
        let mut with_png = fixtures::all();
        with_png.push(("logo.csv", png));
        let file_refused = plan_of(&with_png, &empty_desk());
        assert_eq!(file_refused.refused_files.len(), 1);
        assert_eq!(choice(&file_refused), Choice::ImportValid(10));
    }

    #[test]
    fn a_preview_writing_nothing_offers_no_import() {
        let header_only = plan_of(&[("a.csv", "Id,Name\n")], &empty_desk());
        assert_eq!(choice(&header_only), Choice::Nothing);
        assert!(nothing_message(&header_only).contains("no row can be imported"));

        // The same account already on the desk: unchanged, nothing to write.
        let first = plan_of(&[("accounts.csv", fixtures::ACCOUNTS)], &empty_desk());
        let mut desk = empty_desk();
        desk.accounts = first
            .writes
            .kept
            .0
            .records()
            .filter_map(|r| match r {
                Ok(KeptRecord::Account(record)) => Some(Stored { rev: 1, record }),
                _ => None,
            })
            .collect::<Vec<Stored<Account>>>();
        let again = plan_of(&[("accounts.csv", fixtures::ACCOUNTS)], &desk);
        assert_eq!(choice(&again), Choice::Nothing);
        assert!(nothing_message(&again).contains("unchanged"));
    }
}
