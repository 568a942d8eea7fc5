//! The Licenses list view: every license, searched, filtered and sorted in
//! memory (read once per change of the data, never per keystroke), shown in
//! a windowed table.

use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::browser_turn::after_paint_within;
use crate::clock;
use crate::components::bulk_modify::{use_selection, SelectionBar};
use crate::components::column_chooser::ColumnChooser;
use crate::components::export_button::ExportButton;
use crate::components::license_table::{LicenseTable, LoadedLicenses};
use crate::components::list_view_menu::ListViewMenu;
use crate::components::record::{Empty, ErrorNotice, Loading, PageHeader};
use crate::domain::{License, LicenseStatus, OrgStatus};
use crate::services::export::{shown_licenses_csv, ExportFailed};
use crate::services::licenses::{
    count_text, expired_from_value, expired_value, load_list_rows, load_people, prefs_from_state,
    sandbox_from_value, starting_state, take_first_read, LicenseQuery, ListRefresh, ListView,
    ListViews, LiveList, PeopleState,
};
use crate::storage::{settings, IdbRepository, Repository};

/// At most this long after the first rows the companies and emails are
/// read, if no frame was painted before (a hidden tab paints none).
const PEOPLE_AFTER_MS: i32 = 200;

/// The key of this list's saved sort, filters and views in the settings.
const PREFS_KEY: &str = "licenses";

/// What the page shows below its header.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Loading,
    Failed(String),
    NoLicenses,
    Ready,
}

#[component]
pub fn LicensesPage() -> impl IntoView {
    let app = use_app();
    let today = clock::today();

    // The licenses and package names first, so the rows show at once; then
    // the leads', accounts' and contacts' companies and emails, which only
    // add search keys. After a commit only what its notice names is read
    // again (see `LiveList`).
    let live = RwSignal::new(None::<Result<LiveList, String>>);
    let pending = StoredValue::new_local(ListRefresh::everything());
    let running = StoredValue::new_local(false);
    // The list's reads stop when the page is left (see `page_repo`).
    let reads = StoredValue::new_local(app.page_repo());
    let refresh = move || {
        if running.try_get_value() != Some(false) {
            return;
        }
        running.set_value(true);
        spawn_local(async move {
            while let Some(work) = pending.try_update_value(std::mem::take) {
                if work.is_empty() {
                    break;
                }
                let Some(repo) = reads.try_get_value() else {
                    break;
                };
                run_refresh(repo, live, pending, work).await;
            }
            running.try_set_value(false);
        });
    };
    let subscription = app.repo().subscribe(move |notice| {
        if notice.only_sync_stores() {
            return;
        }
        let ask = ListRefresh::from_notice(notice);
        if !ask.licenses.is_empty() {
            crate::bench::mark("ld:notice");
        }
        if !ask.is_empty() && pending.try_update_value(|p| p.merge(ask)).is_some() {
            refresh();
        }
    });
    // Dropped with the page: no more notices for it.
    let _subscription = StoredValue::new_local(subscription);
    refresh();

    // While a reload runs, the previous load stays on screen.
    let loaded = Signal::derive(move || {
        live.with(|l| match l {
            Some(Ok(live)) => Some(LoadedLicenses {
                generation: live.generation(),
                list: Arc::clone(live.list()),
                complete: *live.people() == PeopleState::Loaded,
            }),
            _ => None,
        })
    });
    // What the search can't use yet (or at all), said next to the count.
    let search_note = move || {
        live.with(
            |l| match l.as_ref().map(|l| l.as_ref().map(LiveList::people)) {
                Some(Ok(PeopleState::Failed(e))) => {
                    Some(format!("Companies and emails can't be searched: {e}"))
                }
                Some(Ok(PeopleState::Loaded)) | Some(Err(_)) => None,
                Some(Ok(PeopleState::Loading)) | None => {
                    Some("Loading companies and emails for the search…".to_string())
                }
            },
        )
    };
    let state = Memo::new(move |_| {
        live.with(|r| match r {
            None => State::Loading,
            Some(Err(e)) => State::Failed(e.clone()),
            Some(Ok(l)) if l.list().is_empty() => State::NoLicenses,
            Some(Ok(_)) => State::Ready,
        })
    });

    // The list views, and the filters, sort and columns left last time.
    let views = RwSignal::new(ListViews::from_settings(&settings::list_views(PREFS_KEY)));
    let (start_view, saved, saved_columns) =
        views.with_untracked(|v| starting_state(v, &settings::list_prefs(PREFS_KEY)));
    let current_view = RwSignal::new(start_view.name);
    let columns = RwSignal::new(saved_columns);
    let sort = RwSignal::new(saved.sort);
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(saved.status);
    let package = RwSignal::new(saved.package);
    let sandbox = RwSignal::new(saved.sandbox);
    let org_status = RwSignal::new(saved.org_status);
    let within = RwSignal::new(saved.expires_within_days);
    let within_text = RwSignal::new(
        saved
            .expires_within_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let expired = RwSignal::new(saved.expired);
    let over_limit = RwSignal::new(saved.seats_over_limit);

    let query = Memo::new(move |_| LicenseQuery {
        text: text.get(),
        status: status.get(),
        package: package.get(),
        sandbox: sandbox.get(),
        org_status: org_status.get(),
        expires_within_days: within.get(),
        expired: expired.get(),
        seats_over_limit: over_limit.get(),
        sort: sort.get(),
    });
    // A view picked from the menu shows its licenses: its filters, sort and
    // columns, without the search.
    let pick_view = Callback::new(move |view: ListView| {
        let q = view.query;
        text.set(String::new());
        status.set(q.status);
        package.set(q.package);
        sandbox.set(q.sandbox);
        org_status.set(q.org_status);
        within.set(q.expires_within_days);
        within_text.set(
            q.expires_within_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        expired.set(q.expired);
        over_limit.set(q.seats_over_limit);
        sort.set(q.sort);
        columns.set(view.columns);
    });
    let view_state = Signal::derive(move || (query.get(), columns.get()));
    // The last filters, sort, columns and view, for the next visit. A
    // preference that can't be saved (private window) is no error.
    Effect::new(move |_| {
        let prefs = query.with(|q| prefs_from_state(q, columns.get(), Some(&current_view.get())));
        let _ = settings::set_list_prefs(PREFS_KEY, prefs);
    });
    // Sorting happens when the data or the sort changes; each keystroke
    // only filters the sorted order.
    let sorted = Memo::new(move |_| {
        let sort = sort.get();
        loaded.with(|l| l.as_ref().map(|l| l.list.sorted(sort)).unwrap_or_default())
    });
    let shown = Memo::new(move |_| {
        query.with(|q| {
            sorted.with(|order| {
                loaded.with(|l| {
                    l.as_ref()
                        .map(|l| l.list.filter(order, q, today))
                        .unwrap_or_default()
                })
            })
        })
    });
    let count = Memo::new(move |_| shown.with(Vec::len));

    let scroll_top = RwSignal::new(0.0);
    let window_ref = NodeRef::<leptos::html::Div>::new();
    // A new search or filter starts at the top of the list (the first run
    // is the page's start, at the top already: setting it would make the
    // browser lay the page out in the middle of drawing it).
    Effect::new(move |started: Option<()>| {
        query.track();
        if started.is_none() {
            return;
        }
        if let Some(el) = window_ref.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });

    let packages = Memo::new(move |_| {
        loaded.with(|l| l.as_ref().map(|l| l.list.packages()).unwrap_or_default())
    });

    let clear = move |_| {
        text.set(String::new());
        status.set(None);
        package.set(None);
        sandbox.set(None);
        org_status.set(None);
        within.set(None);
        within_text.set(String::new());
        expired.set(None);
        over_limit.set(false);
    };
    let filtered = move || query.with(LicenseQuery::is_filtered);

    // Every row the search and filters select, in the list's sort: not
    // only the rows the window draws.
    let export_csv = move || {
        let list = live.with_untracked(|l| match l {
            Some(Ok(live)) => Some(Arc::clone(live.list())),
            _ => None,
        });
        let shown = shown.get_untracked();
        async move {
            match list {
                Some(list) => shown_licenses_csv(&app.repo(), &list, &shown).await,
                None => Err(ExportFailed::ListChanged),
            }
        }
    };

    let filters = view! {
        <form class="filters" role="search" aria-label="Search and filter licenses" on:submit=|ev: ev::SubmitEvent| ev.prevent_default()>
            <div class="form-field">
                <label for="license-search">"Search licenses"</label>
                <input
                    id="license-search"
                    type="search"
                    placeholder="License Name, Subscriber Org ID, company or email"
                    aria-describedby="license-search-hint"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <span class="hint" id="license-search-hint">
                    "Org IDs match in their 15- or 18-character form."
                </span>
            </div>
            <div class="form-field">
                <label for="license-status">"License Status"</label>
                <select
                    id="license-status"
                    on:change=move |ev| status.set(LicenseStatus::parse(&event_target_value(&ev)).ok())
                >
                    <option value="" selected=move || status.get().is_none()>"All statuses"</option>
                    {LicenseStatus::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.label() selected=move || status.get() == Some(s)>
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="form-field">
                <label for="license-package">"Package"</label>
                <select
                    id="license-package"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        package.set(if v.is_empty() { None } else { Some(v) });
                    }
                >
                    <option value="" selected=move || package.get().is_none()>"All packages"</option>
                    {move || {
                        packages
                            .get()
                            .into_iter()
                            .map(|(id, name)| {
                                let value = id.clone();
                                view! {
                                    <option
                                        value=value
                                        selected=move || package.with(|p| p.as_deref() == Some(id.as_str()))
                                    >
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="form-field">
                <label for="license-sandbox">"Sandbox"</label>
                <select
                    id="license-sandbox"
                    on:change=move |ev| sandbox.set(sandbox_from_value(&event_target_value(&ev)))
                >
                    <option value="" selected=move || sandbox.get().is_none()>"Sandbox and production"</option>
                    <option value="sandbox" selected=move || sandbox.get() == Some(true)>"Sandbox only"</option>
                    <option value="production" selected=move || sandbox.get() == Some(false)>"Production only"</option>
                </select>
            </div>
            <div class="form-field">
                <label for="license-org-status">"Org Status"</label>
                <select
                    id="license-org-status"
                    on:change=move |ev| org_status.set(OrgStatus::parse(&event_target_value(&ev)).ok())
                >
                    <option value="" selected=move || org_status.get().is_none()>"All org statuses"</option>
                    {OrgStatus::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.label() selected=move || org_status.get() == Some(s)>
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="form-field">
                <label for="license-expires-within">"Expires within (days)"</label>
                <input
                    id="license-expires-within"
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    prop:value=move || within_text.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        within.set(v.trim().parse::<u32>().ok());
                        within_text.set(v);
                    }
                />
            </div>
            <div class="form-field">
                <label for="license-expired">"Expired"</label>
                <select
                    id="license-expired"
                    aria-describedby="license-expired-hint"
                    on:change=move |ev| expired.set(expired_from_value(&event_target_value(&ev)))
                >
                    <option value="" selected=move || expired.get().is_none()>"Expired or not"</option>
                    <option value=expired_value(Some(true)) selected=move || expired.get() == Some(true)>
                        "Expired only"
                    </option>
                    <option value=expired_value(Some(false)) selected=move || expired.get() == Some(false)>
                        "Not expired"
                    </option>
                </select>
                <span class="hint" id="license-expired-hint">
                    "Trial or Active, past the Expiration Date."
                </span>
            </div>
            <div class="form-field">
                <span class="inline">
                    <input
                        id="license-over-limit"
                        type="checkbox"
                        prop:checked=move || over_limit.get()
                        on:change=move |ev| over_limit.set(event_target_checked(&ev))
                    />
                    <label for="license-over-limit">"Seats over limit"</label>
                </span>
                <span class="hint">"Used Licenses above Licensed Seats."</span>
            </div>
            <div class="form-field">
                <button type="button" on:click=clear disabled=move || !filtered()>
                    "Clear filters"
                </button>
            </div>
        </form>
    };

    view! {
        <PageHeader object_label="Licenses" title=Signal::derive(move || current_view.get()) />
        // The list views sit above the list, as in Lightning (and outside
        // its region, whose controls are the filters).
        <div class="list-views" hidden=move || state.get() != State::Ready>
            <ListViewMenu
                page=PREFS_KEY
                views=views
                current=current_view
                state=view_state
                on_pick=pick_view
            />
            <ColumnChooser columns />
        </div>
        <section class="card" aria-label="Licenses">
            {move || match state.get() {
                State::Loading => view! { <Loading what="Loading licenses…" /> }.into_any(),
                State::Failed(message) => view! { <ErrorNotice message /> }.into_any(),
                State::NoLicenses => {
                    view! {
                        <Empty>
                            "No licenses yet: load demo data on the "
                            <A href="/">"Home page"</A>
                            " or install a package from the "
                            <A href="/simulator">"Subscriber simulator"</A>
                            ". Licenses are created by installs; nobody creates them by hand."
                        </Empty>
                    }
                        .into_any()
                }
                State::Ready => ().into_any(),
            }}
            <div hidden=move || state.get() != State::Ready>
                {filters}
                <div class="list-actions">
                    <div class="list-count">
                        <span role="status" aria-live="polite">{move || count_text(count.get())}</span>
                        {move || {
                            search_note()
                                .map(|note| view! { " · " <span class="hint" role="status">{note}</span> })
                        }}
                    </div>
                    <ExportButton list="Licenses" csv=export_csv />
                </div>
                <Show when=move || count.get() == 0 && state.get() == State::Ready>
                    <Empty>
                        "No licenses match this search and these filters. "
                        <button type="button" on:click=clear>"Show all licenses"</button>
                    </Empty>
                </Show>
                <SelectionBar licenses=loaded shown=shown />
                <div hidden=move || count.get() == 0>
                    <LicenseTable
                        selection=use_selection()
                        licenses=loaded
                        shown=shown
                        sort=sort
                        columns=columns
                        scroll_top=scroll_top
                        window_ref=window_ref
                        today=today
                    />
                </div>
            </div>
        </section>
    }
}

/// Reads what `work` asks for and puts it in `live`: every license (and the
/// people, when never read), the people, or the licenses a commit named.
/// A license that can't be read makes the next turn read everything (which
/// leaves it out and notes it as damaged).
async fn run_refresh(
    repo: IdbRepository,
    live: RwSignal<Option<Result<LiveList, String>>>,
    pending: StoredValue<ListRefresh, LocalStorage>,
    work: ListRefresh,
) {
    let mut people = work.people;
    if work.everything {
        // The read started with the app, when it opened on this page; the
        // commits heard since its start are read after it.
        let read = match take_first_read().await {
            Some((read, asked)) => {
                pending.try_update_value(|p| p.merge(asked));
                read
            }
            None => load_list_rows(&repo).await,
        };
        match read {
            Ok((list, lookups)) => {
                crate::bench::mark("ld:rows-built");
                // The companies and emails are read again after the rows.
                people = true;
                live.try_set(Some(Ok(LiveList::new(list, lookups))));
            }
            Err(e) => {
                live.try_set(Some(Err(e.to_string())));
                return;
            }
        }
    } else if !work.licenses.is_empty() {
        let ids: Vec<String> = work.licenses.into_iter().collect();
        match repo.get_many::<License>(&ids).await {
            Ok(found) => {
                crate::bench::mark("ld:licenses-got");
                live.try_update(|l| {
                    if let Some(Ok(l)) = l {
                        l.apply_licenses(ids.into_iter().zip(found).collect());
                    }
                });
                crate::bench::mark("ld:patched");
            }
            Err(_) => {
                pending.try_update_value(|p| p.everything = true);
            }
        }
    }
    if people {
        if work.everything {
            // The companies and emails only add search keys, and theirs is
            // the largest read of the start (every lead, account and
            // contact): it waits for the rows to be painted, not beside them.
            after_paint_within(PEOPLE_AFTER_MS).await;
        }
        let read = load_people(&repo).await.map_err(|e| e.to_string());
        crate::bench::mark("ld:people-read");
        live.try_update(|l| {
            if let Some(Ok(l)) = l {
                l.set_people(read);
            }
        });
    }
}
