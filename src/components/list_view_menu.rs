//! The list-view menu, as in Lightning: a button naming the current view
//! opens a menu (`role="menu"`) of the built-in views and the user's own
//! (`menuitemradio`), and the actions Save as…, Save changes, Rename… and
//! Delete. Arrow keys, Home and End move through it, Escape closes it. The
//! rules (unique, non-empty names; built-ins stay) are `ListViews`'; this
//! only shows its messages. Views are kept in this browser's settings.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::alert_dialog::ConfirmDialog;
use crate::components::fields::{FormNotice, TextInput};
use crate::services::licenses::{
    Columns, LicenseQuery, ListView, ListViewError, ListViews, ALL_LICENSES, VIEW_NAME_MAX,
};
use crate::storage::settings;

const BUTTON_ID: &str = "list-view-button";
const MENU_ID: &str = "list-view-menu";
const NAME_ID: &str = "list-view-name";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    View { name: String, built_in: bool },
    SaveAs,
    Save,
    Rename,
    Delete,
}

impl Item {
    fn label(&self) -> String {
        match self {
            Item::View { name, .. } => name.clone(),
            Item::SaveAs => "Save as…".to_string(),
            Item::Save => "Save changes".to_string(),
            Item::Rename => "Rename…".to_string(),
            Item::Delete => "Delete".to_string(),
        }
    }
}

/// What the name form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NameForm {
    SaveAs,
    Rename(String),
}

fn item_id(index: usize) -> String {
    format!("list-view-item-{index}")
}

fn focus_id(id: &str) {
    let id = id.to_string();
    // After the menu or form is shown (they are hidden until now).
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn ListViewMenu(
    /// The settings key of the list, e.g. "licenses".
    page: &'static str,
    views: RwSignal<ListViews>,
    /// The name of the view picked.
    current: RwSignal<String>,
    /// The list's filters, sort and columns now.
    #[prop(into)]
    state: Signal<(LicenseQuery, Columns)>,
    /// Shows a view: sets the list's filters, sort and columns.
    on_pick: Callback<ListView>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let focused = RwSignal::new(0usize);
    let form = RwSignal::new(None::<NameForm>);
    let name_text = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let confirm_delete = RwSignal::new(false);
    let wrapper = NodeRef::<leptos::html::Div>::new();

    let current_view = Memo::new(move |_| views.with(|v| v.find_or_all(Some(&current.get()))));
    let modified =
        Memo::new(move |_| current_view.with(|view| state.with(|(q, c)| !view.matches(q, *c))));
    let items = Memo::new(move |_| {
        let mut items: Vec<Item> = views.with(|v| {
            v.built_in()
                .iter()
                .chain(v.saved())
                .map(|view| Item::View {
                    name: view.name.clone(),
                    built_in: view.built_in,
                })
                .collect()
        });
        items.push(Item::SaveAs);
        if modified.get() && !current_view.with(|v| v.built_in) {
            items.push(Item::Save);
        }
        items.push(Item::Rename);
        items.push(Item::Delete);
        items
    });

    // Saves the views in the settings; a browser that can't keep them
    // (some private windows) keeps them for this visit and says so.
    let persist = move || {
        let stored = views.with_untracked(ListViews::to_settings);
        settings::set_list_views(page, stored)
            .err()
            .map(|e| format!("The list views are kept until this tab closes only: {e}"))
    };
    let report = move |done: String| {
        notice.set(Some(match persist() {
            None => Ok(done),
            Some(problem) => Err(problem),
        }));
    };

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            focus_id(BUTTON_ID);
        }
    };
    let open_at = move |index: usize| {
        let last = items.with_untracked(|i| i.len().saturating_sub(1));
        let index = index.min(last);
        focused.set(index);
        open.set(true);
        focus_id(&item_id(index));
    };
    let checked_index = move || {
        let name = current.get_untracked();
        items.with_untracked(|items| {
            items
                .iter()
                .position(|i| matches!(i, Item::View { name: n, .. } if *n == name))
                .unwrap_or_default()
        })
    };

    let open_name_form = move |purpose: NameForm| {
        name_text.set(match &purpose {
            NameForm::SaveAs => String::new(),
            NameForm::Rename(name) => name.clone(),
        });
        name_error.set(None);
        form.set(Some(purpose));
        focus_id(NAME_ID);
    };

    let activate = move |item: Item| {
        close(true);
        notice.set(None);
        let name = current.get_untracked();
        let built_in_refusal = || {
            current_view
                .with_untracked(|v| v.built_in)
                .then(|| ListViewError::BuiltIn(name.clone()).to_string())
        };
        match item {
            Item::View { name, .. } => {
                form.set(None);
                if let Some(view) = views.with_untracked(|v| v.find(&name).cloned()) {
                    current.set(view.name.clone());
                    on_pick.run(view);
                }
            }
            Item::SaveAs => open_name_form(NameForm::SaveAs),
            Item::Save => {
                let (query, columns) = state.get_untracked();
                let mut changed = views.get_untracked();
                match changed.update(&name, &query, columns) {
                    Ok(view) => {
                        views.set(changed);
                        report(format!("Saved the changes to \"{}\".", view.name));
                    }
                    Err(e) => notice.set(Some(Err(e.to_string()))),
                }
            }
            Item::Rename => match built_in_refusal() {
                Some(refusal) => notice.set(Some(Err(refusal))),
                None => open_name_form(NameForm::Rename(name)),
            },
            Item::Delete => match built_in_refusal() {
                Some(refusal) => notice.set(Some(Err(refusal))),
                None => {
                    form.set(None);
                    confirm_delete.set(true);
                }
            },
        }
    };

    let submit_name = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let Some(purpose) = form.get_untracked() else {
            return;
        };
        let typed = name_text.get_untracked();
        let mut changed = views.get_untracked();
        let result = match &purpose {
            NameForm::SaveAs => {
                let (query, columns) = state.get_untracked();
                changed
                    .save_as(&typed, &query, columns)
                    .map(|v| (v.name, "Saved the list view"))
            }
            NameForm::Rename(old) => changed
                .rename(old, &typed)
                .map(|v| (v.name, "Renamed the list view to")),
        };
        match result {
            Ok((name, done)) => {
                views.set(changed);
                current.set(name.clone());
                form.set(None);
                name_error.set(None);
                report(format!("{done} \"{name}\"."));
                focus_id(BUTTON_ID);
            }
            Err(e) => name_error.set(Some(e.to_string())),
        }
    };

    let delete = Callback::new(move |()| {
        let name = current.get_untracked();
        let mut changed = views.get_untracked();
        match changed.delete(&name) {
            Ok(()) => {
                views.set(changed);
                let all = views.with_untracked(|v| v.find_or_all(Some(ALL_LICENSES)));
                current.set(all.name.clone());
                on_pick.run(all);
                report(format!("Deleted the list view \"{name}\"."));
            }
            Err(e) => notice.set(Some(Err(e.to_string()))),
        }
        focus_id(BUTTON_ID);
    });

    let on_menu_key = move |ev: ev::KeyboardEvent| {
        let count = items.with_untracked(Vec::len);
        if count == 0 {
            return;
        }
        let at = focused.get_untracked().min(count - 1);
        let next = match ev.key().as_str() {
            "ArrowDown" => Some((at + 1) % count),
            "ArrowUp" => Some((at + count - 1) % count),
            "Home" => Some(0),
            "End" => Some(count - 1),
            "Escape" => {
                ev.prevent_default();
                close(true);
                None
            }
            "Tab" => {
                close(false);
                None
            }
            _ => None,
        };
        if let Some(next) = next {
            ev.prevent_default();
            focused.set(next);
            focus_id(&item_id(next));
        }
    };

    // The focus moves into an opened menu one frame later (it is hidden until
    // then): a key pressed before that lands on the button and works as it
    // would in the menu, so a quick End or Escape is never lost.
    let on_button_key = move |ev: ev::KeyboardEvent| {
        if open.get_untracked() {
            return on_menu_key(ev);
        }
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open_at(checked_index());
            }
            "ArrowUp" => {
                ev.prevent_default();
                open_at(usize::MAX);
            }
            _ => {}
        }
    };

    // A click anywhere else closes the menu.
    let outside = window_event_listener(ev::pointerdown, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let inside = match (
            wrapper.get_untracked(),
            ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()),
        ) {
            (Some(wrapper), Some(target)) => wrapper.contains(Some(&target)),
            _ => false,
        };
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());

    let entry = move |index: usize, item: Item| {
        let label = item.label();
        let id = item_id(index);
        let on_focus = move |_| focused.set(index);
        match item.clone() {
            Item::View { name, .. } => {
                let checked = move || current.with(|c| *c == name).to_string();
                view! {
                    <button
                        type="button"
                        class="menu-item"
                        role="menuitemradio"
                        id=id
                        tabindex="-1"
                        aria-checked=checked
                        on:focus=on_focus
                        on:click=move |_| activate(item.clone())
                    >
                        <span class="menu-check" aria-hidden="true">"✓"</span>
                        {label}
                    </button>
                }
                .into_any()
            }
            _ => {
                let refused = matches!(item, Item::Rename | Item::Delete);
                let disabled = move || (refused && current_view.with(|v| v.built_in)).to_string();
                view! {
                    <button
                        type="button"
                        class="menu-item"
                        role="menuitem"
                        id=id
                        tabindex="-1"
                        aria-disabled=disabled
                        on:focus=on_focus
                        on:click=move |_| activate(item.clone())
                    >
                        {label}
                    </button>
                }
                .into_any()
            }
        }
    };

    let menu_body = move || {
        let items = items.get();
        let mut built_in = Vec::new();
        let mut saved = Vec::new();
        let mut actions = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            match &item {
                Item::View { built_in: true, .. } => built_in.push(entry(index, item)),
                Item::View { .. } => saved.push(entry(index, item)),
                _ => actions.push(entry(index, item)),
            }
        }
        let saved = if saved.is_empty() {
            ().into_any()
        } else {
            view! {
                <div role="separator" class="menu-separator"></div>
                <div role="group" aria-label="My list views">
                    <p class="menu-heading" aria-hidden="true">"My list views"</p>
                    {saved}
                </div>
            }
            .into_any()
        };
        view! {
            <div role="group" aria-label="Built-in views">
                <p class="menu-heading" aria-hidden="true">"Built-in views"</p>
                {built_in}
            </div>
            {saved}
            <div role="separator" class="menu-separator"></div>
            {actions}
        }
    };

    let form_title = move || match form.get() {
        Some(NameForm::Rename(_)) => "Rename list view",
        _ => "Save list view as",
    };
    let hint = format!(
        "Up to {VIEW_NAME_MAX} characters, different from every other view's name. \
         Saved in this browser, with the filters, sort and columns shown now."
    );

    view! {
        <div class="list-view-menu" node_ref=wrapper>
            <button
                type="button"
                id=BUTTON_ID
                aria-haspopup="menu"
                aria-controls=MENU_ID
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    if open.get_untracked() {
                        close(false);
                    } else {
                        open_at(checked_index());
                    }
                }
                on:keydown=on_button_key
            >
                "List view: "
                {move || current_view.with(|v| v.name.clone())}
                <span aria-hidden="true">" ▾"</span>
            </button>
            {move || {
                modified
                    .get()
                    .then(|| {
                        view! {
                            <span class="hint">" Filters, sort or columns changed since this view was picked."</span>
                        }
                    })
            }}
            <div
                class="menu"
                role="menu"
                id=MENU_ID
                aria-labelledby=BUTTON_ID
                hidden=move || !open.get()
                on:keydown=on_menu_key
            >
                {menu_body}
            </div>
        </div>
        <Show when=move || form.get().is_some()>
            <form class="list-view-form card" aria-label=form_title on:submit=submit_name>
                <h2>{form_title}</h2>
                <TextInput
                    id=NAME_ID
                    label="List View Name"
                    value=name_text
                    error=Signal::derive(move || name_error.get())
                    hint=hint.clone()
                />
                <div class="form-actions">
                    <button
                        type="button"
                        on:click=move |_| {
                            form.set(None);
                            focus_id(BUTTON_ID);
                        }
                    >
                        "Cancel"
                    </button>
                    <button type="submit" class="primary">"Save"</button>
                </div>
            </form>
        </Show>
        <FormNotice notice />
        <ConfirmDialog
            open=confirm_delete
            title="Delete this list view?"
            message=Signal::derive(move || {
                format!(
                    "The list view \"{}\" will be deleted from this browser. The licenses it shows are not changed.",
                    current.get(),
                )
            })
            confirm_label="Delete"
            danger=true
            on_confirm=delete
        />
    }
}
