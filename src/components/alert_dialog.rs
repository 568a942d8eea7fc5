//! An in-page confirmation dialog (`role="alertdialog"`), for actions that
//! can't be undone. `window.confirm` is not used: it blocks the page, can't
//! be styled or tested, and some browsers suppress it.

use leptos::html;
use leptos::prelude::*;

// The stylesheet has no dialog rules yet; these keep the dialog usable on its own.
const BACKDROP_STYLE: &str = "position:fixed;inset:0;background:rgba(8,7,7,0.45);z-index:50;";
const DIALOG_STYLE: &str = "position:fixed;top:18vh;left:50%;transform:translateX(-50%);\
    width:min(32rem,92vw);background:#fff;border-radius:0.25rem;padding:1rem 1.25rem;\
    box-shadow:0 2px 12px rgba(0,0,0,0.3);z-index:51;";
const DANGER_STYLE: &str = "background:#ba0517;border-color:#ba0517;";

/// Shown while `open` is true. The confirm button is labelled
/// `confirm_label`; Cancel, Escape and a click outside close it.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    /// The dialog's heading (its accessible name).
    #[prop(into)]
    title: String,
    /// What happens, and what can't be undone (its accessible description).
    #[prop(into)]
    message: Signal<String>,
    #[prop(into)] confirm_label: String,
    /// Styles the confirm button as destructive.
    #[prop(optional)]
    danger: bool,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let id = next_dialog_id();
    let title_id = format!("confirm-title-{id}");
    let message_id = format!("confirm-message-{id}");
    let cancel_ref = NodeRef::<html::Button>::new();
    // The safe choice has the focus when the dialog opens.
    Effect::new(move |_| {
        if open.get() {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    let confirm_style = if danger { DANGER_STYLE } else { "" };
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" style=BACKDROP_STYLE on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                style=DIALOG_STYLE
                role="alertdialog"
                aria-modal="true"
                aria-labelledby=title_id.clone()
                aria-describedby=message_id.clone()
                on:keydown=on_keydown
            >
                <h2 id=title_id.clone()>{title.clone()}</h2>
                <p id=message_id.clone()>{move || message.get()}</p>
                <div class="form-actions">
                    <button type="button" node_ref=cancel_ref on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="primary"
                        style=confirm_style
                        on:click=move |_| {
                            open.set(false);
                            on_confirm.run(());
                        }
                    >
                        {confirm_label.clone()}
                    </button>
                </div>
            </div>
        </Show>
    }
}

fn next_dialog_id() -> u32 {
    thread_local! {
        static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    NEXT.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}
